"""The police.uk neighbourhood API, in its own shapes, so that clients written for
data.police.uk read ourbeat unchanged. Field names, nesting and types follow the real API:
coordinates and population are strings, dates are local time without a zone."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError
from shapely.geometry import MultiPolygon, Polygon

from ourbeat.engagement.models import (
    Action,
    ActionStatus,
    Meeting,
    MeetingStatus,
    Priority,
    PriorityStatus,
)
from ourbeat.places.models import Area, AreaLevel, Organisation, OrganisationKind
from ourbeat.places.selectors import locate_neighbourhood, neighbourhoods, police_services
from ourbeat.teams.models import ContactKind, OfficerProfile
from ourbeat.teams.schedule import Occurrence, local_zone, upcoming
from ourbeat.teams.selectors import current_assignments, meeting_points, stations

police_uk_api = NinjaAPI(
    title="ourbeat police.uk-compatible API",
    version="1.0",
    urls_namespace="police_uk",
    description="The police.uk neighbourhood endpoints in their own shapes.",
    docs_url=None,
)


class ForceSummary(Schema):
    id: str
    name: str


class EngagementMethod(Schema):
    title: str
    url: str | None
    description: str | None


class Force(Schema):
    id: str
    name: str
    description: str | None
    url: str | None
    telephone: str | None
    engagement_methods: list[EngagementMethod]


class Person(Schema):
    name: str
    rank: str
    bio: str | None
    contact_details: dict[str, str]


class NeighbourhoodSummary(Schema):
    id: str
    name: str


class Point(Schema):
    latitude: str
    longitude: str


class Link(Schema):
    url: str
    description: str | None
    title: str


class Location(Schema):
    name: str
    longitude: str | None
    latitude: str | None
    postcode: str
    address: str
    type: str
    description: str | None


class Neighbourhood(Schema):
    id: str
    name: str
    url_force: str | None
    description: str | None
    population: str | None
    centre: Point
    contact_details: dict[str, str]
    links: list[Link]
    locations: list[Location]


class NeighbourhoodEvent(Schema):
    title: str
    description: str | None
    address: str
    type: str
    start_date: str
    end_date: str
    contact_details: dict[str, str]


class NeighbourhoodPriority(Schema):
    issue: str
    issue_date: str = Field(..., alias="issue-date")
    action: str | None
    action_date: str | None = Field(..., alias="action-date")


class Located(Schema):
    force: str
    neighbourhood: str


class NotFound(Schema):
    detail: str


# police.uk's event types are few and coarse: a surgery, a street stall and a walk-and-talk
# are all "meeting"s with the team; anything else is "other". Front counters are places
# (neighbourhood "locations" of type "station"), not events.
EVENT_TYPES: dict[str, str] = {
    ContactKind.SURGERY: "meeting",
    ContactKind.STREET_STALL: "meeting",
    ContactKind.WALK_AND_TALK: "meeting",
    ContactKind.EVENT: "other",
}


def _coordinate(value: float | None) -> str | None:
    return None if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def _no_nul(*values: str) -> None:
    """PostgreSQL refuses NUL in a text parameter; no force or neighbourhood id holds one."""
    if any("\x00" in value for value in values):
        raise Http404


def _force(force: str) -> Organisation:
    _no_nul(force)
    return get_object_or_404(police_services(), slug=force)


def _neighbourhood(force: str, code: str) -> Area:
    _no_nul(force, code)
    return get_object_or_404(
        Area.objects.select_related("organisation"),
        organisation__slug=force,
        organisation__kind=OrganisationKind.POLICE_SERVICE,
        code=code,
        level=AreaLevel.NEIGHBOURHOOD,
    )


def _person(profile: OfficerProfile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "rank": profile.rank,
        "bio": profile.bio or None,
        "contact_details": {},
    }


def _local(value: Any) -> str:
    return str(value.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M:%S"))


_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", re.IGNORECASE)


def _postcode(address: str) -> str:
    """The UK postcode in an address, or "" (police.uk always sends a string here)."""
    found = _POSTCODE.search(address)
    return found.group(1).upper() if found else ""


def _event_address(occurrence: Occurrence) -> str:
    """Where to go: a moved occurrence's new venue stands alone (the usual address would
    mislead); otherwise the venue and the address."""
    point = occurrence.contact_point
    if occurrence.venue != point.venue:
        return occurrence.venue
    return ", ".join(p for p in (occurrence.venue, point.address) if p)


@police_uk_api.get("forces", response=list[ForceSummary], tags=["forces"])
def forces(request: HttpRequest) -> list[dict[str, str]]:
    return [{"id": o.slug, "name": o.name} for o in police_services().only("slug", "name")]


@police_uk_api.get("forces/{force}", response={200: Force, 404: NotFound}, tags=["forces"])
def force_detail(request: HttpRequest, force: str) -> dict[str, Any]:
    org = _force(force)
    return {
        "id": org.slug,
        "name": org.name,
        "description": org.description or None,
        "url": org.url or None,
        "telephone": org.telephone or None,
        "engagement_methods": org.engagement_methods,
    }


@police_uk_api.get(
    "forces/{force}/people", response={200: list[Person], 404: NotFound}, tags=["forces"]
)
def force_people(request: HttpRequest, force: str) -> list[dict[str, Any]]:
    """Senior officers: those serving the force's whole service area."""
    org = _force(force)
    today = timezone.localdate()
    profiles = (
        OfficerProfile.objects.filter(
            organisation=org,
            public=True,
            assignments__area__level=AreaLevel.SERVICE,
            assignments__started_on__lte=today,
        )
        .distinct()
        .order_by("name")
    )
    return [_person(p) for p in profiles]


@police_uk_api.get(
    "locate-neighbourhood",
    response={200: Located, 400: NotFound, 404: NotFound},
    tags=["neighbourhoods"],
)
def locate(request: HttpRequest, q: str = "") -> dict[str, str]:
    """The force and neighbourhood containing ``q=latitude,longitude`` (404 when none does;
    400 when q is not two finite numbers in range)."""
    lat, lng = _parse_point(q)
    area = locate_neighbourhood(lat, lng)
    if area is None:
        raise HttpError(404, "No neighbourhood contains that point")
    return {"force": area.organisation.slug, "neighbourhood": area.code}


def _parse_point(q: str) -> tuple[float, float]:
    parts = q.split(",")
    try:
        if len(parts) != 2:
            raise ValueError(q)
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError as error:
        raise HttpError(400, "q must be latitude,longitude (e.g. q=52.6389,-1.13619)") from error
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise HttpError(400, "latitude and longitude must be finite numbers")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise HttpError(400, "latitude must lie in [-90, 90] and longitude in [-180, 180]")
    return lat, lng


@police_uk_api.get(
    "{force}/neighbourhoods",
    response={200: list[NeighbourhoodSummary], 404: NotFound},
    tags=["neighbourhoods"],
)
def neighbourhood_list(request: HttpRequest, force: str) -> list[dict[str, str]]:
    org = _force(force)
    return [{"id": a.code, "name": a.name} for a in neighbourhoods(org).defer("boundary")]


@police_uk_api.get(
    "{force}/{neighbourhood}", response={200: Neighbourhood, 404: NotFound}, tags=["neighbourhoods"]
)
def neighbourhood_detail(request: HttpRequest, force: str, neighbourhood: str) -> dict[str, Any]:
    area = _neighbourhood(force, neighbourhood)
    contact = {"telephone": area.contact_telephone or area.organisation.telephone}
    if area.contact_email:
        contact["email"] = area.contact_email
    # police.uk's locations are the neighbourhood's police stations: our front counters.
    locations = [
        {
            "name": point.venue,
            "latitude": _coordinate(point.latitude),
            "longitude": _coordinate(point.longitude),
            "postcode": _postcode(point.address),
            "address": point.address,
            "type": "station",
            "description": point.description or None,
        }
        for point in stations(area)
    ]
    return {
        "id": area.code,
        "name": area.name,
        "url_force": request.build_absolute_uri(area.get_absolute_url()),
        "description": area.description or None,
        "population": str(area.population) if area.population is not None else None,
        "centre": {
            "latitude": _coordinate(area.centre_lat),
            "longitude": _coordinate(area.centre_lng),
        },
        "contact_details": contact,
        "links": [
            {"url": area.organisation.url, "description": None, "title": area.organisation.name}
        ]
        if area.organisation.url
        else [],
        "locations": locations,
    }


@police_uk_api.get(
    "{force}/{neighbourhood}/boundary",
    response={200: list[Point], 404: NotFound},
    tags=["neighbourhoods"],
)
def neighbourhood_boundary(
    request: HttpRequest, force: str, neighbourhood: str
) -> list[dict[str, str | None]]:
    """police.uk gives one ring of points; for a multi-part area, the largest part."""
    area = _neighbourhood(force, neighbourhood)
    geometry = area.geometry
    polygon = (
        max(geometry.geoms, key=lambda g: g.area)
        if isinstance(geometry, MultiPolygon)
        else geometry
    )
    assert isinstance(polygon, Polygon)
    return [
        {"latitude": _coordinate(y), "longitude": _coordinate(x)}
        for x, y in polygon.exterior.coords
    ]


@police_uk_api.get(
    "{force}/{neighbourhood}/people",
    response={200: list[Person], 404: NotFound},
    tags=["neighbourhoods"],
)
def neighbourhood_people(
    request: HttpRequest, force: str, neighbourhood: str
) -> list[dict[str, Any]]:
    area = _neighbourhood(force, neighbourhood)
    return [_person(a.profile) for a in current_assignments(area, timezone.localdate())]


@police_uk_api.get(
    "{force}/{neighbourhood}/events",
    response={200: list[NeighbourhoodEvent], 404: NotFound},
    tags=["neighbourhoods"],
)
def neighbourhood_events(
    request: HttpRequest, force: str, neighbourhood: str
) -> list[dict[str, Any]]:
    """Upcoming occurrences of the team's contact points and events (cancelled ones left out,
    as police.uk has no way to say so)."""
    area = _neighbourhood(force, neighbourhood)
    now = timezone.now()
    points = meeting_points(area)
    shown = [o for o in upcoming(points, now, days=90, limit=500) if not o.is_cancelled]
    events: list[tuple[datetime, dict[str, Any]]] = [
        (
            o.start,
            {
                "title": o.contact_point.title,
                "description": o.contact_point.description or None,
                "address": _event_address(o),
                "type": EVENT_TYPES.get(o.contact_point.kind, "other"),
                "start_date": _local(o.start),
                "end_date": _local(o.end),
                "contact_details": {},
            },
        )
        for o in shown
    ]
    # The forums residents here attend (the neighbourhood's, the district's, the town's):
    # their meetings are police.uk "meeting"s too.
    for meeting in forum_meetings(area, now, now + timedelta(days=90)):
        events.append(
            (
                meeting.starts_at,
                {
                    "title": meeting.title,
                    "description": meeting.agenda or meeting.forum.description or None,
                    "address": ", ".join(p for p in (meeting.venue, meeting.address) if p)
                    or meeting.online_url,
                    "type": "meeting",
                    "start_date": _local(meeting.starts_at),
                    "end_date": _local(meeting.ends_at),
                    "contact_details": {},
                },
            )
        )
    events.sort(key=lambda pair: pair[0])
    return [event for _start, event in events[:100]]


def forum_meetings(area: Area, start: datetime, end: datetime) -> QuerySet[Meeting]:
    """Meetings of the forums of the area, its district and its service area between two
    times (cancelled ones left out, as police.uk cannot say so)."""
    ids = [i for i in (area.pk, area.parent_id) if i is not None]
    if area.parent_id is not None:
        ids.append(Area.objects.filter(pk=area.parent_id).values_list("parent_id", flat=True)[0])
    return (
        Meeting.objects.filter(forum__area_id__in=[i for i in ids if i is not None])
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("forum")
        .only(
            "title",
            "agenda",
            "venue",
            "address",
            "online_url",
            "starts_at",
            "ends_at",
            "forum__description",
        )
        .order_by("starts_at", "pk")[:100]
    )


def _midnight(value: datetime | None) -> str | None:
    """police.uk's priority dates: the local day at midnight ("2015-10-08T00:00:00")."""
    if value is None:
        return None
    return value.astimezone(local_zone()).strftime("%Y-%m-%dT00:00:00")


def _priority(priority: Priority) -> dict[str, Any]:
    """police.uk's ``issue`` is what residents raised; its ``action`` what was done: the
    outcome once reported, or else the published results of the actions done so far (the
    latest first), with the reason when a priority was dropped or carried over."""
    issue = f"{priority.title}. {priority.description}" if priority.description else priority.title
    done = sorted(
        (a for a in priority.actions.all() if a.status == ActionStatus.DONE and a.result),
        key=lambda a: (a.completed_at or a.updated_at, a.pk),
        reverse=True,
    )
    if priority.outcome:
        action, action_at = priority.outcome, priority.outcome_at or priority.closed_at
    elif done:
        action = " ".join(a.result for a in done)
        action_at = done[0].completed_at or done[0].updated_at
    else:
        action, action_at = "", None
    if priority.reason and priority.status in (
        PriorityStatus.DROPPED,
        PriorityStatus.CARRIED_OVER,
    ):
        action = f"{action} {priority.reason}".strip()
        action_at = action_at or priority.closed_at
    return {
        "issue": issue,
        "issue-date": _midnight(priority.adopted_at or priority.proposed_at),
        "action": action or None,
        "action-date": _midnight(action_at) if action else None,
    }


@police_uk_api.get(
    "{force}/{neighbourhood}/priorities",
    response={200: list[NeighbourhoodPriority], 404: NotFound},
    tags=["neighbourhoods"],
    by_alias=True,
)
def neighbourhood_priorities(
    request: HttpRequest, force: str, neighbourhood: str
) -> list[dict[str, Any]]:
    """The neighbourhood's priorities, current and past, newest first, in police.uk's shape
    (``issue``, ``issue-date``, ``action``, ``action-date``). Proposals that no meeting
    adopted are not priorities yet and are left out."""
    area = _neighbourhood(force, neighbourhood)
    priorities = (
        Priority.objects.filter(area=area, adopted_at__isnull=False)
        .only(
            "title",
            "description",
            "status",
            "proposed_at",
            "adopted_at",
            "closed_at",
            "outcome",
            "outcome_at",
            "reason",
        )
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.filter(status=ActionStatus.DONE).only(
                    "priority", "status", "result", "completed_at", "updated_at"
                ),
            )
        )
        .order_by("-adopted_at", "-pk")
    )
    return [_priority(p) for p in priorities]


@police_uk_api.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "{path:rest}", include_in_schema=False
)
def not_found(request: HttpRequest, rest: str) -> None:
    """Anything else is a 404 with a JSON body, as every other answer of this API."""
    raise HttpError(404, "Not Found")
