"""The event sources of the analyses: incidents and concerns selected by organisation,
category, period (inclusive, in local days) and area (with the areas inside it), read as
arrays; events without a location counted but not placed; the local projection's distances
against the great-circle distance; and the data version that changes with the data."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from ourbeat.analytics.events import (
    KIND_CONCERN,
    KIND_INCIDENT,
    EventQuery,
    data_version,
    load_events,
    project,
)
from ourbeat.analytics.models import Incident
from ourbeat.concerns.models import Category, Concern
from ourbeat.concerns.services import concern_submit
from tests.analytics.test_analysis_hotspots import organisation_with_area, plant

pytestmark = pytest.mark.django_db


def test_incidents_are_selected_by_category_period_and_organisation() -> None:
    organisation, _area = organisation_with_area()
    other, _ = organisation_with_area()
    days = [date(2024, 3, 1), date(2024, 3, 15), date(2024, 3, 31), date(2024, 4, 1)]
    plant(organisation, [52.0] * 4, [-1.0] * 4, days)
    plant(organisation, [52.0], [-1.0], [date(2024, 3, 10)], category="robbery")
    plant(organisation, [None], [None], [date(2024, 3, 20)])
    plant(other, [52.0], [-1.0], [date(2024, 3, 10)])
    query = EventQuery(
        organisation_id=organisation.pk,
        categories=("burglary",),
        start=date(2024, 3, 1),
        end=date(2024, 3, 31),
    )
    events = load_events(query)
    assert len(events) == 4
    assert events.unlocated_count == 1
    assert int(events.located.sum()) == 3
    assert [str(np.datetime64("1970-01-01") + int(d)) for d in events.day] == [
        "2024-03-01",
        "2024-03-15",
        "2024-03-20",
        "2024-03-31",
    ]
    assert set(events.kind.tolist()) == {KIND_INCIDENT}
    assert events.category_keys == ["burglary"]
    assert events.category_labels == ["Burglary"]
    # 2024-03-01 was a Friday (weekday 4, Monday being 0).
    assert events.weekday[0] == 4
    assert (events.month == (2024 - 1970) * 12 + 2).all()


def test_an_area_takes_in_the_areas_inside_it(town: object) -> None:
    district = town.districts[0]  # type: ignore[attr-defined]
    inside = [n for n in town.neighbourhoods if n.parent_id == district.pk]  # type: ignore[attr-defined]
    query = EventQuery(organisation_id=town.force.pk, area_id=district.pk)  # type: ignore[attr-defined]
    expected = Incident.objects.filter(organisation=town.force, area__in=inside).count()  # type: ignore[attr-defined]
    assert expected > 0
    assert len(load_events(query)) == expected


def test_time_of_day_is_local_and_unknown_when_only_the_day_is_known() -> None:
    organisation, _area = organisation_with_area()
    plant(organisation, [52.0, 52.0], [-1.0, -1.0], [date(2024, 7, 1), date(2024, 7, 2)])
    timed = Incident.objects.filter(organisation=organisation, occurred_on=date(2024, 7, 1))
    # 21:15 UTC is 22:15 in London in summer.
    timed.update(date_precision="time", occurred_at=datetime(2024, 7, 1, 21, 15, tzinfo=UTC))
    events = load_events(EventQuery(organisation_id=organisation.pk))
    assert events.hour.tolist() == [22, -1]


def test_concerns_are_a_second_source_by_local_day_without_duplicates(town: object) -> None:
    category = Category.objects.filter(organisation=town.force).first() or Category.objects.first()  # type: ignore[attr-defined]
    assert category is not None
    home = town.home  # type: ignore[attr-defined]
    point = (home.centre_lat, home.centre_lng)
    first = concern_submit(
        category=category,
        latitude=point[0],
        longitude=point[1],
        description="A broken street light by the bus stop, dark every night.",
        reporter_email="resident@example.org",
        confirmed=True,
    ).concern
    second = concern_submit(
        category=category,
        latitude=point[0],
        longitude=point[1],
        description="The same broken street light by the bus stop, still dark.",
        reporter_email="resident@example.org",
        confirmed=True,
    ).concern
    # 23:30 UTC on 30 June is half past midnight on 1 July in London.
    Concern.objects.filter(pk__in=[first.pk, second.pk]).update(
        created_at=datetime(2024, 6, 30, 23, 30, tzinfo=UTC)
    )
    Concern.objects.filter(pk=second.pk).update(duplicate_of=first)
    query = EventQuery(
        organisation_id=home.organisation_id,
        source="concerns",
        categories=(category.code,),
        start=date(2024, 7, 1),
        end=date(2024, 7, 1),
        area_id=home.pk,
    )
    events = load_events(query)
    assert events.ids.tolist() == [first.pk]
    assert events.kind.tolist() == [KIND_CONCERN]
    assert events.hour.tolist() == [0]
    assert events.category_labels == [category.label]
    assert events.lat[0] == pytest.approx(point[0])
    assert events.location_key[0] != ""
    june = load_events(
        EventQuery(
            organisation_id=home.organisation_id,
            source="concerns",
            categories=(category.code,),
            start=date(2024, 6, 1),
            end=date(2024, 6, 30),
            area_id=home.pk,
        )
    )
    assert first.pk not in june.ids.tolist()
    both = load_events(
        EventQuery(
            organisation_id=home.organisation_id,
            source="both",
            start=date(2024, 7, 1),
            end=date(2024, 7, 1),
            area_id=home.pk,
        )
    )
    assert KIND_CONCERN in both.kind.tolist()


def _haversine(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def test_the_projection_keeps_town_sized_distances_within_a_quarter_of_a_percent() -> None:
    rng = np.random.default_rng(2)
    lat = 53.04 + rng.uniform(-0.09, 0.09, 200)  # about 10 km either way
    lng = -1.48 + rng.uniform(-0.15, 0.15, 200)
    x, y = project(lat, lng)
    for i, j in rng.integers(0, 200, (100, 2)):
        if i == j:
            continue
        planar = math.hypot(x[i] - x[j], y[i] - y[j])
        sphere = _haversine(lat[i], lng[i], lat[j], lng[j])
        assert planar == pytest.approx(sphere, rel=2.5e-3)
    # Short distances, the Knox bands, are near exact.
    x2, y2 = project(np.array([53.04, 53.04 + 100 / 111_195]), np.array([-1.48, -1.48]))
    assert math.hypot(x2[1] - x2[0], y2[1] - y2[0]) == pytest.approx(100, abs=0.05)


def test_the_data_version_changes_with_incidents_and_concerns(town: object) -> None:
    organisation = town.force  # type: ignore[attr-defined]
    before = data_version(organisation.pk)
    assert data_version(organisation.pk) == before
    plant(organisation, [53.04], [-1.48], [date.today() - timedelta(days=1)])
    after_incident = data_version(organisation.pk)
    assert after_incident != before
    concern = Concern.objects.filter(area__organisation=organisation).first()
    assert concern is not None
    Concern.objects.filter(pk=concern.pk).update(updated_at=datetime.now(UTC) + timedelta(days=1))
    assert data_version(organisation.pk) != after_incident
    Incident.objects.filter(organisation=organisation).order_by("-pk").first().delete()  # type: ignore[union-attr]
    assert data_version(organisation.pk) not in (before, after_incident)
