"""Without JavaScript the report takes two steps: place and category, then the details,
with the open concerns of the same kind nearby ("is it one of these?") to support instead."""

from __future__ import annotations

from typing import Any

from ourbeat.concerns.models import Concern
from tests.concerns.test_report_helpers import REPORT_URL, published_concern, report_data

PLACE = ("lat", "lng", "location_text", "category")


def test_step_one_asks_for_the_place_and_the_category(town: Any, client: Any) -> None:
    html = client.get(REPORT_URL).content.decode()
    assert 'name="lat"' in html
    assert 'name="lng"' in html
    assert 'name="category"' in html
    assert 'name="description"' not in html


def test_a_landmark_alone_is_not_enough_to_find_the_place(town: Any, client: Any) -> None:
    response = client.get(REPORT_URL, {"location_text": "the old mill", "category": "asb-noise"})
    assert response.status_code == 400
    assert "alone is not enough" in response.content.decode()


def test_step_two_shows_nearby_open_concerns_of_the_same_category(town: Any, client: Any) -> None:
    other = published_concern(town.home)
    data = report_data(town.home)
    html = client.get(REPORT_URL, {k: data[k] for k in PLACE}).content.decode()
    assert "Is it one of these?" in html
    assert other.reference in html
    assert 'name="description"' in html
    assert 'name="idempotency_key"' in html


def test_nearby_concerns_of_another_category_are_not_offered(town: Any, client: Any) -> None:
    other = published_concern(town.home, category="roads-speeding")
    data = report_data(town.home)
    html = client.get(REPORT_URL, {k: data[k] for k in PLACE}).content.decode()
    assert other.reference not in html


def test_adding_your_voice_counts_once_per_resident(town: Any, client: Any) -> None:
    other = published_concern(town.home)
    url = f"/en/concerns/{other.reference}/support/"
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/concerns/{other.reference}/")
    client.post(url)
    other.refresh_from_db()
    assert other.supporters == 1
    assert "1 neighbour has added their voice" in client.get(response["Location"]).content.decode()


def test_an_unpublished_concern_cannot_be_supported(town: Any, client: Any) -> None:
    client.post(REPORT_URL, data := report_data(town.home))
    concern = Concern.objects.get(idempotency_key=data["idempotency_key"])
    assert client.post(f"/en/concerns/{concern.reference}/support/").status_code == 404
    concern.refresh_from_db()
    assert concern.supporters == 0
