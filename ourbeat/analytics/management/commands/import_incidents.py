"""Import a CSV of incidents through a saved column mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ourbeat.analytics.management.commands.import_policeuk import (
    find_organisation,
    import_paths,
)
from ourbeat.analytics.models import ColumnMapping, IncidentSource


class Command(BaseCommand):
    help = (
        "Import a CSV file of incidents through a saved column mapping. Idempotent: rows "
        "already imported are counted as present, never added twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("The CSV file."))
        parser.add_argument("--mapping", required=True, help=_("The column mapping's name."))
        parser.add_argument(
            "--organisation",
            default=None,
            help=_("The organisation (identifier or id) whose mapping and incidents these are."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mappings = ColumnMapping.objects.filter(name=options["mapping"]).select_related(
            "organisation"
        )
        if options["organisation"]:
            organisation = find_organisation(options["organisation"])
            mappings = mappings.filter(organisation=organisation)
        found = list(mappings[:2])
        if not found:
            raise CommandError(
                _("No column mapping is called %(name)s.") % {"name": options["mapping"]}
            )
        if len(found) > 1:
            raise CommandError(
                _("Several organisations have a mapping called %(name)s: name the organisation.")
                % {"name": options["mapping"]}
            )
        mapping = found[0]
        ok = import_paths(
            self,
            organisation=mapping.organisation,
            paths=[Path(options["file"])],
            kind_of=lambda _path: (IncidentSource.CSV.value, mapping),
        )
        if not ok:
            raise CommandError(_("The file was not imported."), returncode=1)
