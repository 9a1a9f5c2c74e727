"""List endpoints cost a fixed number of queries however many rows they return."""

from __future__ import annotations

from typing import Any


def test_the_area_list_takes_one_query(
    client_for: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(None)
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/areas")
    assert response.status_code == 200
    assert len(response.json()) == len(town.neighbourhoods)


def test_the_police_uk_neighbourhood_list_takes_two_queries(
    client_for: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(None)
    with django_assert_max_num_queries(2):
        response = client.get(f"/api/police-uk/{town.force.slug}/neighbourhoods")
    assert response.status_code == 200
    assert len(response.json()) == len(town.neighbourhoods)


def test_the_police_uk_force_list_takes_one_query(
    client_for: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(None)
    with django_assert_max_num_queries(1):
        assert client.get("/api/police-uk/forces").status_code == 200


def test_a_team_list_does_not_grow_with_the_team(
    client_for: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(None)
    with django_assert_max_num_queries(2):
        assert client.get(f"/api/v1/areas/{town.home.slug}/team").status_code == 200
    with django_assert_max_num_queries(2):
        response = client.get(f"/api/police-uk/{town.force.slug}/{town.home.code}/people")
    assert response.status_code == 200
