"""Reads of teams shared by the pages and the APIs; each owns its joins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from ourbeat.places.models import Area
from ourbeat.teams.models import (
    Assignment,
    ContactKind,
    ContactPoint,
    Metric,
    OfficerProfile,
    VisibilityLog,
)
from ourbeat.teams.schedule import Occurrence, upcoming


def current_assignments(area: Area, today: date) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(area=area, profile__public=True, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .select_related("profile")
        .order_by("order", "started_on", "profile__name")
    )


def organisation_people(organisation_id: int) -> QuerySet[OfficerProfile]:
    return OfficerProfile.objects.filter(organisation_id=organisation_id, public=True).order_by(
        "name"
    )


def contact_points(area: Area) -> list[ContactPoint]:
    return list(ContactPoint.objects.filter(area=area, cancelled=False).prefetch_related("changes"))


def meeting_points(area: Area) -> list[ContactPoint]:
    """Contact points one goes to at a time: surgeries, stalls, walks, events."""
    return [p for p in contact_points(area) if p.kind != ContactKind.FRONT_COUNTER]


def stations(area: Area) -> list[ContactPoint]:
    """Front counters: standing opening hours, listed apart from dated meetings (five
    weekday openings would otherwise crowd the surgeries out of the upcoming list)."""
    return list(
        ContactPoint.objects.filter(area=area, cancelled=False, kind=ContactKind.FRONT_COUNTER)
    )


def upcoming_occurrences(
    area: Area, now: datetime, days: int = 60, limit: int = 12
) -> list[Occurrence]:
    return upcoming(meeting_points(area), now, days=days, limit=limit)


TENTH = Decimal("0.1")


def previous_month(today: date) -> date:
    """The first day of the last month that has ended."""
    first_of_this = today.replace(day=1)
    return (first_of_this - timedelta(days=1)).replace(day=1)


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class VisibilityRow:
    metric: str
    label: str
    target: Decimal | None
    delivered: Decimal

    @property
    def met(self) -> bool:
        return self.target is not None and self.delivered >= self.target


def delivered_totals(area: Area, month: date, today: date) -> dict[str, Decimal]:
    """Monthly totals of the delivered log; only for months that have ended, because the
    log of a running month would show where patrols are (operational security)."""
    if _month_end(month) > today:
        return {}
    rows = (
        VisibilityLog.objects.filter(area=area, day__gte=month, day__lt=_month_end(month))
        .values("metric")
        .annotate(total=Sum("amount"))
    )
    # SQLite sums decimals as floats ("29.2000000000000"); amounts are kept to 0.1.
    return {row["metric"]: Decimal(row["total"]).quantize(TENTH) for row in rows}


def visibility_summary(area: Area, today: date) -> tuple[date, list[VisibilityRow]]:
    month = previous_month(today)
    totals = delivered_totals(area, month, today)
    targets = {c.metric: c.monthly_target for c in area.commitments.all()}
    rows = [
        VisibilityRow(
            metric, str(Metric(metric).label), targets.get(metric), totals.get(metric, Decimal(0))
        )
        for metric in Metric.values
        if metric in targets or metric in totals
    ]
    return month, rows
