"""Charts of a case's linked incidents, as inline SVG (the case pages and the printable
report): by month, and by hour of the week (a 7×24 heat map).

Text stays text in the SVG (``svg.fonttype`` "none") so that it is searchable, scales and
is translated; the hash salt is fixed so that the same figures give the same bytes. Each
chart carries ``role="img"``, an ``aria-label`` and a ``<title>``; the pages add a data table.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from django.utils.html import escape
from django.utils.translation import gettext as _

from ourbeat.analytics.events import Events

matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "ourbeat-problems"
matplotlib.rcParams["font.family"] = "sans-serif"

# Dark blue on white, and a sequential white → dark blue ramp: both well above 4.5:1 for
# the text, which is always black on white.
BAR_COLOUR = "#1d4f91"
TEXT_COLOUR = "#1b1f24"


def month_counts(events: Events) -> tuple[list[date], list[int]]:
    """The count of events in each month from the first to the last (empty months kept)."""
    if len(events) == 0:
        return [], []
    first, last = int(events.month.min()), int(events.month.max())
    counts = np.bincount(events.month - first, minlength=last - first + 1)
    months = [date(1970 + (first + i) // 12, (first + i) % 12 + 1, 1) for i in range(len(counts))]
    return months, [int(c) for c in counts]


def hour_of_week(events: Events) -> tuple[npt.NDArray[np.int64], int]:
    """Events counted by weekday (Monday first) and hour; and how many were left out
    because only their month (or day) is known."""
    known = (events.weekday >= 0) & (events.hour >= 0)
    matrix = np.zeros((7, 24), dtype=np.int64)
    np.add.at(matrix, (events.weekday[known].astype(int), events.hour[known].astype(int)), 1)
    return matrix, int(len(events) - np.count_nonzero(known))


def weekday_labels() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _svg(figure: Any, *, title: str, prefix: str) -> str:
    """The figure as an inline ``<svg>`` with its title, its role and its label. Its ids
    (clip paths, markers) get ``prefix`` so that two charts on one page never share one."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    text = buffer.getvalue()
    start = text.find("<svg")
    text = text[start:]
    text = re.sub(r'\bid="', f'id="{prefix}-', text)
    text = text.replace("url(#", f"url(#{prefix}-").replace('href="#', f'href="#{prefix}-')
    label = escape(title)
    # Scale with the page (phones included): the viewBox keeps the proportions.
    opening_end = text.find(">")
    opening = re.sub(r'\s(width|height)="[^"]*"', "", text[:opening_end])
    text = f'{opening} width="100%"{text[opening_end:]}'
    text = re.sub(r"<svg\b", f'<svg role="img" aria-label="{label}" class="chart"', text, count=1)
    # The first child of the svg element is its accessible name for older readers.
    close = text.find(">") + 1
    return f"{text[:close]}\n<title>{label}</title>{text[close:]}"


def _axes(width: float, height: float) -> tuple[Any, Any]:
    figure, axes = plt.subplots(figsize=(width, height), dpi=72)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    axes.tick_params(colors=TEXT_COLOUR)
    return figure, axes


def month_chart(months: list[date], counts: list[int], *, title: str) -> str:
    """Bars of the count of incidents in each month."""
    figure, axes = _axes(8, 3.2)
    positions = np.arange(len(months))
    axes.bar(positions, counts, color=BAR_COLOUR)
    step = max(1, len(months) // 12)
    axes.set_xticks(positions[::step])
    axes.set_xticklabels([m.strftime("%Y-%m") for m in months][::step], rotation=45, ha="right")
    axes.set_ylabel(_("Incidents"), color=TEXT_COLOUR)
    axes.set_xlabel(_("Month"), color=TEXT_COLOUR)
    axes.set_title(title, color=TEXT_COLOUR)
    if counts:
        axes.set_ylim(0, max(max(counts), 1) * 1.1)
    figure.tight_layout()
    return _svg(figure, title=title, prefix="month-chart")


def hour_of_week_chart(matrix: npt.NDArray[Any], *, title: str) -> str:
    """A 7×24 heat map: rows are the weekdays (Monday first), columns the hours."""
    values = np.asarray(matrix, dtype=np.int64).reshape(7, 24)
    figure, axes = _axes(8, 3.2)
    image = axes.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=max(int(values.max()), 1))
    axes.set_yticks(range(7))
    axes.set_yticklabels(weekday_labels())
    axes.set_xticks(range(0, 24, 3))
    axes.set_xticklabels([f"{hour:02d}" for hour in range(0, 24, 3)])
    axes.set_xlabel(_("Hour of the day"), color=TEXT_COLOUR)
    axes.set_title(title, color=TEXT_COLOUR)
    colour_bar = figure.colorbar(image, ax=axes)
    colour_bar.set_label(_("Incidents"), color=TEXT_COLOUR)
    figure.tight_layout()
    return _svg(figure, title=title, prefix="hour-chart")
