"""The near-repeats and repeats pages draw their results on SVG maps, as the hot spot pages
do: on the near-repeats page one circle per current alert, at the alerted event, sized by
the risk radius and numbered as in the alerts table; on the repeats page one circle per
listed repeat location, sized by its count and numbered by its rank. Each circle has a
title and links to its row. Repeat victims are never mapped."""

from __future__ import annotations

import math
import re
from itertools import combinations
from typing import Any

import pytest
from django.urls import reverse

from ourbeat.analytics.models import AnalysisRun

pytestmark = pytest.mark.django_db

CIRCLE = re.compile(
    r'<a href="#(?P<target>[a-z]+-\d+)"><circle cx="(?P<cx>[-\d.]+)" cy="(?P<cy>[-\d.]+)" '
    r'r="(?P<r>[\d.]+)"[^>]*><title>(?P<title>[^<]+)</title></circle>'
    r"<text[^>]*>(?P<number>\d+)</text></a>"
)


def _run_page(client: Any, captured: Any, name: str, kind: str, parameters: dict[str, str]) -> Any:
    """Ask for the analysis; the queued run is computed when the captured on-commit
    callbacks run, and asking again shows the finished run."""
    url = reverse(name)
    with captured(execute=True):
        queued = client.get(url, parameters)
    assert queued.status_code == 302
    run = AnalysisRun.objects.get(kind=kind)
    response = client.get(url, parameters)
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == "done", run.error
    return response.content.decode(), run.result or {}


def _svg(html: str, map_id: str) -> tuple[str, float, float]:
    svg = re.search(
        rf'<svg class="svg-map" viewBox="0 0 (\d+) (\d+)"[^>]*id="{map_id}".*?</svg>', html, re.S
    )
    assert svg is not None, f"no map {map_id}"
    text = svg.group(0)
    assert f'<title id="{map_id}-title">' in text
    assert f'<desc id="{map_id}-desc">' in text
    return text, float(svg.group(1)), float(svg.group(2))


def _circles(svg: str, width: float, height: float) -> list[dict[str, Any]]:
    circles: list[dict[str, Any]] = [
        {**m.groupdict(), "x": float(m["cx"]), "y": float(m["cy"]), "radius": float(m["r"])}
        for m in CIRCLE.finditer(svg)
    ]
    # Every circle is drawn as a whole, with its title: none is left without one.
    assert len(circles) == svg.count("<circle")
    for circle in circles:
        assert 0 <= circle["x"] <= width
        assert 0 <= circle["y"] <= height
        assert circle["title"].strip()
    return circles


def _metres(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Great-circle distance (haversine, mean Earth radius) between two points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (a["lat"], a["lng"], b["lat"], b["lng"]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _placed_as_on_the_earth(circles: list[dict[str, Any]], points: list[dict[str, Any]]) -> None:
    """North is up and east is right: the order of the circles follows their places."""
    for (a, pa), (b, pb) in combinations(zip(circles, points, strict=True), 2):
        if pa["lat"] > pb["lat"]:
            assert a["y"] <= b["y"]
        if pa["lng"] > pb["lng"]:
            assert a["x"] >= b["x"]


def test_the_near_repeats_page_maps_each_alert_numbered_as_in_the_table(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    html, result = _run_page(
        client_for(personas["analyst"]),
        django_capture_on_commit_callbacks,
        "staff_analytics:near_repeats",
        "knox",
        {"category": "burglary", "permutations": "99", "seed": "3"},
    )
    alerts = result["alerts"]
    assert alerts, "the demo town has a near-repeat series in its last weeks"
    svg, width, height = _svg(html, "alert-map")
    circles = _circles(svg, width, height)
    assert len(circles) == len(alerts)
    table = re.search(r'<table id="alerts-table">.*?</table>', html, re.S)
    assert table is not None
    for number, (circle, alert) in enumerate(zip(circles, alerts, strict=True), start=1):
        assert circle["number"] == str(number)
        assert circle["target"] == f"alert-{number}"
        assert f'<tr id="alert-{number}">' in table.group(0)
        assert circle["title"].startswith(f"Alert {number}:")
        assert alert["day"] in circle["title"]
    _placed_as_on_the_earth(circles, alerts)
    # The radius is the alert's risk radius at the map's scale: the scale measured between
    # the two alerts farthest apart (great-circle metres against pixels).
    (a, pa), (b, pb) = max(
        combinations(zip(circles, alerts, strict=True), 2),
        key=lambda pair: _metres(pair[0][1], pair[1][1]),
    )
    pixels_per_metre = math.hypot(a["x"] - b["x"], a["y"] - b["y"]) / _metres(pa, pb)
    for circle, alert in zip(circles, alerts, strict=True):
        expected = alert["radius"] * pixels_per_metre
        if expected > 5:
            assert circle["radius"] == pytest.approx(expected, rel=0.05)


def test_the_repeats_page_maps_each_listed_place_but_no_victim(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    html, result = _run_page(
        client_for(personas["analyst"]),
        django_capture_on_commit_callbacks,
        "staff_analytics:repeats",
        "repeats",
        {"limit": "10", "minimum": "2"},
    )
    rows = result["locations"]["rows"]
    assert rows, "the demo town has repeat locations"
    assert all(row.get("lat") is not None for row in rows)
    svg, width, height = _svg(html, "repeat-map")
    circles = _circles(svg, width, height)
    assert len(circles) == len(rows)
    table = re.search(r'<table id="locations-table">.*?</table>', html, re.S)
    assert table is not None
    for rank, (circle, row) in enumerate(zip(circles, rows, strict=True), start=1):
        assert circle["number"] == str(rank)
        assert circle["target"] == f"location-{rank}"
        assert f'<tr id="location-{rank}">' in table.group(0)
        assert circle["title"].startswith(f"{rank}. ")
        assert f"{row['count']} events" in circle["title"]
    _placed_as_on_the_earth(circles, rows)
    # Sized by count: a busier place never gets a smaller circle.
    for (a, ra), (b, rb) in combinations(zip(circles, rows, strict=True), 2):
        if ra["count"] > rb["count"]:
            assert a["radius"] >= b["radius"]
    # One map only: the victims have none.
    assert html.count('<svg class="svg-map"') == 1
    victims = html[html.index("victims-caption") - 200 :]
    assert "<svg" not in victims
