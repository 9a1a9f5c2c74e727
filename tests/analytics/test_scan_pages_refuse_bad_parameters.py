"""Bad parameters on an analysis page are refused with the form's errors (a 400 that names
each problem and echoes no markup), and nothing is run or recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ourbeat.analytics.models import AnalysisRun
from ourbeat.core.models import AuditEvent
from tests.api.bad_input import HOSTILE

pytestmark = pytest.mark.django_db

BAD = [
    ("hotspots", {"start": "2024-13-01"}, "start"),
    ("hotspots", {"end": "yesterday"}, "end"),
    ("hotspots", {"start": "2024-05-01", "end": "2024-04-01"}, "end"),
    ("hotspots", {"start": "2010-01-01", "end": "2024-01-01"}, "end"),
    ("hotspots", {"category": "not-a-category"}, "category"),
    ("hotspots", {"resolution": "4"}, "resolution"),
    ("hotspots", {"resolution": "11"}, "resolution"),
    ("hotspots", {"resolution": "8.5"}, "resolution"),
    ("hotspots", {"permutations": "-1"}, "permutations"),
    ("hotspots", {"permutations": "100000"}, "permutations"),
    ("near_repeats", {"permutations": "10000"}, "permutations"),
    ("hotspots", {"source": "rumours"}, "source"),
    ("hotspots", {"area": "nowhere-at-all"}, "area"),
    ("emerging", {"start": "2024-05-01", "end": "2024-06-30"}, "start"),
    ("near_repeats", {"metric": "chebyshev"}, "metric"),
    ("near_repeats", {"permutations": "0"}, "permutations"),
    ("near_repeats", {"space_bandwidth": "0"}, "space_bandwidth"),
    ("repeats", {"limit": "100000"}, "limit"),
    (
        "evaluation",
        {"start": "2024-01-01", "end": "2024-03-31", "test_start": "2024-02-01"},
        "test_start",
    ),
    ("evaluation", {"confidence": "80"}, "confidence"),
]


def _nothing_ran() -> None:
    assert not AnalysisRun.objects.exists()
    assert not AuditEvent.objects.filter(action="analytics.run.create").exists()


@pytest.mark.parametrize(("page", "parameters", "field"), BAD)
def test_a_bad_parameter_is_named_and_nothing_runs(
    personas: Any, client_for: Any, page: str, parameters: dict[str, str], field: str
) -> None:
    response = client_for(personas["analyst"]).get(reverse(f"staff_analytics:{page}"), parameters)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'href="#field-{field}"' in html
    _nothing_ran()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "name", ["start", "category", "area", "resolution", "source", "organisation", "seed"]
)
def test_hostile_values_are_refused_without_echoing_markup(
    personas: Any, client_for: Any, name: str, value: str
) -> None:
    response = client_for(personas["analyst"]).get(
        reverse("staff_analytics:hotspots"), {name: value}
    )
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()
    _nothing_ran()
