"""Import area boundaries from a GeoJSON or KML file.

Every boundary in the file is checked first; on any problem each one is printed on stderr,
the command exits non-zero and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ourbeat.core.geo import BoundaryError
from ourbeat.places.models import Area, AreaLevel, Organisation
from ourbeat.places.services import areas_import


class Command(BaseCommand):
    help = (
        "Import the areas of one level (service, district or neighbourhood) from a GeoJSON or "
        "KML file. Areas whose code matches an existing area are updated; any problem rejects "
        "the whole file and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("The GeoJSON or KML file."))
        parser.add_argument(
            "--organisation", required=True, help=_("The identifier (slug) of the organisation.")
        )
        parser.add_argument(
            "--level",
            required=True,
            choices=list(AreaLevel.values),
            help=_("The level of every area in the file."),
        )
        parser.add_argument(
            "--parent",
            default=None,
            help=_("The address name (slug) of the area these areas are part of."),
        )

    def _fail(self, problems: list[str]) -> None:
        for problem in problems:
            self.stderr.write(f"- {problem}")
        raise CommandError(
            ngettext(
                "The file was not imported (%(count)s problem); nothing was changed.",
                "The file was not imported (%(count)s problems); nothing was changed.",
                len(problems),
            )
            % {"count": len(problems)},
            returncode=1,
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        problems: list[str] = []
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            problems.append(
                _("No organisation has the identifier %(slug)s.")
                % {"slug": options["organisation"]}
            )
        parent = None
        if options["parent"]:
            parent = Area.objects.filter(slug=options["parent"]).first()
            if parent is None:
                problems.append(
                    _("No area has the address name %(slug)s.") % {"slug": options["parent"]}
                )
        data = b""
        if not path.is_file():
            problems.append(_("%(path)s is not a readable file.") % {"path": path})
        elif path.stat().st_size > settings.OURBEAT_BOUNDARY_MAX_BYTES:
            problems.append(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": path.stat().st_size, "limit": settings.OURBEAT_BOUNDARY_MAX_BYTES}
            )
        else:
            try:
                data = path.read_bytes()
            except OSError as error:
                problems.append(
                    _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error}
                )
        if problems or organisation is None:
            self._fail(problems)
            return
        try:
            result = areas_import(
                organisation=organisation,
                level=options["level"],
                parent=parent,
                data=data,
                filename=path.name,
                actor=None,
            )
        except BoundaryError as error:
            self._fail(error.problems)
            return
        for area in result.created:
            self.stdout.write(
                _("created %(code)s %(name)s (%(slug)s)")
                % {"code": area.code, "name": area.name, "slug": area.slug}
            )
        for area in result.updated:
            self.stdout.write(
                _("updated %(code)s %(name)s (%(slug)s)")
                % {"code": area.code, "name": area.name, "slug": area.slug}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(file)s: %(created)s new areas, %(updated)s updated.")
                % {
                    "file": path.name,
                    "created": len(result.created),
                    "updated": len(result.updated),
                }
            )
        )
