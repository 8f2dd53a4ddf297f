"""What every huifang command shares: who it acts as, and how it fails."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from huifang.accounts.gate import SYSTEM, record_denial
from huifang.audit.services import Actor, actor_for


class HuifangCommand(BaseCommand):
    """A command that acts as a user (--as USERNAME) through the permission gate, or as the system."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="act as this user: their role and branches apply, and the audit trail names them",
        )

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except PermissionDenied as exc:
            record_denial(exc)
            raise CommandError(f"permission denied: {exc}") from exc

    def principal(self, options: dict[str, Any]) -> tuple[Any, Actor]:
        from huifang.accounts.models import User

        username = options.get("as_user")
        if not username:
            return SYSTEM, Actor(user_id=None, name="system", via="command")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--as: no active user named {username!r}")
        return user, actor_for(user, via="command")

    def add_as_of(self, parser: CommandParser, help: str) -> None:
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help=help)

    def as_of(self, options: dict[str, Any]) -> date:
        """The --as-of date (add_as_of), today when it is not given."""
        if not options.get("as_of"):
            return timezone.localdate()
        try:
            return date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError(f"--as-of: {options['as_of']!r} is not a date YYYY-MM-DD") from exc
