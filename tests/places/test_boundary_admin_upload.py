"""The site administrator imports boundaries from the admin: a good file creates the areas
and says so; a bad one shows every problem as a form error on the page and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ourbeat.places.models import Area
from tests.places.boundaries import (
    EAST,
    MID,
    NORTH,
    SOUTH,
    WEST,
    Fresh,
    box,
    geojson,
    kml,
    snapshot,
)

URL = reverse("admin:places_area_import")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The personas' passwords are never checked here (force_login); argon2 costs 0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def upload(client: Client, fresh: Fresh, data: bytes, name: str, **fields: Any) -> Any:
    return client.post(
        URL,
        {
            "organisation": fresh.organisation.pk,
            "level": "neighbourhood",
            "parent": fresh.district.pk,
            "file": SimpleUploadedFile(name, data),
            **fields,
        },
    )


def refused_page(client: Client, fresh: Fresh, data: bytes, name: str, **fields: Any) -> str:
    before = snapshot()
    response = upload(client, fresh, data, name, **fields)
    assert response.status_code == 200
    assert snapshot() == before
    html: str = response.content.decode()
    assert "errorlist" in html
    return html


def test_the_import_page_shows_the_form_to_the_site_admin(
    fresh: Fresh, personas: Any, client_for: Any
) -> None:
    response = client_for(personas["site_admin"]).get(URL)
    assert response.status_code == 200
    assert "GeoJSON or KML file" in response.content.decode()


def test_a_good_kml_upload_creates_the_areas_and_says_so(
    fresh: Fresh, personas: Any, client_for: Any
) -> None:
    client = client_for(personas["site_admin"])
    data = kml(
        ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
        ("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
    )
    response = upload(client, fresh, data, "testshire.kml")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:places_area_changelist")
    assert Area.objects.filter(organisation=fresh.organisation, level="neighbourhood").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Imported: 2 new areas, 0 updated." in page


def test_an_upload_with_swapped_coordinates_shows_the_problem_and_changes_nothing(
    fresh: Fresh, personas: Any, client_for: Any
) -> None:
    ring = [(lat, lng) for lng, lat in box(WEST, SOUTH, MID, NORTH)]
    html = refused_page(
        client_for(personas["site_admin"]), fresh, geojson(("Westbank", "TS1", ring)), "a.geojson"
    )
    assert "Feature 1 (Westbank) lies outside Testshire Central" in html
    assert "the coordinates look swapped" in html


def test_every_problem_of_an_upload_is_shown_as_a_form_error(
    fresh: Fresh, personas: Any, client_for: Any
) -> None:
    data = geojson(
        ("Westbank", "TS1", box(WEST, SOUTH, MID + 0.01, NORTH)),
        ("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
        ("Eastbank", "TS3", box(WEST, 91, EAST, 92)),
    )
    html = refused_page(client_for(personas["site_admin"]), fresh, data, "a.geojson")
    assert "Feature 3 (Eastbank): latitude out of range" in html


def test_an_image_uploaded_as_boundaries_is_refused(
    fresh: Fresh, personas: Any, client_for: Any
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    html = refused_page(client_for(personas["site_admin"]), fresh, png, "map.png")
    assert "The file is neither GeoJSON nor KML." in html


def test_an_empty_upload_is_refused(fresh: Fresh, personas: Any, client_for: Any) -> None:
    html = refused_page(client_for(personas["site_admin"]), fresh, b"", "a.geojson")
    assert "The submitted file is empty." in html


def test_an_upload_over_the_size_limit_is_refused(
    fresh: Fresh, personas: Any, client_for: Any, settings: Any
) -> None:
    settings.OURBEAT_BOUNDARY_MAX_BYTES = 200
    data = geojson(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)))
    html = refused_page(client_for(personas["site_admin"]), fresh, data, "a.geojson")
    assert f"The file is {len(data)} bytes; the limit is 200 bytes." in html


def test_a_hostile_kml_upload_is_refused_cleanly(
    fresh: Fresh, personas: Any, client_for: Any
) -> None:
    data = kml(
        ("&boom;", "TS1", box(WEST, SOUTH, MID, NORTH)),
        doctype='<!DOCTYPE kml [<!ENTITY boom SYSTEM "file:///etc/passwd">]>',
    )
    html = refused_page(client_for(personas["site_admin"]), fresh, data, "a.kml")
    assert "refused for safety" in html
    assert "root:" not in html


def test_a_neighbourhood_upload_under_a_neighbourhood_of_another_organisation_is_refused(
    fresh: Fresh, town: Any, personas: Any, client_for: Any
) -> None:
    data = geojson(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)))
    html = refused_page(
        client_for(personas["site_admin"]), fresh, data, "a.geojson", parent=town.districts[0].pk
    )
    assert "The parent area belongs to another organisation." in html


def test_people_without_the_admin_cannot_import(
    fresh: Fresh, personas: Any, client_for: Any
) -> None:
    data = geojson(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)))
    clients = {
        name: client_for(personas[name])
        for name in ("anonymous", "resident", "officer", "org_admin")
    }
    before = snapshot()
    for name, client in clients.items():
        response = upload(client, fresh, data, "a.geojson")
        assert response.status_code in (302, 403), name
        assert "/admin/login/" in response.get("Location", "/admin/login/"), name
    assert snapshot() == before
