"""The demo town as loaded: its areas tile the service area in the database too, about
forty officers and staff have public profiles, and ``manage.py demo_town --if-empty``
leaves an existing town alone."""

from __future__ import annotations

import io
from typing import Any

import shapely
from django.core.management import call_command

from ourbeat.places.models import Area, AreaCell
from ourbeat.teams.models import OfficerProfile


def test_the_stored_neighbourhoods_tile_the_stored_service_area(town: Any) -> None:
    assert len(town.districts) == 2
    assert 10 <= len(town.neighbourhoods) <= 14
    union = shapely.union_all([n.geometry for n in town.neighbourhoods])
    assert town.service.geometry.symmetric_difference(union).area < 1e-9
    for district in town.districts:
        children = [n.geometry for n in town.neighbourhoods if n.parent_id == district.pk]
        assert district.geometry.symmetric_difference(shapely.union_all(children)).area < 1e-9


def test_about_forty_officers_and_staff_have_public_profiles(town: Any) -> None:
    profiles = OfficerProfile.objects.filter(organisation=town.force)
    assert 30 <= profiles.count() <= 50
    assert profiles.exclude(bio="").count() >= 30
    for area in town.neighbourhoods:
        assert area.assignments.exists(), area.name


def test_demo_town_if_empty_does_nothing_when_the_town_exists(town: Any) -> None:
    before = (Area.objects.count(), AreaCell.objects.count(), OfficerProfile.objects.count())
    out = io.StringIO()
    call_command("demo_town", "--if-empty", "--no-photos", stdout=out, stderr=io.StringIO())
    assert "loaded already" in out.getvalue()
    after = (Area.objects.count(), AreaCell.objects.count(), OfficerProfile.objects.count())
    assert after == before
