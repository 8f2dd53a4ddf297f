from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from huifang.portfolio.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create a demo database with realistic data, then serve the web UI on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loans", type=int, default=300, help="how many demo loans (default 300)"
        )
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on")
        parser.add_argument("--no-serve", action="store_true", help="load the data and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        accounts, created = load_demo(loans=options["loans"])
        if created:
            self.stdout.write(f"Demo portfolio created: {created} loans.")
        else:
            self.stdout.write("Demo data already present: nothing added.")
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<16} {account.role:<13} {account.branch or '总部 (all branches)'}"
            )
        if not options["no_serve"]:
            self.stdout.write(f"\nServing on http://{options['addr']}/  (Ctrl-C to stop)\n")
            call_command("runserver", options["addr"], use_reloader=False, skip_checks=True)
