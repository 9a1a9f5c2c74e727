"""``/en/locate/?lat=&lng=``: coordinates in a neighbourhood redirect to its page; a point
that no neighbourhood contains is a 404 page that says so; input that is not a pair of
coordinates is a 400 page with the form's errors."""

from __future__ import annotations

from typing import Any

import pytest


def test_coordinates_in_a_neighbourhood_redirect_to_its_page(client_for: Any, town: Any) -> None:
    client = client_for(None)
    for area in (town.home, town.elsewhere):
        point = area.geometry.representative_point()
        response = client.get("/en/locate/", {"lat": point.y, "lng": point.x})
        assert response.status_code == 302
        assert response["Location"] == f"/en/n/{area.slug}/"


def test_a_point_no_neighbourhood_contains_is_a_404_that_says_so(
    client_for: Any, town: Any
) -> None:
    response = client_for(None).get("/en/locate/", {"lat": "51.5074", "lng": "-0.1278"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No neighbourhood we serve contains that point." in html
    assert town.home.name in html  # the list to pick from instead


@pytest.mark.parametrize(
    ("lat", "lng", "message"),
    [
        ("abc", "-1.48", "Enter a number."),
        ("NaN", "-1.48", "Enter a number."),
        ("53.04", "nan", "Enter a number."),
        ("91", "-1.48", "less than or equal to 90"),
        ("53.04", "-180.5", "greater than or equal to -180"),
        ("", "", "This field is required."),
        ("53.04", "", "This field is required."),
    ],
    ids=["text", "nan-latitude", "nan-longitude", "latitude-too-big", "longitude-too-small",
         "both-empty", "longitude-missing"],
)  # fmt: skip
def test_coordinates_that_are_not_numbers_in_range_are_a_400_with_form_errors(
    client_for: Any, town: Any, lat: str, lng: str, message: str
) -> None:
    response = client_for(None).get("/en/locate/", {"lat": lat, "lng": lng})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the coordinates below." in html
    assert message in html


def test_the_locate_page_without_coordinates_is_a_plain_form(client_for: Any, town: Any) -> None:
    response = client_for(None).get("/en/locate/")
    assert response.status_code == 200
    assert "Please correct" not in response.content.decode()
