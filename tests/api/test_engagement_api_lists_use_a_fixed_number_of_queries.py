"""The engagement lists of both APIs cost the same number of queries for one row as for a
hundred: actions, votes, origins and items are fetched once per page, not once per row."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(context.captured_queries)


def test_a_page_of_priorities_costs_the_same_for_one_or_a_hundred(
    client_for: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(None)
    url = f"/api/v1/neighbourhoods/{town.home.slug}/priorities"
    one = queries(client, url + "?limit=1")
    assert queries(client, url + "?limit=100") == one
    with django_assert_max_num_queries(8):
        response = client.get(url + "?limit=100")
    assert len(response.json()["items"]) > 10


def test_a_page_of_meetings_costs_the_same_for_one_or_a_hundred(
    client_for: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(None)
    url = f"/api/v1/neighbourhoods/{town.home.slug}/meetings"
    one = queries(client, url + "?limit=1")
    assert queries(client, url + "?limit=100") == one
    with django_assert_max_num_queries(5):
        response = client.get(url + "?limit=100")
    assert len(response.json()["items"]) > 20


def test_one_priority_and_one_forum_take_a_handful_of_queries(
    client_for: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    from ourbeat.engagement.models import Priority

    client = client_for(None)
    priority = Priority.objects.filter(area=town.home, origins__kind="concern").first()
    assert priority is not None
    with django_assert_max_num_queries(9):
        assert client.get(f"/api/v1/priorities/{priority.pk}").status_code == 200
    forum = town.home.forums.get()
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/forums/{forum.slug}").status_code == 200


def test_the_police_uk_priorities_and_events_do_not_grow_with_the_history(
    client_for: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(None)
    base = f"/api/police-uk/{town.force.slug}"
    counts = {queries(client, f"{base}/{area.code}/priorities") for area in town.neighbourhoods}
    assert len(counts) == 1
    assert max(counts) <= 3
    with django_assert_max_num_queries(6):
        assert client.get(f"{base}/{town.home.code}/events").status_code == 200
