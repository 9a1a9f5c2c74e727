"""Two years of recorded crime and anti-social behaviour in the demo town, generated
deterministically from the seed and relative to ``today``, with structure planted for the
scanning analyses to find.

The town gets a few thousand police.uk-style "map points" along its streets (every incident
is snapped to one, as police.uk does, and takes that point's neighbourhood and "On or near
…" text). The background is a Poisson draw per category at police.uk's national rates
(volumes of a town of the demo's population, category shares as in a real force month), with
each category's weekly and daily rhythm and season, spread over the map points by
neighbourhood population and by the kind of place (shops draw shoplifting, homes draw
burglary). On top of it, deterministically from the seed, sit:

- two persistent hot spots: the town centre's night-time economy (violence and
  anti-social behaviour on Friday and Saturday nights) and an out-of-town retail park
  (shoplifting in shop hours), both present for the whole two years;
- an emerging hot spot (vehicle crime in one neighbourhood, absent until eight months ago
  and rising since) and a diminishing one (criminal damage that falls steadily and
  is still there);
- near-repeat burglary series (after some burglaries, more within 200 m and 14 days) and
  one series in the last three weeks, so that a near-repeat alert is due "today";
- repeat locations (a pub and a supermarket, each one map point with many incidents) and
  repeat victims (a few victim references with several incidents each).

``incidents_generate`` is pure data (its ``planted`` field records what was planted, so a
test can check that the analyses find it); ``demo_incidents_load`` writes the rows in bulk
with one audit event. Locations and victims are stored only as the shared keyed hashes of
``ourbeat.analytics.keys`` (the importer uses the same definitions)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from django.db import connection, models, transaction
from scipy.spatial import cKDTree

from ourbeat.analytics.keys import incident_row_keys, location_keys, victim_keys
from ourbeat.analytics.models import DatePrecision, Incident, IncidentSource
from ourbeat.core import audit
from ourbeat.demo.town import CENTRE_LAT, CENTRE_LNG, DemoTown
from ourbeat.places.models import Area, AreaLevel, Organisation
from ourbeat.teams.schedule import local_zone

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

YEARS = 2
# Metres per degree around the town (an equirectangular projection: exact enough for a
# town a few kilometres across).
METRES_PER_DEGREE_LAT = 111_320.0
METRES_PER_DEGREE_LNG = METRES_PER_DEGREE_LAT * math.cos(math.radians(CENTRE_LAT))
# Streets: two families of gently curving lines, with a map point every so many metres.
STREET_SPACING_M = 190.0
POINT_SPACING_M = 85.0
# Map points closer than this to a neighbourhood boundary are dropped, so that rounding to
# six decimal places can never move a point into the next neighbourhood.
BOUNDARY_MARGIN_M = 6.0
COMMERCIAL_RADIUS_M = 260.0  # around each neighbourhood's shopping parade
TOWN_CENTRE_RADIUS_M = 420.0
NEAR_REPEAT_RADIUS_M = 200.0
NEAR_REPEAT_DAYS = 14
# The planted hot spots: wide enough to cover a cell of H3 resolution 9 (about 175 m across
# a side) and its neighbours, as a town centre or a retail park does; Gi*'s permutation test
# asks whether a cell's neighbours are high too, so a one-cell cluster would not show.
NIGHT_TIME_ECONOMY_RADIUS_M = 320.0
RETAIL_PARK_RADIUS_M = 260.0
EMERGING_CATEGORY = "vehicle-crime"
EMERGING_DAYS = 240
# Around the emerging hot spot, no vehicle crime before it began.
QUIET_RADIUS_M = 450.0

# Background incidents a year per 1,000 residents: police.uk's volumes (a force month of
# about 16,000 incidents for 1.8 million people) less what the planted structure adds.
RATE_PER_1000 = 88.0


@dataclass(frozen=True)
class CategoryProfile:
    """How a category's background is drawn (shares as in a real police.uk force month)."""

    share: float  # of all incidents
    commercial: float  # weight of a commercial map point relative to a residential one
    season: float  # amplitude of the yearly cycle (0: none)
    peak_month: int
    rhythm: str  # a key of RHYTHMS
    victims: float = 0.0  # share of rows that carry a victim reference


CATEGORIES: dict[str, CategoryProfile] = {
    "violent-crime": CategoryProfile(0.262, 3.0, 0.10, 7, "night_out", victims=0.75),
    "anti-social-behaviour": CategoryProfile(0.240, 3.0, 0.30, 7, "evening"),
    "criminal-damage-arson": CategoryProfile(0.081, 1.0, 0.10, 10, "evening"),
    "vehicle-crime": CategoryProfile(0.078, 1.5, 0.12, 11, "night"),
    "other-theft": CategoryProfile(0.071, 2.5, 0.05, 8, "daytime"),
    "burglary": CategoryProfile(0.064, 0.5, 0.20, 12, "weekday_daytime", victims=0.8),
    "shoplifting": CategoryProfile(0.060, 1.0, 0.10, 12, "shop_hours"),
    "public-order": CategoryProfile(0.057, 3.0, 0.10, 7, "night_out"),
    "drugs": CategoryProfile(0.021, 2.0, 0.05, 6, "evening"),
    "other-crime": CategoryProfile(0.019, 1.0, 0.0, 1, "daytime"),
    "possession-of-weapons": CategoryProfile(0.014, 2.0, 0.05, 7, "evening"),
    "bicycle-theft": CategoryProfile(0.009, 2.0, 0.35, 7, "daytime"),
    "robbery": CategoryProfile(0.009, 2.0, 0.10, 11, "evening"),
    "theft-from-the-person": CategoryProfile(0.008, 1.0, 0.10, 12, "shop_hours"),
}
# These happen only where there are shops and crowds.
COMMERCIAL_ONLY = {"shoplifting", "theft-from-the-person"}

STREET_WORDS = [
    "Oak",
    "Elm",
    "Beech",
    "Ash",
    "Willow",
    "Cedar",
    "Holly",
    "Rowan",
    "Hazel",
    "Birch",
    "Maple",
    "Alder",
    "Chestnut",
    "Sycamore",
    "Hawthorn",
    "Primrose",
    "Meadow",
    "Orchard",
    "Mill",
    "Brook",
    "Canal",
    "Church",
    "Chapel",
    "School",
    "Station",
    "Victoria",
    "Albert",
    "Queen",
    "King",
    "Park",
    "Green",
    "Spring",
    "Bank",
    "Castle",
    "Moor",
    "Heath",
    "Nelson",
    "Clifton",
    "Windsor",
    "Stanley",
]
STREET_KINDS = [
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Close",
    "Grove",
    "Way",
    "Drive",
    "Crescent",
    "Terrace",
]
# police.uk names some map points after the kind of place rather than the street.
COMMERCIAL_PLACES = [
    "Shopping Area",
    "Supermarket",
    "Parking Area",
    "Petrol Station",
    "Pub/Bar",
    "Further/Higher Educational Building",
]
RESIDENTIAL_PLACES = ["Park/Open Space", "Sports/Recreation Area", "Parking Area"]
# Last outcome categories with their frequencies in a real force month (investigations
# still open are frequent only in the latest months).
OUTCOMES = {
    "Investigation complete; no suspect identified": 0.44,
    "Unable to prosecute suspect": 0.24,
    "Formal action is not in the public interest": 0.09,
    "Awaiting court outcome": 0.08,
    "Local resolution": 0.06,
    "Offender given a caution": 0.03,
    "Offender sent to prison": 0.02,
    "Offender given community sentence": 0.02,
    "Offender fined": 0.02,
}
UNDER_INVESTIGATION = "Under investigation"


@dataclass(frozen=True)
class PlantedHotSpot:
    """A cluster of extra incidents around one map point, within ``radius_m`` and in one
    neighbourhood, from ``starts`` to ``ends`` (both inclusive). ``kind`` is "persistent",
    "emerging" or "diminishing"."""

    name: str
    kind: str
    categories: tuple[str, ...]
    area: str  # neighbourhood code
    latitude: float
    longitude: float
    radius_m: float
    starts: date
    ends: date
    events: int


@dataclass(frozen=True)
class PlantedSeries:
    """A near-repeat burglary series: a burglary, then more within ``radius_m`` of it and
    within ``NEAR_REPEAT_DAYS`` days of it."""

    area: str
    latitude: float
    longitude: float
    radius_m: float
    first: date
    last: date
    events: int
    current: bool  # the series of the last three weeks


@dataclass(frozen=True)
class PlantedRepeatLocation:
    """One map point with many incidents (its ``location_key`` is the shared keyed hash of
    the point)."""

    name: str
    categories: tuple[str, ...]
    latitude: float
    longitude: float
    events: int  # the planted ones; background incidents may add a few more


@dataclass(frozen=True)
class PlantedRepeatVictim:
    """A (synthetic) victim reference with several incidents; stored only as its key."""

    reference: str
    category: str
    events: int


@dataclass
class Planted:
    """What ``incidents_generate`` planted, for tests and for anyone demonstrating the
    analyses."""

    hot_spots: list[PlantedHotSpot] = field(default_factory=list)
    series: list[PlantedSeries] = field(default_factory=list)
    repeat_locations: list[PlantedRepeatLocation] = field(default_factory=list)
    repeat_victims: list[PlantedRepeatVictim] = field(default_factory=list)

    def hot_spot(self, kind: str) -> list[PlantedHotSpot]:
        """The planted hot spots of one kind ("persistent", "emerging", "diminishing")."""
        return [h for h in self.hot_spots if h.kind == kind]

    @property
    def current_series(self) -> PlantedSeries:
        return next(s for s in self.series if s.current)


@dataclass
class MapPoints:
    """The town's map points: WGS84 rounded to six decimal places (as police.uk publishes
    them), local metres for distances, the index of the neighbourhood that holds each point,
    its "On or near …" text and whether shops are there."""

    latitude: FloatArray
    longitude: FloatArray
    x: FloatArray
    y: FloatArray
    area: IntArray
    text: list[str]
    commercial: BoolArray

    def __len__(self) -> int:
        return len(self.latitude)


@dataclass
class IncidentPlan:
    """The generated incidents, one array element per incident, in time order."""

    area_codes: list[str]  # neighbourhood codes, indexed by ``area``
    points: MapPoints
    category: npt.NDArray[np.str_]
    occurred_at: npt.NDArray[np.datetime64]  # local wall-clock time, to the minute
    point: IntArray  # index into ``points``
    victim: list[str]  # a synthetic victim reference or ""
    outcome: list[str]
    planted: Planted

    def __len__(self) -> int:
        return len(self.category)

    @property
    def latitude(self) -> FloatArray:
        return self.points.latitude[self.point]

    @property
    def longitude(self) -> FloatArray:
        return self.points.longitude[self.point]

    @property
    def area(self) -> list[str]:
        return [self.area_codes[i] for i in self.points.area[self.point]]


def to_metres(latitude: npt.ArrayLike, longitude: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Local x, y in metres from the town's centre (an equirectangular projection)."""
    lat = np.asarray(latitude, dtype=np.float64)
    lng = np.asarray(longitude, dtype=np.float64)
    return (lng - CENTRE_LNG) * METRES_PER_DEGREE_LNG, (lat - CENTRE_LAT) * METRES_PER_DEGREE_LAT


def _to_degrees(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    return CENTRE_LAT + y / METRES_PER_DEGREE_LAT, CENTRE_LNG + x / METRES_PER_DEGREE_LNG


# --- rhythms: a weight for each hour of the week, Monday 00:00 first ---------------------


def _week(morning: list[float], afternoon: list[float], days: list[float]) -> FloatArray:
    """The rhythm of a week: the weight of each hour of the day (midnight to noon, noon to
    midnight) times the weight of each day (Monday first)."""
    hours = np.asarray([*morning, *afternoon], dtype=np.float64)
    return np.outer(np.asarray(days, dtype=np.float64), hours).ravel()


def _nights_out() -> BoolArray:
    """Friday and Saturday nights: 20:00 to 04:00 the next morning."""
    mask = np.zeros((7, 24), dtype=bool)
    for evening in (4, 5):  # Friday, Saturday
        mask[evening, 20:] = True
        mask[evening + 1, :4] = True
    return mask.ravel()


def _rhythms() -> dict[str, FloatArray]:
    nights = _nights_out()
    violence = _week(
        [2.6, 2.2, 1.6, 0.9, 0.5, 0.4, 0.5, 0.7, 0.9, 1, 1.1, 1.2],
        [1.3, 1.3, 1.4, 1.6, 1.8, 1.9, 2, 2.1, 2.3, 2.5, 2.7, 2.8],
        [1, 0.95, 1, 1, 1.15, 1.35, 1.25],
    )
    violence[nights] *= 3.2
    public_order = violence.copy()
    evening = _week(
        [2, 1.5, 1, 0.5, 0.3, 0.3, 0.4, 0.6, 0.8, 1, 1.1, 1.2],
        [1.4, 1.6, 1.9, 2.4, 2.8, 3, 3.2, 3.3, 3.3, 3.1, 2.8, 2.4],
        [1, 1, 1, 1, 1.2, 1.35, 1.1],
    )
    evening[nights] *= 1.4
    night = _week(
        [3, 3.2, 3.2, 3, 2.4, 1.5, 1, 0.8, 0.6, 0.5, 0.5, 0.5],
        [0.5, 0.5, 0.5, 0.6, 0.7, 0.9, 1.1, 1.4, 1.8, 2.2, 2.6, 2.9],
        [1, 1, 1, 1, 1.1, 1.2, 1.1],
    )
    daytime = _week(
        [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.4, 1.8, 2, 2.1],
        [2.2, 2.2, 2.2, 2.1, 2, 1.8, 1.5, 1.2, 1, 0.8, 0.6, 0.4],
        [1, 1, 1, 1, 1, 1.15, 0.9],
    )
    # Burglars come when homes are empty: weekday working hours, and dark winter evenings.
    weekday_daytime = _week(
        [0.5, 0.4, 0.4, 0.3, 0.3, 0.3, 0.4, 0.7, 1.6, 2.4, 2.8, 2.9],
        [2.8, 2.8, 2.9, 3, 2.9, 2.3, 1.6, 1.3, 1.1, 0.9, 0.7, 0.6],
        [1, 1, 1, 1, 1, 0.55, 0.5],
    )
    shop = np.zeros((7, 24))
    shop[:6, 8:20] = [1.2, 1.6, 2, 2.4, 2.6, 2.6, 2.7, 2.8, 2.6, 2.2, 1.6, 1]
    shop[6, 10:16] = 2.0
    shop[:, 20:22] = 0.15  # late-opening supermarkets
    shop[:, 7] = 0.1
    return {
        "night_out": violence,
        "public_order": public_order,
        "evening": evening,
        "night": night,
        "daytime": daytime,
        "weekday_daytime": weekday_daytime,
        "shop_hours": shop.ravel(),
    }


RHYTHMS = _rhythms()
NIGHTS_OUT = _nights_out()


class _Clock:
    """The hours of the study period and, for each, its hour of the week and its day."""

    def __init__(self, today: date) -> None:
        self.start = today - timedelta(days=365 * YEARS)
        self.end = today  # exclusive: the demo's history stops at the start of today
        self.days = (self.end - self.start).days
        hours = np.arange(self.days * 24)
        self.day = hours // 24
        self.hour_of_week = (self.start.weekday() * 24 + hours) % 168
        first = np.datetime64(self.start.isoformat(), "D")
        dates = first + np.arange(self.days)
        months = dates.astype("datetime64[M]").astype(np.int64) % 12  # 0 = January
        self.month_of_day = months
        self.first = first

    def season(self, amplitude: float, peak_month: int) -> FloatArray:
        """A weight for each day: 1 ± amplitude over the year, highest in the peak month."""
        day_of_year = (self.month_of_day + 0.5) / 12
        phase = 2 * np.pi * (day_of_year - (peak_month - 0.5) / 12)
        return np.asarray(1 + amplitude * np.cos(phase), dtype=np.float64)

    def day_of(self, when: date) -> int:
        return (when - self.start).days

    def at(self, when: date) -> np.datetime64:
        """The start of a day, as the sampled times are."""
        return np.datetime64(when.isoformat(), "m")

    def sample(
        self,
        rng: np.random.Generator,
        count: int,
        rhythm: FloatArray,
        daily: FloatArray | None = None,
    ) -> npt.NDArray[np.datetime64]:
        """``count`` times to the minute, drawn from the hour-of-week ``rhythm`` times the
        per-day weight ``daily``."""
        weights = rhythm[self.hour_of_week]
        if daily is not None:
            weights = weights * daily[self.day]
        hours = rng.choice(len(weights), size=count, p=weights / weights.sum())
        minutes = hours * 60 + rng.integers(0, 60, size=count)
        return self.first.astype("datetime64[m]") + minutes.astype("timedelta64[m]")


# --- map points ------------------------------------------------------------------------


def _street_name(rng: np.random.Generator) -> str:
    return f"{STREET_WORDS[rng.integers(len(STREET_WORDS))]} {STREET_KINDS[rng.integers(10)]}"


def map_points(town: DemoTown, seed: int) -> MapPoints:
    """The town's map points, on two families of curving streets, each point inside one
    neighbourhood (away from its boundary), named after its street or its kind of place."""
    rng = np.random.default_rng([seed, 61])
    polygons = [
        shapely.transform(n.geometry, lambda c: np.column_stack(to_metres(c[:, 1], c[:, 0])))
        for n in town.neighbourhoods
    ]
    min_x, min_y, max_x, max_y = shapely.union_all(polygons).bounds
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    names: list[str] = []
    for horizontal in (True, False):
        low, high = (min_y, max_y) if horizontal else (min_x, max_x)
        along_low, along_high = (min_x, max_x) if horizontal else (min_y, max_y)
        for offset in np.arange(low, high, STREET_SPACING_M):
            across_base = offset + rng.uniform(-45, 45)
            along = np.arange(
                along_low + rng.uniform(0, POINT_SPACING_M), along_high, POINT_SPACING_M
            )
            bend = rng.uniform(40, 90) * np.sin(
                2 * np.pi * along / rng.uniform(1200, 2400) + rng.uniform(0, 2 * np.pi)
            )
            across = across_base + bend + rng.uniform(-0.08, 0.08) * (along - along.mean())
            # A street name changes every 500 to 900 metres.
            segment = np.floor((along - along_low) / rng.uniform(500, 900)).astype(int)
            segment_names = [_street_name(rng) for _ in range(segment.max() + 1)]
            xs.append(along if horizontal else across)
            ys.append(across if horizontal else along)
            names += [segment_names[s] for s in segment]
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    lat, lng = _to_degrees(x, y)
    lat, lng = np.round(lat, 6), np.round(lng, 6)
    x, y = to_metres(lat, lng)
    area = np.full(len(x), -1, dtype=np.int64)
    for number, polygon in enumerate(polygons):
        inner = polygon.buffer(-BOUNDARY_MARGIN_M)
        area[shapely.contains_xy(inner, x, y)] = number
    # One point per position (two streets can cross at one rounded coordinate).
    keep = area >= 0
    _unique, first = np.unique(np.column_stack([lat, lng]), axis=0, return_index=True)
    once = np.zeros(len(x), dtype=bool)
    once[first] = True
    keep &= once
    # Open spaces: a few gaps in the street grid with one named point in each.
    parks = rng.choice(np.flatnonzero(keep), size=8, replace=False)
    for park in parks:
        keep &= np.hypot(x - x[park], y - y[park]) > 160
        keep[park] = True
    index = np.flatnonzero(keep)
    x, y, lat, lng, area = x[index], y[index], lat[index], lng[index], area[index]
    text = [f"On or near {names[i]}" for i in index]
    park_set = set(parks.tolist())
    for position, original in enumerate(index):
        if original in park_set:
            text[position] = f"On or near {RESIDENTIAL_PLACES[0]}"
    # Shopping parades around each neighbourhood's representative point and a larger town
    # centre around the point nearest the town's middle.
    commercial = np.zeros(len(x), dtype=bool)
    for polygon in polygons:
        centre = polygon.representative_point()
        commercial |= np.hypot(x - centre.x, y - centre.y) < COMMERCIAL_RADIUS_M
    commercial |= np.hypot(x, y) < TOWN_CENTRE_RADIUS_M
    places = rng.random(len(x))
    for shop in np.flatnonzero(commercial & (places < 0.3)).tolist():
        text[shop] = f"On or near {COMMERCIAL_PLACES[rng.integers(len(COMMERCIAL_PLACES))]}"
    for home in np.flatnonzero(~commercial & (places < 0.03)).tolist():
        text[home] = f"On or near {RESIDENTIAL_PLACES[rng.integers(len(RESIDENTIAL_PLACES))]}"
    return MapPoints(
        latitude=lat,
        longitude=lng,
        x=x,
        y=y,
        area=area,
        text=text,
        commercial=commercial,
    )


# --- the plan ----------------------------------------------------------------------------


class _Builder:
    """Draws the incidents, category by category and then the planted structure, from one
    random generator (so the whole plan follows from the seed), into lists of arrays."""

    def __init__(self, town: DemoTown, seed: int, today: date) -> None:
        self.rng = np.random.default_rng([seed, 62])
        self.seed = seed
        self.today = today
        self.clock = _Clock(today)
        self.codes = [n.code for n in town.neighbourhoods]
        self.points = map_points(town, seed)
        self.categories: list[npt.NDArray[np.str_]] = []
        self.times: list[npt.NDArray[np.datetime64]] = []
        self.where: list[IntArray] = []
        self.victims: list[list[str]] = []
        self.planted = Planted()
        self.victim_count = 0
        self.used_centres: list[int] = []
        population = np.array([n.population for n in town.neighbourhoods], dtype=np.float64)
        # Some neighbourhoods have more crime per head than others.
        deprivation = self.rng.lognormal(0, 0.3, size=len(population))
        per_point = np.bincount(self.points.area, minlength=len(population)).astype(np.float64)
        self.area_weight = population * deprivation / np.maximum(per_point, 1)
        self.attraction = self.rng.lognormal(0, 0.6, size=len(self.points))
        self.population = population.sum()
        # Neighbourhoods a thousand kilometres apart in a third dimension: a radius search
        # in this tree finds only the points of the same neighbourhood.
        self.same_area_coordinates = np.column_stack(
            [self.points.x, self.points.y, self.points.area * 1e6]
        )
        self.same_area_tree = cKDTree(self.same_area_coordinates)

    # -- helpers

    def new_victims(self, count: int) -> list[str]:
        start = self.victim_count
        self.victim_count += count
        return [f"MB-V-{self.seed}-{n:06d}" for n in range(start, start + count)]

    def add(
        self,
        category: str | npt.NDArray[np.str_],
        times: npt.NDArray[np.datetime64],
        where: IntArray,
        victims: list[str] | None = None,
    ) -> None:
        n = len(times)
        categories = np.asarray(category if not isinstance(category, str) else [category] * n)
        self.categories.append(categories.astype("<U32"))
        self.times.append(times)
        self.where.append(np.asarray(where, dtype=np.int64))
        self.victims.append(victims if victims is not None else [""] * n)

    def near(self, point: int, radius: float, *, same_area: bool = True) -> IntArray:
        """The map points within ``radius`` metres of ``point``."""
        p = self.points
        close = np.hypot(p.x - p.x[point], p.y - p.y[point]) <= radius
        if same_area:
            close &= p.area == p.area[point]
        return np.flatnonzero(close)

    def centre(self, candidates: IntArray, *, apart: float = 1100) -> int:
        """A map point from ``candidates`` in a neighbourhood of its own, at least ``apart``
        metres from the other planted centres, with enough of its neighbourhood around it."""
        p = self.points
        ok = ~np.isin(p.area[candidates], p.area[self.used_centres])
        for used in self.used_centres:
            ok &= np.hypot(p.x[candidates] - p.x[used], p.y[candidates] - p.y[used]) >= apart
        pool = candidates[ok]
        if len(pool) == 0:
            raise RuntimeError("no room in the demo town for another planted hot spot")
        # The cluster's disc should lie mostly in the same neighbourhood: prefer the
        # points with the most neighbours there.
        counts = self.same_area_tree.query_ball_point(
            self.same_area_coordinates[pool], 300, return_length=True
        )
        best = pool[counts >= np.quantile(counts, 0.6)]
        chosen = int(best[self.rng.integers(len(best))])
        self.used_centres.append(chosen)
        return chosen

    def point_weights(self, category: str) -> FloatArray:
        p = self.points
        profile = CATEGORIES[category]
        kind = np.where(
            p.commercial, profile.commercial, 0.0 if category in COMMERCIAL_ONLY else 1.0
        )
        return self.area_weight[p.area] * self.attraction * kind

    def pick(self, count: int, weights: FloatArray, among: IntArray | None = None) -> IntArray:
        if among is None:
            return self.rng.choice(len(weights), size=count, p=weights / weights.sum())
        w = weights[among]
        return among[self.rng.choice(len(among), size=count, p=w / w.sum())]

    def date_of(self, time: np.datetime64) -> date:
        return date.fromisoformat(str(time.astype("datetime64[D]")))

    # -- the background

    def background(self) -> None:
        expected_total = RATE_PER_1000 * self.population / 1000 * self.clock.days / 365
        for category, profile in CATEGORIES.items():
            count = int(self.rng.poisson(expected_total * profile.share))
            daily = self.clock.season(profile.season, profile.peak_month)
            rhythm = RHYTHMS["public_order" if category == "public-order" else profile.rhythm]
            times = self.clock.sample(self.rng, count, rhythm, daily)
            weights = self.point_weights(category)
            where = self.pick(count, weights)
            if category == EMERGING_CATEGORY:
                # No vehicle crime near the emerging hot spot before it began.
                quiet = self.near(self.emerging, QUIET_RADIUS_M, same_area=False)
                before = (times < self.clock.at(self.emerging_starts)) & np.isin(where, quiet)
                weights[quiet] = 0
                where[before] = self.pick(int(before.sum()), weights)
            victims: list[str] = [""] * count
            if profile.victims:
                victims = self.victim_references(count, profile.victims)
            self.add(category, times, where, victims)

    def victim_references(self, count: int, share: float) -> list[str]:
        """References for ``share`` of ``count`` incidents; about one victim in thirty comes
        back once more (real repeat victimisation is common but mostly twice)."""
        has = self.rng.random(count) < share
        fresh = self.new_victims(count)
        again = self.rng.random(count) < 0.035
        references = []
        for i in range(count):
            if not has[i]:
                references.append("")
            elif again[i] and i > 0:
                references.append(fresh[int(self.rng.integers(0, i))])
            else:
                references.append(fresh[i])
        return references

    # -- planted structure

    def cluster(
        self,
        *,
        name: str,
        kind: str,
        categories: dict[str, str],  # category -> rhythm
        centre: int,
        radius: float,
        per_month: tuple[float, float],  # expected events a month at the start and the end
        starts: date,
        victims: float = 0.0,
    ) -> PlantedHotSpot:
        clock = self.clock
        first, last = clock.day_of(starts), clock.days
        ramp = np.zeros(clock.days)
        ramp[first:last] = np.linspace(per_month[0], per_month[1], last - first)
        expected = ramp.sum() / 30.4
        points = self.near(centre, radius)
        total = 0
        for category, rhythm in categories.items():
            count = int(self.rng.poisson(expected / len(categories)))
            times = clock.sample(self.rng, count, RHYTHMS[rhythm], ramp)
            where = points[self.rng.integers(0, len(points), size=count)]
            references = (
                self.victim_references(count, victims) if CATEGORIES[category].victims else None
            )
            self.add(category, times, where, references)
            total += count
        p = self.points
        hot_spot = PlantedHotSpot(
            name=name,
            kind=kind,
            categories=tuple(categories),
            area=self.codes[p.area[centre]],
            latitude=float(p.latitude[centre]),
            longitude=float(p.longitude[centre]),
            radius_m=radius,
            starts=starts,
            ends=self.today - timedelta(days=1),
            events=total,
        )
        self.planted.hot_spots.append(hot_spot)
        return hot_spot

    def repeat_location(
        self, *, name: str, point: int, categories: dict[str, str], events: int, text: str
    ) -> None:
        per_category = events // len(categories)
        for category, rhythm in categories.items():
            times = self.clock.sample(self.rng, per_category, RHYTHMS[rhythm])
            self.add(category, times, np.full(per_category, point))
        self.points.text[point] = f"On or near {text}"
        self.planted.repeat_locations.append(
            PlantedRepeatLocation(
                name=name,
                categories=tuple(categories),
                latitude=float(self.points.latitude[point]),
                longitude=float(self.points.longitude[point]),
                events=per_category * len(categories),
            )
        )

    def places(self) -> None:
        """Where the planted hot spots sit, chosen before the background is drawn (the
        retail park's shops draw background shoplifting too; the emerging hot spot's
        streets had no vehicle crime before it began)."""
        p = self.points
        everywhere = np.arange(len(p))
        # The town centre: the map point nearest the middle of the town.
        self.town_centre = int(np.argmin(np.hypot(p.x, p.y)))
        self.used_centres.append(self.town_centre)
        # The retail park: out of town, far from the centre.
        distance = np.hypot(p.x, p.y)
        self.retail_park = self.centre(everywhere[distance > np.quantile(distance, 0.75)])
        park = self.near(self.retail_park, RETAIL_PARK_RADIUS_M)
        p.commercial[park] = True
        for point in park.tolist():
            if self.rng.random() < 0.5:
                p.text[point] = f"On or near {self.rng.choice(['Shopping Area', 'Parking Area'])}"
        residential = everywhere[~p.commercial]
        self.emerging = self.centre(residential)
        self.emerging_starts = self.today - timedelta(days=EMERGING_DAYS)
        self.diminishing = self.centre(residential)

    def hot_spots(self) -> None:
        start = self.clock.start
        self.cluster(
            name="night-time economy",
            kind="persistent",
            categories={"violent-crime": "night_out", "anti-social-behaviour": "night_out"},
            centre=self.town_centre,
            radius=NIGHT_TIME_ECONOMY_RADIUS_M,
            per_month=(44, 44),
            starts=start,
            victims=0.6,
        )
        self.repeat_location(
            name="pub",
            point=self.town_centre,
            categories={"violent-crime": "night_out", "anti-social-behaviour": "night_out"},
            events=160,
            text="Pub/Bar",
        )
        self.cluster(
            name="retail park",
            kind="persistent",
            categories={"shoplifting": "shop_hours"},
            centre=self.retail_park,
            radius=RETAIL_PARK_RADIUS_M,
            per_month=(28, 28),
            starts=start,
        )
        self.repeat_location(
            name="supermarket",
            point=self.retail_park,
            categories={"shoplifting": "shop_hours"},
            events=180,
            text="Supermarket",
        )
        # Emerging: vehicle crime in residential streets, from eight months ago, rising.
        self.cluster(
            name="vehicle crime",
            kind="emerging",
            categories={"vehicle-crime": "night"},
            centre=self.emerging,
            radius=200,
            per_month=(6, 16),
            starts=self.emerging_starts,
        )
        # Diminishing: criminal damage that has fallen steadily, and is still there.
        self.cluster(
            name="criminal damage",
            kind="diminishing",
            categories={"criminal-damage-arson": "evening"},
            centre=self.diminishing,
            radius=150,
            per_month=(24, 9),
            starts=start,
        )

    def near_repeats(self) -> None:
        """Series of burglaries: after a burglary, more within 200 m and 14 days."""
        p = self.points
        rng = self.rng
        homes = np.flatnonzero(~p.commercial)
        weights = self.point_weights("burglary")
        rhythm = RHYTHMS["weekday_daytime"]
        series_count = 70
        seeds = self.pick(series_count, weights, homes)
        last_start = self.clock.days - 30
        seed_days = rng.integers(0, last_start, size=series_count)
        for point, day in zip(seeds.tolist(), seed_days.tolist(), strict=True):
            follow_ups = int(rng.integers(2, 6))
            self.series(int(point), int(day), follow_ups, rhythm, current=False)
        # The current series: the last three weeks, so a near-repeat alert is due today.
        current = self.pick(1, weights, homes[p.area[homes] != p.area[self.town_centre]])
        self.series(int(current[0]), self.clock.days - 19, 4, rhythm, current=True)

    def series(
        self, point: int, day: int, follow_ups: int, rhythm: FloatArray, *, current: bool
    ) -> None:
        rng = self.rng
        radius = 150.0 if current else NEAR_REPEAT_RADIUS_M
        nearby = self.near(point, radius, same_area=False)
        nearby = nearby[~self.points.commercial[nearby]] if len(nearby) > 1 else nearby
        gaps = (
            np.array([4, 8, 13, 17])[:follow_ups]
            if current
            else np.sort(rng.integers(1, NEAR_REPEAT_DAYS + 1, size=follow_ups))
        )
        days = np.concatenate([[day], day + gaps])
        days = days[days < self.clock.days]
        hour_of_week = (self.clock.start.weekday() * 24 + days[:, None] * 24 + np.arange(24)) % 168
        weights = rhythm[hour_of_week]
        hours = np.array([rng.choice(24, p=row / row.sum()) for row in weights], dtype=np.int64)
        minutes = days * 1440 + hours * 60 + rng.integers(0, 60, size=len(days))
        times = self.clock.first.astype("datetime64[m]") + minutes.astype("timedelta64[m]")
        where = np.concatenate([[point], nearby[rng.integers(0, len(nearby), size=len(days) - 1)]])
        self.add("burglary", times, where, self.victim_references(len(days), 0.8))
        p = self.points
        self.planted.series.append(
            PlantedSeries(
                area=self.codes[p.area[point]],
                latitude=float(p.latitude[point]),
                longitude=float(p.longitude[point]),
                radius_m=radius,
                first=self.date_of(times.min()),
                last=self.date_of(times.max()),
                events=len(days),
                current=current,
            )
        )

    def repeat_victims(self) -> None:
        p = self.points
        homes = np.flatnonzero(~p.commercial)
        shops = np.flatnonzero(p.commercial)
        plans = [
            # Domestic abuse: violence at one home, again and again.
            ("violent-crime", "night_out", homes, 9, True),
            ("violent-crime", "evening", homes, 7, True),
            # A corner shop burgled repeatedly.
            ("burglary", "night", shops, 6, True),
            # A victim of violence in several places.
            ("violent-crime", "night_out", np.arange(len(p)), 6, False),
        ]
        for category, rhythm, among, events, one_place in plans:
            reference = self.new_victims(1)[0]
            times = self.clock.sample(self.rng, events, RHYTHMS[rhythm])
            where = (
                np.full(events, self.pick(1, self.point_weights("burglary"), among)[0])
                if one_place
                else self.pick(events, self.point_weights(category), among)
            )
            self.add(category, times, where, [reference] * events)
            self.planted.repeat_victims.append(
                PlantedRepeatVictim(reference=reference, category=category, events=events)
            )

    # -- the result

    def outcomes(
        self, categories: npt.NDArray[np.str_], times: npt.NDArray[np.datetime64]
    ) -> list[str]:
        names = list(OUTCOMES)
        weights = np.array(list(OUTCOMES.values()))
        drawn = self.rng.choice(len(names), size=len(categories), p=weights / weights.sum())
        age = (np.datetime64(self.today.isoformat(), "m") - times).astype(np.int64) / 1440
        # Recent crimes are still under investigation; after three months few are.
        open_share = np.clip(0.85 - age / 110, 0.02, 0.85)
        still_open = self.rng.random(len(categories)) < open_share
        return [
            ""
            if category == "anti-social-behaviour"
            else (UNDER_INVESTIGATION if is_open else names[k])
            for category, k, is_open in zip(categories, drawn, still_open, strict=True)
        ]

    def build(self) -> IncidentPlan:
        self.places()
        self.background()
        self.hot_spots()
        self.near_repeats()
        self.repeat_victims()
        categories = np.concatenate(self.categories)
        times = np.concatenate(self.times)
        where = np.concatenate(self.where)
        victims = [v for chunk in self.victims for v in chunk]
        # Nothing in the future: a series or a ramp may reach past the end of yesterday.
        end = np.datetime64(self.today.isoformat(), "m")
        keep = times < end
        order = np.flatnonzero(keep)[np.argsort(times[keep], kind="stable")]
        categories, times, where = categories[order], times[order], where[order]
        victims = [victims[i] for i in order]
        return IncidentPlan(
            area_codes=self.codes,
            points=self.points,
            category=categories,
            occurred_at=times,
            point=where,
            victim=victims,
            outcome=self.outcomes(categories, times),
            planted=self.planted,
        )


def incidents_generate(town: DemoTown, seed: int, today: date) -> IncidentPlan:
    """Two years of incidents up to the start of ``today``, deterministic for a seed, with
    the structure of ``IncidentPlan.planted``."""
    return _Builder(town, seed, today).build()


def _crime_id(seed: int, index: int) -> str:
    return hashlib.sha256(f"millbrook-demo:{seed}:{index}".encode()).hexdigest()


def _insert(columns: dict[str, list[Any]]) -> None:
    """Insert incident rows column-wise: the ORM's ``bulk_create`` spends most of its time
    preparing each value of each row (several seconds for the demo's incidents). SQLite
    takes one ``executemany``; PostgreSQL one ``COPY`` (a statement a row, or long
    multi-row statements, cost psycopg seconds of parsing and round trips)."""
    meta = Incident._meta
    fields = [f for f in map(meta.get_field, columns) if isinstance(f, models.Field)]
    assert len(fields) == len(columns)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(str(f.column)) for f in fields)
    rows = list(zip(*columns.values(), strict=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The model's own table and column names only; the values are streamed.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Only the model's own table and column names are interpolated; values are
            # parameters.
            sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
                table, names, ", ".join(["%s"] * len(fields))
            )
            cursor.executemany(sql, rows)


def demo_incidents_load(*, town: DemoTown, seed: int, today: date, force: Organisation) -> Planted:
    """Write the generated incidents in bulk (source "demo", to the minute, snapped to map
    points, with the shared location and victim keys) and one audit event; returns what
    was planted."""
    plan = incidents_generate(town, seed, today)
    count = len(plan)
    area_ids = dict(
        Area.objects.filter(organisation=force, level=AreaLevel.NEIGHBOURHOOD).values_list(
            "code", "pk"
        )
    )
    point_area_ids = [area_ids[plan.area_codes[a]] for a in plan.points.area]
    point_keys = location_keys(plan.points.latitude.tolist(), plan.points.longitude.tolist())
    points = plan.point.tolist()
    categories = plan.category.tolist()
    zone = local_zone()
    ops = connection.ops
    local_times: list[datetime] = [
        t.replace(tzinfo=zone) for t in plan.occurred_at.astype("datetime64[m]").tolist()
    ]
    days = [t.date() for t in local_times]
    constant = {
        "organisation": force.pk,
        "source": IncidentSource.DEMO.value,
        "date_precision": DatePrecision.TIME.value,
        "lsoa_code": "",
        "lsoa_name": "",
        "context": "",
        "extra": Incident._meta.get_field("extra").get_db_prep_save({}, connection),
    }
    crime_ids = [
        "" if category == "anti-social-behaviour" else _crime_id(seed, index)
        for index, category in enumerate(categories)
    ]
    columns: dict[str, list[Any]] = {name: [value] * count for name, value in constant.items()}
    columns |= {
        "crime_id": crime_ids,
        # As an import keys them: the reference, or (anti-social behaviour) a content key.
        "row_key": incident_row_keys(
            [day.replace(day=1) for day in days],
            [crime_id or f"demo-{index:06d}" for index, crime_id in enumerate(crime_ids)],
        ),
        "category": categories,
        "month": [ops.adapt_datefield_value(day.replace(day=1)) for day in days],
        "occurred_on": [ops.adapt_datefield_value(day) for day in days],
        "occurred_at": [ops.adapt_datetimefield_value(t) for t in local_times],
        "latitude": plan.latitude.tolist(),
        "longitude": plan.longitude.tolist(),
        "location_text": [plan.points.text[p] for p in points],
        "area": [point_area_ids[p] for p in points],
        "outcome": plan.outcome,
        "location_key": [point_keys[p] for p in points],
        "victim_key": victim_keys(plan.victim),
    }
    with transaction.atomic():
        _insert(columns)
        summary: dict[str, Any] = {
            "seed": seed,
            "incidents": count,
            "map_points": len(plan.points),
            "hot_spots": [f"{h.kind}: {h.name} ({h.area})" for h in plan.planted.hot_spots],
            "near_repeat_series": len(plan.planted.series),
        }
        audit.record("demo.incidents.load", actor=None, obj=force, data=summary)
    return plan.planted
