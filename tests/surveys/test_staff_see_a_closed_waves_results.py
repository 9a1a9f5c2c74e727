"""Staff see a closed wave's results: every closed question in every neighbourhood as the
weighted share with its interval and the number of answers, suppressed exactly where the
public pages are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ourbeat.surveys.models import Instrument
from tests.surveys.test_public_survey_figures import _answer, _wald, _wave, instrument  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_wave_page_shows_each_neighbourhoods_share_and_hides_small_cells(
    client_for: Any,
    town: Any,
    personas: dict[str, Any],
    instrument: Instrument,  # noqa: F811
) -> None:
    home, second, small = town.home, town.neighbourhoods[1], town.neighbourhoods[2]
    assert len({home.pk, second.pk, small.pk}) == 3
    wave = _wave(town, instrument, [home, second, small], timezone.localdate() - timedelta(days=3))
    values = [5, 4, 2, 1, 4, 3, 4, 4, 2, 5, 1, 4] * 2
    _answer(wave, home, values)
    _answer(wave, second, [4, 2] * 6)
    _answer(wave, small, [4, 4, 2])
    page = client_for(personas["officer"]).get(f"/en/staff/surveys/{wave.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    mean, low, high = _wald([1.0 if v in (4, 5) else 0.0 for v in values], [1.0] * len(values))
    assert f"{round(mean * 100)}% <small>({round(low * 100)}–{round(high * 100)}%, n=24)" in html
    # The small neighbourhood is hidden, and so is the smaller of the others (the wave's
    # total is public): 12 answers there would be the total minus the rest.
    assert "n=3)" not in html
    assert "n=12)" not in html
    assert html.count('title="Too few answers to publish"') == 2
