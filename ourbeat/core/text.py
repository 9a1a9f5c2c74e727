"""Free text that residents write: personal details masked before publication, and the
words that suggest an emergency or a crime in progress."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Control characters (tab, line feed and carriage return allowed): PostgreSQL cannot store a
# NUL in text, and none of them belongs in what residents read.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any, *, field: str, limit: int, required: str | None = None) -> str:
    """Strip a free-text value and check it: present when ``required`` (the message), within
    ``limit`` characters, no control characters. Refusals name ``field``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Enter text.")})
    text = value.strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > limit:
        raise ValidationError({field: _("Use at most %(limit)d characters.") % {"limit": limit}})
    if CONTROL.search(text):
        raise ValidationError({field: _("Remove the control characters from the text.")})
    return text


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Seven or more digits, allowing spaces, dots, dashes, brackets and a leading +.
PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{5,}\d(?![\w])")
# British plates (current AB12 CDE and the older prefix/suffix forms) and Russian ones
# (А123ВС 77), with or without the space.
PLATE = re.compile(
    r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z]"
    r"|[АВЕКМНОРСТУХ]\d{3}\s?[АВЕКМНОРСТУХ]{2}\s?\d{2,3})\b",
    re.IGNORECASE,
)

EMERGENCY_WORDS = [
    # English
    "happening now",
    "right now",
    "in progress",
    "breaking in",
    "break in now",
    "knife",
    "gun",
    "stabbed",
    "stabbing",
    "shot",
    "bleeding",
    "unconscious",
    "on fire",
    "fire",
    "attacking",
    "being attacked",
    "help me",
    "kidnap",
    "threatening to kill",
    "overdose",
    "not breathing",
    "weapon",
    # Russian
    "прямо сейчас",
    "сейчас",
    "нож",
    "пистолет",
    "ружьё",
    "оружие",
    "кровь",
    "истекает",
    "без сознания",
    "пожар",
    "горит",
    "нападают",
    "напал",
    "помогите",
    "убивают",
    "похитили",
    "передозировка",
    "не дышит",
]
_EMERGENCY = re.compile(
    "|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in EMERGENCY_WORDS), re.IGNORECASE
)


def mask_personal_details(text: str) -> str:
    """Mask e-mail addresses, phone numbers and vehicle registrations."""
    text = EMAIL.sub(_("[e-mail removed]"), text)
    text = PHONE.sub(_("[phone number removed]"), text)
    return PLATE.sub(_("[registration removed]"), text)


def reads_like_an_emergency(text: str) -> bool:
    return bool(_EMERGENCY.search(text or ""))
