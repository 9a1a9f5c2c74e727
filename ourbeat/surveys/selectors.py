"""What the public may see of the surveys: per neighbourhood and closed wave, the weighted
share of residents giving the reported answers of each headline item, with its 95%
interval, the respondents it rests on and the change since the wave before; and, on a
priority's page, the before/after effect against comparison neighbourhoods.

Nothing under the wave's smallest published cell is shown, and no figure is shown from which
one could work a suppressed one out by subtraction (``statistics.suppress_small_cells`` over
all the wave's neighbourhoods). Answers are read as arrays (``values_list``) and all
arithmetic is in ``ourbeat.surveys.statistics``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import Prefetch, prefetch_related_objects

from ourbeat.places.models import Area
from ourbeat.surveys import statistics
from ourbeat.surveys.models import Answer, Construct, Item, Wave, WaveStatus

# What the neighbourhood page shows: confidence in the local police and fear of crime.
HEADLINE = (Construct.OVERALL_CONFIDENCE, Construct.FEAR_OF_CRIME)
# The trust and fear measures of a priority's before/after view.
EFFECT_CONSTRUCTS = (Construct.OVERALL_CONFIDENCE, Construct.TRUST, Construct.FEAR_OF_CRIME)
# A wave's neighbourhoods, by name, without their boundaries (read once per wave).
_AREAS = Prefetch("areas", queryset=Area.objects.defer("boundary").order_by("name"))
# How many closed waves of an area the trend shows, and how many a trend line needs.
TREND_WAVES = 6
MIN_TREND_WAVES = 3


@dataclass(frozen=True)
class Figure:
    """One item in one wave for one area: ``estimate`` is None when suppressed."""

    wave: Wave
    estimate: statistics.Estimate | None

    @property
    def suppressed(self) -> bool:
        return self.estimate is None


@dataclass(frozen=True)
class Measure:
    """An item's figures for an area over its closed waves (oldest first), and the change
    between the last two published ones (the same item version: never mixed)."""

    item: Item
    figures: list[Figure]
    change: statistics.Comparison | None
    # The linear trend over the published figures, when there are at least three.
    trend: statistics.Trend | None = None

    @property
    def latest(self) -> Figure:
        return self.figures[-1]


@dataclass(frozen=True)
class Effect:
    """A priority's before/after view on one item."""

    item: Item
    result: statistics.DiffInDiff
    before: list[Wave]
    after: list[Wave]
    comparison_areas: int


def _reported(item: Item, values: np.ndarray) -> np.ndarray:
    return np.isin(values, np.asarray(item.reported, dtype=np.int64)).astype(np.float64)


Answers = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _answers_by_item(items: list[Item], waves: list[Wave]) -> dict[int, Answers]:
    """For each of ``items``, (value, weight, area id, wave id) of every real answer in
    ``waves`` ("don't know" and the like left out), read in one query."""
    rows = list(
        Answer.objects.filter(item__in=items, response__wave__in=waves, value__isnull=False)
        .order_by()
        .values_list(
            "item_id", "value", "response__weight", "response__area_id", "response__wave_id"
        )
    )
    columns = list(zip(*rows, strict=True)) or [(), (), (), (), ()]
    item_ids = np.asarray(columns[0], dtype=np.int64)
    values = np.asarray(columns[1], dtype=np.int64)
    weights = np.asarray([1.0 if w is None else w for w in columns[2]], dtype=np.float64)
    area_ids = np.asarray(columns[3], dtype=np.int64)
    wave_ids = np.asarray(columns[4], dtype=np.int64)
    found: dict[int, Answers] = {}
    for item in items:
        missing = list(item.scale.missing) if item.scale is not None else []
        keep = (item_ids == item.pk) & ~np.isin(values, np.asarray(missing, dtype=np.int64))
        found[item.pk] = (values[keep], weights[keep], area_ids[keep], wave_ids[keep])
    return found


def _published_areas(wave: Wave, counts: dict[int, int]) -> set[int]:
    """The wave's areas whose figures may be published: primary and complementary
    suppression over all of them, the wave's total being public too."""
    # ``areas`` is prefetched by the callers: one query for all their waves.
    area_ids = sorted(area.pk for area in wave.areas.all())
    table = np.asarray([counts.get(pk, 0) for pk in area_ids], dtype=np.int64)
    if table.size == 0:
        return set()
    # At least two respondents are needed for a standard error, whatever the setting.
    suppression = statistics.suppress_small_cells(table, max(wave.min_cell, 2))
    return {pk for pk, hidden in zip(area_ids, suppression.cells, strict=True) if not hidden}


def _headline_items(waves: list[Wave]) -> list[Item]:
    """One item per headline construct: the first asked in the latest wave's questionnaire
    (earlier waves count only where they asked the very same item version)."""
    chosen: dict[str, Item] = {}
    entries = waves[-1].instrument.entries.select_related("item__scale").order_by("position")
    for entry in entries:
        item = entry.item
        if item.construct in HEADLINE and item.scale_id is not None and item.reported:
            chosen.setdefault(item.construct, item)
    return [chosen[c] for c in HEADLINE if c in chosen]


def area_measures(area: Area) -> list[Measure]:
    """The headline measures of ``area`` over its last closed waves."""
    waves = list(
        Wave.objects.filter(areas=area, status=WaveStatus.CLOSED)
        .prefetch_related("instrument__entries", _AREAS)
        .order_by("-closes_on", "-pk")[:TREND_WAVES]
    )[::-1]
    if not waves:
        return []
    measures = []
    headline = _headline_items(waves)
    answers = _answers_by_item(headline, waves)
    for item in headline:
        fielded = [
            w for w in waves if any(e.item_id == item.pk for e in w.instrument.entries.all())
        ]
        values, weights, area_ids, wave_ids = answers[item.pk]
        figures = []
        for wave in fielded:
            in_wave = wave_ids == wave.pk
            counts = dict(zip(*np.unique(area_ids[in_wave], return_counts=True), strict=True))
            here = in_wave & (area_ids == area.pk)
            estimate = None
            if area.pk in _published_areas(wave, {int(k): int(v) for k, v in counts.items()}):
                estimate = statistics.weighted_estimate(
                    _reported(item, values[here]), weights[here]
                )
            figures.append(Figure(wave, estimate))
        if not figures:
            continue
        published = [f for f in figures if f.estimate is not None]
        change = None
        if len(published) >= 2 and published[-1] is figures[-1]:
            earlier, later = published[-2].estimate, published[-1].estimate
            assert earlier is not None
            assert later is not None
            if earlier.se > 0 or later.se > 0:
                change = statistics.compare_waves(earlier, later)
        trend = None
        usable = [f.estimate for f in published if f.estimate is not None and f.estimate.se > 0]
        if len(usable) >= MIN_TREND_WAVES and len(usable) == len(published):
            days = [(f.wave.closes_on - published[0].wave.closes_on).days for f in published]
            if len(set(days)) > 1:
                # Slope per year, the waves placed at their closing dates.
                trend = statistics.wave_trend(usable, waves=[d / 365.25 for d in days])
        measures.append(Measure(item, figures, change, trend))
    return measures


def priority_effects(priority_area: Area, start: date, end: date | None) -> list[Effect]:
    """The before/after view of a priority in ``priority_area``: the waves that closed before
    ``start`` (its adoption) against those that opened after ``end`` (its resolution; the
    adoption again while it is still live), in the treated neighbourhood against every other
    neighbourhood surveyed in the same waves. Waves during the work are left out. Only
    published cells count: a suppressed area-wave is dropped, not guessed."""
    after_from = end or start
    waves = list(
        Wave.objects.filter(areas=priority_area, status=WaveStatus.CLOSED)
        .prefetch_related("instrument__entries", _AREAS)
        .order_by("closes_on", "pk")
    )
    before = [w for w in waves if w.closes_on < start]
    after = [w for w in waves if w.opens_on > after_from]
    if not before or not after:
        return []
    chosen = before + after
    items = list(
        Item.objects.filter(
            instruments__waves__in=chosen, construct__in=EFFECT_CONSTRUCTS, scale__isnull=False
        )
        .exclude(reported=[])
        .select_related("scale")
        .distinct()
        .order_by("construct", "key", "version")
    )
    answers = _answers_by_item(items, chosen)
    effects = []
    after_ids = {w.pk for w in after}
    for item in items:
        values, weights, area_ids, wave_ids = answers[item.pk]
        keep = np.zeros(values.size, dtype=bool)
        by_wave: dict[int, dict[int, int]] = defaultdict(dict)
        for wave_id, area_id in zip(wave_ids.tolist(), area_ids.tolist(), strict=True):
            by_wave[wave_id][area_id] = by_wave[wave_id].get(area_id, 0) + 1
        for wave in chosen:
            for area_id in _published_areas(wave, by_wave.get(wave.pk, {})):
                keep |= (wave_ids == wave.pk) & (area_ids == area_id)
        if not keep.any():
            continue
        values, weights, area_ids, wave_ids = (
            values[keep],
            weights[keep],
            area_ids[keep],
            wave_ids[keep],
        )
        _, area_codes = np.unique(area_ids, return_inverse=True)
        _, wave_codes = np.unique(wave_ids, return_inverse=True)
        try:
            result = statistics.difference_in_differences(
                _reported(item, values),
                weights,
                area=area_codes,
                wave=wave_codes,
                treated=area_ids == priority_area.pk,
                after=np.isin(wave_ids, list(after_ids)),
            )
        except ValueError:
            # Not identified from what may be published (no comparison area, no published
            # cell before or after): nothing is shown rather than a guess.
            continue
        effects.append(
            Effect(
                item=item,
                result=result,
                before=[w for w in before if (wave_ids == w.pk).any()],
                after=[w for w in after if (wave_ids == w.pk).any()],
                comparison_areas=int(np.unique(area_ids[area_ids != priority_area.pk]).size),
            )
        )
    return effects


@dataclass(frozen=True)
class ResultRow:
    """One closed-question item of a wave: its estimate per neighbourhood (None where
    suppressed), in the order of ``WaveResults.areas``."""

    item: Item
    cells: list[statistics.Estimate | None]


@dataclass(frozen=True)
class WaveResults:
    areas: list[Area]
    rows: list[ResultRow]


def wave_results(wave: Wave) -> WaveResults:
    """Every closed-question item of a closed wave in every neighbourhood, with the same
    suppression as the public pages (staff pages are read by many, and print)."""
    prefetch_related_objects([wave], _AREAS)
    areas = list(wave.areas.all())
    rows: list[ResultRow] = []
    if wave.status != WaveStatus.CLOSED:
        return WaveResults(areas, rows)
    entries = wave.instrument.entries.select_related("item__scale").order_by("position")
    items = [e.item for e in entries if e.item.scale is not None and e.item.reported]
    answers = _answers_by_item(items, [wave])
    position = {area.pk: index for index, area in enumerate(areas)}
    for item in items:
        values, weights, area_ids, _waves = answers[item.pk]
        codes = np.asarray([position[a] for a in area_ids.tolist()], dtype=np.intp)
        counts = {area.pk: int((codes == i).sum()) for i, area in enumerate(areas)}
        shown = _published_areas(wave, counts)
        cells: list[statistics.Estimate | None] = [None] * len(areas)
        if codes.size:
            grouped = statistics.grouped_estimates(
                codes, _reported(item, values), weights, n_groups=len(areas)
            )
            for index, area in enumerate(areas):
                if area.pk in shown:
                    cells[index] = grouped.at(index)
        rows.append(ResultRow(item, cells))
    return WaveResults(areas, rows)
