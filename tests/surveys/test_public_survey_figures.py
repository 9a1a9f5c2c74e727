"""The neighbourhood page shows how residents feel (confidence in the police, fear of crime)
from closed survey waves: the weighted share with its 95% interval and the respondents it
rests on, computed independently here; a neighbourhood under the smallest published cell
shows no figure, and neither does the one that would give it away by subtraction from the
wave's total. A priority's page shows its before/after effect against the comparison
neighbourhoods, equal to the difference of the four means when there is one wave each side."""

from __future__ import annotations

import math
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
import scipy.stats
from django.core.cache import cache
from django.utils import timezone

from ourbeat.engagement.models import Priority, PriorityStatus
from ourbeat.places.services import area_touch
from ourbeat.surveys.models import (
    Answer,
    Construct,
    Instrument,
    InstrumentItem,
    Item,
    Mode,
    Response,
    Scale,
    Wave,
    WaveStatus,
)

pytestmark = pytest.mark.django_db

AGREE = [
    {"value": v, "label": {"en": label, "ru": label}}
    for v, label in enumerate(
        ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"], start=1
    )
] + [{"value": 9, "label": {"en": "Don't know", "ru": "Не знаю"}}]


@pytest.fixture
def instrument(town: Any) -> Instrument:
    scale = Scale.objects.create(key=f"agree-{secrets.token_hex(3)}", points=AGREE, missing=[9])
    confidence = Item.objects.create(
        organisation=town.force,
        key="test-confidence",
        construct=Construct.OVERALL_CONFIDENCE,
        wording={"en": "I have confidence in the police in this area", "ru": "Я доверяю"},
        scale=scale,
        reported=[4, 5],
        reported_as={"en": "confident in the local police", "ru": "доверяют"},
    )
    instrument = Instrument.objects.create(
        organisation=town.force, key="test-survey", title={"en": "Test", "ru": "Тест"}
    )
    InstrumentItem.objects.create(instrument=instrument, item=confidence, position=1)
    return instrument


def _wave(town: Any, instrument: Instrument, areas: list[Any], closes: date) -> Wave:
    wave = Wave.objects.create(
        organisation=town.force,
        instrument=instrument,
        title=f"Survey {closes:%B %Y}",
        opens_on=closes - timedelta(days=30),
        closes_on=closes,
        status=WaveStatus.CLOSED,
        modes=[Mode.OPEN_LINK],
        languages=["en"],
        link_key=secrets.token_urlsafe(12),
        min_cell=10,
    )
    wave.areas.set(areas)
    return wave


def _answer(wave: Wave, area: Any, values: list[int], weights: list[float] | None = None) -> None:
    item = wave.instrument.entries.get().item
    for number, value in enumerate(values):
        response = Response.objects.create(
            wave=wave,
            area=area,
            mode=Mode.OPEN_LINK,
            language="en",
            submitted_on=wave.closes_on,
            weight=weights[number] if weights else 1.0,
        )
        Answer.objects.create(response=response, item=item, value=value)


def _page(client: Any, area: Any) -> str:
    cache.clear()
    area_touch([area.pk])
    response = client.get(area.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _wald(shares: list[float], weights: list[float]) -> tuple[float, float, float]:
    """The weighted share and its t interval, computed here from the textbook formula."""
    n = len(shares)
    total = sum(weights)
    mean = sum(w * y for w, y in zip(weights, shares, strict=True)) / total
    z = [w * (y - mean) / total for w, y in zip(weights, shares, strict=True)]
    se = math.sqrt(n / (n - 1) * sum(v * v for v in z))
    half = float(scipy.stats.t.ppf(0.975, n - 1)) * se
    return mean, mean - half, mean + half


def test_the_neighbourhood_page_shows_the_share_with_its_interval(
    client_for: Any, town: Any, instrument: Instrument
) -> None:
    home, other = town.neighbourhoods[0], town.neighbourhoods[1]
    wave = _wave(town, instrument, [home, other], timezone.localdate() - timedelta(days=5))
    values = [5, 4, 4, 2, 1, 3, 5, 4, 2, 4, 9, 9] * 3  # "don't know" is no answer
    weights = [0.5, 1.5, 1.0, 1.0, 2.0, 0.8, 1.2, 1.0, 1.0, 0.7, 1.0, 1.0] * 3
    _answer(wave, home, values, weights)
    _answer(wave, other, [4] * 12)
    answered = [(v, w) for v, w in zip(values, weights, strict=True) if v != 9]
    mean, low, high = _wald(
        [1.0 if v in (4, 5) else 0.0 for v, _ in answered], [w for _, w in answered]
    )
    html = _page(client_for(None), home)
    assert "How residents feel" in html
    assert "Confident in the local police" in html
    assert f"<strong>{round(mean * 100)}%</strong>" in html
    assert f"{round(low * 100)}–{round(high * 100)}%; {len(answered)} residents" in html


def test_a_small_cell_and_the_one_that_would_reveal_it_are_suppressed(
    client_for: Any, town: Any, instrument: Instrument
) -> None:
    big, middle, small = town.neighbourhoods[0], town.neighbourhoods[1], town.neighbourhoods[2]
    wave = _wave(town, instrument, [big, middle, small], timezone.localdate() - timedelta(days=5))
    _answer(wave, big, [4, 2] * 20)
    _answer(wave, middle, [5, 1, 2] * 5)
    _answer(wave, small, [4, 4, 1, 2])
    client = client_for(None)
    small_page = _page(client, small)
    assert "Too few answers to publish" in small_page
    assert "4 residents" not in small_page
    # With the wave's total public, the smallest other area is hidden too.
    middle_page = _page(client, middle)
    assert "Too few answers to publish" in middle_page
    assert "15 residents" not in middle_page
    assert "40 residents" in _page(client, big)


def test_a_priority_page_shows_the_difference_in_differences(
    client_for: Any, town: Any, instrument: Instrument
) -> None:
    treated, comparison = town.neighbourhoods[0], town.neighbourhoods[1]
    today = timezone.localdate()
    before = _wave(town, instrument, [treated, comparison], today - timedelta(days=400))
    after = _wave(town, instrument, [treated, comparison], today - timedelta(days=10))
    _answer(before, treated, [4] * 6 + [2] * 14)  # 30% confident
    _answer(before, comparison, [4] * 10 + [2] * 10)  # 50%
    _answer(after, treated, [4] * 14 + [2] * 6)  # 70%
    _answer(after, comparison, [4] * 11 + [2] * 9)  # 55%
    priority = Priority.objects.create(
        area=treated,
        title="Dealing by the shops",
        status=PriorityStatus.RESOLVED,
        published_at=timezone.now() - timedelta(days=300),
        adopted_at=timezone.now() - timedelta(days=300),
        closed_at=timezone.now() - timedelta(days=60),
    )
    response = client_for(None).get(priority.get_absolute_url())
    html = response.content.decode()
    assert "Did residents notice?" in html
    # (70 − 30) − (55 − 50) = 35 points.
    assert "+35 points against 1 comparison neighbourhood" in html
    assert "1 surveys before, 1 after; 80 answers." in html
