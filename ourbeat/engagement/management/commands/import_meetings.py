"""Import an existing meetings calendar into forums and meetings under one area.

    manage.py import_meetings events.json --format chicago --area 1 --organisation cpd

Running it again with the same file changes nothing. A file that cannot be read, is not
JSON or has the wrong shape is refused with a message: the command exits non-zero and
nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from ourbeat.engagement.meetings_import import (
    SKIP_REASONS,
    ImportFileError,
    import_plan,
    parse_chicago,
    read_events,
)
from ourbeat.places.models import Area, Organisation


class Command(BaseCommand):
    help = (
        "Import a meetings calendar (the Chicago CAPS calendar JSON) into forums and meetings "
        "under one area. Beat meetings become one forum per beat, district advisory committee "
        "meetings one forum per district; other events are skipped and counted. Importing "
        "the same file again changes nothing; a bad file writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The calendar file.")
        parser.add_argument("--format", choices=["chicago"], default="chicago")
        parser.add_argument(
            "--area", required=True, help="The area the forums belong to (its slug or code)."
        )
        parser.add_argument(
            "--organisation", required=True, help="The convening organisation's identifier."
        )
        parser.add_argument(
            "--time-zone",
            default="America/Chicago",
            help="The zone of the file's wall-clock times (default America/Chicago).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and report, but write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the identifier {options['organisation']!r}.")
        candidates = list(
            Area.objects.filter(
                Q(slug=options["area"]) | Q(code=options["area"], organisation=organisation)
            )
        )
        if len(candidates) != 1:
            raise CommandError(
                f"No single area has the slug or code {options['area']!r}"
                f" ({len(candidates)} found)."
            )
        area = candidates[0]
        try:
            zone = ZoneInfo(options["time_zone"])
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise CommandError(f"Unknown time zone {options['time_zone']!r}.") from error
        try:
            events = read_events(Path(options["path"]))
        except ImportFileError as error:
            raise CommandError(f"{error}. Nothing was imported.") from error
        plan = parse_chicago(events, zone=zone)
        self.stdout.write(
            f"{plan.events} events read: {len(plan.forums)} forums, "
            f"{plan.meetings} meetings, {sum(plan.skipped.values())} skipped."
        )
        if options["dry_run"]:
            self._skipped(plan.skipped)
            self.stdout.write("Dry run: nothing was written.")
            return
        report = import_plan(
            actor=None,
            plan=plan,
            area=area,
            organisation=organisation,
            source=Path(options["path"]).name,
        )
        self.stdout.write(
            f"Forums: {report.forums_created} created, {report.forums_updated} updated, "
            f"{report.forums_unchanged} unchanged."
        )
        self.stdout.write(
            f"Meetings: {report.meetings_created} created, {report.meetings_updated} updated, "
            f"{report.meetings_unchanged} unchanged."
        )
        if plan.ends_assumed:
            self.stdout.write(
                f"{plan.ends_assumed} meetings had no usable end time: the end was assumed."
            )
        self._skipped(report.skipped)

    def _skipped(self, skipped: Any) -> None:
        for reason, count in sorted(skipped.items(), key=lambda item: -item[1]):
            self.stdout.write(f"Skipped {count}: {SKIP_REASONS.get(reason, reason)}.")
