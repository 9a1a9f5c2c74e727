# ruff: noqa: F811  (the shared fixtures are imported by name)
"""GET /api/v1/concerns and /api/v1/concerns/{reference}: the public list with the page's
filters, paginated with a total, and one concern's public record; nothing unpublished,
hidden, personal or exact."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.bad_input import HOSTILE, assert_json_error
from tests.concerns.test_browse_seed import Seeded, clean_slate, publish, seeded  # noqa: F401

BASE = "/api/v1/concerns"


def refs(body: dict[str, Any]) -> set[str]:
    return {item["reference"] for item in body["items"]}


def test_the_list_holds_every_public_concern_with_a_total(client_for: Any, seeded: Seeded) -> None:
    response = client_for(None).get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(seeded.all_public)
    assert refs(body) == {c.reference for c in seeded.all_public}
    item = next(i for i in body["items"] if i["reference"] == seeded.open_noise.reference)
    assert item["category"] == {"code": "asb-noise", "label": "Noise and nuisance"}
    assert item["neighbourhood"] == seeded.open_noise.area.slug
    assert item["status"] == "submitted"
    assert item["url"] == f"/en/concerns/{seeded.open_noise.reference}/"
    assert item["point"] != [seeded.open_noise.latitude, seeded.open_noise.longitude]
    sensitive = next(i for i in body["items"] if i["reference"] == seeded.sensitive.reference)
    assert sensitive["point"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "asb-noise"}, {"open_noise", "closed_noise"}),
        ({"status": "closed"}, {"closed_noise"}),
        ({"status": "open", "category": "roads-speeding"}, {"speeding_elsewhere"}),
        ({"status": "investigating"}, set()),
    ],
)
def test_the_list_filters_like_the_page(
    client_for: Any, seeded: Seeded, params: dict[str, str], expected: set[str]
) -> None:
    body = client_for(None).get(BASE, params).json()
    assert refs(body) == {getattr(seeded, name).reference for name in expected}
    assert body["total"] == len(expected)


def test_the_list_filters_by_area_and_dates(client_for: Any, town: Any, seeded: Seeded) -> None:
    from django.utils import timezone

    client = client_for(None)
    body = client.get(BASE, {"area": town.elsewhere.parent.slug}).json()
    assert refs(body) == {seeded.speeding_elsewhere.reference}
    today = timezone.localdate().isoformat()
    assert client.get(BASE, {"from": today, "to": today}).json()["total"] == 4
    assert client.get(BASE, {"to": "2001-01-01"}).json()["total"] == 0


def test_the_list_pages_with_limit_and_offset(client_for: Any, seeded: Seeded) -> None:
    client = client_for(None)
    first = client.get(BASE, {"limit": 3}).json()
    rest = client.get(BASE, {"limit": 3, "offset": 3}).json()
    assert (first["total"], first["limit"], first["offset"]) == (4, 3, 0)
    assert len(first["items"]) == 3
    assert len(rest["items"]) == 1
    assert refs(first) | refs(rest) == {c.reference for c in seeded.all_public}


def test_the_list_costs_a_fixed_number_of_queries(
    client_for: Any, town: Any, clean_slate: None, django_assert_max_num_queries: Any
) -> None:
    from ourbeat.concerns.models import Category

    parking = Category.objects.get(code="roads-parking")
    for n in range(15):
        publish(parking, town.home, text=f"Parked {n}.")
    with django_assert_max_num_queries(3):
        body = client_for(None).get(BASE, {"category": "roads-parking", "limit": 100}).json()
    assert len(body["items"]) == 15


def test_the_detail_holds_public_fields_updates_and_due_dates(
    client_for: Any, seeded: Seeded
) -> None:
    from ourbeat.concerns import services

    concern = seeded.closed_noise
    services.concern_respond(concern=concern, actor=None, text="We spoke to the organisers.")
    services.concern_note(concern=concern, actor=None, text="Internal: known family.")
    body = client_for(None).get(f"{BASE}/{concern.reference}").json()
    assert body["reference"] == concern.reference
    assert body["text"] == concern.public_text
    assert body["status"] == "resolved"
    assert body["first_response_due"] <= body["resolution_plan_due"]
    texts = [u["text"] for u in body["updates"]]
    assert "We spoke to the organisers." in texts
    assert not any("Internal" in t for t in texts)
    assert set(body) == {
        "reference",
        "category",
        "neighbourhood",
        "status",
        "published_at",
        "updated_at",
        "point",
        "supporters",
        "url",
        "text",
        "status_note",
        "first_response_due",
        "resolution_plan_due",
        "updates",
    }


def test_unpublished_hidden_and_unknown_concerns_are_a_json_404(
    client_for: Any, seeded: Seeded
) -> None:
    client = client_for(None)
    for reference in (seeded.unpublished.reference, seeded.hidden.reference, "MIL-26-999999"):
        assert_json_error(client.get(f"{BASE}/{reference}"), 404)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "99999999999999999999999"},
        {"offset": "-1"},
        {"offset": "1e9"},
        {"from": "2026-02-30"},
        {"to": "0001-01-01"},
        {"status": "reopened"},
        {"area": "<b>x</b>"},
        {"category": "x" * 500},
    ],
)
def test_bad_parameters_are_a_json_422(
    client_for: Any, seeded: Seeded, params: dict[str, str]
) -> None:
    assert_json_error(client_for(None).get(BASE, params), 422, list)


@pytest.mark.parametrize(
    "params",
    [
        {"area": "no-such-place"},
        {"category": "no-such-kind"},
        {"from": "2026-03-02", "to": "2026-03-01"},
    ],
)
def test_well_formed_but_unknown_filters_are_a_json_400(
    client_for: Any, seeded: Seeded, params: dict[str, str]
) -> None:
    assert_json_error(client_for(None).get(BASE, params), 400)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_are_refused_with_json(client_for: Any, seeded: Seeded, value: str) -> None:
    from urllib.parse import quote

    client = client_for(None)
    for name in ("area", "category", "status", "from", "limit"):
        assert_json_error(client.get(BASE, {name: value}), 422)
    assert_json_error(client.get(f"{BASE}/{quote(value, safe='')}"), 404)
