"""Delivered visibility is published per neighbourhood, so it is logged per neighbourhood:
a district's own log would be counted twice."""

from __future__ import annotations

from typing import Any

from django.test import Client

from ourbeat.teams.models import VisibilityLog


def test_a_supervisor_cannot_log_delivered_visibility_against_their_district_itself(
    personas: Any, town: Any
) -> None:
    client = Client()
    client.force_login(personas["supervisor"])
    before = VisibilityLog.objects.count()
    response = client.post(
        f"/api/v1/staff/areas/{town.home.parent.slug}/visibility-logs",
        data={"day": "2020-01-01", "metric": "surgeries", "amount": "1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "neighbourhood" in str(response.json()["detail"])
    assert VisibilityLog.objects.count() == before


def test_the_same_supervisor_logs_against_a_neighbourhood_of_their_district(
    personas: Any, town: Any
) -> None:
    client = Client()
    client.force_login(personas["supervisor"])
    response = client.post(
        f"/api/v1/staff/areas/{town.home.slug}/visibility-logs",
        data={"day": "2020-01-01", "metric": "surgeries", "amount": "1"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert VisibilityLog.objects.filter(pk=response.json()["id"], area=town.home).exists()
