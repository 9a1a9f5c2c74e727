"""Staff forms refuse bad input with a form error and save nothing; text is escaped on
the public pages."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.teams.models import ContactPoint, VisibilityCommitment, VisibilityLog

GOOD_POINT = {
    "kind": "surgery",
    "title": "Form check",
    "venue": "Library",
    "starts_at": "2030-01-08T18:00",
    "duration_minutes": "60",
    "rrule": "",
}


@pytest.fixture
def officer(personas: dict[str, Any], client_for: Any) -> Any:
    return client_for(personas["officer"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 4001}, "description"),
        ({"venue": ""}, "venue"),
        ({"kind": "rave"}, "kind"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"duration_minutes": "-5"}, "duration_minutes"),
        ({"duration_minutes": "an hour"}, "duration_minutes"),
        ({"duration_minutes": "100000"}, "duration_minutes"),
        ({"latitude": "200"}, "latitude"),
        ({"longitude": "NaN"}, "longitude"),
    ],
)
def test_a_bad_contact_point_is_a_form_error(
    change: dict[str, str], field: str, officer: Any, town: Any
) -> None:
    before = ContactPoint.objects.count()
    response = officer.post(
        f"/en/staff/areas/{town.home.slug}/contact-points/new/", {**GOOD_POINT, **change}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert ContactPoint.objects.count() == before


@pytest.mark.parametrize(
    "data",
    [
        {"day": "", "metric": "surgeries", "amount": "1"},
        {"day": "2024-02-30", "metric": "surgeries", "amount": "1"},
        {"day": "2024-02-03", "metric": "cups_of_tea", "amount": "1"},
        {"day": "2024-02-03", "metric": "surgeries", "amount": "-1"},
        {"day": "2024-02-03", "metric": "surgeries", "amount": "0"},
        {"day": "2024-02-03", "metric": "surgeries", "amount": "lots"},
        {"day": "2024-02-03", "metric": "surgeries", "amount": "99999"},
        {"day": "2024-02-03", "metric": "surgeries", "amount": "1", "note": "x" * 301},
    ],
)
def test_a_bad_visibility_log_is_a_form_error(
    data: dict[str, str], officer: Any, town: Any
) -> None:
    before = VisibilityLog.objects.count()
    response = officer.post(f"/en/staff/areas/{town.home.slug}/visibility/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert VisibilityLog.objects.count() == before


@pytest.mark.parametrize("value", ["-1", "abc", "10001", "1e9"])
def test_a_bad_commitment_is_a_form_error(value: str, officer: Any, town: Any) -> None:
    before = list(
        VisibilityCommitment.objects.filter(area=town.home).values_list("metric", "monthly_target")
    )
    response = officer.post(f"/en/staff/areas/{town.home.slug}/commitments/", {"surgeries": value})
    assert response.status_code == 200
    assert response.context["form"].errors["surgeries"]
    after = list(
        VisibilityCommitment.objects.filter(area=town.home).values_list("metric", "monthly_target")
    )
    assert after == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "rank": "PC"}, "name"),
        ({"name": "Pat", "rank": "x" * 101}, "rank"),
        ({"name": "Pat", "rank": "PC", "bio": "x" * 2001}, "bio"),
        ({"name": "Pat", "rank": "PC", "languages": ["klingon"]}, "languages"),
    ],
)
def test_a_bad_profile_is_a_form_error(
    data: dict[str, Any], field: str, officer: Any, personas: dict[str, Any]
) -> None:
    response = officer.post("/en/staff/profile/", data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert personas["officer"].officer_profile.name == "Pat Officer"


def test_html_in_text_is_escaped_on_the_public_pages(
    officer: Any, town: Any, client_for: Any
) -> None:
    script = "<script>alert('x')</script>"
    response = officer.post(
        f"/en/staff/areas/{town.home.slug}/contact-points/new/",
        {
            **GOOD_POINT,
            "title": f"Surgery {script}",
            "starts_at": "2020-01-07T18:00",
            "rrule": "FREQ=WEEKLY",
        },
    )
    assert response.status_code == 302
    response = officer.post(
        "/en/staff/profile/", {"name": f"Pat {script}", "rank": "PC", "bio": f"<b>bold</b>{script}"}
    )
    assert response.status_code == 302
    for url in (f"/en/n/{town.home.slug}/", f"/en/n/{town.home.slug}/team/"):
        html = client_for(None).get(url).content.decode()
        assert script not in html, url
        assert "&lt;script&gt;" in html, url
