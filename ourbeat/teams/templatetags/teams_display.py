"""Display helpers for the team pages."""

from __future__ import annotations

from django import template
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language_info

register = template.Library()

RRULE_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


@register.filter
def language_label(code: str) -> str:
    """The language's name in the reader's language; the code itself for a language Django
    does not know (a profile edited in the admin may hold any code)."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


@register.filter
def opening_days(rrule: str) -> str:
    """ "Monday, Tuesday, …" from an RRULE's BYDAY, in the reader's language."""
    parts = dict(p.split("=", 1) for p in rrule.upper().split(";") if "=" in p)
    days = [d[-2:] for d in parts.get("BYDAY", "").split(",") if d[-2:] in RRULE_DAYS]
    return ", ".join(str(WEEKDAYS[RRULE_DAYS[d]]) for d in days)
