from typing import cast

from django.http import HttpRequest

from huifang.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user; LoginRequiredMiddleware lets no anonymous request reach these views."""
    return cast(User, request.user)
