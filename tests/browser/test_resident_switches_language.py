"""The language links switch the same page between English and Russian."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/n/{slug}/", "/n/{slug}/team/"])
def test_the_language_links_switch_the_same_page_between_english_and_russian(
    live_site: Any, phone_without_js: Any, areas: dict[str, Any], path: str
) -> None:
    page = phone_without_js
    here = path.format(slug=areas["MB08"]["slug"])
    page.goto(f"{live_site.url}/en{here}")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Русский").click()
    expect(page).to_have_url(re.compile(re.escape(f"/ru{here}") + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    languages = page.locator("nav.languages")
    expect(languages.locator('[aria-current="true"]')).to_have_attribute("lang", "ru")

    languages.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(re.escape(f"/en{here}") + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
