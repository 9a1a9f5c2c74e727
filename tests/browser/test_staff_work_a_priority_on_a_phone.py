"""Staff work a neighbourhood priority on their phones: the officer records the meeting's
vote on a proposal, adopts it at that meeting and gives an action to the council; the
council's partner staff, with JavaScript off, find it among their agency's actions and
complete it with a public result. Every page passes the accessibility check (run where
scripts are on: axe is a script)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, StaffMember, sign_in
from tests.fixtures.browser import axe_violations
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.browser

SETUP = """
from datetime import timedelta
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db.models import Count, Q
from django.utils import timezone
from ourbeat.accounts.models import Membership, Role, User
from ourbeat.engagement.models import Forum, Meeting, LIVE_PRIORITY_STATUSES
from ourbeat.engagement.services import priorities as s
from ourbeat.places.models import Area, Organisation

area = (
    Area.objects.filter(level="neighbourhood")
    .annotate(live=Count("priorities", filter=Q(priorities__status__in=LIVE_PRIORITY_STATUSES)))
    .order_by("live", "code")
    .first()
)
officer = User.objects.create_user(email={officer!r}, password={password!r})
Membership.objects.create(
    user=officer, organisation=area.organisation, area=area, role=Role.OFFICER
)
officer_secret = generate_totp_secret()
TOTP.activate(officer, officer_secret)
council = Organisation.objects.get(slug="millbrook-council")
partner = User.objects.create_user(email={partner!r}, password={password!r})
Membership.objects.create(user=partner, organisation=council, role=Role.PARTNER_STAFF)
partner_secret = generate_totp_secret()
TOTP.activate(partner, partner_secret)
while s.live_priority_count(area) >= 3:
    live = area.priorities.filter(status__in=LIVE_PRIORITY_STATUSES).first()
    s.priority_transition(actor=officer, priority=live, to="dropped",
                          expected_version=live.version, reason="Room for a browser test")
forum = Forum.objects.create(area=area, organisation=area.organisation, kind="beat_meeting",
                             name="Browser beat meeting {tag}", slug="browser-beat-{tag}")
started = timezone.now() - timedelta(days=1)
meeting = Meeting.objects.create(forum=forum, title="Browser meeting {tag}", starts_at=started,
                                 ends_at=started + timedelta(hours=2), venue="Library",
                                 status="held", attendance=14)
priority = s.priority_propose(area=area, title="Browser priority {tag}", actor=officer)
print(area.slug, officer_secret, partner_secret, meeting.pk, priority.pk)
"""


def _totp(page: Any, member: StaffMember) -> None:
    page.locator('input[name="code"]').fill(member.totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff tools")


def test_a_priority_is_voted_adopted_and_acted_on_by_officer_and_partner(
    live_site: Any, phone: Any, phone_without_js: Any
) -> None:
    tag = unique_tag(8)
    out = live_site.shell(
        SETUP.format(
            officer=f"prio-officer-{tag}@example.org",
            partner=f"prio-partner-{tag}@example.org",
            password=PASSWORD,
            tag=tag,
        )
    )
    slug, officer_secret, partner_secret, meeting_pk, priority_pk = out.splitlines()[-1].split()
    officer = StaffMember(f"prio-officer-{tag}@example.org", PASSWORD, officer_secret, slug, "")
    partner = StaffMember(f"prio-partner-{tag}@example.org", PASSWORD, partner_secret, slug, "")
    title = f"Browser priority {tag}"

    page = phone
    sign_in(page, live_site.url, officer.email, officer.password)
    _totp(page, officer)
    page.goto(f"{live_site.url}/en/staff/engagement/meetings/{meeting_pk}/votes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votes at the meeting")
    assert axe_violations(page) == []
    section = page.get_by_role("region", name=title)
    section.get_by_label("For").fill("10")
    section.get_by_label("Against").fill("5")
    section.get_by_role("button", name="Record the vote").click()
    expect(page.locator(".error-summary")).to_contain_text("15 votes are more than the 14 people")
    section = page.get_by_role("region", name=title)
    section.get_by_label("Against").fill("3")
    section.get_by_role("button", name="Record the vote").click()
    expect(page.get_by_role("status")).to_contain_text("is recorded")
    expect(page.get_by_role("region", name=title)).to_contain_text("Recorded: 10 for, 3 against")
    assert axe_violations(page) == []

    page.get_by_role("region", name=title).get_by_role("link", name="Open the priority").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Adopt", exact=True).click()
    page.get_by_label("Adopted at the meeting").select_option(meeting_pk)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Adopt").click()
    expect(page.get_by_role("status")).to_contain_text("The priority is adopted.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adopted")

    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Action", exact=True).fill(f"Fix the lights {tag}")
    page.get_by_label("Who does it").select_option(label="Millbrook Borough Council")
    page.get_by_label("Due").fill((date.today() + timedelta(days=14)).isoformat())
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("status")).to_contain_text("The action is added.")
    expect(page.get_by_role("table")).to_contain_text(f"Fix the lights {tag}")

    # The officer's view of the action page, checked for accessibility (axe needs scripts).
    page.get_by_role("link", name=f"Fix the lights {tag}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fix the lights {tag}")
    assert axe_violations(page) == []
    page.goto(f"{live_site.url}/en/staff/engagement/actions/")
    assert axe_violations(page) == []

    page = phone_without_js
    sign_in(page, live_site.url, partner.email, partner.password)
    _totp(page, partner)
    page.goto(f"{live_site.url}/en/staff/engagement/actions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisation's actions")
    page.get_by_role("link", name=f"Fix the lights {tag}").click()
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Public result").fill("Twelve street lights replaced.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The action is saved.")
    expect(page.locator("dl")).to_contain_text("Done")
    stored = live_site.shell(
        "from ourbeat.engagement.models import Action\n"
        f"a = Action.objects.get(title='Fix the lights {tag}')\n"
        "print(a.status, a.priority.status, a.priority_id)"
    ).split()
    assert stored == ["done", "adopted", priority_pk]
