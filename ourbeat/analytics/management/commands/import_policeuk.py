"""Import police.uk monthly archive CSVs (street, outcomes, stop and search).

Each file's kind is recognised by its header. Each file is imported whole or not at all,
through the same services as the staff pages, with a line of counts for each; importing the
same files again adds nothing, and says so. ``import_incidents`` shares the helpers here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ourbeat.analytics import importing, services
from ourbeat.analytics.models import ColumnMapping, ImportStatus
from ourbeat.places.models import Organisation, OrganisationKind

# Rejected rows printed for each file (all are counted; the import's page lists more).
REJECTED_SHOWN = 10


def find_organisation(reference: str | None) -> Organisation:
    """The organisation named by identifier (slug) or id; without one, the only police
    service."""
    if reference:
        found = Organisation.objects.filter(slug=reference).first()
        if found is None and reference.isdigit():
            found = Organisation.objects.filter(pk=int(reference)).first()
        if found is None:
            raise CommandError(
                _("No organisation has the identifier %(reference)s.") % {"reference": reference}
            )
        return found
    services_found = list(
        Organisation.objects.filter(kind=OrganisationKind.POLICE_SERVICE).order_by("pk")[:2]
    )
    if len(services_found) != 1:
        raise CommandError(_("Name the organisation with --organisation."))
    return services_found[0]


def import_paths(
    command: BaseCommand,
    *,
    organisation: Organisation,
    paths: Sequence[Path],
    kind_of: Callable[[Path], tuple[str, ColumnMapping | None]],
) -> bool:
    """Import each file; print a line of counts for each. True when every file was
    imported."""
    all_ok = True
    added = present = 0
    for path in paths:
        try:
            if not path.is_file():
                raise importing.ImportRefused(_("It is not a readable file."))
            source, mapping = kind_of(path)
            with open(path, "rb") as content:
                [queued] = services.import_create(
                    actor=None,
                    organisation=organisation,
                    source=source,
                    mapping=mapping,
                    uploads=[services.Upload(name=path.name, content=content)],
                    run=False,
                )
        except (importing.ImportRefused, ValidationError, OSError) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else error
            command.stderr.write(
                _("%(file)s: not imported: %(error)s") % {"file": path, "error": message}
            )
            all_ok = False
            continue
        done = services.import_run(incident_import_id=queued.pk)
        if done.status != ImportStatus.DONE:
            command.stderr.write(
                _("%(file)s: not imported: %(error)s") % {"file": path, "error": done.error}
            )
            all_ok = False
            continue
        added += done.rows_added
        present += done.rows_present
        command.stdout.write(
            _("%(file)s: added %(added)s, already present %(present)s, rejected %(rejected)s")
            % {
                "file": path,
                "added": f"{done.rows_added:,}",
                "present": f"{done.rows_present:,}",
                "rejected": f"{done.rows_rejected:,}",
            }
        )
        for item in done.rejected[:REJECTED_SHOWN]:
            command.stderr.write(
                _("  row %(row)s: %(reason)s") % {"row": item["row"], "reason": item["reason"]}
            )
        if done.rows_rejected > REJECTED_SHOWN:
            command.stderr.write(
                _("  … and %(more)s more rejected rows.")
                % {"more": f"{done.rows_rejected - REJECTED_SHOWN:,}"}
            )
    if all_ok and added == 0:
        command.stdout.write(
            _("Nothing was added: every row was already present.")
            if present
            else _("Nothing was added.")
        )
    return all_ok


class Command(BaseCommand):
    help = (
        "Import police.uk monthly CSV files (street crime and anti-social behaviour, outcomes, "
        "stop and search; recognised by their header). Idempotent: rows already imported are "
        "counted as present, never added twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help=_("The CSV files."))
        parser.add_argument(
            "--organisation",
            default=None,
            help=_(
                "The organisation (identifier or id) whose incidents these are; by default "
                "the only police service."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = find_organisation(options["organisation"])
        paths = [Path(p) for p in options["files"]]

        def kind_of(path: Path) -> tuple[str, None]:
            source = importing.detect_source(importing.read_header(path))
            if source is None:
                raise importing.ImportRefused(
                    _(
                        "The header is not that of a police.uk street, outcomes or stop and "
                        "search file."
                    )
                )
            return source, None

        ok = import_paths(self, organisation=organisation, paths=paths, kind_of=kind_of)
        if not ok:
            raise CommandError(_("Some files were not imported."), returncode=1)
