"""Helpers the browser tests share: the demo town's neighbourhoods as the public API lists
them, and staff members created on the live server with a known password and TOTP secret."""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fixtures.tags import unique_tag

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def areas(live_site: Any) -> dict[str, dict[str, Any]]:
    """The neighbourhoods by code (MB01…), each with slug, name, centre and url."""
    with urllib.request.urlopen(f"{live_site.url}/api/v1/areas", timeout=10) as response:
        rows = json.load(response)
    return {row["code"]: row for row in rows if row["level"] == "neighbourhood"}


@dataclass
class StaffMember:
    email: str
    password: str
    totp_secret: str | None
    area_slug: str
    profile_name: str

    def totp_code(self) -> str:
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        assert self.totp_secret is not None
        return format_hotp_value(hotp_value(self.totp_secret, int(time.time()) // 30))


SETUP_STAFF = """
from datetime import date
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from ourbeat.accounts.models import Membership, Role, User
from ourbeat.places.models import Area
from ourbeat.teams.models import Assignment, OfficerProfile

area = Area.objects.get(code={code!r})
user = User.objects.create_user(email={email!r}, password={password!r})
Membership.objects.create(
    user=user, organisation=area.organisation, area=area, role=Role.OFFICER
)
profile = OfficerProfile.objects.create(
    user=user, organisation=area.organisation, name={name!r}, rank="Police Constable",
    languages=["en"],
)
Assignment.objects.create(profile=profile, area=area, started_on=date(2023, 1, 1))
secret = ""
if {totp!r}:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
print(area.slug, secret)
"""


@pytest.fixture(scope="session")
def make_officer(live_site: Any) -> Any:
    """Create an officer serving the neighbourhood with the given code, on the live server."""

    def make(code: str, *, totp: bool = True) -> StaffMember:
        tag = unique_tag(8)
        email = f"officer-{tag}@example.org"
        name = f"Sam Browser {tag}"
        out = live_site.shell(
            SETUP_STAFF.format(code=code, email=email, password=PASSWORD, name=name, totp=totp)
        )
        slug, _, secret = out.splitlines()[-1].partition(" ")
        return StaffMember(email, PASSWORD, secret or None, slug, name)

    return make


def sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    """Allauth's first step: e-mail and password."""
    page.goto(f"{base_url}/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
