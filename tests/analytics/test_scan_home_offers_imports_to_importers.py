"""The scanning home page links to the incident imports only for those who may import
(analysts and organisation admins); officers and supervisors run the analyses only."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "offered"),
    [("analyst", True), ("org_admin", True), ("officer", False), ("supervisor", False)],
)
def test_the_imports_are_offered_to_importers_only(
    personas: dict[str, Any], client_for: Any, persona: str, offered: bool
) -> None:
    page = client_for(personas[persona]).get(reverse("staff_analytics:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert (reverse("staff_analytics:imports") in html) is offered
    assert (reverse("staff_analytics:import_new") in html) is offered
