"""A neighbourhood priority from proposal to resolution, end to end on the live server (issue
4, "Done when" 1).

A resident proposes a priority on the public pages; a neighbour without an account and a
verified resident support it. An officer sets up the beat meeting, schedules a meeting,
records its attendance and the vote, and adopts the priority at it. The council's partner
staff complete the action the officer gave them, with a public result. The next meeting
votes the priority resolved, the officer closes it, and the resident who first raised it is
told by e-mail. The public priority page shows the whole chain.

Meetings cannot be scheduled in the past nor recorded before they start, so each meeting is
scheduled on the staff pages in the future and then moved into the past through the live
site's shell, as if the days had gone by."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, StaffMember, sign_in
from tests.fixtures.browser import PHONE, axe_violations
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.browser

# Make room for one more live priority in the neighbourhood with the fewest, and set up the
# council's partner staff with a TOTP secret.
SETUP = """
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db.models import Count, Q
from ourbeat.accounts.models import Membership, Role, User
from ourbeat.engagement.models import LIVE_PRIORITY_STATUSES
from ourbeat.engagement.services import priorities as s
from ourbeat.places.models import Area, Organisation

area = (
    Area.objects.filter(level="neighbourhood", organisation__slug="millbrook")
    .annotate(live=Count("priorities", filter=Q(priorities__status__in=LIVE_PRIORITY_STATUSES)))
    .order_by("live", "code")
    .first()
)
while s.live_priority_count(area) >= 3:
    live = area.priorities.filter(status__in=LIVE_PRIORITY_STATUSES).first()
    s.priority_transition(actor=None, priority=live, to="dropped",
                          expected_version=live.version, reason="Room for a browser test")
council = Organisation.objects.get(slug="millbrook-council")
partner = User.objects.create_user(email={partner!r}, password={password!r})
Membership.objects.create(user=partner, organisation=council, role=Role.PARTNER_STAFF)
secret = generate_totp_secret()
TOTP.activate(partner, secret)
print(area.code, area.slug, secret)
"""

MAKE_RESIDENT = """
from allauth.account.models import EmailAddress
from ourbeat.accounts.models import Membership, Role, User
from ourbeat.places.models import Organisation
user = User.objects.create_user(email={email!r}, password={password!r})
EmailAddress.objects.create(user=user, email={email!r}, verified=True, primary=True)
Membership.objects.create(
    user=user, organisation=Organisation.objects.get(slug="millbrook"), role=Role.RESIDENT
)
print("made", user.pk)
"""

# As if the days had gone by: the meeting started an hour and a half ago (or `days` before).
MEETING_TOOK_PLACE = """
from datetime import timedelta
from django.utils import timezone
from ourbeat.engagement.models import Meeting
start = timezone.now() - timedelta(days={days}, minutes=90)
Meeting.objects.filter(pk={pk}).update(starts_at=start, ends_at=start + timedelta(hours=1))
print(Meeting.objects.get(pk={pk}).status)
"""

PRIORITY_STATUS = """
from ourbeat.engagement.models import Priority
print(Priority.objects.get(pk={pk}).status)
"""


def make_resident(live_site: Any, tag: str) -> str:
    email = f"resident-{tag}-{unique_tag(6)}@example.org"
    live_site.shell(MAKE_RESIDENT.format(email=email, password=PASSWORD))
    return email


def priority_status(live_site: Any, pk: str) -> str:
    return live_site.shell(PRIORITY_STATUS.format(pk=int(pk))).splitlines()[-1]


def totp(page: Any, member: StaffMember) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    page.locator('input[name="code"]').fill(member.totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff tools")


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def schedule_meeting(page: Any, forum_url: str, title: str, venue: str, days: int) -> str:
    """Schedule a meeting on the staff pages; returns its number."""
    page.goto(forum_url)
    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Title").fill(title)
    start = timezone.localtime() + timedelta(days=days)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT19:00"))
    page.get_by_label("Ends").fill(start.strftime("%Y-%m-%dT20:30"))
    page.get_by_label("Venue").fill(venue)
    page.get_by_role("button", name="Schedule and publish").click()
    expect(page.get_by_role("status")).to_contain_text("The meeting is scheduled")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return str(page.url.rstrip("/").rsplit("/", 1)[-1])


def record_meeting(page: Any, live_site: Any, meeting_pk: str, attendance: int) -> None:
    """The meeting has taken place: record its attendance and minutes on the staff pages."""
    page.goto(f"{live_site.url}/en/staff/engagement/meetings/{meeting_pk}/")
    page.get_by_role("link", name="Record attendance and minutes").click()
    page.get_by_label("How many people attended").fill(str(attendance))
    page.get_by_label("Minutes", exact=True).fill("The street lights on the canal path.")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_role("status")).to_contain_text("The meeting is recorded.")
    expect(page.get_by_text(f"{attendance} attended")).to_be_visible()


def record_vote(page: Any, title: str, in_favour: int, against: int, abstained: int) -> None:
    page.get_by_role("link", name="Record the votes taken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votes at the meeting")
    section = page.get_by_role("region", name=title)
    section.get_by_label("For").fill(str(in_favour))
    section.get_by_label("Against").fill(str(against))
    section.get_by_label("Abstained").fill(str(abstained))
    section.get_by_role("button", name="Record the vote").click()
    expect(page.get_by_role("status")).to_contain_text("is recorded")
    expect(page.get_by_role("region", name=title)).to_contain_text(
        f"Recorded: {in_favour} for, {against} against, {abstained} abstained"
    )


def change_status(page: Any, to: str, label: str, outcome: str = "") -> None:
    page.get_by_role("link", name="Change the status").click()
    page.get_by_label("New status").select_option(to)
    if outcome:
        page.get_by_label("What was done (published)").fill(outcome)
    page.get_by_role("button", name="Change the status").click()
    expect(page.get_by_role("status")).to_contain_text(f"The priority is now {label}.")


def test_a_priority_goes_from_a_proposal_to_a_confirmed_resolution(
    live_site: Any,
    chromium: Any,
    phone: Any,
    phone_without_js: Any,
    desk: Any,
    make_officer: Any,
) -> None:
    tag = unique_tag(8)
    partner_email = f"partner-{tag}@example.org"
    code, slug, partner_secret = (
        live_site.shell(SETUP.format(partner=partner_email, password=PASSWORD))
        .splitlines()[-1]
        .split()
    )
    partner = StaffMember(partner_email, PASSWORD, partner_secret, slug, "")
    officer = make_officer(code)
    title = f"Broken street lights on the canal path {tag}"
    action_title = f"Replace the canal path lights {tag}"
    result = "Twelve street lights replaced along the canal path."
    outcome = "The canal path is lit again from end to end."

    # 1. A resident proposes the priority from their neighbourhood's "you said, we did".
    proposer = make_resident(live_site, "proposer")
    page = phone
    page.goto(f"{live_site.url}/en/n/{slug}/you-said-we-did/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("You said, we did")
    page.get_by_role("link", name="Propose a priority").first.click()
    page.get_by_role("link", name="Sign in to propose a priority").click()
    page.get_by_label("Email").fill(proposer)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("What should the neighbourhood's priority be?").fill(title)
    page.get_by_label("What is the problem, and where? (optional)").fill(
        "Half the lights are out; people avoid the path after dark."
    )
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status").first).to_contain_text("your proposal is sent")
    public_url = page.url
    priority_pk = public_url.rstrip("/").rsplit("/", 1)[-1]
    assert priority_status(live_site, priority_pk) == "proposed"

    # 1b. The officer reads the proposal in the moderation queue and publishes it.
    staff = desk
    sign_in(staff, live_site.url, officer.email, officer.password)
    totp(staff, officer)
    staff.goto(f"{live_site.url}/en/staff/engagement/priorities/")
    waiting = staff.get_by_role("row").filter(has_text=title)
    expect(waiting).to_contain_text("waiting for moderation")
    waiting.get_by_role("link", name=title).click()
    staff.get_by_role("link", name="Read and publish").click()
    assert axe_violations(staff) == []
    staff.get_by_role("button", name="Publish", exact=True).click()
    expect(staff.get_by_role("status").first).to_contain_text("The proposal is published")
    published = [
        m for m in live_site.mail(to=proposer) if "Your proposal is published" in str(m["Subject"])
    ]
    assert len(published) == 1

    # 2. Others support it: a neighbour without an account, and a verified resident who also
    # follows it.
    anonymous = phone_without_js
    anonymous.goto(f"{live_site.url}/en/n/{slug}/you-said-we-did/")
    anonymous.get_by_role("link", name=title).click()
    anonymous.get_by_role("button", name="Support this proposal").click()
    expect(anonymous.get_by_role("status")).to_contain_text("your support has been counted")
    supporter = make_resident(live_site, "supporter")
    context = chromium.new_context(**PHONE, locale="en-GB")
    try:
        other = context.new_page()
        sign_in(other, live_site.url, supporter, PASSWORD)
        other.goto(public_url)
        other.get_by_role("button", name="Support this proposal").click()
        expect(other.get_by_role("status")).to_contain_text("your support has been counted")
        expect(other.get_by_text("1 verified resident supports this proposal.")).to_be_visible()
        expect(other.get_by_text("1 person supported it without an account")).to_be_visible()
        other.get_by_role("button", name="Follow this priority").click()
        expect(other.get_by_role("button", name="Stop following")).to_be_visible()
    finally:
        context.close()
    assert priority_status(live_site, priority_pk) == "proposed"

    # 3. The officer sets up the neighbourhood's beat meeting and schedules a meeting.
    staff.goto(f"{live_site.url}/en/staff/")
    staff.get_by_role("link", name="Forums and meetings").click()
    staff.get_by_role("link", name="Set up a forum").click()
    forum_name = f"Canal beat meeting {tag}"
    staff.get_by_label("Kind of forum").select_option("beat_meeting")
    staff.get_by_label("Name", exact=True).fill(forum_name)
    staff.get_by_label("Usual venue").fill(f"Canal hall {tag}")
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(forum_name)
    forum_url = staff.url
    first_title = f"Spring beat meeting {tag}"
    first_pk = schedule_meeting(staff, forum_url, first_title, f"Canal hall {tag}", days=10)

    # 4. It takes place: attendance, then the vote on adopting the proposal, then adoption.
    assert live_site.shell(MEETING_TOOK_PLACE.format(pk=int(first_pk), days=1)) == "scheduled"
    record_meeting(staff, live_site, first_pk, attendance=14)
    record_vote(staff, title, in_favour=11, against=2, abstained=1)
    assert priority_status(live_site, priority_pk) == "proposed"
    staff.get_by_role("region", name=title).get_by_role("link", name="Open the priority").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(title)
    staff.get_by_role("link", name="Adopt", exact=True).click()
    staff.get_by_label("Adopted at the meeting").select_option(first_pk)
    staff.get_by_role("button", name="Adopt").click()
    expect(staff.get_by_role("status")).to_contain_text("The priority is adopted.")
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Adopted")
    assert priority_status(live_site, priority_pk) == "adopted"

    # 5. The officer gives the council an action, and work starts.
    staff.get_by_role("link", name="Add an action").click()
    staff.get_by_label("Action", exact=True).fill(action_title)
    staff.get_by_label("Who does it").select_option(label="Millbrook Borough Council")
    staff.get_by_label("Due").fill((date.today() + timedelta(days=14)).isoformat())
    staff.get_by_role("button", name="Add the action").click()
    expect(staff.get_by_role("status")).to_contain_text("The action is added.")
    expect(staff.get_by_role("table")).to_contain_text(action_title)
    change_status(staff, "active", "active")
    assert priority_status(live_site, priority_pk) == "active"

    # 6. The council's partner staff complete their action, with a public result.
    context = chromium.new_context(**PHONE, java_script_enabled=False, locale="en-GB")
    try:
        council = context.new_page()
        sign_in(council, live_site.url, partner.email, partner.password)
        totp(council, partner)
        council.goto(f"{live_site.url}/en/staff/engagement/actions/")
        expect(council.get_by_role("heading", level=1)).to_have_text("Your organisation's actions")
        council.get_by_role("link", name=action_title).click()
        council.get_by_label("Status").select_option("done")
        council.get_by_label("Public result").fill(result)
        council.get_by_role("button", name="Save").click()
        expect(council.get_by_role("status")).to_contain_text("The action is saved.")
        expect(council.locator("dl")).to_contain_text("Done")
    finally:
        context.close()
    assert priority_status(live_site, priority_pk) == "active"
    page.goto(public_url)
    done = page.locator(".actions-list li").filter(has_text=action_title)
    expect(done).to_contain_text("Millbrook Borough Council")
    expect(done).to_contain_text("Done")
    expect(done).to_contain_text(f"Result: {result}")
    expect(page.locator("main")).to_contain_text("1 of 1 actions done")

    # 7. The officer puts it under review and the next meeting confirms it resolved.
    staff.goto(f"{live_site.url}/en/staff/engagement/priorities/{priority_pk}/")
    change_status(staff, "under_review", "under review")
    assert priority_status(live_site, priority_pk) == "under_review"
    second_title = f"Summer beat meeting {tag}"
    second_pk = schedule_meeting(staff, forum_url, second_title, f"Canal hall {tag}", days=20)
    assert live_site.shell(MEETING_TOOK_PLACE.format(pk=int(second_pk), days=0)) == "scheduled"
    record_meeting(staff, live_site, second_pk, attendance=18)
    record_vote(staff, title, in_favour=15, against=1, abstained=2)
    assert priority_status(live_site, priority_pk) == "under_review"
    staff.get_by_role("region", name=title).get_by_role("link", name="Open the priority").click()
    expect(staff.locator("main")).to_contain_text(
        "The community has confirmed it resolved: it can be marked resolved."
    )
    change_status(staff, "resolved", "resolved", outcome=outcome)
    assert priority_status(live_site, priority_pk) == "resolved"

    # 8. The resident who first raised it is told, once, in a message of their own.
    resolved = [
        m for m in live_site.mail(to=proposer) if f"“{title}” is resolved" in str(m["Subject"])
    ]
    assert len(resolved) == 1, [str(m["Subject"]) for m in live_site.mail(to=proposer)]
    [message] = resolved
    assert message.get_all("To") == [proposer]
    assert message.get_all("Cc") is None
    text = body(message)
    assert f"The community has confirmed that the neighbourhood priority “{title}”" in text
    assert outcome in text
    assert public_url in text
    assert "You receive this because you raised this priority." in text
    raw = message.as_string()
    assert supporter not in raw
    assert partner.email not in raw
    assert officer.email not in raw
    # The follower hears of it too, separately.
    followed = [
        m for m in live_site.mail(to=supporter) if f"“{title}” is resolved" in str(m["Subject"])
    ]
    assert len(followed) == 1
    assert proposer not in followed[0].as_string()

    # 9. The public page shows the whole chain, naming no one.
    page.goto(public_url)
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".concern-facts")).to_contain_text("Resolved")
    expect(page.locator(".concern-facts")).to_contain_text(forum_name)
    expect(main).to_contain_text("Raised by 1 proposal")
    expect(page.get_by_role("region", name="What was done")).to_contain_text(outcome)
    done = page.locator(".actions-list li").filter(has_text=action_title)
    expect(done).to_contain_text(f"Result: {result}")
    votes = page.get_by_role("table", name="Votes at meetings")
    adopt_row = votes.get_by_role("row").filter(has_text=first_title)
    expect(adopt_row.get_by_role("cell")).to_have_text(
        [re.compile(re.escape(first_title)), "Adopt as a priority Carried", "11", "2", "1"]
    )
    resolve_row = votes.get_by_role("row").filter(has_text=second_title)
    expect(resolve_row.get_by_role("cell")).to_have_text(
        [re.compile(re.escape(second_title)), "The priority is resolved Carried", "15", "1", "2"]
    )
    expect(page.locator(".verdict")).to_contain_text(
        f"Confirmed resolved by the community at {second_title}"
    )
    expect(page.locator(".verdict")).to_contain_text("15 for, 1 against, 2 abstained.")
    history = page.locator("ol.history")
    expect(history).to_contain_text("proposed")
    expect(history).to_contain_text(f"adopted at {first_title}")
    expect(history).to_contain_text(f"action done: {action_title}")
    expect(history).to_contain_text("outcome reported")
    expect(history).to_contain_text("resolved")
    for address in (proposer, supporter, partner.email, officer.email):
        expect(main).not_to_contain_text(address)
    # Listed among the neighbourhood's past priorities with its verdict.
    page.get_by_role("link", name="You said, we did").first.click()
    expect(page.locator("main")).to_contain_text(title)
