"""ourbeat's own public API (/api/v1/) answers with what the database holds: the
neighbourhoods, one area in detail, locate-by-point, the team, upcoming contact points and
the visibility commitment next to what was delivered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

BASE = "/api/v1"


def get_json(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    response = client.get(BASE + url, data)
    assert response.status_code == 200, (url, response.content)
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_the_area_list_is_every_neighbourhood_grouped_by_district(
    client_for: Any, town: Any
) -> None:
    rows = get_json(client_for(None), "/areas")
    expected = sorted(town.neighbourhoods, key=lambda n: (n.parent.name, n.name))
    assert [r["slug"] for r in rows] == [n.slug for n in expected]
    first, area = rows[0], expected[0]
    assert first == {
        "slug": area.slug,
        "code": area.code,
        "name": area.name,
        "level": "neighbourhood",
        "district": area.parent.name,
        "organisation": town.force.slug,
        "population": area.population,
        "centre": [area.centre_lat, area.centre_lng],
        "url": area.get_absolute_url(),
    }


def test_an_area_in_detail_carries_its_boundary_and_how_to_reach_the_team(
    client_for: Any, town: Any
) -> None:
    area = town.home
    detail = get_json(client_for(None), f"/areas/{area.slug}")
    assert detail["name"] == area.name
    assert detail["description"] == area.description
    assert detail["boundary"] == area.boundary
    assert detail["emergency_number"] == town.force.emergency_number
    assert detail["non_emergency_telephone"] == area.contact_telephone
    assert detail["email"] == area.contact_email


def test_locate_answers_the_neighbourhood_containing_the_point(client_for: Any, town: Any) -> None:
    for area in town.neighbourhoods:
        point = area.geometry.representative_point()
        found = get_json(client_for(None), "/locate", {"lat": point.y, "lng": point.x})
        assert found["slug"] == area.slug


def test_locate_outside_every_neighbourhood_is_a_404_with_a_json_body(
    client_for: Any, town: Any
) -> None:
    for lat, lng in ((0, 0), (51.5, -0.12), (-90, 180)):
        response = client_for(None).get(f"{BASE}/locate", {"lat": lat, "lng": lng})
        assert response.status_code == 404
        assert response.json() == {"detail": "No neighbourhood contains that point."}


def test_the_team_is_the_officers_serving_the_area_with_their_tenure(
    client_for: Any, town: Any
) -> None:
    from ourbeat.teams.selectors import current_assignments

    team = get_json(client_for(None), f"/areas/{town.home.slug}/team")
    expected = current_assignments(town.home, timezone.localdate())
    assert [(m["name"], m["rank"], m["role"], m["serving_since"]) for m in team] == [
        (a.profile.name, a.profile.rank, a.role, a.started_on.isoformat()) for a in expected
    ]
    assert all(m["languages"] == a.profile.languages for m, a in zip(team, expected, strict=True))


def test_contact_points_are_the_upcoming_occurrences_with_cancellations(
    client_for: Any, town: Any
) -> None:
    from ourbeat.teams.models import OccurrenceChange

    change = OccurrenceChange.objects.select_related("contact_point__area").get(
        status=OccurrenceChange.Status.CANCELLED
    )
    area = change.contact_point.area
    rows = get_json(client_for(None), f"/areas/{area.slug}/contact-points", {"days": 120})
    assert rows == sorted(rows, key=lambda r: r["start"])
    cancelled = [r for r in rows if r["status"] == "cancelled"]
    assert [(r["contact_point"], r["reason"]) for r in cancelled] == [
        (change.contact_point_id, change.reason)
    ]
    assert {r["contact_point"] for r in rows} <= set(
        area.contact_points.values_list("pk", flat=True)
    )


def test_contact_points_respect_the_number_of_days_asked_for(client_for: Any, town: Any) -> None:
    few = get_json(client_for(None), f"/areas/{town.home.slug}/contact-points", {"days": 7})
    many = get_json(client_for(None), f"/areas/{town.home.slug}/contact-points", {"days": 366})
    assert len(few) < len(many)


def test_visibility_shows_the_commitment_next_to_last_months_delivery(
    client_for: Any, town: Any
) -> None:
    from ourbeat.teams.selectors import visibility_summary

    rows = get_json(client_for(None), f"/areas/{town.home.slug}/visibility")
    month, expected = visibility_summary(town.home, timezone.localdate())
    assert rows
    assert [(r["month"], r["metric"]) for r in rows] == [
        (month.strftime("%Y-%m"), e.metric) for e in expected
    ]
    for row, e in zip(rows, expected, strict=True):
        assert Decimal(row["delivered"]) == e.delivered
        assert row["delivered"] == str(e.delivered.quantize(Decimal("0.1")))
        assert (Decimal(row["monthly_target"]) if row["monthly_target"] else None) == e.target


def test_visibility_never_shows_the_running_month(client_for: Any, town: Any) -> None:
    rows = get_json(client_for(None), f"/areas/{town.home.slug}/visibility")
    this_month = date.today().strftime("%Y-%m")
    assert all(r["month"] != this_month for r in rows)
