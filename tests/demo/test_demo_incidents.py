"""The demo town holds two years of recorded incidents with realistic structure — weekly
and daily rhythms, every incident on a map point inside its neighbourhood, deterministic
for a seed — and the scanning analyses find what was planted in them (issue 6, Done-when
4): Gi* finds the persistent hot spots, the emerging hot spot analysis classes the planted
emerging and diminishing places as such, the Knox test finds the near-repeat burglary
series and alerts on the current one, and the repeat rankings put the planted repeat
locations and victims on top.

The rhythms are computed here from the stored rows; the planted structure comes from the
generator (pure and deterministic, so regenerating it with the session's seed and day gives
what was loaded), and the analyses read the rows through ``load_events`` as the analysis
pages do."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import h3
import numpy as np
import pytest
import shapely
from django.utils import timezone

from ourbeat.analytics import grid
from ourbeat.analytics.events import EPOCH, EventQuery, load_events, project
from ourbeat.analytics.keys import location_keys, victim_keys
from ourbeat.analytics.models import DatePrecision, Incident, IncidentSource
from ourbeat.analytics.repeats import repeat_locations, repeat_victims
from ourbeat.analytics.stats.emerging import emerging_hot_spots, space_time_cube
from ourbeat.analytics.stats.hotspots import gi_star
from ourbeat.analytics.stats.knox import knox, near_repeat_alerts
from ourbeat.core.models import AuditEvent
from ourbeat.demo.incidents import (
    CATEGORIES,
    IncidentPlan,
    PlantedHotSpot,
    incidents_generate,
    to_metres,
)
from ourbeat.demo.town import CENTRE_LAT, CENTRE_LNG, generate
from ourbeat.teams.schedule import local_zone
from tests.fixtures.personas import DEMO_SEED, DEMO_TODAY

# Cells of about 0.1 km² (edges of about 175 m): some 460 over the town.
RESOLUTION = 9


@pytest.fixture(scope="module")
def plan() -> IncidentPlan:
    """What the session's demo load generated (same seed, same day)."""
    return incidents_generate(generate(DEMO_SEED, DEMO_TODAY), DEMO_SEED, DEMO_TODAY)


@pytest.fixture(scope="module")
def study_area() -> Any:
    return generate(DEMO_SEED, DEMO_TODAY).service.geometry


def _demo_rows(town: Any) -> Any:
    return Incident.objects.filter(organisation=town.force, source=IncidentSource.DEMO)


def _cell_of(spot: Any) -> int:
    return int(grid.cells_for_points([spot.latitude], [spot.longitude], RESOLUTION)[0])


def _ring_distance(a: int, b: int) -> int:
    return int(h3.grid_distance(h3.int_to_str(a), h3.int_to_str(b)))


# --- the rows ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_years_of_incidents_at_a_real_towns_volumes(town: Any, plan: IncidentPlan) -> None:
    rows = _demo_rows(town)
    assert rows.count() == len(plan)
    assert 15_000 <= rows.count() <= 30_000
    first = rows.order_by("occurred_at").values_list("occurred_on", flat=True).first()
    last = rows.order_by("-occurred_at").values_list("occurred_on", flat=True).first()
    assert first is not None
    assert last is not None
    assert DEMO_TODAY - timedelta(days=731) <= first <= DEMO_TODAY - timedelta(days=720)
    assert DEMO_TODAY - timedelta(days=3) <= last < DEMO_TODAY
    population = sum(n.population or 0 for n in town.neighbourhoods)
    per_1000_a_year = rows.count() / 2 / population * 1000
    assert 60 <= per_1000_a_year <= 130  # England and Wales: about 90
    counts = Counter(rows.values_list("category", flat=True))
    assert set(counts) == set(CATEGORIES)
    # Violence and anti-social behaviour lead, as in every police.uk force.
    assert {c for c, _ in counts.most_common(2)} == {"violent-crime", "anti-social-behaviour"}
    assert not rows.exclude(date_precision=DatePrecision.TIME).exists()
    assert not rows.filter(occurred_at__isnull=True).exists()
    assert not rows.exclude(extra={}).exists()
    # Anti-social behaviour has no crime reference and no outcome, as in police.uk.
    asb = rows.filter(category="anti-social-behaviour")
    assert not asb.exclude(crime_id="").exists()
    assert not asb.exclude(outcome="").exists()
    assert not rows.exclude(category="anti-social-behaviour").filter(crime_id="").exists()
    audits = AuditEvent.objects.filter(action="demo.incidents.load")
    assert audits.count() == 1
    assert audits.get().data["incidents"] == rows.count()


@pytest.mark.django_db
def test_every_incident_is_on_a_map_point_inside_its_neighbourhood(town: Any) -> None:
    rows = list(_demo_rows(town).values_list("area_id", "latitude", "longitude", "location_text"))
    area_ids = np.array([r[0] for r in rows])
    lat = np.array([r[1] for r in rows], dtype=np.float64)
    lng = np.array([r[2] for r in rows], dtype=np.float64)
    neighbourhoods = {n.pk: n for n in town.neighbourhoods}
    assert set(area_ids.tolist()) == set(neighbourhoods)
    for area_id, area in neighbourhoods.items():
        mine = area_ids == area_id
        assert shapely.contains_xy(area.geometry, lng[mine], lat[mine]).all(), area.name
    # Snapped to a few thousand shared map points, six decimal places, named as police.uk does.
    points = np.unique(np.column_stack([lat, lng]), axis=0)
    assert 2_000 <= len(points) <= 10_000
    assert np.array_equal(np.round(points, 6), points)
    assert all(text.startswith("On or near ") for *_, text in rows)


@pytest.mark.django_db
def test_keys_are_the_shared_keyed_hashes_and_no_victim_reference_is_stored(
    town: Any, plan: IncidentPlan
) -> None:
    rows = list(_demo_rows(town).values_list("latitude", "longitude", "location_key"))
    lat, lng, stored = zip(*rows, strict=True)
    assert list(stored) == location_keys(lat, lng)
    victims = list(_demo_rows(town).exclude(victim_key="").values_list("victim_key", flat=True))
    # Most burglaries and violence carry a victim key; nothing else does.
    harmed = _demo_rows(town).filter(category__in=["burglary", "violent-crime"]).count()
    assert 0.5 < len(victims) / harmed < 0.9
    assert not (
        _demo_rows(town)
        .exclude(victim_key="")
        .exclude(category__in=["burglary", "violent-crime"])
        .exists()
    )
    assert all(re.fullmatch("[0-9a-f]{16}", k) for k in victims)
    assert set(victims) == set(victim_keys([v for v in plan.victim if v]))
    # The synthetic references ("MB-V-…") are nowhere in the table.
    assert all(v.startswith("MB-V-") for v in plan.victim if v)
    for field in ("victim_key", "crime_id", "row_key", "location_text", "outcome", "context"):
        assert not _demo_rows(town).filter(**{f"{field}__contains": "MB-V-"}).exists(), field


@pytest.mark.django_db
def test_weekly_and_daily_rhythms(town: Any) -> None:
    zone = local_zone()
    rows = _demo_rows(town).values_list("category", "occurred_at")
    local = [(category, timezone.localtime(at, zone)) for category, at in rows]

    def share(category: str, inside: Any) -> float:
        times = [t for c, t in local if c == category]
        return sum(1 for t in times if inside(t)) / len(times)

    def friday_or_saturday_night(t: Any) -> bool:
        # From 20:00 on Friday or Saturday to 04:00 the next morning.
        return (t.weekday() in (4, 5) and t.hour >= 20) or (t.weekday() in (5, 6) and t.hour < 4)

    def weekday_daytime(t: Any) -> bool:
        return t.weekday() < 5 and 8 <= t.hour < 18

    def shop_hours(t: Any) -> bool:
        return 8 <= t.hour < 20

    # The windows' shares of a week: 16 of 168 hours, 50 of 168, 12 of 24.
    assert share("violent-crime", friday_or_saturday_night) > 3 * 16 / 168
    assert share("burglary", weekday_daytime) > 1.6 * 50 / 168
    assert share("shoplifting", shop_hours) > 0.9
    # Vehicle crime happens at night, anti-social behaviour peaks in the evening.
    assert share("vehicle-crime", lambda t: t.hour >= 20 or t.hour < 6) > 0.5
    assert share("anti-social-behaviour", lambda t: 15 <= t.hour < 24) > 0.55


def test_the_incidents_are_the_same_for_the_same_seed_and_day(plan: IncidentPlan) -> None:
    again = incidents_generate(generate(DEMO_SEED, DEMO_TODAY), DEMO_SEED, DEMO_TODAY)
    assert np.array_equal(again.category, plan.category)
    assert np.array_equal(again.occurred_at, plan.occurred_at)
    assert np.array_equal(again.latitude, plan.latitude)
    assert np.array_equal(again.longitude, plan.longitude)
    assert again.victim == plan.victim
    assert again.outcome == plan.outcome
    assert again.planted == plan.planted
    other_seed = DEMO_SEED + 1
    other = incidents_generate(generate(other_seed, DEMO_TODAY), other_seed, DEMO_TODAY)
    assert other.planted != plan.planted
    assert len(other) != len(plan) or not np.array_equal(other.latitude, plan.latitude)


@pytest.mark.django_db
def test_the_stored_rows_are_the_generated_ones(town: Any, plan: IncidentPlan) -> None:
    zone = local_zone()
    stored = Counter(
        (category, timezone.localtime(at, zone).replace(tzinfo=None), round(lat, 6), round(lng, 6))
        for category, at, lat, lng in _demo_rows(town).values_list(
            "category", "occurred_at", "latitude", "longitude"
        )
    )
    generated = Counter(
        zip(
            plan.category.tolist(),
            plan.occurred_at.astype("datetime64[m]").tolist(),
            plan.latitude.tolist(),
            plan.longitude.tolist(),
            strict=True,
        )
    )
    # Times of the spring-forward hour do not exist on the local clock and move by an hour.
    assert sum((stored - generated).values()) <= 0.001 * len(plan)


# --- the analyses find what was planted ----------------------------------------------------


def _gi_star_of(town: Any, study_area: Any, category: str) -> tuple[Any, Any, grid.CellArray]:
    events = load_events(EventQuery(organisation_id=town.force.pk, categories=(category,)))
    cells = grid.cells_for_points(events.lat, events.lng, RESOLUTION)
    universe = grid.study_cells(RESOLUTION, polygons=study_area, lat=events.lat, lng=events.lng)
    counts = grid.cell_counts(cells, universe)
    weights = grid.ring_weights(universe, 1)
    # Enough permutations for the false discovery rate correction over ~460 cells to
    # leave room for 95 % confidence (the smallest pseudo p-value is 1 / (P + 1)).
    with_fdr = gi_star(counts, weights, permutations=9999, seed=7)
    without = gi_star(counts, weights, permutations=999, seed=7, alpha_fdr=False)
    return with_fdr, without, universe


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "name"),
    [("violent-crime", "night-time economy"), ("shoplifting", "retail park")],
)
def test_gi_star_finds_the_persistent_hot_spots(
    town: Any, plan: IncidentPlan, study_area: Any, category: str, name: str
) -> None:
    (spot,) = [h for h in plan.planted.hot_spot("persistent") if h.name == name]
    assert spot.starts <= DEMO_TODAY - timedelta(days=720)
    with_fdr, without, universe = _gi_star_of(town, study_area, category)
    planted = int(np.searchsorted(universe, _cell_of(spot)))
    assert universe[planted] == _cell_of(spot)
    assert without.bins[planted] == 3  # a hot spot at 99 % confidence
    assert with_fdr.bins[planted] >= 2  # still at 95 % after the FDR correction
    # The town's strongest hot spot is the planted one (its cell or the next one).
    strongest = int(universe[np.argmax(with_fdr.z)])
    assert _ring_distance(strongest, _cell_of(spot)) <= 1


def _first_complete_month() -> date:
    start = DEMO_TODAY - timedelta(days=730)
    return (start.replace(day=1) + timedelta(days=32)).replace(day=1)


def first_step() -> int:
    """The month number (months since January 1970) of the cube's first step."""
    first = _first_complete_month()
    return (first.year - 1970) * 12 + first.month - 1


def _monthly_cube(town: Any, study_area: Any, category: str) -> tuple[Any, grid.CellArray, int]:
    """The category's space-time cube over the complete months of the two years."""
    first_month = _first_complete_month()
    last_day = DEMO_TODAY.replace(day=1) - timedelta(days=1)
    events = load_events(
        EventQuery(
            organisation_id=town.force.pk,
            categories=(category,),
            start=first_month,
            end=last_day,
        )
    )
    universe = grid.study_cells(RESOLUTION, polygons=study_area, lat=events.lat, lng=events.lng)
    cells = grid.cells_for_points(events.lat, events.lng, RESOLUTION)
    first = (first_month.year - 1970) * 12 + first_month.month - 1
    steps = int(events.month.max()) - first + 1
    cube = space_time_cube(
        np.searchsorted(universe, cells), events.month - first, len(universe), steps
    )
    return cube, universe, steps


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "expected"), [("emerging", "consecutive_hot"), ("diminishing", "diminishing_hot")]
)
def test_emerging_hot_spot_analysis_classes_the_planted_trends(
    town: Any, plan: IncidentPlan, study_area: Any, kind: str, expected: str
) -> None:
    (spot,) = plan.planted.hot_spot(kind)
    (category,) = spot.categories
    cube, universe, steps = _monthly_cube(town, study_area, category)
    assert steps >= 22
    # ArcGIS Pro's defaults: one earlier month as neighbours, 90 %, the FDR correction.
    result = emerging_hot_spots(cube, grid.ring_weights(universe, 1), time_window=2, fdr=True)
    planted = int(np.searchsorted(universe, _cell_of(spot)))
    assert result.categories[planted] == expected
    if kind == "emerging":
        # Absent before it began (some eight months ago), hot in each of the last six months.
        onset = (spot.starts.year - 1970) * 12 + spot.starts.month - 1 - first_step()
        assert steps - onset >= 7
        assert not result.significant[planted, :onset].any()
        assert result.significant[planted, -6:].all()


@pytest.mark.django_db
def test_the_knox_test_finds_near_repeat_burglary_and_alerts_on_the_current_series(
    town: Any, plan: IncidentPlan
) -> None:
    events = load_events(EventQuery(organisation_id=town.force.pk, categories=("burglary",)))
    x, y = project(events.lat, events.lng, centre=(CENTRE_LAT, CENTRE_LNG))
    # The Near Repeat Calculator's usual set-up: 100 m × 3 and 7 days × 3, Manhattan.
    result = knox(
        x,
        y,
        events.day,
        metric="manhattan",
        space_bandwidth=100,
        space_bands=3,
        time_bandwidth=7,
        time_bands=3,
        permutations=99,
        seed=7,
    )
    close_rows, close_columns = slice(1, 3), slice(0, 2)  # up to 200 m, up to 14 days
    assert (result.ratio[close_rows, close_columns] > 1.5).all()
    assert (result.p[close_rows, close_columns] <= 0.05).all()
    # Far apart in space or in time, the pairs are as many as chance gives.
    assert 0.9 < result.ratio[-1, -1] < 1.1
    assert (result.ratio[close_rows, -1] < 1.2).all()

    alerts = {
        a.index: a
        for a in near_repeat_alerts(x=x, y=y, days=events.day, result=result, today=DEMO_TODAY)
    }
    series = plan.planted.current_series
    assert DEMO_TODAY - timedelta(days=21) <= series.first <= series.last < DEMO_TODAY
    sx, sy = project([series.latitude], [series.longitude], centre=(CENTRE_LAT, CENTRE_LNG))
    first, last = ((d - date(1970, 1, 1)).days for d in (series.first, series.last))
    in_series = np.flatnonzero(
        (np.hypot(x - sx[0], y - sy[0]) <= series.radius_m + 1)
        & (events.day >= first)
        & (events.day <= last)
    )
    assert len(in_series) >= series.events
    latest = alerts[int(in_series[np.argmax(events.day[in_series])])]
    assert latest.until >= DEMO_TODAY
    # The alert ties the latest burglary of the series to earlier ones of it.
    assert set(latest.linked) & set(in_series.tolist())


@pytest.mark.django_db
def test_the_planted_repeat_locations_and_victims_top_the_rankings(
    town: Any, plan: IncidentPlan
) -> None:
    events = load_events(EventQuery(organisation_id=town.force.pk))
    categories = np.array(events.category_keys, dtype=object)[events.category]
    dates = EPOCH + events.day.astype("timedelta64[D]")
    places = repeat_locations(events.location_key, categories, dates=dates, limit=10)
    planted_places = plan.planted.repeat_locations
    keys = location_keys(
        [p.latitude for p in planted_places], [p.longitude for p in planted_places]
    )
    assert {r.key for r in places.rows[: len(keys)]} == set(keys)
    by_place = {r.key: r for r in places.rows}
    for key, place in zip(keys, planted_places, strict=True):
        assert by_place[key].count >= place.events
        assert set(place.categories) <= set(by_place[key].categories)
    # Crime concentrates: the top tenth of the map points holds a large share of it.
    assert places.vital_few_share > 0.3

    victims = repeat_victims(events.victim_key, categories, dates=dates)
    planted_victims = plan.planted.repeat_victims
    expected = victim_keys([v.reference for v in planted_victims])
    assert {r.key for r in victims.rows[: len(expected)]} == set(expected)
    by_key = {r.key: r for r in victims.rows}
    for key, victim in zip(expected, planted_victims, strict=True):
        assert by_key[key].count == victim.events
        assert victim.category in by_key[key].categories
    # Beyond the planted ones, real repeat victimisation: a few people come back once more.
    assert victims.rows[len(expected)].count <= 3
    assert victims.repeat_keys > len(expected)


def test_the_planted_hot_spots_are_apart_and_in_the_town(plan: IncidentPlan) -> None:
    spots: list[PlantedHotSpot] = plan.planted.hot_spots
    assert [h.kind for h in spots].count("persistent") == 2
    assert len(plan.planted.hot_spot("emerging")) == len(plan.planted.hot_spot("diminishing")) == 1
    x, y = to_metres([h.latitude for h in spots], [h.longitude for h in spots])
    gaps = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    assert (gaps[~np.eye(len(spots), dtype=bool)] > 1000).all()
    (emerging,) = plan.planted.hot_spot("emerging")
    assert DEMO_TODAY - timedelta(days=270) <= emerging.starts <= DEMO_TODAY - timedelta(days=180)
    assert isinstance(emerging.starts, date)
