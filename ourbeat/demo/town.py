"""A fictional town, generated deterministically from a seed: its outline, a tiling into
neighbourhoods with organic (non-rectangular) boundaries, two districts, and the people and
schedules of its neighbourhood teams. Pure data: ``services.demo_town_load`` writes it."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

TOWN_NAME = "Millbrook"
CENTRE_LAT, CENTRE_LNG = 53.0412, -1.4820
NEIGHBOURHOOD_NAMES = [
    "Old Town",
    "Riverside",
    "Mill Lane",
    "St Anne's",
    "Northgate",
    "Hollins Park",
    "Canal Side",
    "Westfield",
    "Brook End",
    "Station Quarter",
    "Cherry Hill",
    "Fairview",
    "Kingsmead",
    "Ashgrove",
]
DISTRICT_NAMES = ("Millbrook West", "Millbrook East")
VENUES = [
    "Library",
    "Community Centre",
    "Methodist Hall",
    "Youth Club",
    "Leisure Centre",
    "Sports Pavilion",
    "Health Centre",
    "Primary School hall",
    "Tenants' Hall",
    "Mosque community room",
]
STREETS = [
    "High Street",
    "Church Lane",
    "Mill Road",
    "Station Road",
    "Victoria Street",
    "Park Avenue",
    "Canal Walk",
    "Queen Street",
    "Market Place",
    "Chapel Row",
    "Bridge Street",
    "Albert Road",
]
FIRST_NAMES = [
    "Sarah",
    "James",
    "Aisha",
    "Tomasz",
    "Priya",
    "Daniel",
    "Olena",
    "Mohammed",
    "Emma",
    "Kwame",
    "Lucy",
    "Harpreet",
    "Liam",
    "Natalia",
    "Ryan",
    "Fatima",
    "Gareth",
    "Chloe",
    "Ionut",
    "Amira",
    "Joe",
    "Zainab",
    "Rebecca",
    "Marek",
    "Hannah",
    "Samuel",
    "Yusuf",
    "Megan",
    "Dmitri",
    "Grace",
    "Connor",
    "Leila",
    "Oliver",
    "Sana",
    "Kieran",
    "Ewa",
    "Adam",
    "Nadia",
    "Tom",
    "Ruth",
]
SURNAMES = [
    "Whitaker",
    "Okafor",
    "Kowalski",
    "Patel",
    "Hughes",
    "Shevchenko",
    "Rahman",
    "Clarke",
    "Mensah",
    "Singh",
    "Doyle",
    "Ivanova",
    "Brennan",
    "Hussain",
    "Price",
    "Moore",
    "Popescu",
    "Ali",
    "Fletcher",
    "Nowak",
    "Begum",
    "Turner",
    "Volkov",
    "Evans",
    "Murphy",
    "Khan",
    "Lewis",
    "Sokolova",
    "Wright",
    "Mahmood",
    "Barker",
    "Wood",
    "Farah",
    "Lambert",
]
EXTRA_LANGUAGES = [
    "pl",
    "ur",
    "pa",
    "ru",
    "ro",
    "ar",
    "uk",
    "bn",
    "hi",
    "lt",
    "fr",
    "es",
    "tr",
    "fa",
]
BACKGROUNDS = [
    "worked as a youth worker",
    "ran a café on the high street",
    "served in the Royal Navy",
    "taught maths at a secondary school",
    "worked for the ambulance service",
    "was a special constable for three years",
    "worked in retail management",
    "studied criminology at university",
    "worked as a care assistant",
    "drove buses in the town",
]
INTERESTS = [
    "road safety outside schools",
    "working with the local mosque and churches",
    "tackling anti-social behaviour in the parks",
    "bike marking and cycle theft prevention",
    "supporting older residents against scams",
    "youth football on Saturday mornings",
    "community speed watch",
    "keeping the canal towpath safe",
    "shop theft prevention with local traders",
]
EVENT_TITLES = [
    "Bike marking",
    "Coffee with your local officers",
    "Scam awareness session for older residents",
    "Community clean-up with the council",
    "Crime prevention advice day",
    "Youth football tournament",
]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]
LANDMARKS = ["a park", "a canal towpath", "two schools", "a market", "a retail park"]


@dataclass
class DemoArea:
    name: str
    code: str
    geometry: BaseGeometry
    population: int
    description: str
    district: str = ""


@dataclass
class DemoPerson:
    name: str
    rank: str
    role: str
    bio: str
    languages: list[str]
    email: str
    areas: list[str]  # codes
    membership_role: str
    membership_area: str  # code, "" for the whole organisation
    started_on: date
    photo_seed: int


@dataclass
class DemoContactPoint:
    area: str
    kind: str
    title: str
    description: str
    venue: str
    address: str
    accessibility: str
    latitude: float
    longitude: float
    starts_at: datetime  # local, naive
    duration_minutes: int
    rrule: str


@dataclass
class DemoTown:
    service: DemoArea
    districts: list[DemoArea]
    neighbourhoods: list[DemoArea]
    people: list[DemoPerson] = field(default_factory=list)
    contact_points: list[DemoContactPoint] = field(default_factory=list)
    commitments: dict[str, dict[str, float]] = field(default_factory=dict)
    logs: list[tuple[str, date, str, float]] = field(default_factory=list)
    # (area code, index of its contact point, which occurrence, "cancelled"/"moved", reason)
    changes: list[tuple[str, int, int, str, str]] = field(default_factory=list)


def _outline(rng: random.Random) -> Polygon:
    k = 1 / math.cos(math.radians(CENTRE_LAT))
    radius = 0.032
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    points = []
    for i in range(72):
        t = 2 * math.pi * i / 72
        r = radius * (
            1
            + 0.16 * math.sin(2 * t + phases[0])
            + 0.07 * math.sin(3 * t + phases[1])
            + 0.04 * math.sin(5 * t + phases[2])
        )
        points.append((CENTRE_LNG + r * math.cos(t) * k, CENTRE_LAT + r * math.sin(t)))
    return Polygon(points)


def _seeds(rng: random.Random, outline: Polygon, count: int) -> list[Point]:
    min_x, min_y, max_x, max_y = outline.bounds
    spacing = math.sqrt(outline.area / count) * 0.62
    seeds: list[Point] = []
    attempts = 0
    while len(seeds) < count:
        attempts += 1
        p = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if not outline.buffer(-spacing * 0.3).contains(p):
            continue
        if all(p.distance(s) >= spacing for s in seeds) or attempts > 20000:
            seeds.append(p)
    return seeds


def _warp(geometry: BaseGeometry, rng_phases: list[float]) -> BaseGeometry:
    """Bend straight Voronoi edges into streets-and-rivers-like curves with one smooth
    displacement field; shared vertices move together, so the tiling stays exact."""
    amplitude = 0.0011
    wave = 2 * math.pi / 0.013
    p1, p2, p3, p4 = rng_phases

    def move(coords: np.ndarray) -> np.ndarray:
        x, y = coords[:, 0], coords[:, 1]
        dx = amplitude * (0.6 * np.sin(wave * y + p1) + 0.4 * np.sin(1.7 * wave * (x + y) + p2))
        dy = amplitude * (0.6 * np.sin(wave * x + p3) + 0.4 * np.sin(1.3 * wave * (x - y) + p4))
        coords[:, 0] = x + dx
        coords[:, 1] = y + dy
        return coords

    return shapely.transform(geometry, move)


def _tiles(rng: random.Random, count: int) -> tuple[Polygon, list[Polygon]]:
    outline = _outline(rng)
    seeds = _seeds(rng, outline, count)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.envelope.buffer(0.05))
    ordered: list[Polygon] = []
    for seed in seeds:
        cell = next(c for c in cells.geoms if c.contains(seed))
        ordered.append(cell.intersection(outline))
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(4)]
    grid = 1e-7
    tiles = []
    for tile in ordered:
        dense = shapely.set_precision(shapely.segmentize(tile, 0.0006), grid)
        tiles.append(shapely.set_precision(_warp(dense, phases), grid))
    town = shapely.set_precision(unary_union(tiles), grid)
    return town, tiles


def _people_name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        if f"{first} {last}" not in used:
            used.add(f"{first} {last}")
            return first, last


def _bio(rng: random.Random, first: str, joined: int) -> str:
    return (
        f"{first} joined the police in {joined}. Before that, {first} "
        f"{rng.choice(BACKGROUNDS)}. On this team, {first} leads on "
        f"{rng.choice(INTERESTS)}."
    )


def _languages(rng: random.Random) -> list[str]:
    extra = rng.sample(EXTRA_LANGUAGES, k=rng.choice([0, 0, 1, 1, 2]))
    return ["en", *extra]


def generate(seed: int, today: date, neighbourhood_count: int = 12) -> DemoTown:
    rng = random.Random(seed)
    town, tiles = _tiles(rng, neighbourhood_count)
    names = rng.sample(NEIGHBOURHOOD_NAMES, k=neighbourhood_count)
    # West and east districts: split at the median longitude of the neighbourhood centres.
    centres = [t.representative_point().x for t in tiles]
    median = sorted(centres)[neighbourhood_count // 2]
    neighbourhoods = []
    for index, (tile, name) in enumerate(zip(tiles, names, strict=True), start=1):
        district = (
            DISTRICT_NAMES[0] if tile.representative_point().x < median else DISTRICT_NAMES[1]
        )
        neighbourhoods.append(
            DemoArea(
                name=name,
                code=f"MB{index:02d}",
                geometry=tile,
                population=rng.randrange(5200, 14800, 100),
                description=(
                    f"{name} is one of Millbrook's {neighbourhood_count} neighbourhoods, "
                    f"with homes, shops and {rng.choice(LANDMARKS)}."
                ),
                district=district,
            )
        )
    districts = [
        DemoArea(
            name=d,
            code=f"MBD{i}",
            geometry=shapely.set_precision(
                unary_union([n.geometry for n in neighbourhoods if n.district == d]), 1e-7
            ),
            population=sum(n.population for n in neighbourhoods if n.district == d),
            description=f"{d} district of Millbrook.",
        )
        for i, d in enumerate(DISTRICT_NAMES, start=1)
    ]
    service = DemoArea(
        name="Millbrook",
        code="MBS",
        geometry=town,
        population=sum(n.population for n in neighbourhoods),
        description="The whole of Millbrook.",
    )
    result = DemoTown(service=service, districts=districts, neighbourhoods=neighbourhoods)
    _add_people(rng, result, today)
    _add_schedules(rng, result, today)
    _add_visibility(rng, result, today)
    return result


def _person(
    rng: random.Random,
    used: set[str],
    today: date,
    rank: str,
    role: str,
    areas: list[str],
    membership_role: str,
    membership_area: str,
    max_years: int = 8,
) -> DemoPerson:
    first, last = _people_name(rng, used)
    started = today - timedelta(days=rng.randrange(60, 365 * max_years))
    joined = started.year - rng.randrange(0, 12)
    return DemoPerson(
        name=f"{first} {last}",
        rank=rank,
        role=role,
        bio=_bio(rng, first, joined),
        languages=_languages(rng),
        email=f"{first}.{last}@police.millbrook.example".lower().replace("'", ""),
        areas=areas,
        membership_role=membership_role,
        membership_area=membership_area,
        started_on=started,
        photo_seed=rng.randrange(1 << 30),
    )


def _add_people(rng: random.Random, town: DemoTown, today: date) -> None:
    used: set[str] = set()
    people = town.people
    people.append(
        _person(
            rng,
            used,
            today,
            "Chief Inspector",
            "Neighbourhood policing lead",
            [town.service.code],
            "supervisor",
            "",
        )
    )
    people.append(
        _person(
            rng,
            used,
            today,
            "Inspector",
            "Neighbourhood inspector",
            [town.service.code],
            "supervisor",
            town.service.code,
        )
    )
    for district in town.districts:
        codes = [n.code for n in town.neighbourhoods if n.district == district.name]
        people.append(
            _person(
                rng,
                used,
                today,
                "Sergeant",
                "Neighbourhood sergeant",
                codes,
                "supervisor",
                district.code,
            )
        )
    for n in town.neighbourhoods:
        people.append(
            _person(
                rng,
                used,
                today,
                "Police Constable",
                "Neighbourhood officer",
                [n.code],
                "officer",
                n.code,
            )
        )
        for _ in range(rng.choice([1, 1, 2])):
            people.append(
                _person(
                    rng,
                    used,
                    today,
                    "PCSO",
                    "Police community support officer",
                    [n.code],
                    "officer",
                    n.code,
                )
            )
    for _ in range(2):
        people.append(
            _person(
                rng,
                used,
                today,
                "Community Engagement Officer",
                "Police staff",
                [town.service.code],
                "officer",
                town.service.code,
            )
        )


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def _add_schedules(rng: random.Random, town: DemoTown, today: date) -> None:
    start_day = today.replace(day=1) - timedelta(days=62)
    for index, n in enumerate(town.neighbourhoods):
        point = n.geometry.representative_point()
        venue = f"{n.name} {rng.choice(VENUES)}"
        street = rng.choice(STREETS)
        nth, weekday = rng.choice([1, 2, 3]), rng.choice(WEEKDAYS)
        hour = rng.choice([10, 14, 18, 18, 19])
        town.contact_points.append(
            DemoContactPoint(
                area=n.code,
                kind="surgery",
                title=f"{n.name} police surgery",
                description="Drop in to raise a concern or ask for advice; no appointment needed.",
                venue=venue,
                address=f"{rng.randrange(1, 120)} {street}, Millbrook",
                accessibility=rng.choice(
                    [
                        "Step-free entrance and accessible toilet.",
                        "Ground floor, hearing loop available.",
                        "Step-free access via the side entrance.",
                    ]
                ),
                latitude=round(point.y, 6),
                longitude=round(point.x, 6),
                starts_at=_local(start_day, hour),
                duration_minutes=60,
                rrule=f"FREQ=MONTHLY;BYDAY=+{nth}{weekday}",
            )
        )
        town.contact_points.append(
            DemoContactPoint(
                area=n.code,
                kind="street_stall",
                title=f"Street stall in {n.name}",
                description="Find us with crime prevention leaflets, free bike marking and a chat.",
                venue=f"{street}, outside the shops",
                address="Millbrook",
                accessibility="Outdoors, on the pavement.",
                latitude=round(point.y + 0.0008, 6),
                longitude=round(point.x, 6),
                starts_at=_local(start_day, 10),
                duration_minutes=120,
                rrule="FREQ=MONTHLY;BYDAY=-1SA",
            )
        )
        if index % 2 == 0:
            town.contact_points.append(
                DemoContactPoint(
                    area=n.code,
                    kind="walk_and_talk",
                    title=f"Walk and talk: {n.name}",
                    description=(
                        "Walk the neighbourhood with your officers and show them what worries you."
                    ),
                    venue=f"Meet at {venue}",
                    address="Millbrook",
                    accessibility="A slow walk of about an hour on pavements.",
                    latitude=round(point.y, 6),
                    longitude=round(point.x, 6),
                    starts_at=_local(start_day + timedelta(days=rng.randrange(0, 7)), 16),
                    duration_minutes=75,
                    rrule=f"FREQ=WEEKLY;INTERVAL=2;BYDAY={rng.choice(WEEKDAYS)}",
                )
            )
        event_day = today + timedelta(days=rng.randrange(3, 40))
        town.contact_points.append(
            DemoContactPoint(
                area=n.code,
                kind="event",
                title=rng.choice(EVENT_TITLES),
                description="A community event with the neighbourhood team and partners.",
                venue=venue,
                address=f"{rng.randrange(1, 120)} {street}, Millbrook",
                accessibility="Step-free access.",
                latitude=round(point.y, 6),
                longitude=round(point.x, 6),
                starts_at=_local(event_day, rng.choice([10, 11, 13])),
                duration_minutes=180,
                rrule="",
            )
        )
        if index == 0:
            town.contact_points.append(
                DemoContactPoint(
                    area=n.code,
                    kind="front_counter",
                    title="Millbrook Police Station front counter",
                    description="Front counter for reporting and enquiries.",
                    venue="Millbrook Police Station",
                    address="1 Bridge Street, Millbrook",
                    accessibility="Step-free, hearing loop.",
                    latitude=round(point.y, 6),
                    longitude=round(point.x, 6),
                    starts_at=_local(start_day, 9),
                    duration_minutes=480,
                    rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                )
            )
    first = town.neighbourhoods[0].code
    second = town.neighbourhoods[1].code
    town.changes.append(
        (
            first,
            0,
            0,
            "cancelled",
            "Officers are needed at a planned operation; sorry for the short notice.",
        )
    )
    town.changes.append(
        (
            second,
            0,
            0,
            "moved",
            "The library is closed for repairs; we meet in the church hall instead.",
        )
    )


def _add_visibility(rng: random.Random, town: DemoTown, today: date) -> None:
    this_month = today.replace(day=1)
    for n in town.neighbourhoods:
        surgeries = rng.choice([2, 3, 4, 6])
        patrol = rng.choice([30, 40, 50, 60])
        town.commitments[n.code] = {
            "surgeries": surgeries,
            "foot_patrol_hours": patrol,
            "street_stalls": 1,
        }
        month = (this_month - timedelta(days=1)).replace(day=1)
        for _ in range(3):
            days_in_month = ((month + timedelta(days=32)).replace(day=1) - month).days
            share = rng.uniform(0.7, 1.25)
            hours_left = patrol * share
            for d in range(1, days_in_month + 1):
                if hours_left <= 0 or rng.random() < 0.3:
                    continue
                hours = min(hours_left, rng.choice([1.5, 2, 2.5, 3, 4]))
                town.logs.append((n.code, month.replace(day=d), "foot_patrol_hours", hours))
                hours_left -= hours
            held = max(0, round(surgeries * rng.uniform(0.6, 1.1)))
            for i in range(held):
                town.logs.append(
                    (n.code, month.replace(day=min(days_in_month, 3 + 5 * i)), "surgeries", 1)
                )
            town.logs.append(
                (n.code, month.replace(day=min(days_in_month, 27)), "street_stalls", 1)
            )
            month = (month - timedelta(days=1)).replace(day=1)
