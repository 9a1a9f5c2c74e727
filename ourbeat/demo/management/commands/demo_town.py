from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ourbeat.demo.services import demo_town_exists, demo_town_load


class Command(BaseCommand):
    help = (
        "Generate the demo town of Millbrook deterministically from a seed: boundaries, "
        "teams, contact points, commitments and delivered logs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=1829, help="Random seed (same seed, same town)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the demo town exists."
        )
        parser.add_argument(
            "--no-photos", action="store_true", help="Skip the generated portraits."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_town_exists():
            if options["if_empty"]:
                self.stdout.write(_("The demo town is loaded already."))
                return
            raise CommandError(_("The demo town is loaded already; use a fresh database."))
        logins = demo_town_load(seed=options["seed"], with_photos=not options["no_photos"])
        lines = [
            f"Demo accounts (password: {logins.password}); staff set up TOTP at first sign-in:"
        ]
        lines += [f"  {email:36} {what}" for email, what in logins.accounts]
        credentials = Path(settings.VAR_DIR) / "demo-accounts.txt"
        credentials.write_text("\n".join(lines) + "\n")
        credentials.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(_("The demo town of Millbrook is loaded.")))
        self.stdout.write("\n".join(lines))
        self.stdout.write(f"(kept in {credentials})")
