"""Helpers for the API tests: the real police.uk examples (read from ../shared/data, never
copied into the project) and a comparison of JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
POLICE_UK_EXAMPLES = SHARED_DATA / "policeuk" / "api"


def police_uk_example(name: str) -> Any:
    return json.loads((POLICE_UK_EXAMPLES / name).read_text(encoding="utf-8"))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names[type(value)]


def shape_differences(ours: Any, example: Any, where: str = "$") -> list[str]:
    """Where ``ours`` differs from the real ``example``: key sets, nesting and the JSON type of
    every value. A null in the example stands for "any type, or null"; every element of a
    list of ours is compared with the example's first element."""
    if example is None:
        return []
    if json_type(ours) != json_type(example):
        return [f"{where}: {json_type(ours)} where police.uk sends {json_type(example)}"]
    if isinstance(example, dict):
        problems = []
        if set(ours) != set(example):
            missing, extra = sorted(set(example) - set(ours)), sorted(set(ours) - set(example))
            problems.append(f"{where}: keys missing {missing}, keys police.uk lacks {extra}")
        for key in set(ours) & set(example):
            problems += shape_differences(ours[key], example[key], f"{where}.{key}")
        return problems
    if isinstance(example, list) and example:
        return [
            problem
            for index, item in enumerate(ours)
            for problem in shape_differences(item, example[0], f"{where}[{index}]")
        ]
    return []


@pytest.fixture
def front_counter_area(town: Any) -> Any:
    """The neighbourhood with the police station's front counter (police.uk "locations")."""
    from ourbeat.teams.models import ContactKind, ContactPoint

    return ContactPoint.objects.get(kind=ContactKind.FRONT_COUNTER).area


@pytest.fixture
def home_surgery(town: Any) -> Any:
    """The home neighbourhood's recurring surgery and the start of its next occurrence that
    nobody has changed yet."""
    from datetime import timedelta

    from django.utils import timezone

    from ourbeat.teams.models import ContactKind
    from ourbeat.teams.schedule import occurrences

    point = town.home.contact_points.get(kind=ContactKind.SURGERY)
    now = timezone.now()
    upcoming = [
        o for o in occurrences(point, now, now + timedelta(days=120)) if o.status == "scheduled"
    ]
    return point, upcoming[0].original_start


def write_counts() -> dict[str, int]:
    """Rows that a staff write could add: none may appear when the write is refused."""
    from ourbeat.core.models import AuditEvent
    from ourbeat.teams.models import OccurrenceChange, VisibilityLog

    return {
        "visibility logs": VisibilityLog.objects.count(),
        "occurrence changes": OccurrenceChange.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The personas' passwords are hashed once per test; argon2 is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
