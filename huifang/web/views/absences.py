"""Officers' absences (休假) for supervisors: their planned visits in the period go to colleagues."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import branch_scope, require, require_branch
from huifang.accounts.models import Role, User
from huifang.accounts.services import client_ip, request_actor
from huifang.followups.selectors import absences_for
from huifang.followups.services.absences import absence_add, absence_delete


def _officers(user) -> list[User]:
    qs = User.objects.filter(role=Role.OFFICER, is_active=True).select_related("branch")
    scope = branch_scope(user)
    if scope is not None:
        qs = qs.filter(branch_id__in=scope)
    return list(qs.order_by("branch__name", "username"))


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError({field: _("日期格式应为 YYYY-MM-DD")}) from exc


def absence_list(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    require(request.user, "visits.assign", ip=ip)
    errors: dict[str, str] = {}
    form = {"user": "", "start": "", "end": "", "reason": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        officer = User.objects.filter(username=form["user"], role=Role.OFFICER).first()
        try:
            if officer is None:
                raise ValidationError({"user": _("请选择客户经理")})
            require_branch(
                request.user,
                officer.branch_id,
                object_type="accounts.user",
                object_id=officer.username,
                ip=ip,
            )
            _absence, moved = absence_add(
                officer=officer,
                start=_day(form["start"], "start"),
                end=_day(form["end"], "end"),
                reason=form["reason"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            messages.success(
                request,
                _("已登记休假；期间 %(n)d 条已计划的回访转给了同事。") % {"n": moved},
            )
            return redirect("visit_absences")
    return render(
        request,
        "web/absence_list.html",
        {
            "absences": list(absences_for(request.user)[:200]),
            "officers": _officers(request.user),
            "form": form,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@require_POST
def absence_remove(request: HttpRequest, absence_id: int) -> HttpResponse:
    require(request.user, "visits.assign", ip=client_ip(request))
    absence = get_object_or_404(absences_for(request.user), pk=absence_id)
    absence_delete(absence=absence, actor=request_actor(request))
    messages.success(request, _("已撤销休假。"))
    return redirect("visit_absences")
