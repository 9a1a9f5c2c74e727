"""Accessibility of the public pages: axe-core finds no serious or critical WCAG 2.2 AA
violation on phone and desk, in English and Russian; each page has one h1; the skip link
works; nothing scrolls sideways at 320 px wide."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import axe_violations

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/{lang}/",
    "neighbourhood": "/{lang}/n/{slug}/",
    "team": "/{lang}/n/{slug}/team/",
}
MORE_PAGES = {
    "neighbourhood list": "/{lang}/neighbourhoods/",
    "coordinates not covered": "/{lang}/locate/?lat=51.5&lng=-0.12",
    "sign in": "/{lang}/accounts/login/",
    "problems solved together": "/{lang}/problems/",
}


def url(live_site: Any, areas: dict[str, Any], path: str, lang: str) -> str:
    return live_site.url + path.format(lang=lang, slug=areas["MB04"]["slug"])


def summary(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("page_name", list(PAGES))
@pytest.mark.parametrize("device", ["phone", "desk"])
def test_axe_finds_no_serious_violation(
    live_site: Any,
    areas: dict[str, Any],
    request: pytest.FixtureRequest,
    device: str,
    page_name: str,
    lang: str,
) -> None:
    page = request.getfixturevalue(device)
    page.goto(url(live_site, areas, PAGES[page_name], lang))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    if page_name != "team":
        expect(page.locator(".leaflet-host")).to_be_visible()
    assert summary(axe_violations(page)) == []


@pytest.mark.parametrize("path", [*PAGES.values(), *MORE_PAGES.values()])
def test_every_page_has_exactly_one_main_heading(
    live_site: Any, areas: dict[str, Any], phone_without_js: Any, path: str
) -> None:
    phone_without_js.goto(url(live_site, areas, path, "en"))
    expect(phone_without_js.locator("h1")).to_have_count(1)
    expect(phone_without_js.get_by_role("main")).to_have_count(1)


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(
    live_site: Any, areas: dict[str, Any], phone: Any
) -> None:
    phone.goto(url(live_site, areas, PAGES["neighbourhood"], "en"))
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("main")).to_be_focused()
    phone.keyboard.press("Tab")
    expect(phone.locator("main a").first).to_be_focused()


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("path", [*PAGES.values(), *MORE_PAGES.values()])
def test_nothing_scrolls_sideways_at_320_pixels(
    live_site: Any, areas: dict[str, Any], chromium: Any, path: str, lang: str
) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(url(live_site, areas, path, lang))
        expect(page.locator("h1")).to_be_visible()
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"scrolls sideways: {widths}"
    finally:
        context.close()
