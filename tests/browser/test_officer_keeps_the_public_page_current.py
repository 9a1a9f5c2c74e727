"""The officer's path at a desk: sign in with e-mail, password and TOTP; edit the public
profile; cancel one date of a surgery; log delivered visibility."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import icalendar
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import StaffMember, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(make_officer: Any) -> StaffMember:
    return make_officer("MB04")


@pytest.fixture
def signed_in(live_site: Any, desk: Any, officer: StaffMember) -> Any:
    sign_in(desk, live_site.url, officer.email, officer.password)
    expect(desk.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    desk.locator('input[name="code"]').fill(officer.totp_code())
    desk.get_by_role("button", name="Sign In").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Staff tools")
    return desk


def test_an_officer_signs_in_with_a_password_and_a_totp_code(
    signed_in: Any, officer: StaffMember
) -> None:
    expect(signed_in.get_by_role("link", name="Sign out")).to_be_visible()
    expect(signed_in.get_by_role("link", name="Edit your public profile")).to_be_visible()


def test_an_officer_edits_their_profile_and_the_team_page_shows_it(
    live_site: Any, signed_in: Any, officer: StaffMember
) -> None:
    page = signed_in
    page.get_by_role("link", name="Edit your public profile").click()
    page.get_by_label("Short biography").fill("I run the Saturday bike-marking stall.")
    page.get_by_label("Rank or role").fill("Police Sergeant")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your public profile is saved.")

    page.goto(f"{live_site.url}/en/n/{officer.area_slug}/team/")
    card = page.locator(".team-card").filter(has_text=officer.profile_name)
    expect(card).to_contain_text("I run the Saturday bike-marking stall.")
    expect(card).to_contain_text("Police Sergeant")


def test_an_officer_cancels_one_date_of_a_surgery_and_the_public_sees_it(
    live_site: Any, signed_in: Any, officer: StaffMember
) -> None:
    page = signed_in
    page.goto(f"{live_site.url}/en/staff/areas/{officer.area_slug}/")
    page.get_by_role("link", name=re.compile(r"^Cancel or move a date .* police surgery$")).click()
    choice = page.get_by_label("Occurrence", exact=True)
    scheduled = choice.locator("option").filter(has_not_text="(").first
    original_start = datetime.fromisoformat(scheduled.get_attribute("value"))
    choice.select_option(scheduled.get_attribute("value"))
    page.get_by_label("Cancel this occurrence").check()
    page.get_by_label("Reason shown to the public").fill("Officers are at the town carnival.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The calendar is updated.")

    page.goto(f"{live_site.url}/en/n/{officer.area_slug}/")
    cancelled = page.locator(".occurrence.cancelled").filter(
        has_text="Officers are at the town carnival."
    )
    expect(cancelled).to_contain_text("police surgery")
    expect(cancelled).to_contain_text("Cancelled")

    feed = page.request.get(f"{live_site.url}/en/n/{officer.area_slug}/calendar.ics")
    calendar = icalendar.Calendar.from_ical(feed.body())
    events: list[Any] = calendar.walk("VEVENT")
    overrides = [
        event
        for event in events
        if "RECURRENCE-ID" in event and event["RECURRENCE-ID"].dt == original_start
    ]
    assert len(overrides) == 1
    assert str(overrides[0]["STATUS"]) == "CANCELLED"
    assert "Officers are at the town carnival." in str(overrides[0]["DESCRIPTION"])


def test_an_officer_logs_delivered_visibility(
    live_site: Any, signed_in: Any, officer: StaffMember
) -> None:
    page = signed_in
    page.goto(f"{live_site.url}/en/staff/areas/{officer.area_slug}/")
    page.get_by_role("link", name="Log delivered visibility").click()
    page.get_by_label("Measure").select_option("foot_patrol_hours")
    page.get_by_label("Amount").fill("3.5")
    page.get_by_label("Note").fill("School run, Fairview Road")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status")).to_contain_text("Logged.")
    row = page.locator("tbody tr").filter(has_text="hours of foot patrol").first
    expect(row).to_contain_text("3.5")
