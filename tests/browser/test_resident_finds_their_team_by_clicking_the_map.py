"""The resident's path on a phone with JavaScript: click the map inside a neighbourhood,
land on its page, open the team, and subscribe to the calendar feed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def click_map_at(page: Any, lat: float, lng: float) -> None:
    host = page.locator("#home-map")
    expect(host).to_be_visible()
    point = host.evaluate(
        "(host, latlng) => host.ourbeatMap.latLngToContainerPoint(latlng)", [lat, lng]
    )
    box = host.bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def surgery_of(calendar: icalendar.Calendar, name: str) -> Any:
    masters: list[Any] = [
        event
        for event in calendar.walk("VEVENT")
        if str(event.get("summary")) == f"{name} police surgery" and "RECURRENCE-ID" not in event
    ]
    assert len(masters) == 1, masters
    return masters[0]


def test_a_resident_clicks_the_map_meets_the_team_and_subscribes_to_the_calendar(
    live_site: Any, phone: Any, areas: dict[str, Any]
) -> None:
    first = areas["MB01"]
    phone.goto(f"{live_site.url}/en/")
    expect(phone.locator("svg.svg-map")).to_be_hidden()

    click_map_at(phone, *first["centre"])

    expect(phone).to_have_url(re.compile(re.escape(first["url"]) + "$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(first["name"])
    expect(phone.locator(".emergency").first).to_contain_text("999")
    expect(phone.locator(".occurrence").first).to_be_visible()

    phone.get_by_role("link", name=f"Meet the whole {first['name']} team").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        f"{first['name']} neighbourhood team"
    )
    expect(phone.locator(".team-card").first).to_be_visible()

    feed_link = phone.get_by_role("link", name=re.compile("calendar", re.IGNORECASE))
    response = phone.request.get(live_site.url + feed_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body())

    surgery = surgery_of(calendar, first["name"])
    rule = surgery["RRULE"]
    assert rule["FREQ"] == ["MONTHLY"]
    today = date.today()
    upcoming: list[Any] = [
        event
        for event in recurring_ical_events.of(calendar).between(today, today + timedelta(days=120))
        if str(event["UID"]) == str(surgery["UID"])
    ]
    assert len(upcoming) >= 3
    starts = [event["DTSTART"].dt for event in upcoming]
    assert starts == sorted(starts)
    statuses = [str(event.get("STATUS")) for event in upcoming]
    assert statuses.count("CANCELLED") == 1, statuses
    assert statuses[0] == "CANCELLED", "the demo cancels the next surgery"


def test_the_moved_surgery_of_the_second_neighbourhood_keeps_its_series_in_the_feed(
    live_site: Any, phone: Any, areas: dict[str, Any]
) -> None:
    second = areas["MB02"]
    response = phone.request.get(f"{live_site.url}{second['url']}calendar.ics")
    calendar = icalendar.Calendar.from_ical(response.body())
    surgery = surgery_of(calendar, second["name"])
    overrides: list[Any] = [
        event
        for event in calendar.walk("VEVENT")
        if event["UID"] == surgery["UID"] and "RECURRENCE-ID" in event
    ]
    assert len(overrides) == 1
    moved = overrides[0]
    assert str(moved["STATUS"]) == "CONFIRMED"
    assert moved["DTSTART"].dt != moved["RECURRENCE-ID"].dt
    assert "Church Hall" in str(moved["LOCATION"])
