"""The Knox test for near repeats on a CSV file: ``knox CSV``.

The file has no header and one event a line: ``x,y,date`` with projected coordinates in
metres and ISO dates (``2016-01-31``). The tables follow the Near Repeat Calculator's layout
and conventions (``ourbeat.analytics.stats.knox``). ``--json`` prints ``observed``,
``expected``, ``ratio`` and ``p`` as row-major matrices (rows: same location, each distance
band, beyond; columns: each time band, beyond) with the labels and parameters; otherwise a
table like the calculator's. Any problem in the file or the options stops the command with
a message naming it (and the line), and nothing on standard output.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ourbeat.analytics.stats.knox import METRICS, KnoxResult, knox


class Command(BaseCommand):
    help = (
        "Run the Knox test for near repeats on a headerless CSV of x,y,date (projected metres, "
        "ISO dates) and print the observed, expected, ratio and p tables in the Near Repeat "
        "Calculator's layout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", help=_("A CSV file of x,y,date lines, without a header."))
        parser.add_argument(
            "--metric",
            choices=METRICS,
            default="manhattan",
            help=_("How distance is measured (default: manhattan)."),
        )
        parser.add_argument(
            "--space-bandwidth",
            type=float,
            required=True,
            help=_("The width of each distance band, in metres."),
        )
        parser.add_argument(
            "--space-bands", type=int, default=3, help=_("How many distance bands (default: 3).")
        )
        parser.add_argument(
            "--time-bandwidth",
            type=int,
            required=True,
            help=_("The width of each time band, in days."),
        )
        parser.add_argument(
            "--time-bands", type=int, default=3, help=_("How many time bands (default: 3).")
        )
        parser.add_argument(
            "--permutations",
            type=int,
            default=99,
            help=_(
                "How many random permutations of the dates (default: 99; the calculator's "
                "iterations are one more)."
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=None, help=_("A seed, to repeat the same permutations.")
        )
        parser.add_argument("--json", action="store_true", help=_("Print JSON instead of a table."))

    def handle(self, *args: Any, **options: Any) -> None:
        xs, ys, days = read_events(Path(options["csv"]))
        try:
            result = knox(
                xs,
                ys,
                days,
                metric=options["metric"],
                space_bandwidth=options["space_bandwidth"],
                space_bands=options["space_bands"],
                time_bandwidth=options["time_bandwidth"],
                time_bands=options["time_bands"],
                permutations=options["permutations"],
                seed=options["seed"],
            )
        except ValueError as error:
            raise CommandError(
                _("The Knox test could not run: %(reason)s") % {"reason": error}
            ) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_dict(), allow_nan=False))
        else:
            self.stdout.write(readable_tables(result))


def read_events(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The coordinates and dates of the file, or a ``CommandError`` naming the first bad
    line. Blank lines are skipped."""
    if not path.is_file():
        raise CommandError(_("%(path)s is not a readable file.") % {"path": path})
    xs: list[float] = []
    ys: list[float] = []
    days: list[date] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                if not row or all(not cell.strip() for cell in row):
                    continue
                x, y, day = _parse_row(row, line)
                xs.append(x)
                ys.append(y)
                days.append(day)
    except UnicodeDecodeError:
        raise CommandError(_("%(path)s is not a UTF-8 text file.") % {"path": path}) from None
    except csv.Error as error:
        raise CommandError(
            _("%(path)s is not a CSV file: %(reason)s") % {"path": path, "reason": error}
        ) from None
    except OSError as error:
        raise CommandError(
            _("%(path)s could not be read: %(reason)s") % {"path": path, "reason": error}
        ) from None
    if len(xs) < 2:
        raise CommandError(
            ngettext(
                "%(path)s holds %(count)s event; the Knox test needs at least two.",
                "%(path)s holds %(count)s events; the Knox test needs at least two.",
                len(xs),
            )
            % {"path": path, "count": len(xs)}
        )
    return (
        np.array(xs, dtype=np.float64),
        np.array(ys, dtype=np.float64),
        np.array(days, dtype="datetime64[D]"),
    )


def _parse_row(row: list[str], line: int) -> tuple[float, float, date]:
    if len(row) != 3:
        raise CommandError(
            _("Line %(line)s has %(count)s fields; expected 3 (x,y,date).")
            % {"line": line, "count": len(row)}
        )
    coordinates = []
    for name, text in (("x", row[0]), ("y", row[1])):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise CommandError(
                _("Line %(line)s: %(name)s is %(text)s, not a number in metres.")
                % {"line": line, "name": name, "text": repr(text)[:60]}
            )
        coordinates.append(value)
    try:
        day = date.fromisoformat(row[2].strip())
    except ValueError:
        raise CommandError(
            _("Line %(line)s: %(text)s is not an ISO date (YYYY-MM-DD).")
            % {"line": line, "text": repr(row[2])[:60]}
        ) from None
    return coordinates[0], coordinates[1], day


def _band_labels(result: KnoxResult) -> tuple[list[str], list[str]]:
    """The calculator's labels, in the reader's language."""
    bandwidth = result.space_bandwidth
    rows = [_("Same location")]
    for band in range(result.space_bands):
        rows.append(
            _("%(low)s to %(high)s")
            % {"low": _number(band * bandwidth + 1), "high": _number((band + 1) * bandwidth)}
        )
    rows.append(_("More than %(limit)s") % {"limit": _number(result.distance_edges[-1])})
    width = result.time_bandwidth
    columns = []
    for band in range(result.time_bands):
        low = 0 if band == 0 else band * width + 1
        columns.append(_("%(low)s to %(high)s") % {"low": low, "high": (band + 1) * width})
    columns.append(_("More than %(limit)s") % {"limit": result.day_edges[-1]})
    return rows, columns


def readable_tables(result: KnoxResult) -> str:
    """The observed, ratio and p tables laid out as the calculator prints them."""
    row_labels, column_labels = _band_labels(result)
    metric = _("Manhattan") if result.metric == "manhattan" else _("Euclidean")
    heading = _(
        "Knox test: %(events)s events, %(pairs)s pairs; %(metric)s distance in bands of "
        "%(bandwidth)s m, time in bands of %(days)s days; %(permutations)s permutations "
        "(%(iterations)s iterations), seed %(seed)s."
    ) % {
        "events": f"{result.events:,}",
        "pairs": f"{result.pairs:,}",
        "metric": metric,
        "bandwidth": _number(result.space_bandwidth),
        "days": result.time_bandwidth,
        "permutations": f"{result.permutations:,}",
        "iterations": f"{result.iterations:,}",
        "seed": _("none") if result.seed is None else result.seed,
    }
    sections = [heading]
    tables: list[tuple[str, list[list[str]]]] = [
        (_("Observed frequencies"), [[f"{v:,}" for v in row] for row in result.observed]),
        (
            _("Observed over mean expected frequencies"),
            [["" if math.isnan(v) else f"{v:.3f}" for v in row] for row in result.ratio],
        ),
        (
            _("Mean expected frequencies"),
            [[f"{v:,.2f}" for v in row] for row in result.expected],
        ),
        (
            _("Significance (p)"),
            [[_p_value(v, result.iterations) for v in row] for row in result.p],
        ),
    ]
    label_width = max(len(label) for label in row_labels)
    for title, cells in tables:
        widths = [
            max(len(column_labels[c]), *(len(row[c]) for row in cells))
            for c in range(len(column_labels))
        ]
        lines = [title]
        lines.append(
            " " * label_width
            + "".join(
                f"  {label:>{width}}" for label, width in zip(column_labels, widths, strict=True)
            )
        )
        for label, row in zip(row_labels, cells, strict=True):
            lines.append(
                f"{label:<{label_width}}"
                + "".join(f"  {cell:>{width}}" for cell, width in zip(row, widths, strict=True))
            )
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def _p_value(value: float, iterations: int) -> str:
    """As many decimals as the smallest p, 1/iterations, needs."""
    return f"{value:.{max(2, math.ceil(math.log10(iterations)))}f}"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
