"""On a phone, a resident opens their neighbourhood's "you said, we did", follows the link to
propose a priority, signs in with their verified account and sends the proposal, which only
they can see until a moderator publishes it; a neighbour without an account then supports
it with JavaScript off (counted apart) and another resident supports it with their verified
account. Every page passes the axe check."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, sign_in
from tests.fixtures.browser import axe_violations
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.browser

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

PUBLISH = """
from ourbeat.engagement.models import Priority
from ourbeat.engagement.services.priorities import priority_publish
p = Priority.objects.get(title={title!r})
priority_publish(actor=None, priority=p, expected_version=p.version)
print("published", p.pk)
"""


def axe_on_a_fresh_phone(chromium: Any, url: str) -> list[Any]:
    """axe-core runs as JavaScript: a page seen with JavaScript off is checked by loading the
    same address in a phone context with JavaScript on."""
    from tests.fixtures.browser import PHONE

    context = chromium.new_context(**PHONE, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(url)
        return axe_violations(page)
    finally:
        context.close()


def make_resident(live_site: Any) -> str:
    email = f"resident-{unique_tag(8)}@example.org"
    live_site.shell(MAKE_RESIDENT.format(email=email, password=PASSWORD))
    return email


def test_a_resident_proposes_a_priority_and_neighbours_support_it(
    live_site: Any, phone: Any, phone_without_js: Any, areas: dict[str, Any], chromium: Any
) -> None:
    from tests.fixtures.browser import PHONE

    area = areas["MB05"]
    title = f"Broken street lights on the canal path {unique_tag(6)}"

    # The proposer, on a phone with JavaScript: from the neighbourhood page to the proposal.
    page = phone
    page.goto(f"{live_site.url}{area['url']}")
    page.get_by_role("link", name="You said, we did").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("You said, we did")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Propose a priority").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Propose a priority")
    assert axe_violations(page) == []
    email = make_resident(live_site)
    page.get_by_role("link", name="Sign in to propose a priority").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Send the proposal")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("What should the neighbourhood's priority be?").fill(title)
    page.get_by_label("What is the problem, and where? (optional)").fill(
        "Half the lights are out; people avoid the path after dark. Call 07700 900111."
    )
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status").first).to_contain_text("your proposal is sent")
    expect(page.get_by_text("Only you can see this proposal for now")).to_be_visible()
    expect(page.get_by_text("07700 900111")).to_have_count(0)
    expect(page.get_by_text(email)).to_have_count(0)
    assert axe_violations(page) == []
    proposal_url = page.url

    # Nobody else sees it until a moderator has read it.
    phone_without_js.goto(proposal_url)
    expect(phone_without_js.get_by_role("heading", level=1)).not_to_have_text(title)
    live_site.shell(PUBLISH.format(title=title))

    # A neighbour without an account, JavaScript off: support is counted apart.
    other = phone_without_js
    other.goto(f"{live_site.url}{area['url']}you-said-we-did/")
    other.get_by_role("link", name=title).click()
    expect(other.get_by_role("heading", level=1)).to_have_text(title)
    expect(other.get_by_text("0 people supported it without an account")).to_be_visible()
    assert axe_on_a_fresh_phone(chromium, other.url) == []
    other.get_by_role("button", name="Support this proposal").click()
    expect(other.get_by_role("status")).to_contain_text("your support has been counted")
    expect(other.get_by_text("1 person supported it without an account")).to_be_visible()
    expect(other.get_by_text("You have supported this proposal.")).to_be_visible()
    expect(other.get_by_role("button", name="Support this proposal")).to_have_count(0)

    # Another resident, signed in with a verified account, also without JavaScript.
    context = chromium.new_context(**PHONE, java_script_enabled=False, locale="en-GB")
    try:
        third = context.new_page()
        sign_in(third, live_site.url, make_resident(live_site), PASSWORD)
        third.goto(proposal_url)
        expect(third.get_by_text("0 verified residents support this proposal.")).to_be_visible()
        third.get_by_role("button", name="Support this proposal").click()
        expect(third.get_by_role("status")).to_contain_text("your support has been counted")
        expect(third.get_by_text("1 verified resident supports this proposal.")).to_be_visible()
        expect(third.get_by_text("1 person supported it without an account")).to_be_visible()
        third.get_by_role("button", name="Follow this priority").click()
        expect(third.get_by_role("button", name="Stop following")).to_be_visible()
    finally:
        context.close()

    # The proposal is listed with both counts on the neighbourhood's page.
    other.goto(f"{live_site.url}{area['url']}you-said-we-did/")
    listed = other.locator(".proposals li").filter(has_text=title)
    expect(listed).to_contain_text("1 verified resident supports it")
    expect(listed).to_contain_text("1 supporter without an account")
    assert axe_on_a_fresh_phone(chromium, other.url) == []
    # The signed-in proposer's view of the proposal, with its follow form, on their phone.
    page.goto(proposal_url)
    expect(page.get_by_text("1 verified resident supports this proposal.")).to_be_visible()
    assert axe_violations(page) == []
