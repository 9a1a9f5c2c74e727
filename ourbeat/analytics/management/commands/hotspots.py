"""Getis-Ord Gi* hot spots on an H3 grid, from a CSV file or from the database: ``hotspots``.

The events come from one of two places:

- a CSV file (``hotspots FILE``): a police.uk street file as downloaded (header ``Crime
  ID,Month,…,Longitude,Latitude,…,Crime type,…``), or a headerless ``lat,lng,date`` file
  (WGS84 degrees, ISO dates, an optional fourth column with the category). The study area
  is the cells covering the events' convex hull and one ring around it;
- the database (``--organisation SLUG``): the organisation's incidents (or concerns, or
  both: ``--source``), in its areas or in ``--area SLUG`` and the areas inside it. The
  study area is the area's boundary (the organisation's top-level areas without
  ``--area``).

``--category`` (repeatable; police.uk slugs or names, concern category codes), ``--start``
and ``--end`` (ISO dates, inclusive) select events in both cases. The output goes to standard
output or ``--output FILE``: with ``--json`` the whole result (``cells``: every cell with
events or a significant result, with its boundary; ``summary``: cells per Gi_Bin; add
``--density`` for the kernel density raster), otherwise a CSV with one line per such cell:
``cell,lat,lng,count,z,p,p_norm,bin,confidence``. p is the two-sided conditional-permutation
p-value (the normal one with ``--permutations 0``); bin is ArcGIS's Gi_Bin after the
Benjamini-Hochberg correction. A problem with the input stops the command with a message
and writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from ourbeat.analytics.analyses import AnalysisError, hotspots_of_events, study_polygons
from ourbeat.analytics.events import (
    EPOCH,
    SOURCES,
    EventFileError,
    EventQuery,
    Events,
    category_slug,
    load_events,
    read_events_csv,
)
from ourbeat.analytics.forms import (
    DEFAULT_PERMUTATIONS,
    MAX_PERMUTATIONS,
    MAX_RESOLUTION,
    MIN_RESOLUTION,
)
from ourbeat.places.models import Area, Organisation

HOTSPOT_COLUMNS = ["cell", "lat", "lng", "count", "z", "p", "p_norm", "bin", "confidence"]


def add_event_arguments(parser: CommandParser) -> None:
    """The options that say which events to read (shared with ``emerging_hotspots``)."""
    parser.add_argument(
        "csv",
        nargs="?",
        help=_("A police.uk street CSV or a headerless lat,lng,date CSV (or use --organisation)."),
    )
    parser.add_argument(
        "--organisation", help=_("Read this organisation's events from the database (its slug).")
    )
    parser.add_argument(
        "--source",
        choices=SOURCES,
        default="incidents",
        help=_("From the database: incidents (default), concerns or both."),
    )
    parser.add_argument(
        "--area", help=_("From the database: this area (its slug) and those in it.")
    )
    parser.add_argument(
        "--category",
        action="append",
        default=[],
        help=_("Only this category (repeat for more): a slug, a police.uk name or a concern code."),
    )
    parser.add_argument("--start", help=_("The first day (YYYY-MM-DD)."))
    parser.add_argument("--end", help=_("The last day, inclusive (YYYY-MM-DD)."))
    parser.add_argument(
        "--resolution",
        type=int,
        default=9,
        help=_("The H3 resolution, 5 to 10 (default: 9)."),
    )
    parser.add_argument(
        "--rings", type=int, default=1, help=_("Neighbourhood in rings of cells (default: 1).")
    )
    parser.add_argument("--json", action="store_true", help=_("Write JSON instead of CSV."))
    parser.add_argument("--output", help=_("Write to this file instead of standard output."))


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--%(name)s is not a date (YYYY-MM-DD).") % {"name": name}) from None


def read_events(
    options: dict[str, Any],
) -> tuple[Events, list[BaseGeometry] | None, EventQuery | None]:
    """The events the options select, the study area's polygons (None: the events' hull)
    and, from the database, the query."""
    start, end = _date(options.get("start"), "start"), _date(options.get("end"), "end")
    if start and end and end < start:
        raise CommandError(_("--end is before --start."))
    if not MIN_RESOLUTION <= options["resolution"] <= MAX_RESOLUTION:
        raise CommandError(
            _("--resolution must be from %(low)d to %(high)d.")
            % {"low": MIN_RESOLUTION, "high": MAX_RESOLUTION}
        )
    if not 1 <= options["rings"] <= 3:
        raise CommandError(_("--rings must be from 1 to 3."))
    if options.get("csv") and options.get("organisation"):
        raise CommandError(_("Give either a CSV file or --organisation, not both."))
    if not options.get("csv") and not options.get("organisation"):
        raise CommandError(_("Give a CSV file, or --organisation to read the database."))
    categories = tuple(category_slug(c) for c in options["category"])
    if options.get("csv"):
        if options.get("area") or options.get("source") not in (None, "incidents"):
            raise CommandError(_("--area and --source read the database: use --organisation."))
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(_("%(path)s is not a readable file.") % {"path": path})
        try:
            events = read_events_csv(path, categories=categories)
        except EventFileError as error:
            raise CommandError(
                _("%(path)s: %(reason)s") % {"path": path, "reason": error}
            ) from None
        keep = np.ones(len(events), dtype=bool)
        if start is not None:
            keep &= events.day >= (start - date(1970, 1, 1)).days
        if end is not None:
            keep &= events.day <= (end - date(1970, 1, 1)).days
        return events.subset(keep), None, None
    organisation = Organisation.objects.filter(slug=options["organisation"]).first()
    if organisation is None:
        raise CommandError(
            _("No organisation has the identifier %(slug)s.") % {"slug": options["organisation"]}
        )
    area_id = None
    if options.get("area"):
        area = Area.objects.filter(slug=options["area"], organisation=organisation).first()
        if area is None:
            raise CommandError(
                _("%(organisation)s has no area %(slug)s.")
                % {"organisation": organisation, "slug": options["area"]}
            )
        area_id = area.pk
    query = EventQuery(
        organisation_id=organisation.pk,
        source=options["source"],
        categories=categories,
        start=start,
        end=end,
        area_id=area_id,
    )
    return load_events(query), study_polygons(query), query


def write_output(command: BaseCommand, options: dict[str, Any], text: str) -> None:
    if options.get("output"):
        try:
            Path(options["output"]).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(reason)s")
                % {"path": options["output"], "reason": error.strerror}
            ) from None
    else:
        command.stdout.write(text, ending="" if text.endswith("\n") else "\n")


def csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row[name] for name in columns])
    return buffer.getvalue()


def first_day(events: Events) -> str | None:
    return str(EPOCH + int(events.day.min())) if len(events) else None


class Command(BaseCommand):
    help = (
        "Getis-Ord Gi* hot spots on an H3 grid (conditional permutations, two-sided p-values, "
        "ArcGIS's Gi_Bin after a false discovery rate correction), from a police.uk or "
        "lat,lng,date CSV or from the database; writes CSV or JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_event_arguments(parser)
        parser.add_argument(
            "--permutations",
            type=int,
            default=DEFAULT_PERMUTATIONS,
            help=_("Conditional permutations, 0 to 99999 (default: 99999; 0: normal p-values)."),
        )
        parser.add_argument(
            "--seed", type=int, default=None, help=_("A seed for the permutations.")
        )
        parser.add_argument(
            "--density", action="store_true", help=_("Add the kernel density raster to the JSON.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["permutations"] <= MAX_PERMUTATIONS:
            raise CommandError(
                _("--permutations must be from 0 to %(high)d.") % {"high": MAX_PERMUTATIONS}
            )
        events, polygons, _query = read_events(options)
        try:
            result = hotspots_of_events(
                events,
                resolution=options["resolution"],
                rings=options["rings"],
                permutations=options["permutations"],
                seed=options["seed"],
                polygons=polygons,
                with_density=options["density"] and options["json"],
            )
        except (AnalysisError, ValueError) as error:
            raise CommandError(
                _("The hot spot analysis could not run: %(reason)s") % {"reason": error}
            ) from None
        if options["json"]:
            text = json.dumps(result, allow_nan=False)
        else:
            text = csv_text(result["cells"], HOTSPOT_COLUMNS)
        write_output(self, options, text)
