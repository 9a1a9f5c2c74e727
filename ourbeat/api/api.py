"""ourbeat's own JSON API (django-ninja). Handlers are thin: they read through selectors and
write through services. Its OpenAPI document is committed at docs/openapi.json."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from ourbeat.places.models import Area, AreaLevel
from ourbeat.places.selectors import locate_neighbourhood, neighbourhoods
from ourbeat.teams import services as team_services
from ourbeat.teams.models import ContactPoint, Metric, OccurrenceChange
from ourbeat.teams.schedule import local_zone
from ourbeat.teams.selectors import current_assignments, upcoming_occurrences, visibility_summary

api = NinjaAPI(
    title="ourbeat API",
    version="1",
    description=(
        "Neighbourhoods, their teams and how to meet them. Public reads need no account; "
        "staff writes need a signed-in session with two-factor authentication and a CSRF token."
    ),
    urls_namespace="api",
)


@api.exception_handler(DjangoValidationError)
def _validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "You may not do this here."}, status=403)


class Error(Schema):
    detail: Any


class AreaSummary(Schema):
    slug: str
    code: str
    name: str
    level: str
    district: str | None
    organisation: str
    population: int | None
    centre: tuple[float, float] = Field(..., description="latitude, longitude")
    url: str


class AreaDetail(AreaSummary):
    description: str
    boundary: dict[str, Any] = Field(..., description="GeoJSON geometry (WGS84)")
    emergency_number: str
    non_emergency_telephone: str
    email: str


class TeamMember(Schema):
    name: str
    rank: str
    role: str
    bio: str
    languages: list[str]
    photo: str | None
    serving_since: date


class OccurrenceOut(Schema):
    contact_point: int
    kind: str
    title: str
    venue: str
    address: str
    start: datetime
    end: datetime
    status: str
    reason: str


class VisibilityOut(Schema):
    month: str
    metric: str
    label: str
    monthly_target: Decimal | None
    delivered: Decimal


def _summary(area: Area) -> dict[str, Any]:
    return {
        "slug": area.slug,
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "district": area.parent.name
        if area.parent and area.level == AreaLevel.NEIGHBOURHOOD
        else None,
        "organisation": area.organisation.slug,
        "population": area.population,
        "centre": (area.centre_lat, area.centre_lng),
        "url": area.get_absolute_url(),
    }


def _detail(area: Area) -> dict[str, Any]:
    return {
        **_summary(area),
        "description": area.description,
        "boundary": area.boundary,
        "emergency_number": area.organisation.emergency_number,
        "non_emergency_telephone": area.contact_telephone or area.organisation.telephone,
        "email": area.contact_email,
    }


def _area(slug: str) -> Area:
    if "\x00" in slug:  # PostgreSQL refuses NUL in a text parameter; no slug holds one
        raise Http404
    return get_object_or_404(Area.objects.select_related("organisation", "parent"), slug=slug)


public = Router(tags=["public"])


@public.get("/areas", response=list[AreaSummary])
def area_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every neighbourhood, grouped by district in order."""
    return [_summary(a) for a in neighbourhoods().defer("boundary")]


@public.get("/areas/{slug}", response={200: AreaDetail, 404: Error})
def area_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _detail(_area(slug))


class LocateQuery(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)


@public.get("/locate", response={200: AreaDetail, 404: Error})
def locate(request: HttpRequest, query: Query[LocateQuery]) -> Any:
    """The neighbourhood whose boundary contains the point (404 when none does)."""
    area = locate_neighbourhood(query.lat, query.lng)
    if area is None:
        raise HttpError(404, "No neighbourhood contains that point.")
    return _detail(area)


@public.get("/areas/{slug}/team", response={200: list[TeamMember], 404: Error})
def area_team(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    area = _area(slug)
    return [
        {
            "name": a.profile.name,
            "rank": a.profile.rank,
            "role": a.role,
            "bio": a.profile.bio,
            "languages": a.profile.languages,
            "photo": request.build_absolute_uri(a.profile.photo.url) if a.profile.photo else None,
            "serving_since": a.started_on,
        }
        for a in current_assignments(area, timezone.localdate())
    ]


@public.get("/areas/{slug}/contact-points", response={200: list[OccurrenceOut], 404: Error})
def area_contact_points(
    request: HttpRequest, slug: str, days: int = Query(60, ge=1, le=366)
) -> list[dict[str, Any]]:
    """Upcoming occurrences of the team's contact points and events, cancellations included."""
    area = _area(slug)
    return [
        {
            "contact_point": o.contact_point.pk,
            "kind": o.contact_point.kind,
            "title": o.contact_point.title,
            "venue": o.venue,
            "address": o.contact_point.address,
            "start": o.start,
            "end": o.end,
            "status": o.status,
            "reason": o.reason,
        }
        for o in upcoming_occurrences(area, timezone.now(), days=days, limit=500)
    ]


@public.get("/areas/{slug}/visibility", response={200: list[VisibilityOut], 404: Error})
def area_visibility(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The published commitment next to what was delivered in the last month that ended."""
    area = _area(slug)
    month, rows = visibility_summary(area, timezone.localdate())
    return [
        {
            "month": month.strftime("%Y-%m"),
            "metric": r.metric,
            "label": r.label,
            "monthly_target": r.target,
            # Sums come back with a database-dependent exponent; amounts are logged to 0.1.
            "delivered": r.delivered.quantize(Decimal("0.1")),
        }
        for r in rows
    ]


staff = Router(tags=["staff"], auth=django_auth)


class CsrfToken(Schema):
    csrf_token: str = Field(..., description="Send it back in the X-CSRFToken header.")


@staff.get("/csrf-token", response=CsrfToken)
def csrf_token(request: HttpRequest) -> dict[str, str]:
    """The CSRF token for this session's writes (the cookie itself is HTTP-only)."""
    return {"csrf_token": get_token(request)}


# Text without NUL characters: PostgreSQL cannot store them (Django's forms refuse them too).
NO_NUL = r"^[^\x00]*$"


class VisibilityLogIn(Schema):
    day: date
    metric: Metric
    amount: Decimal = Field(..., gt=0, le=744)
    note: str = Field("", max_length=300, pattern=NO_NUL)


class Created(Schema):
    id: int


@staff.post(
    "/areas/{slug}/visibility-logs", response={201: Created, 400: Error, 403: Error, 404: Error}
)
def visibility_log_create(request: HttpRequest, slug: str, payload: VisibilityLogIn) -> Any:
    """Log delivered visibility (officers and supervisors of the area)."""
    area = _area(slug)
    if not request.user.has_perm("teams.log_visibility", area):
        raise PermissionDenied
    entry = team_services.visibility_log_add(
        area=area,
        actor=request.user,
        day=payload.day,
        metric=payload.metric.value,
        amount=payload.amount,
        note=payload.note,
    )
    return Status(201, {"id": entry.pk})


def _aware(value: datetime) -> datetime:
    """A time without a zone is the area's local wall-clock time (as on its page)."""
    return timezone.make_aware(value, local_zone()) if timezone.is_naive(value) else value


class OccurrenceChangeIn(Schema):
    original_start: datetime = Field(
        ..., description="The occurrence's scheduled start; without a zone, local time."
    )
    status: OccurrenceChange.Status
    reason: str = Field("", max_length=300, pattern=NO_NUL)
    new_start: datetime | None = None
    new_venue: str = Field("", max_length=200, pattern=NO_NUL)


@staff.post(
    "/contact-points/{pk}/occurrence-changes",
    response={201: Created, 400: Error, 403: Error, 404: Error},
)
def occurrence_change_create(request: HttpRequest, pk: int, payload: OccurrenceChangeIn) -> Any:
    """Cancel or move one occurrence of a contact point."""
    point = get_object_or_404(ContactPoint.objects.select_related("area"), pk=pk)
    if not request.user.has_perm("teams.edit_contact_point", point):
        raise PermissionDenied
    change = team_services.occurrence_change(
        contact_point=point,
        actor=request.user,
        original_start=_aware(payload.original_start),
        status=payload.status.value,
        reason=payload.reason,
        new_start=_aware(payload.new_start) if payload.new_start else None,
        new_venue=payload.new_venue,
    )
    return Status(201, {"id": change.pk})


# Any other address under the API is a 404 with a JSON body, never an HTML page. Its router
# is added last, so that every real route is tried before it.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def not_found(request: HttpRequest, rest: str) -> None:
    raise HttpError(404, "Not Found")


api.add_router("/", public)
api.add_router("/staff/", staff)
api.add_router("/", "ourbeat.api.concerns_api.router")
api.add_router("/", "ourbeat.api.engagement_api.router")
api.add_router("/staff/", "ourbeat.api.recurring_api.router")
api.add_router("/staff/analytics/", "ourbeat.api.analytics_api.router")
api.add_router("/", fallback)
