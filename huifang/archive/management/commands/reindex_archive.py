from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from huifang.accounts.gate import require
from huifang.archive.models import VisitIndex
from huifang.archive.services import archive_reindex
from huifang.followups.models import Visit, VisitStatus
from huifang.lib.commands import HuifangCommand


class Command(HuifangCommand):
    help = "Rebuild the archive's search index from every approved visit; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        user, actor = self.principal(options)
        # A batch job over every branch, like planning.
        require(user, "followups.plan", via="command")
        total = Visit.objects.filter(status=VisitStatus.APPROVED).count()
        show = not options["no_progress"] and total >= 5000 and self.stderr.isatty()
        with tqdm(total=total, unit="visit", disable=not show, file=self.stderr._out) as bar:
            indexed = archive_reindex(progress=bar.update, actor=actor)
        self.stdout.write(
            f"indexed {indexed} approved visits; the archive holds {VisitIndex.objects.count()}"
        )
