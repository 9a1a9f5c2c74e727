"""A year of community concerns in the demo town, generated deterministically from the seed
and relative to ``today``: pure data (``concerns_generate``), then written through the real
concern services (``demo_concerns_load``) and backdated in bulk.

Each concern gets an intended outcome first; its timeline (confirmation, moderation, first
response, investigation, resolution, rating) is then laid out day by day and cut off at
the start of ``today``, so that old concerns are mostly closed and recent ones mostly open,
and some open ones have waited longer than the category's response commitment."""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import shapely
from django.db import connection, models, transaction
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from ourbeat.accounts.models import User
from ourbeat.concerns.models import (
    Category,
    Concern,
    Rating,
    Referral,
    Reporter,
    Status,
    Update,
    UpdateKind,
)
from ourbeat.concerns.selectors import commitment_due_dates
from ourbeat.concerns.services import (
    concern_assign,
    concern_change_category,
    concern_confirm,
    concern_hide,
    concern_mark_duplicate,
    concern_note,
    concern_publish,
    concern_rate,
    concern_refer,
    concern_reply,
    concern_respond,
    concern_set_status,
    concern_submit,
    public_cell,
    route,
    token_hash,
)
from ourbeat.core import audit
from ourbeat.core.permissions import CONCERN_HANDLER_ROLES
from ourbeat.core.text import mask_personal_details
from ourbeat.demo.categories import CATEGORIES
from ourbeat.demo.town import FIRST_NAMES, STREETS, SURNAMES, DemoTown
from ourbeat.places.models import Area, AreaLevel, Organisation
from ourbeat.places.services import area_touch
from ourbeat.teams.models import Assignment
from ourbeat.teams.schedule import local_zone

COUNCIL = "millbrook-council"
# The steps that the concern services record as the first response to the resident.
FIRST_RESPONSE_STEPS = ("status", "respond", "recategorise")
POLICE = "police"
EAST_DISTRICT_CODE = "MBD2"  # the second district, "Millbrook East"

# Relative frequency, the month with most reports (1-12), how strongly seasonal, and the
# hours of the day when residents notice it.
PROFILE: dict[str, tuple[float, int, float, list[int]]] = {
    "asb-noise": (12, 7, 0.45, [19, 20, 21, 22, 22, 23, 23, 0, 1]),
    "asb-groups": (9, 7, 0.4, [15, 16, 17, 18, 19, 20, 21, 22]),
    "asb-vandalism": (8, 8, 0.25, [7, 8, 9, 10, 12, 17, 18]),
    "drugs-dealing": (7, 6, 0.15, [11, 14, 16, 18, 20, 21, 22]),
    "drugs-litter": (7, 7, 0.35, [7, 8, 9, 10, 11, 13, 16]),
    "roads-speeding": (12, 4, 0.15, [7, 8, 8, 9, 15, 16, 17, 18]),
    "roads-parking": (11, 9, 0.15, [7, 8, 8, 9, 12, 15, 15, 18]),
    "street-light": (9, 12, 0.7, [17, 18, 19, 20, 21, 7, 8]),
    "street-flytipping": (8, 5, 0.25, [8, 9, 10, 11, 14, 16]),
    "safety-unsafe-place": (6, 11, 0.3, [16, 17, 18, 19, 20, 21]),
    "safety-hate": (2, 7, 0.1, [10, 13, 17, 19, 21]),
    "safety-vulnerable": (2, 1, 0.2, [9, 11, 14, 18, 20]),
}

# What a resident might pick for a concern that belongs in another category (staff then
# re-categorise it, which may re-route it).
CONFUSED_WITH = {
    "street-light": "safety-unsafe-place",
    "asb-groups": "asb-noise",
    "drugs-dealing": "asb-groups",
    "drugs-litter": "street-flytipping",
    "roads-parking": "roads-speeding",
}

DESCRIPTIONS: dict[str, list[str]] = {
    "asb-noise": [
        "Loud music from a flat above the shops on {street} most nights until 2am. It has "
        "been going on for weeks and my children cannot sleep.",
        "Motorbikes revving in the car park behind {street} late in the evening, going round "
        "and round for an hour at a time.",
        "Parties in the house on the corner of {street} every weekend, with shouting in the "
        "street when people leave.",
        "Someone has been letting off fireworks on {landmark} after dark for several nights.",
        "Car alarms and shouting outside the takeaway on {street} after closing time.",
    ],
    "asb-groups": [
        "A group of around ten young people gathers by {landmark} in the evenings, shouting "
        "at passers-by. Older residents now avoid walking that way.",
        "Youths on bikes riding at people on the pavement along {street} and swearing at "
        "anyone who says anything.",
        "People drinking on the benches by {landmark} from the afternoon onwards, leaving "
        "cans and being abusive to shoppers.",
        "A group keeps knocking on doors along {street} and running off, and has thrown "
        "eggs at windows twice this month.",
    ],
    "asb-vandalism": [
        "New graffiti tags all over the bus shelter on {street}, some of it offensive.",
        "The fence around {landmark} has been kicked in again and the panels are lying on "
        "the path.",
        "Car wing mirrors smashed along {street} overnight, at least five cars.",
        "Someone keeps setting fire to the bins behind {street}; the wall is blackened.",
        "The windows of the empty shop on {street} have been broken and the door forced.",
    ],
    "drugs-dealing": [
        "Cars pulling up by {landmark} for a minute or two, someone walks over, then they "
        "drive off. It happens many times an evening.",
        "A lot of people visiting one flat on {street} at all hours for a few minutes each, "
        "and a strong smell of cannabis on the stairs.",
        "Young teenagers on bikes seem to be running packages between {landmark} and the "
        "flats on {street}. I am worried they are being used.",
        "People openly smoking and selling cannabis on the path by {landmark} in the "
        "afternoons, when children walk home from school.",
    ],
    "drugs-litter": [
        "Used needles in the bushes by the play area at {landmark}. Children play here.",
        "Several syringes and foil on the path through {landmark} this morning, near the benches.",
        "Nitrous oxide canisters and a needle left by the steps at {landmark} again.",
        "Found a sharps bin tipped over and needles scattered behind the shelter at {landmark}.",
    ],
    "roads-speeding": [
        "Cars race along {street} outside the primary school, well over the limit, at "
        "drop-off and pick-up time.",
        "Speeding on {street} late at night; a car hit a parked van last month.",
        "Drivers use {street} as a rat run in the morning rush and go far too fast past "
        "the zebra crossing.",
        "Motorbikes doing wheelies and speeding along {street} on summer evenings.",
    ],
    "roads-parking": [
        "Cars parked on the zig-zags outside the school on {street} every morning, so "
        "children cannot be seen crossing.",
        "Vans parked across the dropped kerb on {street}, so wheelchair users have to go "
        "into the road.",
        "Cars parking on both pavements of {street} on match days; the bin lorry and an "
        "ambulance could not get through.",
        "A car has been parked on the double yellow lines at the junction of {street} for "
        "two weeks and blocks the view for drivers.",
    ],
    "street-light": [
        "The street light outside the alley on {street} has been out for a week; the alley "
        "is pitch dark and people use it to get to the station.",
        "Three lights out in a row along {street}. It feels unsafe walking home from work.",
        "The lamp by the footpath into {landmark} flickers and goes off for most of the night.",
        "The light at the bus stop on {street} is broken, so the stop is completely dark "
        "in the evening.",
    ],
    "street-flytipping": [
        "A pile of mattresses and bin bags dumped in the lane behind {street}.",
        "Builders' rubble and a fridge tipped by the entrance to {landmark}.",
        "Someone has dumped a sofa and boxes of rubbish on the verge of {street}; rats "
        "have been seen.",
        "Garden waste and old tyres dumped in the ginnel off {street} again.",
    ],
    "safety-unsafe-place": [
        "The underpass near {landmark} is dark, smells of urine and has broken glass; "
        "women I know avoid it after dark.",
        "The path along {landmark} is overgrown and unlit; I was followed there last week "
        "and felt very unsafe.",
        "The empty building on {street} has been broken into and people seem to be "
        "sleeping and drinking there.",
        "The alley between {street} and the car park has no light and hidden corners; "
        "there have been muggings nearby.",
    ],
    "safety-hate": [
        "Racist graffiti sprayed on the wall of the community centre near {street}.",
        "My neighbour and her children were shouted at and called names because of her "
        "headscarf, near {landmark}.",
        "Stickers with hateful slogans have been put on lamp posts along {street}.",
    ],
    "safety-vulnerable": [
        "An elderly man on {street} seems confused and has been seen wandering at night in "
        "his slippers.",
        "I am worried about a young woman who seems to be sleeping rough near {landmark}; "
        "she looks unwell.",
        "A neighbour on {street} has not been seen for days and the post is piling up.",
    ],
}

LANDMARKS = [
    "the park",
    "the recreation ground",
    "the canal towpath",
    "the library",
    "the shops",
    "the community centre",
    "the playing fields",
    "the station",
    "the church",
    "the old mill",
    "the allotments",
]

# Personal details residents put in the text; masked when the concern is published.
PERSONAL_DETAILS = [
    " You can call me on {phone} if you need more details.",
    " Please e-mail me at {email} with any news.",
    " The car involved is a silver hatchback, registration {plate}.",
    " A white van, registration {plate}, is there most days.",
    " My number is {phone}, any time after 5.",
]
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTVWXY"

ACKNOWLEDGE = [
    "Thank you for raising this. The neighbourhood team has it and will look into it.",
    "Thanks for letting us know. We have passed this to the officers for your area.",
    "Thank you. We have logged this and an officer will be in touch with an update.",
]
ACKNOWLEDGE_COUNCIL = [
    "Thank you for reporting this. The council's team has the details and will visit.",
    "Thanks, this has been logged with our street services team.",
]
INVESTIGATE: dict[str, str] = {
    "asb-noise": "Officers have spoken to neighbours and are gathering times and dates.",
    "asb-groups": "Patrols have been added in the evenings and officers are identifying "
    "those involved.",
    "asb-vandalism": "We are checking CCTV from nearby premises.",
    "drugs-dealing": "This information is being looked at alongside other reports. We cannot "
    "say more at this stage, but it is being acted on.",
    "drugs-litter": "The area has been checked and we are looking at how often it recurs.",
    "roads-speeding": "We have asked for a speed survey on this road.",
    "roads-parking": "Officers will visit at the times you mentioned.",
    "street-light": "An engineer has been asked to inspect the column.",
    "street-flytipping": "Our enforcement officer is looking for evidence of who left it.",
    "safety-unsafe-place": "We have walked the area with a council officer to see what would help.",
    "safety-hate": "An officer will contact you. Hate incidents are taken seriously and recorded.",
    "safety-vulnerable": "An officer has visited and is working with adult social care.",
}
PLAN: dict[str, str] = {
    "asb-noise": "A warning letter is going to the address and the council's noise team "
    "will install monitoring equipment.",
    "asb-groups": "Youth workers will be out on Friday and Saturday evenings for the next "
    "month, with officers on foot patrol.",
    "asb-vandalism": "The council will remove the graffiti this week; patrols will include "
    "the spot.",
    "drugs-dealing": "Action is planned. Please keep reporting what you see; it all helps.",
    "drugs-litter": "The site is on the daily sharps sweep for the next four weeks and the "
    "bushes will be cut back.",
    "roads-speeding": "Speed checks with the community speed watch team are booked for the "
    "next fortnight.",
    "roads-parking": "Officers will patrol at school times and issue tickets where they can.",
    "street-light": "A repair is booked; the column needs a new lantern.",
    "street-flytipping": "A clearance is booked for this week.",
    "safety-unsafe-place": "The council will cut back the vegetation and add lighting; "
    "patrols will pass in the evenings meanwhile.",
    "safety-hate": "Extra patrols and a visit to the community centre are planned.",
    "safety-vulnerable": "A support plan is in place with the care services.",
}
RESOLVED: dict[str, str] = {
    "asb-noise": "The noise has stopped since the warning. Please report it again if it returns.",
    "asb-groups": "Reports have fallen away since the patrols and youth work; those "
    "involved and their families have been spoken to.",
    "asb-vandalism": "The damage has been repaired and the graffiti removed.",
    "drugs-dealing": "A warrant was carried out at an address nearby and two people were "
    "arrested. Thank you to everyone who reported.",
    "drugs-litter": "The needles were removed safely and the area has been cleared.",
    "roads-speeding": "Speed checks were carried out and several drivers were stopped and "
    "dealt with. The road is now on the regular enforcement rota.",
    "roads-parking": "Tickets were issued and the school has reminded parents. The parking "
    "has improved.",
    "street-light": "The light has been repaired.",
    "street-flytipping": "The waste has been cleared.",
    "safety-unsafe-place": "The path has been cut back and a new light fitted.",
    "safety-hate": "The graffiti has been removed and the incident recorded; we are in "
    "touch with the people affected.",
    "safety-vulnerable": "The person is safe and receiving support.",
}
CLOSED = [
    "There have been no further reports since the patrols, so we are closing this for now. "
    "Please tell us if it starts again.",
    "We could not find evidence to act on at this time and are closing this. Reports like "
    "yours still help us decide where to patrol.",
    "Closing this as the issue seems to have settled. Thank you for raising it.",
]
NOT_POLICE_MATTER: dict[str, tuple[str, str]] = {
    "asb-noise": (
        "Noise from a home is dealt with by the council's environmental health team.",
        "Report it to Millbrook Borough Council's noise service on its website, or call "
        "the council's out-of-hours line.",
    ),
    "roads-parking": (
        "Parking on a pavement or yellow lines is enforced by the council's civil parking "
        "officers.",
        "Report it to the council's parking services online.",
    ),
    "street-flytipping": (
        "Fly-tipping is cleared and investigated by the council.",
        "Use the council's fly-tipping report form; it goes straight to street services.",
    ),
    "asb-vandalism": (
        "Damage to the bus shelter is for the bus operator to repair.",
        "Report it to Millbrook Buses customer services, quoting the stop name.",
    ),
    "safety-unsafe-place": (
        "The land is privately owned; the owner is responsible for securing it.",
        "The council's planning enforcement team can require the owner to make it safe.",
    ),
}
NOTES = [
    "Linked to two earlier reports from the same street.",
    "Checked the incident log: three calls from this location in the last month.",
    "Spoke to the reporter by phone; happy to be contacted again.",
    "Added to the evening patrol plan for this week.",
    "Raised at the partnership meeting; the council will share their records.",
    "Possible link to the address already known to the team. Do not share details.",
    "Reporter was upset on the phone; offered a visit.",
]
REFERRAL_NOTES = [
    "This needs a clean-up and repairs that the council carries out.",
    "Council to cut back vegetation and check the lighting.",
    "For the council's street services; we will keep patrolling.",
]
COUNCIL_TAKES = [
    "The council has taken this on and will arrange the work.",
    "Thank you, street services have the details and will visit.",
]
REPLIES = [
    "Thank you for the update.",
    "It happened again last night, around the same time.",
    "Is there any news on this? It is still going on.",
    "Thanks, I have noticed more patrols this week.",
    "I am happy to talk to an officer if that helps.",
    "It is better now, thank you for sorting it.",
]
RATING_COMMENTS = [
    "Quick and polite, thank you.",
    "It took a long time but it was sorted in the end.",
    "Nobody told me what was happening for weeks.",
    "The officer who called me was very kind.",
    "Still happening, to be honest.",
    "",
    "",
    "",
]
HIDE_REASONS = [
    "The report names a private individual.",
    "Abusive language; the reporter has been asked to resubmit.",
    "Contains details of an ongoing investigation.",
]
# The steps that add one entry to the concern's thread.
UPDATE_KINDS = frozenset(
    {"status", "respond", "note", "reply", "refer", "recategorise", "duplicate"}
)
OPEN = frozenset({"submitted", "acknowledged", "investigating", "action_scheduled"})
CHANNELS = ["web"] * 16 + ["open311"] * 3 + ["phone"] * 1


@dataclass
class DemoEvent:
    """One step of a concern's timeline. ``actor`` is ``"police:N"`` (the N-th officer of
    the concern's neighbourhood, modulo), ``"council"`` or ``"resident"``."""

    kind: str  # confirm publish hide status respond note reply refer recategorise duplicate rate
    at: datetime  # local, naive
    actor: str = "resident"
    text: str = ""
    status: str = ""
    note: str = ""
    target: str = ""  # an organisation slug or category code
    duplicate_of: int | None = None  # index in the list of concerns
    rating: tuple[bool, int, bool, str] | None = None


@dataclass
class DemoConcern:
    index: int
    category: str  # as reported
    area: str
    latitude: float
    longitude: float
    location_text: str
    description: str
    reported_at: datetime  # local, naive
    channel: str
    answers: dict[str, Any]
    reporter_name: str
    reporter_email: str
    reporter_phone: str
    show_name: bool
    supporters: int
    personal_details: bool  # the description holds a phone, e-mail or plate
    events: list[DemoEvent] = field(default_factory=list)

    @property
    def final_category(self) -> str:
        """The category after the whole timeline (staff may have moved it)."""
        moved = [e.target for e in self.events if e.kind == "recategorise" and e.target]
        return moved[-1] if moved else self.category

    @property
    def status(self) -> str:
        """The status after the whole timeline."""
        current = "submitted"
        for event in self.events:
            if event.kind == "status":
                current = event.status
            elif event.kind == "duplicate":
                current = "duplicate"
        return current


def _random_point(rng: random.Random, geometry: BaseGeometry) -> tuple[float, float]:
    min_x, min_y, max_x, max_y = geometry.bounds
    while True:
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if geometry.contains(Point(x, y)):
            return round(y, 6), round(x, 6)


def _near(
    rng: random.Random, geometry: BaseGeometry, centre: tuple[float, float], spread: float
) -> tuple[float, float]:
    """A point scattered around ``centre`` (lat, lng), kept inside ``geometry``."""
    for _ in range(50):
        lat = centre[0] + rng.gauss(0, spread)
        lng = centre[1] + rng.gauss(0, spread * 1.6)
        if geometry.contains(Point(lng, lat)):
            return round(lat, 6), round(lng, 6)
    return centre


def _working(moment: datetime, rng: random.Random) -> datetime:
    """Move a staff action into office hours (Monday to Friday, 8:00-18:00)."""
    if moment.hour >= 18:
        moment = datetime.combine(moment.date() + timedelta(days=1), time(8)) + timedelta(
            minutes=rng.randrange(0, 120)
        )
    elif moment.hour < 8:
        moment = datetime.combine(moment.date(), time(8)) + timedelta(minutes=rng.randrange(0, 120))
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def _responsible(category: str, district: str) -> str:
    routes = next(c for c in CATEGORIES if c["code"] == category).get("routes", {})
    if district in routes:
        return POLICE if routes[district] != COUNCIL else COUNCIL
    if None in routes:
        return POLICE if routes[None] != COUNCIL else COUNCIL
    return POLICE


def _personal(rng: random.Random, first: str, last: str) -> str:
    template = rng.choice(PERSONAL_DETAILS)
    plate = (
        "".join(rng.choice(PLATE_LETTERS) for _ in range(2))
        + f"{rng.randrange(10, 75):02d} "
        + "".join(rng.choice(PLATE_LETTERS) for _ in range(3))
    )
    return template.format(
        phone=f"07700 900{rng.randrange(0, 1000):03d}",
        email=f"{first}.{last}@example.com".lower().replace("'", ""),
        plate=plate,
    )


def concerns_generate(town: DemoTown, seed: int, today: date) -> list[DemoConcern]:
    """About 550 concerns reported over the year before ``today``, sorted by report time."""
    rng = random.Random(seed * 1_000_003 + 311)
    horizon = datetime.combine(today, time(0))
    codes = [spec["code"] for spec in CATEGORIES]
    specs = {spec["code"]: spec for spec in CATEGORIES}
    areas = {n.code: n for n in town.neighbourhoods}
    area_codes = sorted(areas)
    district_code = {
        n.code: ("MBD1" if n.district == town.districts[0].name else EAST_DISTRICT_CODE)
        for n in town.neighbourhoods
    }
    inner = {code: areas[code].geometry.buffer(-0.0003) for code in area_codes}
    for geometry in inner.values():
        shapely.prepare(geometry)
    # Some neighbourhoods are busier than others, and each category has a hot spot.
    busy = {code: rng.uniform(0.4, 2.2) for code in area_codes}
    hot_area = {code: rng.choice(area_codes) for code in codes}
    park_area = hot_area["drugs-litter"]
    park = _random_point(rng, inner[park_area].buffer(-0.002))
    hot_point = {code: _random_point(rng, inner[hot_area[code]]) for code in codes}
    hot_point["drugs-litter"] = park
    # A pool of residents, some of whom report more than once.
    residents: list[tuple[str, str]] = []
    used: set[str] = set()
    while len(residents) < 320:
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        number = rng.randrange(1, 99)
        email = f"{first}.{last}{number}@{rng.choice(['example.org', 'example.com'])}"
        email = email.lower().replace("'", "")
        if email in used:
            continue
        used.add(email)
        residents.append((f"{first} {last}", email))

    count = rng.randrange(520, 640)
    weights = [PROFILE[code][0] for code in codes]
    raw: list[tuple[datetime, str, str, tuple[float, float]]] = []
    for number in range(count):
        # Every category and every neighbourhood has at least one concern.
        category = codes[number] if number < len(codes) else rng.choices(codes, weights)[0]
        _base, peak, amplitude, hours = PROFILE[category]
        if number < len(area_codes):
            area = area_codes[number]
        elif rng.random() < 0.3:
            area = hot_area[category]
        else:
            area = rng.choices(area_codes, [busy[c] for c in area_codes])[0]
        # Seasonality, and use of the site growing over the year.
        while True:
            age = rng.randrange(1, 366)
            day = today - timedelta(days=age)
            season = 1 + amplitude * math.cos(2 * math.pi * (day.month - peak) / 12)
            growth = 0.75 + 0.25 * (365 - age) / 365
            if rng.random() < season * growth / (1 + amplitude):
                break
        reported = datetime.combine(day, time(rng.choice(hours), rng.randrange(60)))
        if area == hot_area[category] and (category == "drugs-litter" or rng.random() < 0.5):
            point = _near(rng, inner[area], hot_point[category], 0.0012)
        else:
            point = _random_point(rng, inner[area])
        raw.append((reported, category, area, point))
    raw.sort()

    concerns: list[DemoConcern] = []
    for index, (reported, category, area, (lat, lng)) in enumerate(raw):
        name, email = rng.choice(residents)
        first, last = name.split(" ", 1)
        landmark = rng.choice(LANDMARKS)
        if category == "drugs-litter" and area == park_area:
            landmark = "the park"
        street = rng.choice(STREETS)
        description = rng.choice(DESCRIPTIONS[category]).format(street=street, landmark=landmark)
        personal = rng.random() < 0.06
        if personal:
            description += _personal(rng, first, last)
        answers: dict[str, Any] = {}
        questions = {q["code"] for q in specs[category].get("questions", [])}
        if "time_of_day" in questions and rng.random() < 0.7:
            answers["time_of_day"] = rng.choice(["morning", "afternoon", "evening", "night"])
        if "column_number" in questions and rng.random() < 0.5:
            answers["column_number"] = f"{rng.randrange(1, 400)}"
        true_category = category
        if category in CONFUSED_WITH and rng.random() < 0.06:
            category = CONFUSED_WITH[category]  # what the resident picked
        concern = DemoConcern(
            index=index,
            category=category,
            area=area,
            latitude=lat,
            longitude=lng,
            location_text=rng.choice([f"{street}", f"{street}, near {landmark}", ""]),
            description=description,
            reported_at=reported,
            channel=rng.choice(CHANNELS),
            answers=answers,
            reporter_name=name if rng.random() < 0.8 else "",
            reporter_email=email,
            reporter_phone=f"07700 900{rng.randrange(0, 1000):03d}" if rng.random() < 0.3 else "",
            show_name=rng.random() < 0.2,
            supporters=0,
            personal_details=personal,
        )
        _timeline(
            rng,
            concern,
            true_category,
            district_code[area],
            specs[true_category],
            concerns,
            horizon,
        )
        concern.events.sort(key=lambda event: event.at)
        if concern.status in OPEN:
            concern.supporters = min(int(rng.expovariate(0.45)), 25)
        concerns.append(concern)
    return concerns


def _timeline(
    rng: random.Random,
    concern: DemoConcern,
    true_category: str,
    district: str,
    spec: dict[str, Any],
    earlier: list[DemoConcern],
    horizon: datetime,
) -> None:
    """Lay out the concern's steps toward an intended outcome, cut off at ``horizon``."""
    events = concern.events
    officer = f"police:{rng.randrange(100)}"
    moderator = f"police:{rng.randrange(100)}"
    category = concern.category
    responsible = _responsible(category, district)

    def staff() -> str:
        return "council" if responsible == COUNCIL else officer

    def add(event: DemoEvent) -> bool:
        if event.at >= horizon:
            return False
        events.append(event)
        return True

    roll = rng.random()
    original = None
    if roll < 0.08:
        candidates = [
            c
            for c in earlier[-150:]
            # Both as they end: this one is moved to its true category before it is marked.
            if c.final_category == true_category
            and c.area == concern.area
            and c.status != "duplicate"
            and any(e.kind == "publish" for e in c.events)
            and (concern.reported_at - c.reported_at).days < 45
        ]
        original = candidates[-1] if candidates else None
    if original is not None:
        outcome = "duplicate"
    else:
        outcome = rng.choices(
            [
                "unconfirmed",
                "unpublished",
                "ignored",
                "resolved",
                "closed",
                "not_police_matter",
                "long",
            ],
            [4, 1, 2, 58, 14, 10 if true_category in NOT_POLICE_MATTER else 0, 7],
        )[0]
    if outcome == "unconfirmed":
        return
    at = concern.reported_at + timedelta(minutes=rng.randrange(3, 360))
    if not add(DemoEvent("confirm", at)):
        return
    if outcome == "unpublished":
        return
    # Moderation: sometimes slow, which leaves a few confirmed concerns waiting.
    at = _working(at + timedelta(hours=rng.uniform(0.5, 30)), rng)
    if not add(DemoEvent("publish", at, actor=moderator)):
        return
    if rng.random() < 0.015:
        add(
            DemoEvent(
                "hide", at + timedelta(minutes=20), actor=moderator, text=rng.choice(HIDE_REASONS)
            )
        )
    if outcome == "ignored":
        return
    if true_category != category:
        at = _working(at + timedelta(hours=rng.uniform(1, 20)), rng)
        new_spec = next(c for c in CATEGORIES if c["code"] == true_category)
        text = (
            f"We have moved this to \u201c{new_spec['name']}\u201d so that the right team sees it."
        )
        if not add(DemoEvent("recategorise", at, actor=staff(), text=text, target=true_category)):
            return
        category = true_category
        responsible = _responsible(category, district)
    if outcome == "duplicate":
        assert original is not None
        at = _working(at + timedelta(hours=rng.uniform(1, 40)), rng)
        add(DemoEvent("duplicate", at, actor=staff(), duplicate_of=original.index))
        return
    if outcome == "not_police_matter" and responsible == POLICE:
        at = _working(at + timedelta(hours=rng.uniform(2, 50)), rng)
        text, note = NOT_POLICE_MATTER[category]
        if add(
            DemoEvent("status", at, actor=staff(), status="not_police_matter", text=text, note=note)
        ):
            _rate(rng, concern, at, "not_police_matter", horizon)
        return
    # The first response: usually within the commitment, sometimes well past it.
    first_days = int(spec.get("first", 2))
    late = rng.random() < 0.12
    delay = rng.uniform(first_days * 1.5, first_days * 5) if late else rng.uniform(0.1, first_days)
    at = _working(at + timedelta(days=delay), rng)
    texts = ACKNOWLEDGE_COUNCIL if responsible == COUNCIL else ACKNOWLEDGE
    if not add(
        DemoEvent("status", at, actor=staff(), status="acknowledged", text=rng.choice(texts))
    ):
        return
    if rng.random() < 0.4:
        note_at = _working(at + timedelta(hours=rng.uniform(1, 30)), rng)
        add(DemoEvent("note", note_at, actor=staff(), text=rng.choice(NOTES)))
    if rng.random() < 0.2:
        reply_at = at + timedelta(hours=rng.uniform(2, 60))
        add(DemoEvent("reply", reply_at, text=rng.choice(REPLIES[:5])))
    if (
        responsible == POLICE
        and category in {"asb-vandalism", "safety-unsafe-place", "drugs-litter", "asb-groups"}
        and rng.random() < 0.3
    ):
        at = _working(at + timedelta(days=rng.uniform(0.5, 3)), rng)
        if not add(
            DemoEvent("refer", at, actor=staff(), target=COUNCIL, note=rng.choice(REFERRAL_NOTES))
        ):
            return
        responsible = COUNCIL
        at = _working(at + timedelta(days=rng.uniform(0.2, 2)), rng)
        if not add(DemoEvent("respond", at, actor=staff(), text=rng.choice(COUNCIL_TAKES))):
            return
    plan_days = int(spec.get("plan", 10))
    steps = ["investigating", "action_scheduled"]
    if outcome != "long":
        steps = [s for s in steps if rng.random() < 0.7]
    for step in steps:
        at = _working(at + timedelta(days=rng.uniform(1, plan_days * 0.8)), rng)
        text = INVESTIGATE[category] if step == "investigating" else PLAN[category]
        if not add(DemoEvent("status", at, actor=staff(), status=step, text=text)):
            return
        if rng.random() < 0.15:
            reply_at = at + timedelta(hours=rng.uniform(2, 80))
            add(DemoEvent("reply", reply_at, text=rng.choice(REPLIES[:5])))
    if outcome == "long":
        if rng.random() < 0.5:
            at = _working(at + timedelta(days=rng.uniform(5, 30)), rng)
            add(
                DemoEvent(
                    "respond",
                    at,
                    actor=staff(),
                    text="Still working on this with our partners; thank you for your patience.",
                )
            )
        return
    if rng.random() < 0.3:
        at = _working(at + timedelta(days=rng.uniform(1, 8)), rng)
        if not add(
            DemoEvent(
                "respond",
                at,
                actor=staff(),
                text="A quick update: officers visited again this week and are keeping an "
                "eye on it.",
            )
        ):
            return
    at = _working(at + timedelta(days=rng.uniform(2, 25)), rng)
    final = outcome if outcome in {"resolved", "closed"} else "resolved"
    text = RESOLVED[category] if final == "resolved" else rng.choice(CLOSED)
    if not add(DemoEvent("status", at, actor=staff(), status=final, text=text)):
        return
    _rate(rng, concern, at, final, horizon)


def _rate(
    rng: random.Random, concern: DemoConcern, closed_at: datetime, status: str, horizon: datetime
) -> None:
    if rng.random() > 0.75:
        return
    resolved = rng.random() < {"resolved": 0.85, "closed": 0.35}.get(status, 0.1)
    if resolved:
        satisfied = rng.choices([2, 3, 4, 5], [1, 2, 5, 6])[0]
    else:
        satisfied = rng.choices([1, 2, 3, 4], [4, 4, 3, 1])[0]
    respectful = rng.random() < (0.95 if satisfied >= 3 else 0.7)
    comment = rng.choice(RATING_COMMENTS)
    at = closed_at + timedelta(hours=rng.uniform(1, 120))
    if at < horizon:
        concern.events.append(
            DemoEvent("rate", at, rating=(resolved, satisfied, respectful, comment))
        )
    if status == "resolved" and rng.random() < 0.2:
        reply_at = closed_at + timedelta(hours=rng.uniform(1, 48))
        if reply_at < horizon:
            concern.events.append(DemoEvent("reply", reply_at, text=REPLIES[5]))


def _update_rows(model: type[models.Model], fields: list[str], objects: list[Any]) -> None:
    """Write ``fields`` of many rows in one ``executemany``: far faster than ``bulk_update``'s
    CASE expressions for a few thousand demo rows, and the same on SQLite and PostgreSQL."""
    if not objects:
        return
    meta = model._meta
    columns: list[Any] = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    # Only the model's own table and column names are interpolated; values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(f"{quote(column.column)} = %s" for column in columns),
        quote(str(meta.pk.column) if meta.pk else "id"),
    )
    rows = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class _Applier:
    """Applies a concern's planned steps either through the concern services (recent
    concerns: each step validated and audited as if staff had clicked it) or in memory for
    bulk writing (the older history, which would otherwise make the demo load slow). The
    in-memory path does what the services do: masking, routing, thread entries."""

    def __init__(self, force: Organisation) -> None:
        self.categories = {c.code: c for c in Category.objects.filter(organisation=force)}
        self.council = Organisation.objects.get(slug=COUNCIL)
        self.council_user = User.objects.get(email="council@demo.ourbeat.example")
        self.officers: dict[str, list[Any]] = {}
        for assignment in (
            Assignment.objects.filter(area__organisation=force, area__level=AreaLevel.NEIGHBOURHOOD)
            .select_related("profile__user", "area")
            .order_by("area__code", "order", "profile__user__email")
        ):
            if assignment.profile.user is not None:
                self.officers.setdefault(assignment.area.code, []).append(assignment.profile.user)
        self.zone = local_zone()
        self.areas = {
            a.code: a
            for a in Area.objects.filter(
                organisation=force, level=AreaLevel.NEIGHBOURHOOD
            ).select_related("organisation", "parent")
        }
        self.stored: list[Concern] = []
        self.live: set[int] = set()
        self.update_times: dict[int, list[datetime]] = {}
        self.rating_times: dict[int, datetime] = {}
        self.referral_times: dict[int, list[datetime]] = {}
        self.handlers: dict[int, tuple[Any, list[Concern]]] = {}
        self.duplicates: dict[int, int] = {}
        self.new_updates: list[Update] = []
        self.new_ratings: list[Rating] = []
        self.new_referrals: list[Referral] = []

    def aware(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=self.zone)

    def actor(self, concern: Concern, name: str) -> Any:
        if name == "council":
            return self.council_user
        if name.startswith("police:"):
            team = self.officers.get(concern.area.code) or [self.council_user]
            return team[int(name.split(":")[1]) % len(team)]
        return None

    def insert_history(self, items: list[DemoConcern]) -> None:
        """File the older concerns in bulk, as ``concern_submit`` would (routing, public
        cell, a reporter held apart with a secret token), in report order."""
        routes: dict[tuple[str, str], Organisation] = {}
        concerns = []
        for item in items:
            category = self.categories[item.category]
            area = self.areas[item.area]
            if (item.category, item.area) not in routes:
                routes[item.category, item.area] = route(category, area)
            concerns.append(
                Concern(
                    reference=f"pending-{secrets.token_hex(6)}",
                    category=category,
                    area=area,
                    responsible=routes[item.category, item.area],
                    latitude=item.latitude,
                    longitude=item.longitude,
                    public_cell=public_cell(category, item.latitude, item.longitude),
                    location_text=item.location_text.strip(),
                    description=item.description.strip(),
                    answers=item.answers,
                    channel=item.channel,
                    created_at=self.aware(item.reported_at),
                    **commitment_due_dates(category, self.aware(item.reported_at)),
                )
            )
        Concern.objects.bulk_create(concerns, batch_size=500)
        if concerns and concerns[0].pk is None:  # a backend that returns no primary keys
            concerns = list(Concern.objects.filter(reference__startswith="pending-").order_by("id"))
        prefix = self.areas[items[0].area].organisation.slug[:3].upper() if items else ""
        for concern in concerns:
            concern.reference = f"{prefix}-{concern.created_at:%y}-{concern.pk:06d}"
        _update_rows(Concern, ["reference"], concerns)
        Reporter.objects.bulk_create(
            [
                Reporter(
                    concern=concern,
                    name=item.reporter_name,
                    email=item.reporter_email,
                    phone=item.reporter_phone,
                    show_name=item.show_name,
                    token_hash=token_hash(secrets.token_urlsafe(24)),
                )
                for item, concern in zip(items, concerns, strict=True)
            ],
            batch_size=500,
        )
        for item, concern in zip(items, concerns, strict=True):
            self.apply(item, concern, "")

    def load(self, item: DemoConcern) -> None:
        """File a recent concern and take every step through the concern services."""
        submitted = concern_submit(
            category=self.categories[item.category],
            latitude=item.latitude,
            longitude=item.longitude,
            description=item.description,
            channel=item.channel,
            location_text=item.location_text,
            answers=item.answers,
            reporter_name=item.reporter_name,
            reporter_email=item.reporter_email,
            reporter_phone=item.reporter_phone,
            show_name=item.show_name,
        )
        self.live.add(submitted.concern.pk)
        self.apply(item, submitted.concern, submitted.token)

    def apply(self, item: DemoConcern, concern: Concern, token: str) -> None:
        live = concern.pk in self.live
        handler: Any = None
        for event in item.events:
            actor = self.actor(concern, event.actor)
            if live:
                concern = self.through_services(concern, token, event, actor)
            else:
                self.in_memory(concern, event, actor)
            if event.kind == "duplicate":
                assert event.duplicate_of is not None
                self.duplicates[event.duplicate_of] = self.duplicates.get(event.duplicate_of, 0) + 1
            if actor is not None and event.kind in {"status", "respond", "refer"}:
                handler = actor
        if handler is not None and concern.status in OPEN:
            # The open concern stays with whoever handled it last, if they may hold it.
            self.handlers.setdefault(handler.pk, (handler, []))[1].append(concern)
        self.stored.append(concern)

    def through_services(
        self, concern: Concern, token: str, event: DemoEvent, actor: Any
    ) -> Concern:
        at = self.aware(event.at)
        if event.kind == "confirm":
            concern = concern_confirm(token=token)
        elif event.kind == "publish":
            concern_publish(concern=concern, actor=actor)
        elif event.kind == "hide":
            concern_hide(concern=concern, actor=actor, reason=event.text)
            concern.hidden = True
        elif event.kind == "status":
            concern_set_status(
                concern=concern, actor=actor, status=event.status, text=event.text, note=event.note
            )
        elif event.kind == "respond":
            concern_respond(concern=concern, actor=actor, text=event.text)
        elif event.kind == "note":
            concern_note(concern=concern, actor=actor, text=event.text)
        elif event.kind == "reply":
            concern_reply(token=token, text=event.text)
        elif event.kind == "refer":
            concern_refer(concern=concern, actor=actor, to=self.council, note=event.note)
            self.referral_times.setdefault(concern.pk, []).append(at)
        elif event.kind == "recategorise":
            concern_change_category(
                concern=concern,
                actor=actor,
                category=self.categories[event.target],
                note=event.text,
            )
        elif event.kind == "duplicate":
            assert event.duplicate_of is not None
            original = self.stored[event.duplicate_of]
            concern_mark_duplicate(concern=concern, actor=actor, original=original)
        elif event.kind == "rate":
            assert event.rating is not None
            resolved, satisfied, respectful, comment = event.rating
            concern_rate(
                token=token,
                resolved=resolved,
                satisfied=satisfied,
                respectful=respectful,
                comment=comment,
            )
            self.rating_times[concern.pk] = at
        if event.kind in UPDATE_KINDS:
            self.update_times.setdefault(concern.pk, []).append(at)
        return concern

    def in_memory(self, concern: Concern, event: DemoEvent, actor: Any) -> None:
        at = self.aware(event.at)

        def entry(kind: str, text: str, *, public: bool, status: str = "") -> None:
            self.new_updates.append(
                Update(
                    concern=concern,
                    kind=kind,
                    author=actor,
                    author_label=str(actor) if actor is not None else "",
                    status=status,
                    text=mask_personal_details(text) if public else text,
                    public=public,
                    created_at=at,
                )
            )

        if event.kind == "confirm":
            concern.confirmed_at = at
        elif event.kind == "publish":
            concern.public_text = mask_personal_details(concern.description.strip())
            concern.published_at = at
        elif event.kind == "hide":
            concern.hidden = True
        elif event.kind == "status":
            concern.status = event.status
            concern.status_note = event.note
            concern.first_responded_at = concern.first_responded_at or at
            entry(UpdateKind.STATUS, event.text, public=True, status=event.status)
        elif event.kind == "respond":
            concern.first_responded_at = concern.first_responded_at or at
            entry(UpdateKind.RESPONSE, event.text, public=True)
        elif event.kind == "note":
            entry(UpdateKind.NOTE, event.text, public=False)
        elif event.kind == "reply":
            entry(UpdateKind.REPLY, event.text, public=False)
        elif event.kind == "refer":
            self.new_referrals.append(
                Referral(
                    concern=concern,
                    from_organisation=concern.responsible,
                    to_organisation=self.council,
                    note=event.note,
                )
            )
            self.referral_times.setdefault(concern.pk, []).append(at)
            concern.responsible = self.council
            entry(UpdateKind.REFERRAL, f"Passed to {self.council.name}.", public=True)
        elif event.kind == "recategorise":
            category = self.categories[event.target]
            concern.category = category
            concern.responsible = route(category, concern.area)
            concern.public_cell = public_cell(category, concern.latitude, concern.longitude)
            concern.first_responded_at = concern.first_responded_at or at
            entry(UpdateKind.RESPONSE, event.text, public=True)
        elif event.kind == "duplicate":
            assert event.duplicate_of is not None
            original = self.stored[event.duplicate_of]
            concern.duplicate_of = original
            concern.status = Status.DUPLICATE
            entry(
                UpdateKind.STATUS,
                f"This concern is being handled as {original.reference}.",
                public=True,
                status=Status.DUPLICATE,
            )
        elif event.kind == "rate":
            assert event.rating is not None
            resolved, satisfied, respectful, comment = event.rating
            self.new_ratings.append(
                Rating(
                    concern=concern,
                    resolved=resolved,
                    satisfied=satisfied,
                    respectful=respectful,
                    comment=comment,
                )
            )
            self.rating_times[concern.pk] = at

    def finish(self, plan: list[DemoConcern]) -> None:
        """Write the in-memory history in bulk, then backdate what the services stamped."""
        Update.objects.bulk_create(self.new_updates, batch_size=500)
        Rating.objects.bulk_create(self.new_ratings, batch_size=500)
        Referral.objects.bulk_create(self.new_referrals, batch_size=500)
        for handler, concerns in self.handlers.values():
            allowed = set(
                handler.memberships.filter(role__in=CONCERN_HANDLER_ROLES).values_list(
                    "organisation_id", flat=True
                )
            )
            mine = [c for c in concerns if c.responsible_id in allowed]
            if mine:
                concern_assign(concerns=mine, actor=handler, assignee=handler)
                for concern in mine:
                    concern.assigned_to = handler
        for item, concern in zip(plan, self.stored, strict=True):
            concern.created_at = self.aware(item.reported_at)
            concern.updated_at = (
                self.aware(item.events[-1].at) if item.events else concern.created_at
            )
            at = {event.kind: self.aware(event.at) for event in reversed(item.events)}
            concern.confirmed_at = at.get("confirm")
            concern.published_at = at.get("publish")
            concern.supporters = item.supporters + self.duplicates.get(item.index, 0)
            # The commitment runs from the backdated report, in the final category; the first
            # public word from staff (as the services record it) is the earliest such step.
            for name, value in commitment_due_dates(concern.category, concern.created_at).items():
                setattr(concern, name, value)
            responses = [at[kind] for kind in FIRST_RESPONSE_STEPS if kind in at]
            concern.first_responded_at = min(responses) if responses else None
            prefix, _year, number = concern.reference.split("-")
            concern.reference = f"{prefix}-{item.reported_at:%y}-{number}"
        dates = [
            "created_at",
            "updated_at",
            "confirmed_at",
            "published_at",
            "supporters",
            "first_response_due",
            "resolution_plan_due",
            "first_responded_at",
        ]
        _update_rows(
            Concern,
            [*dates, "reference"],
            [c for c in self.stored if c.pk in self.live],
        )
        _update_rows(
            Concern,
            [
                *dates,
                "reference",
                "status",
                "status_note",
                "public_text",
                "hidden",
                "duplicate_of",
                "category",
                "responsible",
                "public_cell",
            ],
            [c for c in self.stored if c.pk not in self.live],
        )
        updates = list(
            Update.objects.filter(concern_id__in=self.update_times)
            .order_by("concern_id", "id")
            .only("id", "concern_id")
        )
        position: dict[int, int] = {}
        for update in updates:
            index = position.get(update.concern_id, 0)
            update.created_at = self.update_times[update.concern_id][index]
            position[update.concern_id] = index + 1
        _update_rows(Update, ["created_at"], updates)
        ratings = list(
            Rating.objects.filter(concern_id__in=self.rating_times).only("id", "concern_id")
        )
        for rating in ratings:
            rating.created_at = self.rating_times[rating.concern_id]
        _update_rows(Rating, ["created_at"], ratings)
        referrals = list(
            Referral.objects.filter(concern_id__in=self.referral_times)
            .order_by("id")
            .only("id", "concern_id")
        )
        for referral in referrals:
            referral.created_at = self.referral_times[referral.concern_id].pop(0)
        _update_rows(Referral, ["created_at"], referrals)
        area_touch(sorted({c.area_id for c in self.stored}))


def demo_concerns_load(
    *, town: DemoTown, seed: int, today: date, force: Organisation, live_days: int = 21
) -> int:
    """Write the generated concerns: those of the last ``live_days`` are filed and handled
    step by step through the concern services (validated and audited as real work); the
    older history is written in bulk with the same routing, masking and thread entries (the
    services cost about 15 ms a concern, which would make the demo load slow); then
    everything is backdated. Returns the count."""
    plan = concerns_generate(town, seed, today)
    since = datetime.combine(today - timedelta(days=live_days), time(0))
    with transaction.atomic():
        pending = len(connection.run_on_commit)
        applier = _Applier(force)
        applier.insert_history([item for item in plan if item.reported_at < since])
        for item in plan:
            if item.reported_at >= since:
                applier.load(item)
        applier.finish(plan)
        audit.record(
            "demo.concerns.load",
            actor=None,
            obj=force,
            data={"seed": seed, "concerns": len(plan), "through_services": len(applier.live)},
        )
        # The services e-mail the reporter after commit; demo residents get no mail.
        del connection.run_on_commit[pending:]
    return len(plan)
