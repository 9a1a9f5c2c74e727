"""The survey figures on public pages: the neighbourhood's headline measures and a
priority's before/after view. Both pages are cached per area version; closing a wave
touches its areas."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache

from ourbeat.surveys import selectors
from ourbeat.surveys.models import translated

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """A share (0–1) as a whole percentage, clipped to 0–100 (a Wald interval may leave it)."""
    if share is None:
        return ""
    return f"{round(min(max(share, 0.0), 1.0) * 100)}"


@register.filter
def points(difference: float | None) -> str:
    """A difference of shares in percentage points, signed."""
    if difference is None:
        return ""
    value = round(difference * 100)
    return f"+{value}" if value > 0 else f"{value}".replace("-", "−")


@register.filter
def in_language(texts: Any) -> str:
    return translated(texts)


@register.inclusion_tag("surveys/public/neighbourhood_measures.html")
def survey_measures(area: Any) -> dict[str, Any]:
    return {"area": area, "measures": selectors.area_measures(area)}


@register.inclusion_tag("surveys/public/priority_effects.html")
def survey_effects(priority: Any) -> dict[str, Any]:
    effects = []
    if priority.adopted_at is not None:
        start = priority.adopted_at.date()
        end = priority.closed_at.date() if priority.closed_at is not None else None
        # A handful of regressions: worth keeping until a wave closes or the priority moves,
        # both of which bump the neighbourhood's content version.
        key = f"surveys:effects:{priority.pk}:{priority.area.content_version}:{start}:{end}"
        effects = cache.get(key)
        if effects is None:
            effects = selectors.priority_effects(priority.area, start, end)
            cache.set(key, effects, settings.OURBEAT_PUBLIC_PAGE_CACHE_SECONDS)
    return {"priority": priority, "effects": effects}
