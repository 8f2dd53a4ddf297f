from typing import Any

from django.core.management.base import BaseCommand, CommandError

from huifang.audit.verify import verify_audit


class Command(BaseCommand):
    help = "Check the audit trail: every event's digest and its link to the one before. Exit 0 when intact."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_audit()
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.ok:
            raise CommandError(
                f"audit trail NOT intact: {len(result.problems)} problem(s) in {result.checked} events"
            )
        self.stdout.write(f"audit trail intact: {result.checked} events checked")
