"""The "you said, we did" page costs the same number of queries for a neighbourhood with a
year of history as for one with ten years of it (the past is paginated, every list is
prefetched): the count is asserted, not the time (bench/you_said_we_did.py times it)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.engagement.test_public_helpers import build_history, clear_engagement

MAX_QUERIES = 14


def queries_for(client: Any, area: Any, **params: Any) -> int:
    cache.clear()  # a cold render, not the cached copy
    url = reverse("engagement:you_said_we_did", kwargs={"slug": area.slug})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_a_long_history_costs_no_more_queries_than_a_short_one(client_for: Any, town: Any) -> None:
    small, large = town.neighbourhoods[0], town.neighbourhoods[1]
    for area in (small, large):
        clear_engagement(area)
    build_history(small, years=1, closed=2, proposals=1, live=1, actions_each=2)
    build_history(large, years=10, closed=60, proposals=35, live=3, actions_each=12)
    client = client_for(None)
    few = queries_for(client, small)
    many = queries_for(client, large)
    assert few == many
    assert many <= MAX_QUERIES
    # Later pages of the past cost the same as the first.
    assert queries_for(client, large, past=4, meetings=7, proposals=3) == many


def test_a_signed_in_visitor_gets_a_fresh_render_at_the_same_cost(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    area = town.home
    clear_engagement(area)
    build_history(area, years=3, closed=20, proposals=12, live=3, actions_each=6)
    anonymous = queries_for(client_for(None), area)
    signed_in = client_for(personas["resident"])
    # The same page plus the session and the user, and no cache.
    assert queries_for(signed_in, area) <= anonymous + 3


def test_a_cached_copy_costs_one_query(client_for: Any, town: Any) -> None:
    area = town.home
    clear_engagement(area)
    build_history(area)
    client = client_for(None)
    url = reverse("engagement:you_said_we_did", kwargs={"slug": area.slug})
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(captured.captured_queries) == 1


def test_later_pages_are_rendered_each_time_and_never_fill_the_cache(
    client_for: Any, town: Any
) -> None:
    area = town.home
    clear_engagement(area)
    build_history(area, closed=25)
    client = client_for(None)
    url = reverse("engagement:you_said_we_did", kwargs={"slug": area.slug})
    for number in ("2", "3", "99999"):
        client.get(url, {"past": number})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"past": number}).status_code == 200
        assert len(captured.captured_queries) > 1
