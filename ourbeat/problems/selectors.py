"""Reads of problem-solving cases shared by the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ourbeat.core.permissions import (
    PROBLEM_LEAD_ROLES,
    area_scope,
    problem_partner_organisation_ids,
)
from ourbeat.problems.models import Problem


def problems_for(user: Any) -> QuerySet[Problem]:
    """The cases the user may read: those their lead roles cover, and those their agency is a
    member of. Never any other."""
    cases = Problem.objects.select_related("area", "organisation")
    lead = area_scope(user, PROBLEM_LEAD_ROLES, "area__")
    if lead is None:
        return cases
    partner = Q(members__organisation_id__in=problem_partner_organisation_ids(user))
    return cases.filter(lead | partner).distinct()


def published_summaries() -> QuerySet[Problem]:
    """Cases whose public summary is published: the only reads the public pages may use
    (they show ``public_title``, ``public_summary``, the stage and the area's name only)."""
    return (
        Problem.objects.filter(public_published_at__isnull=False)
        .select_related("area")
        .only(
            "pk",
            "public_title",
            "public_summary",
            "public_published_at",
            "stage",
            "area__name",
            "area__slug",
            "area__level",
        )
        .order_by("-public_published_at", "-pk")
    )
