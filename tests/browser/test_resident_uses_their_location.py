"""'Use my location': with permission granted, the phone's position finds the neighbourhood."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import PHONE

pytestmark = pytest.mark.browser


def test_a_resident_who_shares_their_location_lands_on_their_neighbourhood_page(
    live_site: Any, chromium: Any, areas: dict[str, Any]
) -> None:
    here = areas["MB07"]
    lat, lng = here["centre"]
    context = chromium.new_context(
        **PHONE,
        locale="en-GB",
        geolocation={"latitude": lat, "longitude": lng},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(f"{live_site.url}/en/")
        page.get_by_role("button", name="Use my location").click()
        expect(page).to_have_url(re.compile(re.escape(here["url"]) + "$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(here["name"])
    finally:
        context.close()


def test_the_location_button_is_not_offered_without_javascript(
    live_site: Any, phone_without_js: Any
) -> None:
    phone_without_js.goto(f"{live_site.url}/en/")
    expect(phone_without_js.get_by_role("button", name="Use my location")).to_have_count(0)
    expect(phone_without_js.get_by_role("button", name="Find")).to_be_visible()
