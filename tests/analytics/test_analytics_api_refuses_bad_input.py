"""Bad parameters to the analyses' JSON API are a 400 whose ``detail`` names each field's
problem (the same checks as the staff pages), echoing no markup, and nothing is run."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.analytics.models import AnalysisRun
from tests.api.bad_input import HOSTILE, assert_json_error

pytestmark = [pytest.mark.django_db]

BASE = "/api/v1/staff/analytics"

BAD = [
    ("hotspots", {"start": "2024-02-30"}, "start"),
    ("hotspots", {"end": "31/12/2024"}, "end"),
    ("hotspots", {"start": "2024-05-01", "end": "2024-04-30"}, "end"),
    ("hotspots", {"start": "2015-01-01", "end": "2024-12-31"}, "end"),
    ("hotspots", {"category": "alien-abduction"}, "category"),
    ("hotspots", {"resolution": "4"}, "resolution"),
    ("hotspots", {"resolution": "11"}, "resolution"),
    ("hotspots", {"resolution": "nine"}, "resolution"),
    ("hotspots", {"permutations": "-1"}, "permutations"),
    ("hotspots", {"permutations": "100000"}, "permutations"),
    ("near-repeats", {"permutations": "10000"}, "permutations"),
    ("hotspots", {"rings": "0"}, "rings"),
    ("emerging", {"start": "2024-06-01", "end": "2024-07-31"}, "start"),
    ("emerging", {"time_steps": "13"}, "time_steps"),
    ("near-repeats", {"metric": "haversine"}, "metric"),
    ("near-repeats", {"space_bands": "11"}, "space_bands"),
    ("near-repeats", {"time_bandwidth": "0"}, "time_bandwidth"),
    ("repeats", {"minimum": "1"}, "minimum"),
    ("evaluation", {"confidence": "50"}, "confidence"),
    ("evaluation", {"test_start": "2020-01-01"}, "test_start"),
]


@pytest.mark.parametrize(("endpoint", "parameters", "field"), BAD)
def test_a_bad_parameter_is_a_400_naming_it(
    personas: Any, client_for: Any, endpoint: str, parameters: dict[str, str], field: str
) -> None:
    response = client_for(personas["analyst"]).get(f"{BASE}/{endpoint}", parameters)
    body = assert_json_error(response, 400, dict)
    assert field in body["detail"]
    assert not AnalysisRun.objects.exists()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", ["start", "category", "area", "resolution", "seed", "source"])
def test_hostile_values_are_a_400(personas: Any, client_for: Any, name: str, value: str) -> None:
    response = client_for(personas["analyst"]).get(f"{BASE}/hotspots", {name: value})
    assert_json_error(response, 400, dict)
    assert not AnalysisRun.objects.exists()


def test_an_officer_must_name_one_of_their_areas(personas: Any, town: Any, client_for: Any) -> None:
    client = client_for(personas["officer"])
    body = assert_json_error(client.get(f"{BASE}/repeats"), 400, dict)
    assert "area" in body["detail"]
    body = assert_json_error(
        client.get(f"{BASE}/repeats", {"area": town.elsewhere.slug}), 400, dict
    )
    assert "area" in body["detail"]
    assert not AnalysisRun.objects.exists()
