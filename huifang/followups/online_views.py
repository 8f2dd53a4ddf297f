"""The borrower's online questionnaire page (线上问卷): no login, one questionnaire, one use.

Reached only with a valid token; every other case (unknown, expired, used,
revoked, visit already closed) gets a plain page that says so and changes
nothing. Requests are limited per client address.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from huifang.accounts.services import client_ip
from huifang.followups.services.online import LinkUnusable, online_answer, online_link_lookup
from huifang.lib.ratelimit import over_limit
from huifang.questionnaires import schema

# Per client address: page views and answer attempts in a 10-minute window.
LIMIT, WINDOW_S = 30, 600

UNUSABLE = {
    "unknown": gettext_lazy("链接无效。请确认链接完整，或联系您的客户经理重新发送。"),
    "expired": gettext_lazy("链接已过期。请联系您的客户经理重新发送。"),
    "used": gettext_lazy("这份问卷已经提交过了，感谢您的配合。"),
    "revoked": gettext_lazy("这条链接已作废，请使用客户经理最新发送的链接。"),
    "closed": gettext_lazy("这次回访已经结束，无需再填写。"),
}


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"institution_name": settings.HUIFANG_INSTITUTION_NAME, **context}
    response = render(request, template, context, status=status)
    # The token is in the URL: never send it to another site. (Not "no-referrer": Chrome then
    # sends "Origin: null" with the form, which the CSRF check rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _masked_name(name: str) -> str:
    """张** — enough for the borrower to know the questionnaire is theirs, little for anyone else."""
    return name[:1] + "*" * max(len(name) - 1, 1)


@login_not_required
@never_cache
@csrf_protect
def online_questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    ip = client_ip(request)
    if over_limit(f"online:{ip}", limit=LIMIT, window_s=WINDOW_S):
        return _page(
            request,
            "followups/online_unusable.html",
            {"message": _("请求过于频繁，请稍后再试。")},
            status=429,
        )
    try:
        link = online_link_lookup(token)
    except LinkUnusable as exc:
        status = 404 if exc.reason == "unknown" else 410
        return _page(
            request, "followups/online_unusable.html", {"message": UNUSABLE[exc.reason]}, status
        )
    definition = link.questionnaire.definition
    answers, errors = {}, {}
    if request.method == "POST":
        answers = schema.answers_from_post(definition, request.POST, prefix="q")
        try:
            online_answer(token=token, raw_answers=answers, ip=ip)
        except LinkUnusable as exc:
            return _page(
                request, "followups/online_unusable.html", {"message": UNUSABLE[exc.reason]}, 410
            )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            return _page(request, "followups/online_done.html", {})
    return _page(
        request,
        "followups/online_questionnaire.html",
        {
            "link": link,
            "name": _masked_name(
                link.visit.party.name if link.visit.party else link.visit.loan.borrower.name
            ),
            "definition": definition,
            "answers": answers,
            "errors": errors,
        },
        status=422 if errors else 200,
    )
