"""The site's menu offers the staff tools only to people who hold a staff role: a signed-in
resident is not sent to a page that would refuse them."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

STAFF_LINK = '<a href="/en/staff/">Staff</a>'


def test_a_resident_sees_no_staff_link_and_an_officer_does(
    client_for: Any, personas: dict[str, Any]
) -> None:
    resident_page = client_for(personas["resident"]).get("/en/").content.decode()
    assert "Sign out" in resident_page
    assert STAFF_LINK not in resident_page
    officer_page = client_for(personas["officer"]).get("/en/").content.decode()
    assert STAFF_LINK in officer_page
