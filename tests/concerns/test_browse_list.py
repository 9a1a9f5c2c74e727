# ruff: noqa: F811  (the shared fixtures are imported by name)
"""A resident browses public concerns on /concerns/: everything published and not hidden,
newest first, filtered by area, category, status and date, 25 a page, without JavaScript,
at a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.concerns.test_browse_seed import Seeded, clean_slate, publish, seeded  # noqa: F401

URL = "/en/concerns/"


def references(response: Any) -> set[str]:
    return {item["concern"].reference for item in response.context["items"]}


def test_the_list_shows_every_public_concern_and_nothing_else(
    client_for: Any, seeded: Seeded
) -> None:
    response = client_for(None).get(URL)
    assert response.status_code == 200
    assert references(response) == {c.reference for c in seeded.all_public}
    html = response.content.decode()
    assert seeded.unpublished.reference not in html
    assert seeded.hidden.reference not in html
    assert "Hidden by a moderator" not in html


def test_each_item_links_to_the_concerns_page(client_for: Any, seeded: Seeded) -> None:
    html = client_for(None).get(URL).content.decode()
    assert f'href="/en/concerns/{seeded.open_noise.reference}/"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "asb-noise"}, {"open_noise", "closed_noise"}),
        ({"status": "open"}, {"open_noise", "speeding_elsewhere", "sensitive"}),
        ({"status": "closed"}, {"closed_noise"}),
        ({"status": "resolved"}, {"closed_noise"}),
        ({"status": "investigating"}, set()),
        ({"category": "asb-noise", "status": "open"}, {"open_noise"}),
    ],
)
def test_the_list_filters_by_category_and_status(
    client_for: Any, seeded: Seeded, params: dict[str, str], expected: set[str]
) -> None:
    response = client_for(None).get(URL, params)
    assert response.status_code == 200
    assert references(response) == {getattr(seeded, name).reference for name in expected}


def test_the_list_filters_by_neighbourhood_and_by_district(
    client_for: Any, town: Any, seeded: Seeded
) -> None:
    client = client_for(None)
    home = {seeded.open_noise, seeded.closed_noise, seeded.sensitive}
    for slug in (town.home.slug, town.home.parent.slug):
        assert references(client.get(URL, {"area": slug})) == {c.reference for c in home}
    elsewhere = client.get(URL, {"area": town.elsewhere.parent.slug})
    assert references(elsewhere) == {seeded.speeding_elsewhere.reference}


def test_the_list_filters_by_the_day_reported(client_for: Any, seeded: Seeded) -> None:
    from ourbeat.concerns.models import Concern

    long_ago = timezone.now() - timedelta(days=400)
    Concern.objects.filter(pk=seeded.closed_noise.pk).update(created_at=long_ago)
    client = client_for(None)
    today = timezone.localdate().isoformat()
    recent = references(client.get(URL, {"date_from": today, "date_to": today}))
    assert seeded.closed_noise.reference not in recent
    assert seeded.open_noise.reference in recent
    old_day = timezone.localtime(long_ago).date().isoformat()
    old = references(client.get(URL, {"date_from": old_day, "date_to": old_day}))
    assert old == {seeded.closed_noise.reference}


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-45"},
        {"date_from": "1066-10-14"},
        {"date_from": "2026-03-02", "date_to": "2026-03-01"},
        {"status": "<script>alert(1)</script>"},
        {"category": "' OR '1'='1"},
        {"area": "x" * 5000},
        {"page": "999999999999999999999"},
    ],
)
def test_bad_filters_are_form_errors_not_crashes(
    client_for: Any, seeded: Seeded, params: dict[str, str]
) -> None:
    response = client_for(None).get(URL, params)
    assert response.status_code in {200, 400}
    assert "<script>alert(1)</script>" not in response.content.decode()
    if "page" not in params:
        assert response.status_code == 400
        assert "Please correct the problems below." in response.content.decode()


def test_the_list_is_paginated_25_a_page(client_for: Any, town: Any, clean_slate: None) -> None:
    from ourbeat.concerns.models import Category

    noise = Category.objects.get(code="roads-parking")
    made = [publish(noise, town.home, text=f"Parked on the pavement, day {n}.") for n in range(27)]
    client = client_for(None)
    first = client.get(URL, {"category": "roads-parking"})
    assert len(first.context["items"]) == 25
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert "category=roads-parking&amp;page=2" in html
    second = client.get(URL, {"category": "roads-parking", "page": "2"})
    assert len(second.context["items"]) == 2
    assert references(first) | references(second) == {c.reference for c in made}


def test_the_list_costs_the_same_number_of_queries_for_3_or_25_concerns(
    client_for: Any, town: Any, clean_slate: None, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ourbeat.concerns.models import Category

    parking = Category.objects.get(code="roads-parking")
    for n in range(3):
        publish(parking, town.home, text=f"Blocked drive {n}.")
    client = client_for(None)
    client.get(URL)  # warm caches that are not the list's business (sessions, sites)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"category": "roads-parking"})
    for n in range(22):
        publish(parking, town.elsewhere, text=f"Blocked drive {n + 3}.")
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"category": "roads-parking"})
    assert len(response.context["items"]) == 25
    assert len(many) == len(few)
    with django_assert_max_num_queries(8):
        client.get(URL)


def test_the_list_has_feed_links_and_a_map_only_for_javascript(
    client_for: Any, seeded: Seeded
) -> None:
    html = client_for(None).get(URL, {"category": "asb-noise"}).content.decode()
    assert 'type="application/rss+xml"' in html
    assert "/en/concerns/feed.rss?category=asb-noise" in html
    assert "/en/concerns/feed.atom?category=asb-noise" in html
    assert 'id="browse-map-section" hidden' in html
    assert "/en/concerns/map.geojson?category=asb-noise" in html


def test_the_list_is_translated(client_for: Any, seeded: Seeded) -> None:
    response = client_for(None).get("/ru/concerns/")
    assert response.status_code == 200
    assert response.context["items"]
