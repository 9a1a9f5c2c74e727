"""The officer's triage at a desk: sign in with password and TOTP, open the queue, find a
concern in their neighbourhood, acknowledge it, publish it (personal details masked),
respond, and resolve it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import StaffMember, sign_in
from tests.fixtures.browser import axe_violations

pytestmark = pytest.mark.browser

SUBMIT_CONCERN = """
from ourbeat.accounts.models import User
from ourbeat.concerns.models import Category
from ourbeat.concerns.services import concern_submit
from ourbeat.places.models import Area

area = Area.objects.get(slug={slug!r})
resident = User.objects.create_user(email={email!r}, password="x" * 20)
concern = concern_submit(
    category=Category.objects.get(code="asb-noise"),
    latitude=area.centre_lat,
    longitude=area.centre_lng,
    description="Loud parties every night; call me on 07700 900321",
    user=resident,
).concern
print(concern.reference)
"""


@pytest.fixture
def officer(make_officer: Any) -> StaffMember:
    return make_officer("MB04")


@pytest.fixture
def reference(live_site: Any, officer: StaffMember) -> str:
    email = f"resident-{officer.email}"
    out = live_site.shell(SUBMIT_CONCERN.format(slug=officer.area_slug, email=email))
    return out.splitlines()[-1]


def test_an_officer_acknowledges_publishes_responds_to_and_resolves_a_concern(
    live_site: Any, desk: Any, officer: StaffMember, reference: str
) -> None:
    page = desk
    sign_in(page, live_site.url, officer.email, officer.password)
    page.locator('input[name="code"]').fill(officer.totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff tools")

    page.get_by_role("link", name="Concerns to handle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concerns to handle")
    page.get_by_label("Find by reference").fill(reference)
    page.get_by_role("button", name="Find").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator(".original-description")).to_contain_text("07700 900321")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("The status is now: Acknowledged.")

    page.get_by_role("link", name="Publish", exact=True).click()
    text = page.get_by_label("Text to publish")
    expect(text).to_have_value("Loud parties every night; call me on [phone number removed]")
    text.fill("Loud parties every night.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("The concern is published.")

    page.get_by_label("Public response").fill("We will visit the address this weekend.")
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_role("status")).to_contain_text("Your response is published and sent.")

    page.get_by_label("New status").select_option("resolved")
    page.get_by_label("Message to the resident (public)").fill("The parties have stopped.")
    page.get_by_role("button", name="Change the status").click()
    expect(page.get_by_role("status")).to_contain_text("The status is now: Resolved.")
    thread = page.locator(".thread")
    expect(thread).to_contain_text("We will visit the address this weekend.")
    expect(thread).to_contain_text("The parties have stopped.")
    assert axe_violations(page) == []
