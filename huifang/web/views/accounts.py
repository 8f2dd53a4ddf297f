"""Signing in, the home page, and a user's own API tokens."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import require
from huifang.accounts.models import ApiToken
from huifang.accounts.services import client_ip, request_actor, token_create, token_revoke
from huifang.web.forms import TokenCreateForm
from huifang.web.views import signed_in_user

login = login_not_required(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", redirect_authenticated_user=True
    )
)
logout = auth_views.LogoutView.as_view()


def home(request: HttpRequest) -> HttpResponse:
    return redirect("loan_list")


def token_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "api.token", ip=client_ip(request))
    form = TokenCreateForm(request.POST or None)
    created = raw_key = None
    if request.method == "POST" and form.is_valid():
        # The raw key is rendered in this response only, never stored nor redirected with.
        created, raw_key = token_create(
            user=signed_in_user(request),
            name=form.cleaned_data["name"].strip(),
            actor=request_actor(request),
        )
        form = TokenCreateForm()
    tokens = ApiToken.objects.filter(user=signed_in_user(request)).order_by(
        "revoked_at", "-created_at"
    )
    return render(
        request,
        "web/token_list.html",
        {"form": form, "tokens": tokens, "created": created, "raw_key": raw_key},
    )


@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    require(request.user, "api.token", ip=client_ip(request))
    token = get_object_or_404(
        ApiToken.objects.select_related("user"), pk=token_id, user=signed_in_user(request)
    )
    token_revoke(token=token, actor=request_actor(request))
    messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("token_list")
