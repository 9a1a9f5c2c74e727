"""The same path with JavaScript off: the SVG map's shapes are links, the coordinates form
and the list grouped by district work, and so does the team page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_map_shapes_are_links_to_the_neighbourhood_pages(
    live_site: Any, phone_without_js: Any, areas: dict[str, Any]
) -> None:
    page = phone_without_js
    page.goto(f"{live_site.url}/en/")
    expect(page.locator("#home-map")).to_be_hidden()
    shapes = page.locator("svg.svg-map a")
    expect(shapes).to_have_count(len(areas))
    target = areas["MB05"]
    page.locator(f'svg.svg-map a[href="{target["url"]}"]').click()
    expect(page).to_have_url(re.compile(re.escape(target["url"]) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(target["name"])


def test_typed_coordinates_find_the_neighbourhood(
    live_site: Any, phone_without_js: Any, areas: dict[str, Any]
) -> None:
    page = phone_without_js
    target = areas["MB10"]
    page.goto(f"{live_site.url}/en/")
    page.get_by_label("Latitude").fill(str(target["centre"][0]))
    page.get_by_label("Longitude").fill(str(target["centre"][1]))
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(target["url"]) + "$"))


def test_coordinates_outside_the_town_say_so_and_offer_the_list(
    live_site: Any, phone_without_js: Any
) -> None:
    page = phone_without_js
    page.goto(f"{live_site.url}/en/")
    page.get_by_label("Latitude").fill("51.5")
    page.get_by_label("Longitude").fill("-0.12")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("No neighbourhood we serve")
    expect(page.get_by_role("heading", name="Millbrook East")).to_be_visible()


def test_the_list_groups_neighbourhoods_by_district_and_leads_to_the_team(
    live_site: Any, phone_without_js: Any, areas: dict[str, Any]
) -> None:
    page = phone_without_js
    target = areas["MB09"]
    page.goto(f"{live_site.url}/en/")
    district = page.locator(".district").filter(
        has=page.get_by_role("heading", name=target["district"])
    )
    expect(district.get_by_role("link")).to_have_count(
        sum(1 for a in areas.values() if a["district"] == target["district"])
    )
    district.get_by_role("link", name=target["name"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(target["name"])
    expect(page.locator("svg.svg-map")).to_be_visible()

    page.get_by_role("link", name=f"Meet the whole {target['name']} team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{target['name']} neighbourhood team"
    )
    expect(page.locator(".team-card").first).to_be_visible()
