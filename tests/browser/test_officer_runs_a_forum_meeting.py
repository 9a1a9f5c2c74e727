"""An officer on a phone, without JavaScript, sets up a beat meeting forum, schedules a
meeting and, once it has taken place, records its attendance and a concern raised at it;
every staff page of forums and meetings passes the accessibility check."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import StaffMember, sign_in
from tests.fixtures.browser import axe_violations

pytestmark = pytest.mark.browser

PAST_MEETING = """
from datetime import timedelta
from django.utils import timezone
from ourbeat.engagement.models import Forum, Meeting
forum = Forum.objects.get(name={name!r})
start = timezone.now() - timedelta(hours=3)
meeting = Meeting.objects.create(forum=forum, title="Winter beat meeting", starts_at=start,
    ends_at=start + timedelta(hours=1), venue="Church hall")
print(meeting.pk)
"""


def _signed_in(page: Any, live_site: Any, officer: StaffMember) -> Any:
    sign_in(page, live_site.url, officer.email, officer.password)
    page.locator('input[name="code"]').fill(officer.totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff tools")
    return page


def test_an_officer_runs_a_forum_meeting_on_a_phone_without_javascript(
    live_site: Any, phone_without_js: Any, make_officer: Any
) -> None:
    officer = make_officer("MB02")
    page = _signed_in(phone_without_js, live_site, officer)
    page.get_by_role("link", name="Forums and meetings").click()
    page.get_by_role("link", name="Set up a forum").click()
    name = f"Phone beat meeting {officer.email[8:16]}"
    page.get_by_label("Kind of forum").select_option("beat_meeting")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Usual venue").fill("Church hall")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    page.get_by_role("link", name="Add or end members").click()
    page.get_by_label("Name", exact=True).fill("Ada Resident")
    page.get_by_label("Role").select_option("resident_co_chair")
    page.get_by_label("Represents (optional)").fill("Tenants' association")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Ada Resident is a member.")

    page.get_by_role("link", name="Back to the forum").click()
    page.get_by_role("link", name="Schedule a meeting").click()
    start = timezone.localtime() + timedelta(days=10)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT19:00"))
    page.get_by_label("Ends").fill(start.strftime("%Y-%m-%dT20:30"))
    page.get_by_role("button", name="Schedule and publish").click()
    expect(page.get_by_role("status")).to_contain_text("The meeting is scheduled")

    meeting_pk = live_site.shell(PAST_MEETING.format(name=name)).splitlines()[-1]
    page.goto(f"{live_site.url}/en/staff/engagement/meetings/{meeting_pk}/")
    page.get_by_role("link", name="Record attendance and minutes").click()
    page.get_by_label("How many people attended").fill("14")
    page.get_by_label("Attendance by group (optional)").fill("young people: 3")
    page.get_by_label("Minutes", exact=True).fill("Parking on the school run was raised.")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_role("status")).to_contain_text("The meeting is recorded.")
    expect(page.get_by_text("14 attended")).to_be_visible()

    page.get_by_role("link", name="Add concerns raised, decisions and reports back").click()
    page.get_by_label("Concern raised").check()
    page.get_by_label("What was raised, decided or reported").fill("Parking on the pavement")
    page.get_by_label("Category (for a concern)").select_option(index=1)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"filed as concern \S+"))


def test_the_forum_and_meeting_pages_pass_the_accessibility_check(
    live_site: Any, phone: Any, make_officer: Any
) -> None:
    officer = make_officer("MB02")
    page = _signed_in(phone, live_site, officer)
    page.get_by_role("link", name="Forums and meetings").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Set up a forum").click()
    assert axe_violations(page) == []
    name = f"Axe forum {officer.email[8:16]}"
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert axe_violations(page) == []
    meeting_pk = live_site.shell(PAST_MEETING.format(name=name)).splitlines()[-1]
    for path in ("", "record/", "items/", "cancel/"):
        page.goto(f"{live_site.url}/en/staff/engagement/meetings/{meeting_pk}/{path}")
        assert axe_violations(page) == [], path
    page.goto(f"{live_site.url}/en/staff/engagement/meetings/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Winter beat meeting").first.click()
    page.get_by_role("link", name=name).first.click()
    page.get_by_role("link", name="Add or end members").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the forum").click()
    page.get_by_role("link", name="Schedule a meeting").click()
    assert axe_violations(page) == []
