from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ourbeat.surveys.services.instruments import LIBRARY_DIRECTORY, ensure_library


class Command(BaseCommand):
    help = (
        "Load the built-in survey library (scales, items, instruments) from its JSON files, "
        "or bring the database up to date with them; print what changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            default=LIBRARY_DIRECTORY,
            help="The folder of the library's JSON files (default: the one shipped with ourbeat).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = ensure_library(directory=options["directory"])
        except ValidationError as error:
            raise CommandError(
                _("The survey library was not loaded:") + "\n" + "\n".join(error.messages)
            ) from error
        if not report.changed:
            self.stdout.write(_("The survey library is up to date."))
            return
        for change in report.changes:
            self.stdout.write(str(change))
        count = len(report.changes)
        self.stdout.write(
            ngettext(
                "The survey library is loaded: %(count)s change.",
                "The survey library is loaded: %(count)s changes.",
                count,
            )
            % {"count": count}
        )
