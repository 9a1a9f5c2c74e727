"""Four years of listening and engagement in the demo town, generated deterministically from
the seed and relative to ``today``: a beat meeting or PACT panel in every neighbourhood, a
district youth forum and the municipal safety council, with their members and meetings
(held with attendance and minutes, missed, cancelled, upcoming), and the neighbourhood
priorities those meetings set, followed through their whole lifecycle with actions, votes
and provenance.

``engagement_generate`` is pure: it builds unsaved model instances from what the town
already holds (``engagement_inputs``); ``demo_engagement_load`` writes them in bulk with one
summary audit event, as ``demo.concerns`` does for the older concerns (the services would
cost far more than the few seconds the demo load may take)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from dateutil.rrule import rrulestr
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models, transaction

from ourbeat.accounts.models import User
from ourbeat.concerns.models import Concern
from ourbeat.core import audit
from ourbeat.demo.concerns import _update_rows
from ourbeat.demo.town import FIRST_NAMES, STREETS, SURNAMES, VENUES
from ourbeat.engagement.models import (
    LIVE_PRIORITY_STATUSES,
    Action,
    ActionStatus,
    Follower,
    Forum,
    ForumKind,
    ForumMember,
    Frequency,
    ItemKind,
    Meeting,
    MeetingItem,
    MeetingStatus,
    MeetingVote,
    MemberRole,
    OriginKind,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    Question,
    Registration,
    Vote,
)
from ourbeat.places.models import Area, AreaLevel, Organisation
from ourbeat.places.services import area_touch
from ourbeat.teams.models import Assignment
from ourbeat.teams.schedule import local_zone

YEARS = 4
UPCOMING_DAYS = 90
RESIDENT_COUNT = 90
RESIDENT_DOMAIN = "residents.millbrook.example"
POLICE = "police"

PLACES = [
    "the park",
    "the recreation ground",
    "the canal towpath",
    "the library",
    "the shops",
    "the community centre",
    "the playing fields",
    "the station",
    "the old mill",
    "the allotments",
]


@dataclass(frozen=True)
class Theme:
    """A kind of neighbourhood problem: how residents put it, what the police and partners
    do about it, and what a successful outcome sounds like. ``category`` links it to the
    concerns residents report (None: nothing in the concern categories matches)."""

    category: str | None
    title: str
    description: str
    raised: str
    actions: tuple[tuple[str, str, str], ...]  # (owner: "police" or a partner slug, title, result)
    outcome: str


THEMES = [
    Theme(
        "roads-speeding",
        "Speeding on {street}",
        "Drivers speed along {street}, above all at school times, and residents are afraid "
        "to cross with children.",
        "Drivers speeding along {street} at school drop-off and pick-up.",
        (
            (
                POLICE,
                "Speed checks with Community Speed Watch at school times",
                "Fourteen checks held; 63 drivers were sent warning letters and 9 prosecuted.",
            ),
            (
                "millbrook-council",
                "Install a vehicle-activated speed sign",
                "A flashing speed sign was installed near the school entrance.",
            ),
            (
                "millbrook-schools",
                "Safe-crossing lessons and a walk-to-school week",
                "Every class in the primary school took part; parents helped on the crossings.",
            ),
        ),
        "Average speeds measured by the council fell from 34 mph to 27 mph, and residents "
        "say the road feels safer. Speed checks continue once a month.",
    ),
    Theme(
        "asb-groups",
        "Groups gathering and intimidating people at {place}",
        "Groups of young people and adults gather at {place} in the evenings, shouting at "
        "passers-by; older residents avoid walking that way.",
        "Residents feel intimidated by groups gathering at {place} in the evenings.",
        (
            (
                POLICE,
                "Evening foot patrols on Friday and Saturday",
                "Patrols every weekend for three months; 12 dispersal warnings and 4 "
                "acceptable behaviour contracts agreed with families.",
            ),
            (
                "millbrook-youth",
                "Detached youth work and a Friday-night youth club",
                "Youth workers met 45 young people; 20 now come to the Friday club.",
            ),
            (
                "millbrook-council",
                "Cut back hedges and improve the lighting",
                "Hedges were cut back and two new lights installed.",
            ),
        ),
        "Reports of groups causing trouble fell by two thirds over six months; the youth "
        "club continues and the area is on the regular patrol route.",
    ),
    Theme(
        "drugs-dealing",
        "Drug dealing around {place}",
        "Residents see what looks like drug dealing around {place}: cars stopping briefly, "
        "young people running packages, visitors to one address at all hours.",
        "Cars stopping for a minute or two by {place}, which residents believe is drug dealing.",
        (
            (
                POLICE,
                "Act on residents' information and build a case",
                "Two warrants were carried out; three people were charged with supply.",
            ),
            (
                "millbrook-homes",
                "Tenancy enforcement at the addresses involved",
                "One closure order was granted and a tenancy ended.",
            ),
            (
                "millbrook-council",
                "Move a CCTV camera to cover the car park",
                "The camera was moved and is monitored in the evenings.",
            ),
        ),
        "After the warrants and the closure order, residents report far fewer cars and "
        "visitors; please keep telling us what you see.",
    ),
    Theme(
        "drugs-litter",
        "Needles and drug litter in {place}",
        "Used needles and drug litter are found in {place}, where children play.",
        "Needles found in the bushes at {place}, near the play area.",
        (
            (
                "millbrook-council",
                "Daily sharps sweep and cutting back the bushes",
                "The site was swept daily for six weeks; the bushes were cut right back.",
            ),
            (
                POLICE,
                "Patrols at the times residents named",
                "Patrols twice a day; two people were referred to the drug service.",
            ),
            (
                "safe-streets",
                "Sharps bins and safe-disposal advice",
                "A sharps bin was installed and outreach workers visited weekly.",
            ),
        ),
        "No needles have been found in the last two monthly checks.",
    ),
    Theme(
        "roads-parking",
        "Dangerous parking outside the school on {street}",
        "Cars park on the zig-zags and the pavement outside the school on {street}, so "
        "children cannot be seen when they cross.",
        "Parents parking on the zig-zags outside the school on {street}.",
        (
            (
                POLICE,
                "Parking patrols at school times",
                "Officers patrolled at drop-off for a month and issued 28 tickets.",
            ),
            (
                "millbrook-schools",
                "Letters to parents and a park-and-stride scheme",
                "The school wrote to every family; 40 families use the park-and-stride.",
            ),
            (
                "millbrook-council",
                "School street closure at drop-off and pick-up",
                "The road is now closed to through traffic at school times.",
            ),
        ),
        "With the school street in place, parking on the zig-zags has all but stopped.",
    ),
    Theme(
        "asb-noise",
        "Late-night noise and motorbikes around {street}",
        "Motorbikes and cars rev and race around {street} late at night, waking residents.",
        "Motorbikes racing around {street} late at night.",
        (
            (
                POLICE,
                "Identify the riders and seize uninsured bikes",
                "Five bikes were seized and their riders reported.",
            ),
            (
                "millbrook-council",
                "Noise monitoring and warning letters",
                "Monitoring equipment was installed in two homes; three warnings were issued.",
            ),
        ),
        "Late-night noise complaints fell from about ten a month to one or two.",
    ),
    Theme(
        "street-flytipping",
        "Fly-tipping in the lanes off {street}",
        "Mattresses, rubble and bin bags are dumped in the lanes off {street}; rats follow.",
        "Rubbish dumped again in the lanes off {street}.",
        (
            (
                "millbrook-council",
                "Clear the lanes and install a camera",
                "The lanes were cleared and a covert camera caught two offenders.",
            ),
            (
                "millbrook-homes",
                "Free bulky-waste collections for tenants",
                "Tenants booked 120 free collections in three months.",
            ),
            (
                POLICE,
                "Stop vans carrying waste without a licence",
                "Eleven vans were stopped with the council; two were seized.",
            ),
        ),
        "The lanes have stayed clear since the camera went up, and two people were fined.",
    ),
    Theme(
        "safety-unsafe-place",
        "Feeling unsafe on the path by {place} after dark",
        "The path by {place} is unlit and overgrown; many people, women above all, avoid it "
        "after dark.",
        "Women avoid the path by {place} after dark: it is unlit and overgrown.",
        (
            (
                "millbrook-council",
                "New lighting and cutting back the vegetation",
                "Six new lights were installed and the path was cut back.",
            ),
            (
                POLICE,
                "Evening patrols and a walk-and-talk with residents",
                "Officers walked the route with 15 residents and patrol it twice a week.",
            ),
            (
                "safe-streets",
                "Street pastors on Friday and Saturday nights",
                "Street pastors now walk the path at weekends.",
            ),
        ),
        "In the follow-up survey, 7 in 10 residents said they now feel safe on the path "
        "after dark, up from 3 in 10.",
    ),
    Theme(
        "asb-vandalism",
        "Vandalism and graffiti on {street}",
        "Bus shelters, fences and cars on {street} are damaged again and again, and "
        "offensive graffiti appears overnight.",
        "Graffiti and smashed bus shelters along {street}.",
        (
            (
                "millbrook-council",
                "Remove graffiti within 48 hours",
                "All reported graffiti was removed within two days.",
            ),
            (
                POLICE,
                "Check CCTV and patrol at night",
                "Two people were identified from CCTV and made to repair the damage.",
            ),
            (
                "millbrook-youth",
                "A legal graffiti wall project with young people",
                "Twenty young people painted the new mural at the skate park.",
            ),
        ),
        "Damage reports fell by half, and the mural has been left alone.",
    ),
    Theme(
        "street-light",
        "Broken street lights on {street}",
        "Lights along {street} stay broken for weeks, leaving the pavement dark.",
        "Several street lights broken on {street} for weeks.",
        (
            (
                "millbrook-council",
                "Repair the lights and check the whole street",
                "Nine lanterns were replaced; the street is checked every month.",
            ),
        ),
        "Every light on the street works and repairs now take days, not weeks.",
    ),
    Theme(
        None,
        "Shed and garage break-ins around {street}",
        "Sheds and garages around {street} are broken into and tools and bikes stolen.",
        "Three sheds broken into around {street} in one week.",
        (
            (
                POLICE,
                "Crime prevention visits and free shed alarms",
                "Officers visited 150 homes and gave out 80 shed alarms.",
            ),
            (
                POLICE,
                "Property marking events",
                "Two marking events; 200 bikes and tools were marked.",
            ),
        ),
        "Break-ins fell from eleven in the spring to two in the autumn.",
    ),
    Theme(
        None,
        "Scams targeting older residents",
        "Older residents are being targeted by doorstep and telephone scams.",
        "An older neighbour lost money to a doorstep scam.",
        (
            (
                POLICE,
                "Scam awareness sessions for older residents",
                "Six sessions reached 140 older residents and their carers.",
            ),
            (
                "millbrook-council",
                "No-cold-calling zone",
                "A no-cold-calling zone now covers 400 homes.",
            ),
        ),
        "No new doorstep scams have been reported in the zone for four months.",
    ),
    Theme(
        None,
        "Bike theft near {place}",
        "Bikes are stolen from racks and gardens near {place}.",
        "Bikes stolen from the racks near {place}.",
        (
            (
                POLICE,
                "Bike marking and a decoy-bike operation",
                "300 bikes were marked; the decoy bike led to two arrests.",
            ),
            (
                "millbrook-council",
                "Install secure cycle stands",
                "Twenty new secure stands were installed.",
            ),
        ),
        "Bike thefts fell by 40% on the year before.",
    ),
]

DROP_REASONS = [
    "Reports fell away after the first actions, and residents agreed the problem was "
    "better handled as individual concerns.",
    "The building work that caused most of the problem has finished; the forum agreed to "
    "drop this priority.",
    "The council has taken this into its own programme with its own funding, so the forum "
    "agreed it no longer needs to be a neighbourhood priority.",
]
CARRY_REASONS = [
    "Progress has been made but reports are still high; the forum carried it over for "
    "another period.",
    "The main action (the council's works) has been delayed; the forum carried the "
    "priority over until it is done.",
]
NOT_ADOPTED = (
    "Not adopted: at the meeting of {day} residents chose other priorities. The concerns "
    "behind it are still dealt with one by one."
)
VOTED_DOWN = "Not adopted: the meeting of {day} voted against it ({for_} for, {against} against)."
MERGED = "Merged into the priority “{title}”."
CANCEL_REASONS = [
    "The hall was flooded; the meeting could not take place.",
    "Heavy snow: cancelled for everyone's safety.",
    "The venue was needed as a polling station.",
    "Too few members could attend; items were carried to the next meeting.",
    "Power cut at the venue.",
]
GROUPS = [
    "young people (under 25)",
    "older people (65 and over)",
    "disabled people",
    "minority ethnic residents",
    "women",
    "tenants of Millbrook Homes",
]
REPRESENTS = [
    ("Millbrook Homes", True),
    ("the primary school", True),
    ("local traders", True),
    ("Neighbourhood Watch", True),
    ("the mosque and the churches", True),
    ("older residents' group", True),
    ("young people", False),
    ("tenants' association", True),
    ("residents of {street}", False),
    ("parents", False),
]


@dataclass
class OfficerRef:
    name: str
    user: User | None


@dataclass
class EngagementInputs:
    """What the town already holds that the engagement history refers to, in a fixed order."""

    force: Organisation
    partners: dict[str, Organisation]
    service: Area
    districts: list[Area]
    neighbourhoods: list[Area]
    officers: dict[int, list[OfficerRef]]  # area pk → its team, in page order
    # (area pk, category code) → published, visible concerns: (pk, reported at), oldest first
    concerns: dict[tuple[int, str], list[tuple[int, datetime]]]


@dataclass
class EngagementPlan:
    residents: list[User] = field(default_factory=list)
    forums: list[Forum] = field(default_factory=list)
    members: list[ForumMember] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    carried: list[tuple[Priority, Priority]] = field(default_factory=list)  # (follow-on, from)
    items: list[MeetingItem] = field(default_factory=list)
    origins: list[PriorityOrigin] = field(default_factory=list)
    meeting_votes: list[MeetingVote] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    followers: list[Follower] = field(default_factory=list)
    # id(row) → (created, updated): the times the rows would have had, set after the insert
    # (``auto_now``/``auto_now_add`` stamp the insert's own time).
    stamps: dict[int, tuple[datetime, datetime]] = field(default_factory=dict)

    def stamp(self, row: models.Model, created: datetime, updated: datetime | None = None) -> None:
        self.stamps[id(row)] = (created, updated or created)


def engagement_inputs(force: Organisation) -> EngagementInputs:
    areas = list(
        Area.objects.filter(organisation=force).defer("boundary").order_by("level", "code")
    )
    partners = {
        o.slug: o
        for o in Organisation.objects.exclude(pk=force.pk).order_by("slug")
        if o.slug
        in {"millbrook-council", "millbrook-homes", "millbrook-youth", "millbrook-schools"}
        | {"safe-streets", "community-board"}
    }
    officers: dict[int, list[OfficerRef]] = defaultdict(list)
    for assignment in (
        Assignment.objects.filter(area__organisation=force, ended_on__isnull=True)
        .select_related("profile__user")
        .order_by("area_id", "order", "pk")
    ):
        profile = assignment.profile
        officers[assignment.area_id].append(OfficerRef(profile.name, profile.user))
    concerns: dict[tuple[int, str], list[tuple[int, datetime]]] = defaultdict(list)
    for pk, area_id, code, created in (
        Concern.objects.filter(
            area__organisation=force,
            published_at__isnull=False,
            hidden=False,
            category__sensitive=False,
        )
        .order_by("created_at", "pk")
        .values_list("pk", "area_id", "category__code", "created_at")
    ):
        concerns[area_id, code].append((pk, created))
    return EngagementInputs(
        force=force,
        partners=partners,
        service=next(a for a in areas if a.level == AreaLevel.SERVICE),
        districts=[a for a in areas if a.level == AreaLevel.DISTRICT],
        neighbourhoods=[a for a in areas if a.level == AreaLevel.NEIGHBOURHOOD],
        officers=dict(officers),
        concerns=dict(concerns),
    )


def max_live_priorities() -> int:
    return max(1, min(3, int(settings.OURBEAT_MAX_ACTIVE_PRIORITIES)))


@dataclass
class _Live:
    """A priority under way in the simulation."""

    priority: Priority
    theme: Theme
    adopted_meeting: Meeting
    review_after: int  # held meetings after adoption before it goes under review
    held_since: int = 0
    # Chosen when it goes under review: "online" or "meeting" (resolved by that vote),
    # "carried" or "dropped".
    verdict: str = ""


@dataclass
class _Proposal:
    priority: Priority
    theme: Theme
    meetings_waited: int = 0
    duplicate_of: Priority | None = None  # the live priority it repeats: merged into it


class _Generator:
    def __init__(self, inputs: EngagementInputs, seed: int, today: date) -> None:
        self.inputs = inputs
        self.rng = random.Random(f"ourbeat-engagement-{seed}")
        self.today = today
        self.zone = local_zone()
        self.cutoff = datetime.combine(today, time(0), tzinfo=self.zone)
        self.start = date(today.year - YEARS, today.month, 1)
        self.plan = EngagementPlan()
        self.limit = max_live_priorities()
        self.taken_names: set[str] = {o.name for team in inputs.officers.values() for o in team}
        self.meeting_items: dict[int, list[MeetingItem]] = defaultdict(list)
        self.action_results: dict[int, list[tuple[Action, str]]] = defaultdict(list)
        self.adopt_votes: dict[int, int] = defaultdict(int)
        self.held_back = False

    def run(self) -> EngagementPlan:
        self.residents()
        for forum, area in self.forums():
            meetings = self.meetings(forum)
            if area is not None:
                self.priorities(forum, area, meetings)
            else:
                self.town_meetings(forum, meetings)
            for meeting in meetings:
                if meeting.starts_at > self.cutoff:
                    self.upcoming(meeting, forum)
        return self.plan

    def when(self, at: datetime) -> datetime:
        """No record is stamped later than the start of today."""
        return min(at, self.cutoff - timedelta(minutes=1))

    def day(self, meeting: Meeting) -> str:
        local = meeting.starts_at.astimezone(self.zone)
        return f"{local.day} {local:%B %Y}"

    # -- people ---------------------------------------------------------------------------

    def name(self) -> str:
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"
            if name not in self.taken_names:
                self.taken_names.add(name)
                return name

    def residents(self) -> None:
        for index in range(RESIDENT_COUNT):
            name = self.name()
            local = name.lower().replace(" ", ".").replace("'", "")
            self.plan.residents.append(
                User(
                    email=f"{local}.{index}@{RESIDENT_DOMAIN}",
                    display_name=name,
                    password=UNUSABLE_PASSWORD_PREFIX + "demo-resident",  # they cannot sign in
                    date_joined=self.cutoff - timedelta(days=self.rng.randrange(30, 365 * YEARS)),
                )
            )

    def resident(self) -> User:
        return self.rng.choice(self.plan.residents)

    # -- forums and meetings --------------------------------------------------------------

    def forums(self) -> list[tuple[Forum, Area | None]]:
        """Every forum, with the neighbourhood whose priorities it sets (None for the
        district youth forum and the town's safety council)."""
        inputs, rng = self.inputs, self.rng
        result: list[tuple[Forum, Area | None]] = []
        for area in inputs.neighbourhoods:
            pact = rng.random() < 0.5
            nth, weekday = rng.choice([1, 2, 3, 4]), rng.choice(["MO", "TU", "WE", "TH"])
            forum = Forum(
                area=area,
                organisation=inputs.force,
                kind=ForumKind.PACT_PANEL if pact else ForumKind.BEAT_MEETING,
                name=f"{area.name} {'PACT panel' if pact else 'beat meeting'}",
                slug=f"{area.slug}-{'pact' if pact else 'beat-meeting'}",
                description=(
                    f"Residents, the {area.name} neighbourhood team and partner agencies meet "
                    f"{'every two months' if pact else 'every month'} to agree the "
                    "neighbourhood's priorities and hear what has been done about them. "
                    "Everyone who lives or works here is welcome."
                ),
                frequency=Frequency.BIMONTHLY if pact else Frequency.MONTHLY,
                rrule=f"FREQ=MONTHLY;INTERVAL={2 if pact else 1};BYDAY=+{nth}{weekday}",
                usual_venue=f"{area.name} {rng.choice(VENUES)}",
                usual_address=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}, Millbrook",
                contact=area.contact_email,
            )
            result.append((forum, area))
        district = inputs.districts[-1]
        result.append(
            (
                Forum(
                    area=district,
                    organisation=inputs.partners["millbrook-youth"],
                    kind=ForumKind.YOUTH_FORUM,
                    name=f"{district.name} youth forum",
                    slug=f"{district.slug}-youth-forum",
                    description=(
                        "Young people aged 11 to 25 meet officers, youth workers and "
                        "councillors every three months to say what makes them feel unsafe "
                        "and what would help."
                    ),
                    frequency=Frequency.QUARTERLY,
                    rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=+1WE",
                    usual_venue="Millbrook East Youth Hub",
                    usual_address="3 Bridge Street, Millbrook",
                    contact="youth@millbrook-youth.example",
                ),
                None,
            )
        )
        result.append(
            (
                Forum(
                    area=inputs.service,
                    organisation=inputs.partners["millbrook-council"],
                    kind=ForumKind.SAFETY_COUNCIL,
                    name="Millbrook Community Safety Council",
                    slug="millbrook-safety-council",
                    description=(
                        "The municipal safety council brings together the council, the "
                        "police, housing, schools, youth services and residents' "
                        "representatives every quarter to review safety across the town and "
                        "the progress of every neighbourhood's priorities."
                    ),
                    frequency=Frequency.QUARTERLY,
                    rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=+3TH",
                    usual_venue="Millbrook Town Hall, Council Chamber",
                    usual_address="Market Place, Millbrook",
                    contact="safety.council@millbrook-council.example",
                ),
                None,
            )
        )
        for forum, _area in result:
            created = datetime.combine(self.start, time(9), tzinfo=self.zone)
            self.plan.forums.append(forum)
            self.plan.stamp(forum, created - timedelta(days=rng.randrange(20, 200)))
            self.members(forum)
        return result

    def members(self, forum: Forum) -> None:
        rng = self.rng
        team = self.inputs.officers.get(forum.area.pk) or self.inputs.officers.get(
            self.inputs.service.pk, []
        )
        since = self.start - timedelta(days=rng.randrange(0, 700))
        youth = forum.kind == ForumKind.YOUTH_FORUM
        council = forum.kind == ForumKind.SAFETY_COUNCIL

        def add(
            role: str,
            represents: str,
            *,
            public: bool = True,
            user: User | None = None,
            name: str = "",
            until: date | None = None,
        ) -> None:
            self.plan.members.append(
                ForumMember(
                    forum=forum,
                    user=user,
                    name=name or (user.display_name if user is not None else self.name()),
                    role=role,
                    represents=represents,
                    public=public,
                    since=since + timedelta(days=rng.randrange(0, 400)),
                    until=until,
                )
            )

        if council:
            chair_for = "Councillor, Millbrook Borough Council"
        elif youth:
            chair_for = "young people"
        else:
            chair_for = f"{forum.area.name} Residents' Association"
        add(
            MemberRole.RESIDENT_CO_CHAIR,
            chair_for,
            public=not youth,  # young members are not named in public
            user=None if youth or council else self.resident(),
        )
        if team:
            officer = team[-1] if council or youth else team[0]
            add(
                MemberRole.OFFICER_CO_CHAIR,
                self.inputs.force.name,
                user=officer.user,
                name=officer.name,
            )
        add(MemberRole.SECRETARY, "Millbrook Borough Council" if council else "Neighbourhood Watch")
        if council:
            for slug in (
                "millbrook-homes",
                "millbrook-youth",
                "millbrook-schools",
                "safe-streets",
                "community-board",
            ):
                add(MemberRole.MEMBER, self.inputs.partners[slug].name)
            add(MemberRole.MEMBER, "Millbrook Fire and Rescue Service")
            return
        if youth:
            for represents in ("Millbrook Academy", "the youth club", "young carers"):
                add(MemberRole.MEMBER, represents, public=False)
            add(MemberRole.MEMBER, self.inputs.partners["millbrook-youth"].name)
            return
        for represents, public in rng.sample(REPRESENTS, k=rng.randrange(3, 7)):
            add(
                MemberRole.MEMBER,
                represents.format(street=rng.choice(STREETS)),
                public=public and rng.random() < 0.85,
                user=self.resident() if rng.random() < 0.4 else None,
            )
        # Someone who served and stood down.
        add(
            MemberRole.MEMBER,
            "Neighbourhood Watch",
            until=self.today - timedelta(days=rng.randrange(60, 700)),
        )

    def meetings(self, forum: Forum) -> list[Meeting]:
        rng = self.rng
        if forum.kind == ForumKind.YOUTH_FORUM:
            hour, minute = 17, 0
        else:
            hour, minute = rng.choice([(18, 0), (18, 30), (19, 0), (19, 0)])
        length = timedelta(minutes=rng.choice([90, 90, 120]))
        rule = rrulestr(forum.rrule, dtstart=datetime.combine(self.start, time(hour, minute)))
        end = datetime.combine(self.today + timedelta(days=UPCOMING_DAYS), time(23, 59))
        online = f"https://meet.millbrook.example/{forum.slug}"
        hybrid = forum.kind == ForumKind.SAFETY_COUNCIL or rng.random() < 0.2
        accessibility = rng.choice(
            [
                "Step-free entrance, accessible toilet and a hearing loop.",
                "Ground floor; step-free access by the side door; hearing loop.",
                "Lift to the first floor; accessible toilet; large-print agendas on request.",
            ]
        )
        meetings = []
        for start in rule.between(datetime.combine(self.start, time(0)), end, inc=True):
            if start.date() == self.today:
                continue  # neither clearly past nor clearly upcoming
            starts_at = start.replace(tzinfo=self.zone)
            future = starts_at > self.cutoff
            moved_online = not future and rng.random() < 0.03
            meeting = Meeting(
                forum=forum,
                title=f"{forum.name}, {start:%B %Y}",
                starts_at=starts_at,
                ends_at=starts_at + length,
                venue="" if moved_online else forum.usual_venue,
                address="" if moved_online else forum.usual_address,
                accessibility="" if moved_online else accessibility,
                online_url=online if hybrid or moved_online else "",
                agenda=(
                    "1. Welcome and apologies\n2. Report back on the priorities\n"
                    "3. Concerns from residents\n4. Proposals and votes\n5. Any other business"
                ),
                status=MeetingStatus.SCHEDULED,
            )
            if future:
                if rng.random() < 0.35:
                    meeting.registration_required = True
                    meeting.capacity = rng.choice([30, 40, 50, 60])
            else:
                roll = rng.random()
                if roll < 0.04:
                    meeting.status = MeetingStatus.CANCELLED
                    meeting.cancel_reason = rng.choice(CANCEL_REASONS)
                elif roll >= 0.08:  # between the two: missed, due and never recorded
                    meeting.status = MeetingStatus.HELD
                    self.attendance(meeting, forum)
            meetings.append(meeting)
            self.plan.meetings.append(meeting)
            scheduled = starts_at - timedelta(days=rng.randrange(21, 60))
            self.plan.stamp(
                meeting, scheduled, self.when(max(scheduled, meeting.ends_at + timedelta(days=3)))
            )
        return meetings

    def attendance(self, meeting: Meeting, forum: Forum) -> None:
        rng = self.rng
        if forum.kind == ForumKind.SAFETY_COUNCIL:
            meeting.attendance = rng.randrange(12, 26)
        elif forum.kind == ForumKind.YOUTH_FORUM:
            meeting.attendance = rng.randrange(9, 31)
        else:
            meeting.attendance = rng.randrange(7, 46)
        if rng.random() < 0.35:
            meeting.attendance_by_group = {
                group: rng.randrange(0, meeting.attendance // 2 + 1)
                for group in rng.sample(GROUPS, k=rng.randrange(2, 5))
            }
        published = meeting.ends_at + timedelta(days=rng.randrange(2, 9))
        meeting.minutes_published_at = self.when(published)

    def upcoming(self, meeting: Meeting, forum: Forum) -> None:
        rng = self.rng
        current = [
            p.title
            for p in self.plan.priorities
            if p.forum is forum and p.status in LIVE_PRIORITY_STATUSES
        ]
        proposed = [
            p.title
            for p in self.plan.priorities
            if p.area is forum.area and p.status == PriorityStatus.PROPOSED
        ]
        lines = ["Welcome and apologies"]
        if current:
            lines.append("Report back: " + "; ".join(current))
        else:
            lines.append("Report back from the neighbourhood team")
        lines.append("Concerns from residents")
        if proposed:
            lines.append("Proposals to vote on: " + "; ".join(proposed))
        lines.append("Any other business")
        lines = [f"{number}. {line}" for number, line in enumerate(lines, start=1)]
        meeting.agenda = "\n".join(lines)
        if meeting.registration_required and meeting.capacity:
            for user in rng.sample(self.plan.residents, k=rng.randrange(0, meeting.capacity // 3)):
                registration = Registration(
                    meeting=meeting,
                    user=user,
                    name=user.display_name,
                    email=user.email,
                    needs=rng.choice(["", "", "", "Wheelchair space", "Hearing loop"]),
                )
                self.plan.registrations.append(registration)
                self.plan.stamp(
                    registration,
                    self.when(meeting.starts_at - timedelta(days=rng.randrange(5, 40))),
                )

    def town_meetings(self, forum: Forum, meetings: list[Meeting]) -> None:
        """The youth forum and the safety council hear concerns and follow the
        neighbourhoods' priorities; they set none themselves."""
        rng = self.rng
        for meeting in meetings:
            if meeting.status != MeetingStatus.HELD:
                continue
            for _ in range(rng.randrange(1, 3)):
                self.item(meeting, ItemKind.CONCERN, self.title(rng.choice(THEMES))[2])
            under_way = [
                p
                for p in self.plan.priorities
                if p.adopted_at is not None
                and p.adopted_at < meeting.starts_at
                and (p.closed_at is None or p.closed_at > meeting.starts_at)
                and (forum.area.level == AreaLevel.SERVICE or p.area.parent_id == forum.area.pk)
            ]
            for priority in rng.sample(under_way, k=min(len(under_way), rng.randrange(1, 4))):
                self.item(
                    meeting,
                    ItemKind.REPORT_BACK,
                    f"Progress on “{priority.title}” in {priority.area.name} was reviewed.",
                    priority,
                )
            self.item(
                meeting,
                ItemKind.DECISION,
                rng.choice(
                    [
                        "Agreed to ask the council for more youth provision in the summer.",
                        "Agreed to review street lighting across the town before winter.",
                        "Agreed to share the results of the safety survey at the next meeting.",
                        "Agreed a joint week of action with the police and partners.",
                    ]
                ),
            )
            self.minutes(meeting, forum)

    # -- priorities -----------------------------------------------------------------------

    def title(self, theme: Theme) -> tuple[str, str, str]:
        values = {"street": self.rng.choice(STREETS), "place": self.rng.choice(PLACES)}
        return (
            theme.title.format(**values),
            theme.description.format(**values),
            theme.raised.format(**values),
        )

    def item(
        self, meeting: Meeting, kind: str, text: str, priority: Priority | None = None
    ) -> MeetingItem:
        items = self.meeting_items[id(meeting)]
        item = MeetingItem(
            meeting=meeting, kind=kind, text=text, priority=priority, order=len(items)
        )
        items.append(item)
        self.plan.items.append(item)
        self.plan.stamp(item, self.when(meeting.ends_at))
        return item

    def origin(self, priority: Priority, kind: str, at: datetime, **refs: Any) -> None:
        self.plan.origins.append(
            PriorityOrigin(priority=priority, kind=kind, created_at=self.when(at), **refs)
        )

    def vote(
        self, priority: Priority, question: str, user: User, in_favour: bool, at: datetime
    ) -> None:
        vote = Vote(priority=priority, question=question, user=user, in_favour=in_favour)
        self.plan.votes.append(vote)
        self.plan.stamp(vote, self.when(at))
        if question == Question.ADOPT and in_favour:
            self.adopt_votes[id(priority)] += 1

    def meeting_vote(
        self, meeting: Meeting, priority: Priority, question: str, *, carried: bool
    ) -> MeetingVote:
        """A show of hands: never more votes than the people recorded as present."""
        rng = self.rng
        assert meeting.attendance is not None
        voters = rng.randrange(max(1, meeting.attendance * 6 // 10), meeting.attendance + 1)
        abstained = rng.randrange(0, max(1, voters // 6))
        deciding = voters - abstained
        majority = rng.randrange(deciding // 2 + 1, deciding + 1)
        in_favour, against = (
            (majority, deciding - majority) if carried else (deciding - majority, majority)
        )
        vote = MeetingVote(
            meeting=meeting,
            priority=priority,
            question=question,
            in_favour=in_favour,
            against=against,
            abstained=abstained,
        )
        self.plan.meeting_votes.append(vote)
        self.plan.stamp(vote, self.when(meeting.ends_at))
        return vote

    def propose(
        self,
        area: Area,
        forum: Forum,
        in_use: dict[str, Priority],
        since: datetime,
        until: datetime,
        *,
        raised_at: MeetingItem | None = None,
    ) -> _Proposal | None:
        """A proposal from a resident online (or from the team, on behalf of a meeting),
        with the concerns behind it and residents' support."""
        rng, plan = self.rng, self.plan
        duplicate_of = None
        if raised_at is None and in_use and rng.random() < 0.08:
            # Someone proposes what is already a priority: merged into it later.
            title = rng.choice(sorted(in_use))
            theme = next(t for t in THEMES if t.title == title)
            duplicate_of = in_use[title]
        else:
            fresh = [t for t in THEMES if t.title not in in_use]
            if not fresh:
                return None
            reported = [t for t in fresh if t.category and self.concerns(area, t, until)]
            theme = rng.choice(reported if reported and rng.random() < 0.7 else fresh)
        title, description, _raised = self.title(theme)
        if duplicate_of is not None:
            title = duplicate_of.title
        at = since + (until - since) * rng.uniform(0.1, 0.9)
        online = raised_at is None and rng.random() < 0.85
        proposer = self.resident() if online else None
        priority = Priority(
            area=area,
            forum=forum,
            title=title,
            description=description,
            status=PriorityStatus.PROPOSED,
            proposed_by=proposer,
            proposed_at=at,
            anonymous_support=rng.choice([0, 0, 1, 2, 3, 5, 8, 13]),
        )
        plan.priorities.append(priority)
        self.origin(
            priority,
            OriginKind.PROPOSAL,
            at,
            proposal=priority,
            user=proposer,
            summary="Proposed online" if online else "Proposed by the neighbourhood team",
        )
        if raised_at is not None:
            self.origin(
                priority,
                OriginKind.MEETING_ITEM,
                at,
                meeting_item=raised_at,
                summary="Raised at a meeting",
            )
        if theme.category:
            earlier = self.concerns(area, theme, at)
            for pk, _reported in rng.sample(earlier, k=min(len(earlier), rng.randrange(1, 4))):
                self.origin(
                    priority,
                    OriginKind.CONCERN,
                    at,
                    concern_id=pk,
                    summary="A concern reported in the neighbourhood",
                )
        for user in rng.sample(plan.residents, k=rng.randrange(2, 18)):
            if user is not proposer:
                self.vote(
                    priority,
                    Question.ADOPT,
                    user,
                    True,
                    at + timedelta(hours=rng.randrange(1, 300)),
                )
        if duplicate_of is None:
            in_use[theme.title] = priority
        return _Proposal(priority, theme, duplicate_of=duplicate_of)

    def concerns(self, area: Area, theme: Theme, before: datetime) -> list[tuple[int, datetime]]:
        assert theme.category is not None
        found = self.inputs.concerns.get((area.pk, theme.category), [])
        return [c for c in found if before - timedelta(days=120) < c[1] < before]

    def transition(self, priority: Priority, status: str, at: datetime) -> None:
        priority.status = status
        priority.version += 1
        self.plan.stamp(priority, priority.proposed_at, self.when(at))

    def close(
        self, priority: Priority, status: str, at: datetime, *, reason: str = "", outcome: str = ""
    ) -> None:
        self.transition(priority, status, at)
        priority.closed_at = at
        priority.reason = reason
        if outcome:
            priority.outcome = outcome
            priority.outcome_at = at
        self.settle_actions(priority)

    def adopt(
        self,
        proposal: _Proposal,
        meeting: Meeting,
        area: Area,
        live: list[_Live],
        *,
        vote: bool = True,
    ) -> None:
        rng = self.rng
        priority, forum = proposal.priority, meeting.forum
        if vote:
            self.meeting_vote(meeting, priority, Question.ADOPT, carried=True)
        priority.adopted_at = meeting.ends_at
        priority.adopted_at_meeting = meeting
        priority.forum = forum
        self.transition(priority, PriorityStatus.ADOPTED, meeting.ends_at)
        started = meeting.ends_at + timedelta(days=rng.randrange(3, 15))
        self.transition(priority, PriorityStatus.ACTIVE, started)
        monthly = forum.frequency == Frequency.MONTHLY
        review_after = rng.randrange(4, 9) if monthly else rng.randrange(2, 5)
        live.append(_Live(priority, proposal.theme, meeting, review_after))
        self.item(
            meeting,
            ItemKind.DECISION,
            f"Adopted as a neighbourhood priority: “{priority.title}”.",
            priority,
        )
        team = self.inputs.officers.get(area.pk, [])
        for owner, title, result in proposal.theme.actions:
            action = Action(
                priority=priority,
                title=title,
                owner_organisation=(
                    self.inputs.force if owner == POLICE else self.inputs.partners[owner]
                ),
                owner_user=team[0].user if owner == POLICE and team else None,
                due_on=(meeting.ends_at + timedelta(days=rng.randrange(21, 150))).date(),
                status=ActionStatus.PLANNED,
            )
            self.plan.actions.append(action)
            self.plan.stamp(
                action, self.when(meeting.ends_at + timedelta(days=rng.randrange(1, 10)))
            )
            self.action_results[id(priority)].append((action, result))

    def settle_actions(self, priority: Priority) -> None:
        """The actions as they stood when the priority closed, or, for a live priority, as
        they stand today (some late)."""
        rng = self.rng
        for action, result in self.action_results[id(priority)]:
            created = self.plan.stamps[id(action)][0]
            due = datetime.combine(action.due_on, time(12), tzinfo=self.zone)
            if priority.closed_at is not None:
                if priority.status == PriorityStatus.DROPPED and rng.random() < 0.5:
                    action.status = ActionStatus.CANCELLED
                    action.result = "Stopped when the priority was dropped."
                    finished = priority.closed_at
                else:
                    action.status, action.result = ActionStatus.DONE, result
                    finished = due + timedelta(days=rng.randrange(-20, 15))
                    finished = min(priority.closed_at - timedelta(days=1), finished)
                    finished = max(created + timedelta(days=2), finished)
                    action.completed_at = finished
                action.version = 3
                self.plan.stamp(action, created, finished)
            elif priority.status == PriorityStatus.ACTIVE or priority.status == (
                PriorityStatus.UNDER_REVIEW
            ):
                roll = rng.random()
                finished = self.when(due + timedelta(days=rng.randrange(-20, 10)))
                if due < self.cutoff and roll < 0.6 and finished > created:
                    action.status, action.result = ActionStatus.DONE, result
                    action.completed_at = finished
                    action.version = 3
                    self.plan.stamp(action, created, finished)
                elif roll < 0.85:
                    action.status = ActionStatus.IN_PROGRESS
                    action.version = 2
                    self.plan.stamp(action, created, self.when(created + timedelta(days=7)))

    def priorities(self, forum: Forum, area: Area, meetings: list[Meeting]) -> None:
        """Simulate the loop meeting by meeting: proposals arrive, held meetings adopt them
        into free places, hear back, put priorities under review and decide on them."""
        rng, plan = self.rng, self.plan
        monthly = forum.frequency == Frequency.MONTHLY
        live: list[_Live] = []
        pending: list[_Proposal] = []
        in_use: dict[str, Priority] = {}  # theme title → the priority that holds it
        previous = datetime.combine(self.start, time(0), tzinfo=self.zone) - timedelta(days=30)
        last_held: Meeting | None = None
        for meeting in meetings:
            if meeting.starts_at > self.cutoff:
                break
            for _ in range(rng.choice([0, 0, 0, 1, 1] if monthly else [0, 1, 1])):
                until = meeting.starts_at - timedelta(days=1)
                proposal = self.propose(area, forum, in_use, previous, until)
                if proposal:
                    pending.append(proposal)
            previous = meeting.ends_at
            if meeting.status != MeetingStatus.HELD:
                continue
            last_held = meeting
            raised = [
                self.item(meeting, ItemKind.CONCERN, self.title(rng.choice(THEMES))[2])
                for _ in range(rng.randrange(1, 4))
            ]
            self.report_back(meeting, area, live, in_use)
            self.adopt_or_close(meeting, area, live, pending, in_use, monthly)
            if rng.random() < 0.12:  # the team proposes what the meeting raised
                soon = meeting.ends_at + timedelta(hours=1)
                proposal = self.propose(
                    area, forum, in_use, meeting.ends_at, soon, raised_at=raised[0]
                )
                if proposal:
                    pending.append(proposal)
            self.minutes(meeting, forum)
        # Today: what was adopted at the last meeting may not have started yet, but most
        # neighbourhoods have something under way.
        for current in live:
            adopted_last = current.adopted_meeting is last_held
            if adopted_last and rng.random() < 0.5:
                self.hold_back(current)
        active = [c for c in live if c.priority.status == PriorityStatus.ACTIVE]
        if not self.held_back and len(active) >= 2:
            # At least one priority in the town is adopted and not yet started.
            self.hold_back(max(active, key=lambda c: c.priority.adopted_at or self.cutoff))
        if live and not any(c.priority.status == PriorityStatus.ACTIVE for c in live):
            waiting = [c for c in live if c.priority.status == PriorityStatus.ADOPTED]
            if waiting:
                waiting[0].priority.status = PriorityStatus.ACTIVE
                waiting[0].priority.version += 1
        for current in live:
            self.settle_actions(current.priority)
            for user in rng.sample(plan.residents, k=rng.randrange(0, 4)):
                if user is not current.priority.proposed_by:
                    follower = Follower(priority=current.priority, user=user)
                    plan.followers.append(follower)
                    plan.stamp(follower, self.when(current.priority.adopted_at or self.cutoff))
        for proposal in pending:
            plan.stamp(proposal.priority, self.when(proposal.priority.proposed_at))

    def hold_back(self, current: _Live) -> None:
        current.priority.status = PriorityStatus.ADOPTED
        current.priority.version -= 1
        self.held_back = True

    def report_back(
        self, meeting: Meeting, area: Area, live: list[_Live], in_use: dict[str, Priority]
    ) -> None:
        rng = self.rng
        for current in list(live):
            priority = current.priority
            current.held_since += 1
            owners = sorted(
                {str(a.owner_organisation.name) for a, _r in self.action_results[id(priority)]}
            )
            self.item(
                meeting,
                ItemKind.REPORT_BACK,
                f"Report back on “{priority.title}” from {', '.join(owners)}.",
                priority,
            )
            if priority.status == PriorityStatus.UNDER_REVIEW:
                live.remove(current)
                del in_use[current.theme.title]
                self.decide(current, meeting, area, live, in_use)
            elif current.held_since >= current.review_after:
                self.transition(priority, PriorityStatus.UNDER_REVIEW, meeting.ends_at)
                current.verdict = rng.choices(
                    ["online", "meeting", "carried", "dropped"], weights=[2, 6, 1.6, 1.2]
                )[0]
                self.item(
                    meeting,
                    ItemKind.DECISION,
                    f"“{priority.title}” is now under review: residents are asked whether it "
                    "has been dealt with.",
                    priority,
                )
                # Residents answer online until the next meeting.
                voters = rng.sample(self.plan.residents, k=rng.randrange(5, 16))
                share = {"online": 0.75, "meeting": 0.6}.get(current.verdict, 0.3)
                yes = round(len(voters) * share)
                for index, user in enumerate(voters):
                    at = meeting.ends_at + timedelta(hours=rng.randrange(2, 600))
                    self.vote(priority, Question.RESOLVED, user, index < yes, at)

    def decide(
        self,
        current: _Live,
        meeting: Meeting,
        area: Area,
        live: list[_Live],
        in_use: dict[str, Priority],
    ) -> None:
        rng = self.rng
        priority, theme = current.priority, current.theme
        if current.verdict == "online":
            self.close(priority, PriorityStatus.RESOLVED, meeting.ends_at, outcome=theme.outcome)
            self.item(
                meeting,
                ItemKind.DECISION,
                f"Residents confirmed online that “{priority.title}” is resolved.",
                priority,
            )
        elif current.verdict == "meeting":
            self.meeting_vote(meeting, priority, Question.RESOLVED, carried=True)
            self.close(priority, PriorityStatus.RESOLVED, meeting.ends_at, outcome=theme.outcome)
            self.item(
                meeting,
                ItemKind.DECISION,
                f"The meeting voted that “{priority.title}” is resolved.",
                priority,
            )
        elif current.verdict == "carried":
            self.meeting_vote(meeting, priority, Question.RESOLVED, carried=False)
            progress = " ".join(r for _a, r in self.action_results[id(priority)][:2])
            self.close(
                priority,
                PriorityStatus.CARRIED_OVER,
                meeting.ends_at,
                reason=rng.choice(CARRY_REASONS),
                outcome=progress,
            )
            follow = Priority(
                area=area,
                forum=meeting.forum,
                title=priority.title,
                description=priority.description,
                status=PriorityStatus.PROPOSED,
                proposed_by=priority.proposed_by,
                proposed_at=meeting.ends_at,
                carried_over_from=priority,
            )
            self.plan.priorities.append(follow)
            self.plan.carried.append((follow, priority))
            # Everyone who raised it is told about the follow-on as well.
            for origin in [o for o in self.plan.origins if o.priority is priority]:
                self.origin(
                    follow,
                    origin.kind,
                    meeting.ends_at,
                    concern_id=origin.concern_id,
                    meeting_item=origin.meeting_item,
                    proposal=origin.proposal,
                    user=origin.user,
                    summary=origin.summary,
                )
            in_use[theme.title] = follow
            self.adopt(_Proposal(follow, theme), meeting, area, live, vote=False)
            self.item(meeting, ItemKind.DECISION, f"“{priority.title}” is carried over.", follow)
        else:
            self.close(
                priority, PriorityStatus.DROPPED, meeting.ends_at, reason=rng.choice(DROP_REASONS)
            )
            self.item(
                meeting,
                ItemKind.DECISION,
                f"“{priority.title}” is dropped. {priority.reason}",
                priority,
            )

    def adopt_or_close(
        self,
        meeting: Meeting,
        area: Area,
        live: list[_Live],
        pending: list[_Proposal],
        in_use: dict[str, Priority],
        monthly: bool,
    ) -> None:
        """Adopt the best-supported proposals into free places (the forum may vote one
        down); merge repeats of a live priority into it; drop what waited too long."""
        rng = self.rng
        day = self.day(meeting)
        pending.sort(
            key=lambda p: -(self.adopt_votes[id(p.priority)] + p.priority.anonymous_support)
        )
        for proposal in list(pending):
            priority = proposal.priority
            if priority.proposed_at >= meeting.starts_at:
                continue
            target = proposal.duplicate_of
            if target is not None:
                pending.remove(proposal)
                self.close(
                    priority,
                    PriorityStatus.DROPPED,
                    meeting.ends_at,
                    reason=MERGED.format(title=target.title),
                )
                self.origin(
                    target,
                    OriginKind.PROPOSAL,
                    meeting.ends_at,
                    proposal=priority,
                    user=priority.proposed_by,
                    summary="A proposal merged into this priority",
                )
                continue
            if len(live) < self.limit:
                pending.remove(proposal)
                if rng.random() < 0.08:
                    vote = self.meeting_vote(meeting, priority, Question.ADOPT, carried=False)
                    reason = VOTED_DOWN.format(day=day, for_=vote.in_favour, against=vote.against)
                    self.close(priority, PriorityStatus.DROPPED, meeting.ends_at, reason=reason)
                    del in_use[proposal.theme.title]
                else:
                    self.adopt(proposal, meeting, area, live)
                continue
            proposal.meetings_waited += 1
            if proposal.meetings_waited >= (6 if monthly else 3):
                pending.remove(proposal)
                del in_use[proposal.theme.title]
                self.close(
                    priority,
                    PriorityStatus.DROPPED,
                    meeting.ends_at,
                    reason=NOT_ADOPTED.format(day=day),
                )

    def minutes(self, meeting: Meeting, forum: Forum) -> None:
        items = self.meeting_items[id(meeting)]
        team = self.inputs.officers.get(forum.area.pk, [])
        present = f"Present: {meeting.attendance} people"
        if team:
            present += f", with {team[0].name} for the police"
        lines = [present + ".", "The notes of the last meeting were agreed."]
        raised = [i.text for i in items if i.kind == ItemKind.CONCERN]
        if raised:
            lines.append("Raised by residents: " + " ".join(raised))
        lines += [i.text for i in items if i.kind == ItemKind.REPORT_BACK]
        lines += [i.text for i in items if i.kind == ItemKind.DECISION]
        meeting.minutes = "\n\n".join(lines)


def engagement_generate(inputs: EngagementInputs, seed: int, today: date) -> EngagementPlan:
    """The demo town's engagement history as unsaved rows (pure: same inputs, same rows)."""
    return _Generator(inputs, seed, today).run()


def _backdate(
    model: type[models.Model], rows: list[Any], plan: EngagementPlan, fields: tuple[str, ...]
) -> None:
    for row in rows:
        created, updated = plan.stamps[id(row)]
        for name in fields:
            setattr(row, name, updated if name == "updated_at" else created)
    _update_rows(model, list(fields), rows)


# Residents' proposals of the last few days that nobody has acted on yet still wait for a
# moderator, so the demo has a moderation queue; everything older was published when made.
MODERATION_QUEUE_DAYS = 4


def _publish(plan: EngagementPlan, today: date) -> None:
    touched = {id(v.priority) for v in plan.votes} | {id(f.priority) for f in plan.followers}
    since = datetime.combine(today - timedelta(days=MODERATION_QUEUE_DAYS), time(), local_zone())
    for priority in plan.priorities:
        waiting = (
            priority.status == PriorityStatus.PROPOSED
            and priority.proposed_by is not None
            and priority.proposed_at >= since
            and id(priority) not in touched
        )
        priority.published_at = None if waiting else priority.proposed_at
        if waiting:
            priority.anonymous_support = 0


def demo_engagement_load(*, seed: int, today: date, force: Organisation) -> EngagementPlan:
    """Write the generated history in bulk, backdate it, and record one audit event."""
    plan = engagement_generate(engagement_inputs(force), seed, today)
    with transaction.atomic():
        User.objects.bulk_create(plan.residents, batch_size=500)
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in plan.residents
            ],
            batch_size=500,
        )
        Forum.objects.bulk_create(plan.forums)
        ForumMember.objects.bulk_create(plan.members, batch_size=500)
        Meeting.objects.bulk_create(plan.meetings, batch_size=500)
        Registration.objects.bulk_create(plan.registrations, batch_size=500)
        for follow, _original in plan.carried:
            follow.carried_over_from = None
        _publish(plan, today)
        Priority.objects.bulk_create(plan.priorities, batch_size=500)
        for follow, original in plan.carried:
            follow.carried_over_from = original
        _update_rows(Priority, ["carried_over_from"], [f for f, _o in plan.carried])
        MeetingItem.objects.bulk_create(plan.items, batch_size=500)
        PriorityOrigin.objects.bulk_create(plan.origins, batch_size=500)
        MeetingVote.objects.bulk_create(plan.meeting_votes, batch_size=500)
        Vote.objects.bulk_create(plan.votes, batch_size=500)
        Action.objects.bulk_create(plan.actions, batch_size=500)
        Follower.objects.bulk_create(plan.followers, batch_size=500)
        _backdate(Forum, plan.forums, plan, ("created_at", "updated_at"))
        _backdate(Meeting, plan.meetings, plan, ("created_at", "updated_at"))
        _backdate(Registration, plan.registrations, plan, ("created_at",))
        _backdate(Priority, plan.priorities, plan, ("updated_at",))
        _backdate(MeetingItem, plan.items, plan, ("created_at",))
        _backdate(MeetingVote, plan.meeting_votes, plan, ("created_at",))
        _backdate(Vote, plan.votes, plan, ("created_at",))
        _backdate(Action, plan.actions, plan, ("created_at", "updated_at"))
        _backdate(Follower, plan.followers, plan, ("created_at",))
        area_touch(
            [inputs_area.pk for inputs_area in Area.objects.filter(organisation=force).only("pk")]
        )
        audit.record(
            "demo.engagement.load",
            actor=None,
            obj=force,
            data={
                "seed": seed,
                "today": today.isoformat(),
                "forums": len(plan.forums),
                "meetings": len(plan.meetings),
                "priorities": len(plan.priorities),
                "actions": len(plan.actions),
                "votes": len(plan.votes) + len(plan.meeting_votes),
            },
        )
    return plan
