"""The published problem-solving summaries on a neighbourhood's public page. The page is
cached per area version; publishing, withdrawing or rewriting a published summary touches
the case's area."""

from __future__ import annotations

from typing import Any

from django import template

from ourbeat.problems.selectors import published_summaries

register = template.Library()

# The newest few; the list page has them all.
ON_NEIGHBOURHOOD_PAGE = 3


@register.inclusion_tag("problems/_neighbourhood_summaries.html")
def problem_summaries(area: Any) -> dict[str, Any]:
    summaries = list(published_summaries().filter(area=area)[: ON_NEIGHBOURHOOD_PAGE + 1])
    return {
        "area": area,
        "summaries": summaries[:ON_NEIGHBOURHOOD_PAGE],
        "more": len(summaries) > ON_NEIGHBOURHOOD_PAGE,
    }
