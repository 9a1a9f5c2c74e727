"""The public concerns of ourbeat's JSON API (mounted in ``api.py`` under the "concerns"
tag): the same filters as the public list, and one concern's public record. Everything is
read through ``public_concerns()``: no reporter detail, no exact point, nothing unpublished
or hidden."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from ourbeat.concerns.forms_browse import EARLIEST, LATEST, ConcernFilters
from ourbeat.concerns.models import Category, Concern, Update
from ourbeat.concerns.selectors import due_dates, public_concerns, public_point
from ourbeat.concerns.views.browse import detail_url, filtered_public_concerns
from ourbeat.places.models import Area, AreaLevel

router = Router(tags=["concerns"])

SLUG = r"^[-a-zA-Z0-9_]+$"


class ConcernProblem(Schema):
    detail: Any


class CategoryOut(Schema):
    code: str
    label: str


class ConcernSummary(Schema):
    reference: str
    category: CategoryOut
    neighbourhood: str = Field(..., description="the neighbourhood's slug")
    status: str
    published_at: datetime
    updated_at: datetime
    point: tuple[float, float] | None = Field(
        ...,
        description=(
            "latitude, longitude of the centre of the concern's public H3 cell (never the "
            "exact place); null for sensitive categories"
        ),
    )
    supporters: int
    url: str


class ConcernPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[ConcernSummary]


class PublicUpdate(Schema):
    kind: str
    status: str
    text: str
    created_at: datetime


class ConcernDetail(ConcernSummary):
    text: str = Field(..., description="the moderated text, personal details masked")
    status_note: str
    first_response_due: date
    resolution_plan_due: date
    updates: list[PublicUpdate]


class ConcernQuery(Schema):
    area: str | None = Field(
        None,
        max_length=80,
        pattern=SLUG,
        description="slug of a district or neighbourhood (everything inside it)",
    )
    category: str | None = Field(None, max_length=60, pattern=SLUG, description="category code")
    status: (
        Literal[
            "open",
            "closed",
            "submitted",
            "acknowledged",
            "investigating",
            "action_scheduled",
            "resolved",
            "not_police_matter",
            "duplicate",
        ]
        | None
    ) = Field(
        None,
        description=(
            "open or closed (any open or closed status), or one status; `closed` means every "
            "closed status"
        ),
    )
    date_from: date | None = Field(
        None, alias="from", ge=EARLIEST, le=LATEST, description="reported on or after"
    )
    date_to: date | None = Field(
        None, alias="to", ge=EARLIEST, le=LATEST, description="reported on or before"
    )
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


def _filters(query: ConcernQuery) -> ConcernFilters:
    area = category = None
    if query.area:
        area = (
            Area.objects.filter(
                slug=query.area, level__in=[AreaLevel.DISTRICT, AreaLevel.NEIGHBOURHOOD]
            )
            .only("pk", "path", "name")
            .first()
        )
        if area is None:
            raise HttpError(400, "No district or neighbourhood has that slug.")
    if query.category:
        category = Category.objects.filter(code=query.category).first()
        if category is None:
            raise HttpError(400, "No category has that code.")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise HttpError(400, "`to` must not be before `from`.")
    return ConcernFilters(
        area=area,
        category=category,
        status=query.status or "",
        date_from=query.date_from,
        date_to=query.date_to,
    )


def _summary(concern: Concern) -> dict[str, Any]:
    return {
        "reference": concern.reference,
        "category": {"code": concern.category.code, "label": concern.category.label},
        "neighbourhood": concern.area.slug,
        "status": concern.status,
        "published_at": concern.published_at,
        "updated_at": concern.updated_at,
        "point": None if concern.category.sensitive else public_point(concern),
        "supporters": concern.supporters,
        "url": detail_url(concern.reference),
    }


@router.get("/concerns", response={200: ConcernPage, 400: ConcernProblem})
def concern_list(request: HttpRequest, query: Query[ConcernQuery]) -> dict[str, Any]:
    """Published concerns, newest first, with the public list's filters; `total` counts
    every match, `items` holds `limit` of them from `offset`."""
    qs = filtered_public_concerns(_filters(query))
    items = list(qs[query.offset : query.offset + query.limit])
    return {
        "total": qs.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": [_summary(c) for c in items],
    }


@router.get("/concerns/{reference}", response={200: ConcernDetail, 404: ConcernProblem})
def concern_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    """One published concern with its public updates and the due dates of its category's
    published response commitment."""
    if len(reference) > 20 or "\x00" in reference:
        raise HttpError(404, "No published concern has that reference.")
    concern = public_concerns().filter(reference=reference).first()
    if concern is None:
        raise HttpError(404, "No published concern has that reference.")
    first, plan = due_dates(concern)
    updates = Update.objects.filter(concern=concern, public=True, hidden=False).only(
        "kind", "status", "text", "created_at"
    )
    return {
        **_summary(concern),
        "text": concern.public_text,
        "status_note": concern.status_note,
        "first_response_due": first,
        "resolution_plan_due": plan,
        "updates": [
            {"kind": u.kind, "status": u.status, "text": u.text, "created_at": u.created_at}
            for u in updates
        ],
    }
