# ruff: noqa: F811  (the shared fixtures are imported by name)
"""The list's map data, /concerns/map.geojson: public concerns counted per public H3 cell
(the cell's centre, never an exact point; sensitive categories left out), with the list's
filters, in one grouped query, cacheable."""

from __future__ import annotations

from typing import Any

import h3

from tests.concerns.test_browse_seed import Seeded, clean_slate, publish, seeded  # noqa: F401

URL = "/en/concerns/map.geojson"


def test_the_map_counts_concerns_per_public_cell_at_its_centre(
    client_for: Any, seeded: Seeded
) -> None:
    response = client_for(None).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    by_cell = {f["properties"]["cell"]: f for f in data["features"]}
    mapped = [seeded.open_noise, seeded.closed_noise, seeded.speeding_elsewhere]
    assert sum(f["properties"]["count"] for f in data["features"]) == len(mapped)
    for concern in mapped:
        cell = h3.int_to_str(concern.public_cell)
        lat, lng = h3.cell_to_latlng(cell)
        lng_out, lat_out = by_cell[cell]["geometry"]["coordinates"]
        assert (lat_out, lng_out) == (round(lat, 6), round(lng, 6))
        assert (lat_out, lng_out) != (concern.latitude, concern.longitude)
    noise_cell = by_cell[h3.int_to_str(seeded.open_noise.public_cell)]["properties"]
    assert noise_cell["statuses"] == {"resolved": 1, "submitted": 1}


def test_sensitive_unpublished_and_hidden_concerns_are_not_on_the_map(
    client_for: Any, seeded: Seeded
) -> None:
    from ourbeat.concerns.models import Category

    data = client_for(None).get(URL).json()
    total = sum(f["properties"]["count"] for f in data["features"])
    assert total == 3
    # Even a category marked sensitive after its concerns were mapped drops off the map.
    Category.objects.filter(code="roads-speeding").update(sensitive=True)
    data = client_for(None).get(URL).json()
    assert sum(f["properties"]["count"] for f in data["features"]) == 2


def test_the_map_takes_the_lists_filters(client_for: Any, town: Any, seeded: Seeded) -> None:
    client = client_for(None)
    data = client.get(URL, {"area": town.elsewhere.slug}).json()
    assert [f["properties"]["count"] for f in data["features"]] == [1]
    data = client.get(URL, {"status": "closed", "category": "asb-noise"}).json()
    assert [f["properties"]["statuses"] for f in data["features"]] == [{"resolved": 1}]


def test_bad_filters_get_a_json_400(client_for: Any, seeded: Seeded) -> None:
    response = client_for(None).get(URL, {"date_from": "not a date", "status": "<b>"})
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"date_from", "status"}


def test_the_map_is_cacheable_and_answers_304_when_unchanged(
    client_for: Any, seeded: Seeded
) -> None:
    client = client_for(None)
    first = client.get(URL)
    assert "public" in first["Cache-Control"]
    assert "max-age=60" in first["Cache-Control"]
    again = client.get(URL, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_the_map_is_one_grouped_query_however_many_concerns(
    client_for: Any, town: Any, clean_slate: None, django_assert_max_num_queries: Any
) -> None:
    from ourbeat.concerns.models import Category

    parking = Category.objects.get(code="roads-parking")
    for n in range(12):
        publish(parking, town.home, text=f"Parked {n}.", nudge=0.0005 * (n % 3))
    client = client_for(None)
    # The choices of the filter form (areas, categories), the category, then one grouped query.
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"category": "roads-parking"})
    assert sum(f["properties"]["count"] for f in response.json()["features"]) == 12
