"""Emerging hot spots by month on an H3 grid, from a CSV file or the database:
``emerging_hotspots``.

The events are read as ``hotspots`` reads them (a police.uk street CSV, a headerless
``lat,lng,date`` CSV, or ``--organisation`` and its options; see that command). The cube has
one step per calendar month from ``--start`` to ``--end`` (default: the first and the last
event's months; at least three). Each month's Gi* takes ``--time-steps`` earlier months as
neighbours (ArcGIS's "neighbourhood time step", default 1); each cell's Mann-Kendall trend
and its category (new, consecutive, intensifying, persistent, diminishing, sporadic,
oscillating, historical; hot or cold) follow ArcGIS's published rules.

With ``--json`` the whole result is written; otherwise a CSV with one line per cell that has
a category: ``cell,lat,lng,category,count,hot_months,trend,trend_z,trend_p,tau,last_z``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ourbeat.analytics.analyses import AnalysisError, emerging_of_events
from ourbeat.analytics.management.commands.hotspots import (
    add_event_arguments,
    csv_text,
    read_events,
    write_output,
)

EMERGING_COLUMNS = [
    "cell",
    "lat",
    "lng",
    "category",
    "count",
    "hot_months",
    "trend",
    "trend_z",
    "trend_p",
    "tau",
    "last_z",
]


def _month(day: date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


class Command(BaseCommand):
    help = (
        "Emerging hot spots (a monthly space-time cube, Gi* per month, Mann-Kendall trends and "
        "ArcGIS's categories) from a police.uk or lat,lng,date CSV or from the database; writes "
        "CSV or JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_event_arguments(parser)
        parser.add_argument(
            "--time-steps",
            type=int,
            default=1,
            help=_("Earlier months in a month's neighbourhood, 0 to 12 (default: 1)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["time_steps"] <= 12:
            raise CommandError(_("--time-steps must be from 0 to 12."))
        events, polygons, _query = read_events(options)
        if len(events) == 0:
            raise CommandError(_("No event matches: nothing to analyse."))
        start = date.fromisoformat(options["start"]) if options.get("start") else None
        end = date.fromisoformat(options["end"]) if options.get("end") else None
        first = _month(start) if start else int(events.month.min())
        last = _month(end) if end else int(events.month.max())
        try:
            result = emerging_of_events(
                events,
                first_month=first,
                months=last - first + 1,
                resolution=options["resolution"],
                rings=options["rings"],
                time_steps=options["time_steps"],
                polygons=polygons,
            )
        except (AnalysisError, ValueError) as error:
            raise CommandError(
                _("The emerging hot spot analysis could not run: %(reason)s") % {"reason": error}
            ) from None
        if options["json"]:
            text = json.dumps(result, allow_nan=False)
        else:
            text = csv_text(result["cells"], EMERGING_COLUMNS)
        write_output(self, options, text)
