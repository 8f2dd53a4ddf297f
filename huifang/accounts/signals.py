"""Django's authentication signals, wired to the audit trail (the framework offers no other hook)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from huifang.accounts import services


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    services.login_recorded(user=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    services.logout_recorded(user=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    services.login_failed_recorded(username=str(credentials.get("username", "")), request=request)
