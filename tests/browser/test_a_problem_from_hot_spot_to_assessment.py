"""A problem-solving case from a demo hot spot through the four stages of SARA, end to end on
the live server (issue 7, "Done when" 1).

An analyst of the force runs hot spots for burglary on the demo town's two years of
incidents and opens a problem on the first hot spot. The analyst records the CHEERS test,
adds the council as a member, records an analysis with a triangle entry, chooses a response
and gives the council a task, and moves the case to Response and then Assessment. The
council's partner staff sign in and mark their task done. The analyst records the
assessment: the page shows the incidents before and after in the problem place (counted
here independently from the incidents), the buffer and the comparison area, and the weighted
displacement quotient. The analyst writes and publishes the public summary, which the public
list shows without signing in. The case's pages pass axe. The case is deleted afterwards,
so that the shared live site keeps no public summary of this test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, sign_in
from tests.fixtures.browser import axe_violations
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.browser

SETUP = """
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from ourbeat.accounts.models import Membership, Role, User
from ourbeat.places.models import Organisation

secrets = []
for email, slug, role in (
    ({analyst!r}, "millbrook", Role.ANALYST),
    ({partner!r}, "millbrook-council", Role.PARTNER_STAFF),
):
    user = User.objects.create_user(email=email, password={password!r})
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug=slug), role=role
    )
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    secrets.append(secret)
print(*secrets)
"""

# The problem place's incidents before and after, counted from the incident rows and H3
# directly (not through the assessment's code).
COUNT_IN_PLACE = """
import h3
from ourbeat.analytics.models import Incident
from ourbeat.problems.models import Problem

problem = Problem.objects.get(title={title!r})
assessment = problem.assessments.get()
cells = set(problem.cells)

def count(start, end):
    rows = Incident.objects.filter(
        organisation=problem.organisation,
        category__in=assessment.categories or problem.categories,
        occurred_on__gte=start,
        occurred_on__lte=end,
        latitude__isnull=False,
    ).values_list("latitude", "longitude")
    return sum(1 for lat, lng in rows if h3.latlng_to_cell(lat, lng, problem.resolution) in cells)

print(
    count(assessment.before_start, assessment.before_end),
    count(assessment.after_start, assessment.after_end),
)
"""

# The shared live site keeps no public summary (nor case) of this test.
TEARDOWN = """
from ourbeat.problems.models import Problem

for problem in Problem.objects.filter(title__contains={tag!r}):
    problem.public_published_at = None
    problem.save(update_fields=["public_published_at"])
    problem.delete()
"""


@dataclass
class Member:
    email: str
    totp_secret: str

    def totp_code(self) -> str:
        import time

        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        return format_hotp_value(hotp_value(self.totp_secret, int(time.time()) // 30))


@dataclass
class Team:
    tag: str
    analyst: Member
    partner: Member


@pytest.fixture
def team(live_site: Any) -> Iterator[Team]:
    tag = unique_tag()
    analyst = f"analyst-{tag}@example.org"
    partner = f"council-{tag}@example.org"
    out = live_site.shell(SETUP.format(analyst=analyst, partner=partner, password=PASSWORD))
    analyst_secret, partner_secret = out.splitlines()[-1].split()
    try:
        yield Team(tag, Member(analyst, analyst_secret), Member(partner, partner_secret))
    finally:
        live_site.shell(TEARDOWN.format(tag=tag))


def _sign_in_with_totp(page: Any, base_url: str, member: Member) -> None:
    sign_in(page, base_url, member.email, PASSWORD)
    page.locator('input[name="code"]').fill(member.totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff tools")


def _no_axe_violations(page: Any) -> None:
    assert axe_violations(page) == [], page.url


def _move_to(page: Any, stage: str) -> None:
    page.get_by_role("navigation", name="Sections of the case").get_by_role(
        "link", name="Scanning"
    ).click()
    page.get_by_label("Move the case to").select_option(label=stage)
    page.get_by_role("button", name="Move the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(stage)


def _section(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Sections of the case").get_by_role(
        "link", name=name, exact=True
    ).click()


CHEERS = {
    "Community: members of the public are affected": "Residents of the terraces.",
    "Harm: people or property are hurt, or fear it": "Homes broken into.",
    "Expectation: the public expects the police to act": "Raised at beat meetings.",
    "Events: it is made of discrete events": "Recorded burglaries.",
    "Recurring: the events keep happening": "Every month.",
    "Similarity: the events are alike": "Same streets, same way in.",
}


def test_a_case_goes_from_a_demo_hot_spot_to_an_assessment_and_a_public_summary(
    live_site: Any, desk: Any, chromium: Any, team: Team
) -> None:
    page = desk
    title = f"Burglary in the terraces {team.tag}"
    public_title = f"Fewer burglaries in the terraces {team.tag}"
    _sign_in_with_totp(page, live_site.url, team.analyst)

    # Scanning: hot spots of burglary over the demo's two years; open a problem on the first.
    page.goto(f"{live_site.url}/en/staff/scan/hotspots/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hot spots")
    page.locator("#field-category summary").click()
    page.get_by_label("Burglary", exact=True).check()
    today = timezone.localdate()
    page.get_by_label("From", exact=True).fill((today - timedelta(days=730)).isoformat())
    page.get_by_label("To (inclusive)", exact=True).fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("H3 resolution", exact=True).fill("9")
    page.get_by_role("button", name="Run the analysis").click()
    rows = page.locator("#hotspot-table tbody tr")
    expect(rows.first).to_contain_text("Hot spot", timeout=120_000)
    rows.first.get_by_role("link", name="Open a problem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a problem")
    expect(page.get_by_label("Title")).to_have_value(re.compile(r"^Burglary hot spot in "))
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scanning")
    case_url = page.url
    _no_axe_violations(page)

    # The CHEERS test, every element met.
    page.get_by_role("link", name="Record the CHEERS test").click()
    for element, note in CHEERS.items():
        group = page.get_by_role("group", name=element)
        group.get_by_label("Yes").check()
        page.locator(f"#id_{element.split(':')[0].lower()}_note").fill(note)
    page.get_by_role("group", name="How the events are alike").get_by_label("Place").check()
    _no_axe_violations(page)
    page.get_by_role("button", name="Record the test").click()
    expect(page.get_by_text("Passes the CHEERS test")).to_be_visible()

    # The council joins the case.
    page.goto(case_url)
    page.get_by_role("link", name="Partner members").click()
    page.get_by_label("Partner organisation").select_option(label="Millbrook Borough Council")
    page.get_by_label("Role in the case").fill("Rear alleys and street lighting")
    page.get_by_role("button", name="Add the member").click()
    expect(page.get_by_text("Rear alleys and street lighting")).to_be_visible()
    _no_axe_violations(page)

    # Analysis: a side of the triangle and what the analysis found.
    _move_to(page, "Analysis")
    _section(page, "Analysis")
    triangle = page.locator("form[action$='/analysis/triangle/']")
    triangle.get_by_label("Side (and its controller)").select_option(index=2)
    triangle.get_by_label("Who or what").fill("Unlit rear alleys open to two main roads.")
    triangle.get_by_label("Controller", exact=True).fill("The council")
    triangle.get_by_label("How effective the controller is").select_option(label="Weak")
    triangle.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Unlit rear alleys open to two main roads.")).to_be_visible()
    page.get_by_role("textbox", name="What the analysis found").fill(
        "Entry through rear doors from the alleys."
    )
    page.get_by_role("button", name="Record the analysis").click()
    _section(page, "Analysis")
    expect(page.get_by_role("textbox", name="What the analysis found")).to_have_value(
        "Entry through rear doors from the alleys."
    )
    _no_axe_violations(page)

    # Response: a technique of situational crime prevention and a task for the council.
    _move_to(page, "Response")
    _section(page, "Response")
    page.get_by_label("Technique").select_option(label="Target harden")
    page.get_by_label("What will be done").fill("Locks for the homes backing on to the alleys.")
    page.get_by_role("button", name="Add the response").click()
    expect(
        page.get_by_role("listitem").filter(has_text="Locks for the homes backing on to")
    ).to_be_visible()
    task_title = f"Survey the alleys' lighting {team.tag}"
    page.get_by_label("Task", exact=True).fill(task_title)
    page.get_by_label("For", exact=True).select_option(label="Millbrook Borough Council")
    page.get_by_label("Due", exact=True).fill((today + timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Add the task").click()
    expect(page.get_by_role("cell", name=task_title, exact=True)).to_be_visible()
    _no_axe_violations(page)
    _move_to(page, "Assessment")

    # The council's partner staff mark their task done.
    context = chromium.new_context(locale="en-GB")
    try:
        council = context.new_page()
        _sign_in_with_totp(council, live_site.url, team.partner)
        council.goto(f"{case_url}response/")
        council.get_by_role("link", name=f"Update “{task_title}”").click()
        council.get_by_label("Status").select_option(label="Done")
        council.get_by_label("Progress note").fill("Eleven lamps replaced.")
        council.get_by_role("button", name="Save").click()
        council.goto(f"{case_url}response/")
        expect(council.get_by_role("row", name=re.compile(re.escape(task_title)))).to_contain_text(
            "Done"
        )
        _no_axe_violations(council)
    finally:
        context.close()

    # Assessment: before and after, the buffer, the comparison area and the WDQ.
    page.goto(case_url)
    _section(page, "Assessment")
    page.get_by_label("Burglary", exact=True).check()
    page.get_by_role("group", name="Decision").get_by_label("Close the case").check()
    page.get_by_label("Were the tasks done as planned?").fill("The survey was done on time.")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed")
    table = page.get_by_role("table", name="Incidents before and after")
    expect(table.locator("tbody tr")).to_have_count(3)
    before, after = (
        int(n) for n in live_site.shell(COUNT_IN_PLACE.format(title=title)).split()[-2:]
    )
    first = table.locator("tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text(str(before))
    expect(first.locator("td").nth(1)).to_have_text(str(after))
    wdq = page.get_by_text("Weighted displacement quotient", exact=True)
    expect(wdq).to_be_visible()
    expect(page.locator("dt:text-is('Weighted displacement quotient') + dd")).not_to_be_empty()
    expect(page.get_by_text("Of 1 tasks: 1 done")).to_be_visible()
    _no_axe_violations(page)

    # The public summary, written and published.
    _section(page, "Public summary")
    page.get_by_label("Public title").fill(public_title)
    page.get_by_label("Public summary").fill(
        "With the council we lit the alleys and fitted locks; burglaries have fallen."
    )
    page.get_by_role("button", name="Save the summary").click()
    page.get_by_role("button", name="Publish the summary").click()
    expect(page.get_by_role("button", name="Withdraw the summary")).to_be_visible()
    _no_axe_violations(page)

    # The public list shows it, without signing in.
    public = chromium.new_context(locale="en-GB")
    try:
        anonymous = public.new_page()
        anonymous.goto(f"{live_site.url}/en/problems/")
        expect(anonymous.get_by_text(public_title)).to_be_visible()
        _no_axe_violations(anonymous)
    finally:
        public.close()
