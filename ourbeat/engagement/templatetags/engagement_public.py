"""Display helpers of the public engagement pages, and the summary the neighbourhood page
shows (current priorities, the next meeting, the way to "you said, we did")."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils import timezone

from ourbeat.core.text import mask_personal_details
from ourbeat.engagement import selectors

register = template.Library()


@register.filter
def masked(text: str | None) -> str:
    """Residents' free text with e-mail addresses, phone numbers and registrations masked."""
    return mask_personal_details(text or "")


@register.simple_tag
def page_query(pages: dict[str, int], name: str, number: int) -> str:
    """The query string of the page with ``name`` set to ``number`` and the other lists
    where they are (page 1 is left out)."""
    wanted = {**pages, name: number}
    query = urlencode({k: v for k, v in sorted(wanted.items()) if v != 1})
    return f"?{query}" if query else "?"


@register.inclusion_tag("engagement/public/neighbourhood_summary.html")
def engagement_summary(area: Any) -> dict[str, Any]:
    """Shown on the (cached) neighbourhood page: it holds no form."""
    now = timezone.now()
    return {
        "area": area,
        "summary": selectors.neighbourhood_summary(area, now, timezone.localdate()),
    }
