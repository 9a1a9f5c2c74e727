"""The staff page of recurring concerns: an analyst sees the groups of similar concerns of
the areas they cover, on a map and in a table; an officer only those of their neighbourhood;
partner staff are refused, anonymous visitors are sent to sign in, and bad filters get a
clear message and a 400."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from ourbeat.concerns.models import Category, Concern
from ourbeat.concerns.services import concern_submit

pytestmark = pytest.mark.django_db

TEXTS = [
    "Quillfeather Court stairwell light smashed again, the whole stairwell is pitch dark.",
    "quillfeather court stairwell light smashed again - whole stairwell pitch dark!",
    "Stairwell light at Quillfeather Court smashed again, the whole stairwell is pitch dark",
]


def plant_group(people: dict[str, Any], area: Any, texts: list[str]) -> list[Concern]:
    planted = []
    for index, text in enumerate(texts):
        latitude = area.centre_lat + 15 * index / 111_320
        concern = concern_submit(
            category=Category.objects.get(code="asb-vandalism"),
            latitude=latitude,
            longitude=area.centre_lng,
            description=text,
            user=people["resident"],
            reporter_name="Hermione Quillfeather",
            reporter_email="hermione@example.net",
        ).concern
        Concern.objects.filter(pk=concern.pk).update(
            created_at=timezone.now() - timedelta(days=10 - 3 * index)
        )
        planted.append(concern)
    return planted


def page(client_for: Any, user: Any, **query: str) -> Any:
    url = reverse("staff_analytics:recurring")
    return client_for(user).get(f"{url}?{urlencode(query)}" if query else url)


def test_an_analyst_sees_the_group_on_the_map_and_in_the_table(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    planted = plant_group(personas, town.home, TEXTS)
    response = page(client_for, personas["analyst"])
    assert response.status_code == 200
    html = response.content.decode()
    for concern in planted:
        assert concern.reference in html
    assert '<table id="recurring-clusters">' in html
    assert "<circle" in html
    assert "smashed again" in html
    assert town.home.name in html
    # The reporter is never shown.
    assert "hermione@example.net" not in html
    assert "Hermione" not in html
    # The next step: the neighbourhood's priorities (or the priority form, once it exists).
    assert f"area={town.home.slug}" in html


def test_filters_narrow_the_groups_to_an_area_and_a_category(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    planted = plant_group(personas, town.home, TEXTS)
    analyst = personas["analyst"]
    elsewhere = page(client_for, analyst, area=town.elsewhere.slug)
    assert elsewhere.status_code == 200
    assert planted[0].reference not in elsewhere.content.decode()
    here = page(client_for, analyst, area=town.home.slug, category="asb-vandalism")
    assert planted[0].reference in here.content.decode()
    other_category = page(client_for, analyst, area=town.home.slug, category="street-light")
    assert planted[0].reference not in other_category.content.decode()
    before = timezone.localdate() - timedelta(days=30)
    too_early = page(
        client_for,
        analyst,
        start=(before - timedelta(days=100)).isoformat(),
        end=before.isoformat(),
    )
    assert too_early.status_code == 200
    assert planted[0].reference not in too_early.content.decode()


def test_an_officer_sees_only_the_groups_of_their_neighbourhood(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    elsewhere = plant_group(personas, town.elsewhere, TEXTS)
    response = page(client_for, personas["officer"])
    assert response.status_code == 200
    assert elsewhere[0].reference not in response.content.decode()
    refused = page(client_for, personas["officer"], area=town.elsewhere.slug)
    assert refused.status_code == 400


def test_partner_staff_and_oversight_are_refused_and_anonymous_visitors_sign_in(
    client_for: Any, personas: dict[str, Any]
) -> None:
    assert page(client_for, personas["partner_staff"]).status_code == 403
    assert page(client_for, personas["oversight"]).status_code == 403
    anonymous = page(client_for, None)
    assert anonymous.status_code == 302
    assert reverse("account_login") in anonymous["Location"]


@pytest.mark.parametrize(
    ("query", "field_message"),
    [
        ({"start": "2024-13-45"}, "YYYY-MM-DD"),
        ({"end": "yesterday"}, "YYYY-MM-DD"),
        ({"start": "2024-03-01", "end": "2024-02-01"}, "before its start"),
        ({"start": "2020-01-01", "end": "2024-01-01"}, "at most 366 days"),
        ({"area": "<script>alert(1)</script>"}, "areas you cover"),
        ({"category": "x" * 5000}, "one of the categories"),
    ],
)
def test_bad_filters_get_a_message_and_a_400(
    client_for: Any, personas: dict[str, Any], query: dict[str, str], field_message: str
) -> None:
    response = page(client_for, personas["analyst"], **query)
    assert response.status_code == 400
    html = response.content.decode()
    assert field_message in html
    assert "<script>alert(1)</script>" not in html
    assert 'role="alert"' in html


def test_the_map_places_each_group_inside_the_drawn_area(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    plant_group(personas, town.home, TEXTS)
    html = page(client_for, personas["analyst"], area=town.home.slug).content.decode()
    view_box = html[html.index('viewBox="') + 9 :].split('"', 1)[0]
    _, _, width, height = (float(v) for v in view_box.split())
    x = float(html[html.index('<circle cx="') + 12 :].split('"', 1)[0])
    y = float(html[html.index(' cy="') + 5 :].split('"', 1)[0])
    assert 0 <= x <= width
    assert 0 <= y <= height
    assert math.isfinite(x + y)
