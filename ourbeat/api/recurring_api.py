"""Recurring concerns in ourbeat's JSON API, for staff with a scanning role: clusters of
similar concerns within an area the user covers, a period and optionally a category (the
staff page's figures, as JSON). Mounted in ``api.py`` under ``/staff/`` so that the
two-factor middleware guards it; the handler checks the second factor too. Reporters are
never read: a cluster lists concern references, categories, dates, a published or masked
text and the centre of an H3 cell."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from ourbeat.accounts.middleware import has_totp
from ourbeat.analytics import recurring


class RecurringProblem(Schema):
    detail: Any


class ClusterCategory(Schema):
    name: str
    count: int


class ClusterOut(Schema):
    size: int
    concerns: list[str] = Field(..., description="the references of the concerns, oldest first")
    categories: list[ClusterCategory]
    first_reported: datetime
    last_reported: datetime
    text: str = Field(..., description="a representative text, as published or masked")
    cell: str = Field(..., description="the H3 cell of the concerns' mean point")
    centre: tuple[float, float] = Field(..., description="the cell's centre: latitude, longitude")
    neighbourhood: str = Field(..., description="the slug of the neighbourhood most of them are in")
    mean_similarity: float


class RecurringPage(Schema):
    area: str | None = Field(..., description="the area's slug; null: every area you cover")
    start: date
    end: date
    category: str | None
    scorer: str = Field(..., description="how texts are compared (see docs/decisions/0005)")
    threshold: float
    window_days: int
    resolution: int = Field(..., description="the H3 resolution of the blocking cells")
    clusters: list[ClusterOut]


class RecurringQuery(Schema):
    area: str = Field("", description="an area's slug (any level); empty: every area you cover")
    start: str = Field("", description="first day, YYYY-MM-DD (default: 90 days before end)")
    end: str = Field("", description="last day, YYYY-MM-DD (default: today)")
    category: str = Field("", description="a category's service code")


def build_router() -> Router:
    """A router with the recurring-concerns endpoint (a new one each call, so that a test can
    mount it on an API of its own)."""
    router = Router(tags=["analytics"], auth=django_auth)

    @router.get(
        "/analytics/recurring-concerns",
        response={200: RecurringPage, 400: RecurringProblem, 403: RecurringProblem},
    )
    def recurring_concerns(request: HttpRequest, query: Query[RecurringQuery]) -> Any:
        """Clusters of similar concerns (analysts, officers, supervisors and organisation
        admins, within the areas they cover). Periods are at most 366 days."""
        user = request.user
        if not has_totp(user) or not user.has_perm("analytics.use_scan"):
            return Status(403, {"detail": _("You may not do this here.")})
        try:
            wanted = recurring.recurring_request(
                user=user,
                today=timezone.localdate(),
                area=query.area,
                start=query.start or None,
                end=query.end or None,
                category=query.category,
            )
        except ValidationError as error:
            return Status(400, {"detail": error.message_dict})
        clusters = recurring.clusters_for(user, wanted)
        return {
            "area": wanted.area.slug if wanted.area is not None else None,
            "start": wanted.start,
            "end": wanted.end,
            "category": wanted.category.code if wanted.category is not None else None,
            "scorer": recurring.SCORER,
            "threshold": recurring.THRESHOLD,
            "window_days": recurring.WINDOW_DAYS,
            "resolution": recurring.BLOCK_RESOLUTION,
            "clusters": [cluster.as_dict() for cluster in clusters],
        }

    return router


router = build_router()
