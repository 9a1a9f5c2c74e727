"""A resident browses public concerns on a phone: filters the list by category and status,
sees the concerns' public cells on the map (JavaScript on), and the page passes axe-core;
without JavaScript the list and its filters work the same."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import axe_violations
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.browser

SEED = """
from shapely.geometry import shape
from ourbeat.concerns import services
from ourbeat.concerns.models import Category
from ourbeat.places.models import Area

def publish(code, area_code, text, status="", nudge=0.0):
    area = Area.objects.get(code=area_code)
    point = shape(area.boundary).representative_point()
    submitted = services.concern_submit(
        category=Category.objects.get(code=code), latitude=point.y + nudge,
        longitude=point.x + nudge, description=text, reporter_email="browser@example.org",
    )
    concern = services.concern_confirm(token=submitted.token)
    concern = services.concern_publish(concern=concern, actor=None)
    if status:
        services.concern_set_status(concern=concern, actor=None, status=status)
    return concern

made = [
    publish("roads-speeding", "MB01", "{tag} open speeding on the high street"),
    publish("roads-speeding", "MB02", "{tag} more open speeding", nudge=0.0003),
    publish("roads-speeding", "MB01", "{tag} resolved speeding", status="resolved"),
    publish("asb-noise", "MB01", "{tag} open noise at night"),
]
print(" ".join(c.reference for c in made))
"""


@pytest.fixture(scope="module")
def concerns(live_site: Any) -> dict[str, str]:
    tag = f"hc{unique_tag(6)}"
    references = live_site.shell(SEED.replace("{tag}", tag)).splitlines()[-1].split()
    return dict(
        zip(
            ["speeding_open", "speeding_open_2", "speeding_resolved", "noise"],
            references,
            strict=True,
        )
    )


def filter_list(page: Any) -> None:
    page.get_by_label("Category").select_option(label="Speeding")
    page.get_by_label("Status").select_option(label="Open (any open status)")
    page.get_by_role("button", name="Show concerns").click()
    expect(page).to_have_url(re.compile(r"category=roads-speeding.*status=open"))


def listed(page: Any) -> str:
    return str(page.locator("#concern-list").inner_text())


def test_a_resident_filters_concerns_and_sees_them_on_the_map(
    live_site: Any, phone: Any, concerns: dict[str, str]
) -> None:
    phone.goto(f"{live_site.url}/en/concerns/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Concerns in your area")
    filter_list(phone)
    text = listed(phone)
    assert concerns["speeding_open"] in text
    assert concerns["speeding_open_2"] in text
    assert concerns["speeding_resolved"] not in text
    assert concerns["noise"] not in text

    expect(phone.locator("#browse-map-section")).to_be_visible()
    expect(phone.locator("#concerns-map[data-cells]")).to_have_count(1)
    assert int(phone.locator("#concerns-map").get_attribute("data-cells")) >= 2
    assert phone.locator("path.concern-cell").count() >= 2

    phone.get_by_role("link", name=re.compile(concerns["speeding_open"])).click()
    expect(phone).to_have_url(re.compile(re.escape(f"/en/concerns/{concerns['speeding_open']}/")))


def test_the_concern_list_has_no_serious_accessibility_violations(
    live_site: Any, phone: Any, concerns: dict[str, str]
) -> None:
    phone.goto(f"{live_site.url}/en/concerns/?category=roads-speeding&status=open")
    expect(phone.locator("#concerns-map[data-cells]")).to_have_count(1)
    assert axe_violations(phone) == []
    phone.goto(f"{live_site.url}/en/concerns/?date_from=not-a-date")
    assert axe_violations(phone) == []


def test_without_javascript_the_list_and_its_filters_work(
    live_site: Any, phone_without_js: Any, concerns: dict[str, str]
) -> None:
    page = phone_without_js
    page.goto(f"{live_site.url}/en/concerns/")
    filter_list(page)
    text = listed(page)
    assert concerns["speeding_open"] in text
    assert concerns["speeding_resolved"] not in text
    expect(page.locator("#browse-map-section")).to_be_hidden()
    page.get_by_role("link", name="RSS feed").wait_for()
