"""The demo town holds a residents' survey wave every six months in every neighbourhood,
weighted to each neighbourhood's population, with one neighbourhood-wave too small to
publish and the latest wave still open; and its answers come from a model in which
confidence rises after priorities are resolved in some neighbourhoods, so the before/after
view on the priorities' pages finds a real signal there and not elsewhere."""

from __future__ import annotations

from statistics import mean
from typing import Any

import pytest

from ourbeat.demo.surveys import INSTRUMENT
from ourbeat.engagement.models import Priority, PriorityStatus
from ourbeat.places.models import AreaLevel
from ourbeat.surveys import selectors
from ourbeat.surveys.models import Answer, Response, Wave, WaveStatus

pytestmark = pytest.mark.django_db


def test_every_neighbourhood_has_several_weighted_waves_and_one_is_open(town: Any) -> None:
    waves = list(Wave.objects.filter(organisation=town.force, instrument__key=INSTRUMENT))
    closed = [w for w in waves if w.status == WaveStatus.CLOSED]
    assert len(closed) >= 6
    assert [w.status for w in waves].count(WaveStatus.OPEN) == 1
    for wave in closed:
        assert set(wave.areas.values_list("pk", flat=True)) == {n.pk for n in town.neighbourhoods}
        weights = list(Response.objects.filter(wave=wave).values_list("weight", flat=True))
        assert None not in weights
        # Raked to the population: older respondents weigh less than younger ones.
        assert len({round(w, 6) for w in weights if w is not None}) > 5
    assert Answer.objects.filter(response__wave__in=closed).exclude(text="").exists()


def test_each_neighbourhood_page_shows_figures_and_one_wave_is_suppressed(
    client_for: Any, town: Any
) -> None:
    suppressed = 0
    for area in town.neighbourhoods:
        measures = selectors.area_measures(area)
        assert [m.item.construct for m in measures] == ["overall_confidence", "fear_of_crime"]
        assert all(m.latest.estimate is not None for m in measures)
        suppressed += sum(f.suppressed for m in measures for f in m.figures)
    assert suppressed >= 2  # the small cell and its complement, for both measures
    html = client_for(None).get(town.neighbourhoods[0].get_absolute_url()).content.decode()
    assert "How residents feel" in html
    assert "95% confidence interval" in html


def test_confidence_rises_after_resolved_priorities_where_the_work_was_noticed(
    town: Any,
) -> None:
    areas = sorted(
        (a for a in town.neighbourhoods if a.level == AreaLevel.NEIGHBOURHOOD),
        key=lambda a: a.code,
    )
    noticed = {a.pk for number, a in enumerate(areas) if number % 2 == 0}
    effects: dict[bool, list[Any]] = {True: [], False: []}
    for priority in Priority.objects.filter(
        area__in=areas, status=PriorityStatus.RESOLVED
    ).select_related("area"):
        assert priority.adopted_at is not None
        assert priority.closed_at is not None
        for effect in selectors.priority_effects(
            priority.area, priority.adopted_at.date(), priority.closed_at.date()
        ):
            if effect.item.construct == "overall_confidence":
                effects[priority.area_id in noticed].append(effect.result)
    assert effects[True]
    assert effects[False]
    assert mean(r.effect for r in effects[True]) > mean(r.effect for r in effects[False]) + 0.05
    assert any(r.significant and r.effect > 0 for r in effects[True])
