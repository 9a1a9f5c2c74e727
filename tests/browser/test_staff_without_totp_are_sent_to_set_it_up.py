"""Every staff role needs a second factor: without TOTP, staff pages send you to set it up."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TOTP_SETUP = re.compile(r"/en/accounts/2fa/totp/activate/$")
# allauth asks for the password once more before a second factor is added.
TOTP_SETUP_OR_CONFIRM = re.compile(
    r"/en/accounts/(2fa/totp/activate/"
    r"|reauthenticate/\?next=%2Fen%2Faccounts%2F2fa%2Ftotp%2Factivate%2F)$"
)


def test_an_officer_without_totp_is_sent_to_set_it_up(
    live_site: Any, desk: Any, make_officer: Any
) -> None:
    officer = make_officer("MB05", totp=False)
    sign_in(desk, live_site.url, officer.email, officer.password)
    expect(desk).to_have_url(TOTP_SETUP_OR_CONFIRM)
    if "reauthenticate" in desk.url:
        desk.get_by_label("Password").fill(officer.password)
        desk.get_by_role("button", name="Confirm").click()
    expect(desk).to_have_url(TOTP_SETUP)
    expect(desk.locator('input[name="code"]')).to_be_visible()

    desk.goto(f"{live_site.url}/en/staff/areas/{officer.area_slug}/visibility/")
    expect(desk).to_have_url(TOTP_SETUP)
