"""Reads of concerns shared by pages, feeds and APIs. Public reads never touch ``Reporter``
and never return the exact point; staff reads are scoped to what the user may handle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import h3
import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone

from ourbeat.accounts.models import Role
from ourbeat.concerns.models import OPEN_STATUSES, Category, Concern, Referral
from ourbeat.core.permissions import areas_filter_for

HANDLER_ROLES = {Role.OFFICER, Role.SUPERVISOR, Role.PARTNER_STAFF, Role.ORG_ADMIN}
READER_ROLES = HANDLER_ROLES | {Role.ANALYST}


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).order_by("group", "order", "name")


def public_concerns() -> QuerySet[Concern]:
    """Published, not hidden: the only concerns the public sees."""
    return (
        Concern.objects.filter(published_at__isnull=False, hidden=False)
        .select_related("category", "area", "responsible")
        # Never the private columns; nor the neighbourhood's boundary, which would be decoded
        # for every row of a list (it halved the Open311 read of 1,000 concerns).
        .defer("description", "latitude", "longitude", "idempotency_key", "area__boundary")
    )


def public_point(concern: Concern) -> tuple[float, float] | None:
    """The anonymised point shown in public: the centre of the concern's H3 cell."""
    if concern.public_cell is None:
        return None
    lat, lng = h3.cell_to_latlng(h3.int_to_str(concern.public_cell))
    return round(lat, 6), round(lng, 6)


def working_days_after(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``."""
    return np.busday_offset(np.datetime64(start, "D"), days, roll="forward").astype(date)


def commitment_due_dates(category: Category, reported_at: datetime) -> dict[str, date]:
    """The due dates of the category's published commitment for a concern reported at
    ``reported_at``, counted in working days from the local day of the report, as the
    keyword arguments of the concern's stored fields."""
    reported = timezone.localdate(reported_at)
    return {
        "first_response_due": working_days_after(reported, category.first_response_days),
        "resolution_plan_due": working_days_after(reported, category.resolution_plan_days),
    }


def due_dates(concern: Concern) -> tuple[date, date]:
    """When the first response and the resolution plan are due under the published commitment
    (the stored dates; computed for a row written without them)."""
    if concern.first_response_due is not None and concern.resolution_plan_due is not None:
        return concern.first_response_due, concern.resolution_plan_due
    due = commitment_due_dates(concern.category, concern.created_at)
    return due["first_response_due"], due["resolution_plan_due"]


def overdue_q(today: date) -> Q:
    """Open concerns past a commitment: no first response by its due date, or no resolution
    by the resolution plan's due date. A date is missed once it has passed (due today is not
    yet late)."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(first_responded_at__isnull=True, first_response_due__lt=today)
        | Q(resolution_plan_due__lt=today)
    )


@dataclass(frozen=True)
class Lateness:
    """Which commitments an open concern has missed, for the staff pages' markers."""

    first_response: bool
    resolution_plan: bool


def lateness(concern: Concern, today: date) -> Lateness:
    """The same test as ``overdue_q``, on the stored dates, for one concern already in hand."""
    if concern.status not in OPEN_STATUSES:
        return Lateness(False, False)
    first_due, plan_due = concern.first_response_due, concern.resolution_plan_due
    return Lateness(
        first_response=(
            concern.first_responded_at is None and first_due is not None and first_due < today
        ),
        resolution_plan=plan_due is not None and plan_due < today,
    )


def staff_concerns(user: Any) -> QuerySet[Concern]:
    """Concerns the user may see on the staff side: those their organisation is responsible
    for (within their area scope) and those their organisation referred on (read access)."""
    qs = Concern.objects.select_related("category", "area", "responsible", "assigned_to")
    if getattr(user, "is_superuser", False):
        return qs
    scope = Q(pk__in=[])
    for membership in areas_filter_for(user, READER_ROLES):
        mine = Q(responsible_id=membership.organisation_id)
        if membership.area is not None:
            mine &= Q(area__path__startswith=membership.area.path)
        referred = Q(
            pk__in=Referral.objects.filter(from_organisation_id=membership.organisation_id).values(
                "concern_id"
            )
        )
        if membership.area is not None:
            # The sender keeps read access within the same area scope as its own concerns.
            referred &= Q(area__path__startswith=membership.area.path)
        scope |= mine | referred
    return qs.filter(scope)


def queue(user: Any, view: str, now: datetime) -> QuerySet[Concern]:
    """The triage queue: ``new`` (not yet acknowledged), ``overdue`` (open past the first
    response or the resolution plan commitment, see ``overdue_q``), ``mine``, ``unassigned``,
    or ``open``."""
    qs = staff_concerns(user).filter(status__in=OPEN_STATUSES).order_by("created_at")
    if view == "new":
        return qs.filter(status="submitted")
    if view == "mine":
        return qs.filter(assigned_to=user)
    if view == "unassigned":
        return qs.filter(assigned_to__isnull=True)
    if view == "overdue":
        return qs.filter(overdue_q(timezone.localdate(now)))
    return qs


def nearby_open(
    category: Category, latitude: float, longitude: float, limit: int = 5
) -> list[Concern]:
    """Open, published concerns of the same category near a point ("is it one of these?"),
    found through the public cells around it, so that no exact point is compared."""
    if category.sensitive:
        return []
    centre = h3.latlng_to_cell(latitude, longitude, category.public_resolution)
    cells = [h3.str_to_int(c) for c in h3.grid_disk(centre, 2)]
    return list(
        public_concerns()
        .filter(category=category, status__in=OPEN_STATUSES, public_cell__in=cells)
        .order_by("-created_at")[:limit]
    )
