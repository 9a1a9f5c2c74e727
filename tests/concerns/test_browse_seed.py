"""Published concerns for the browsing, feed, API and privacy tests, made through the real
services (submit, confirm, publish). Imported by those modules; holds no tests itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest


def inside(area: Any, nudge: float = 0.0) -> tuple[float, float]:
    """A point well inside the neighbourhood's boundary."""
    from shapely.geometry import shape

    point = shape(area.boundary).representative_point()
    return round(point.y + nudge, 6), round(point.x + nudge, 6)


def publish(
    category: Any,
    area: Any,
    *,
    text: str = "Broken glass all over the play area again.",
    nudge: float = 0.0,
    status: str = "",
    name: str = "A Resident",
    email: str = "someone@example.org",
    phone: str = "",
    show_name: bool = False,
    actor: Any = None,
) -> Any:
    """Submit, confirm and publish one concern (and move it to ``status``)."""
    from ourbeat.concerns import services

    lat, lng = inside(area, nudge)
    submitted = services.concern_submit(
        category=category,
        latitude=lat,
        longitude=lng,
        description=text,
        reporter_name=name,
        reporter_email=email,
        reporter_phone=phone,
        show_name=show_name,
    )
    confirmed = services.concern_confirm(token=submitted.token)
    concern = services.concern_publish(concern=confirmed, actor=actor)
    if status:
        services.concern_set_status(concern=concern, actor=actor, status=status, note="the council")
    concern.refresh_from_db()
    return concern


@dataclass
class Seeded:
    open_noise: Any
    closed_noise: Any
    speeding_elsewhere: Any
    sensitive: Any
    unpublished: Any
    hidden: Any
    all_public: list[Any] = field(default_factory=list)


@pytest.fixture
def clean_slate(town: Any) -> None:
    """Hide the demo town's concerns (one UPDATE, rolled back with the test), so that each
    test sees only the public concerns it made."""
    from ourbeat.concerns.models import Concern

    Concern.objects.update(hidden=True)


@pytest.fixture
def seeded(clean_slate: None, town: Any) -> Seeded:
    """Four public concerns (one of a sensitive category), one awaiting moderation and one
    hidden by a moderator, across both districts."""
    from ourbeat.concerns import services
    from ourbeat.concerns.models import Category

    noise = Category.objects.get(code="asb-noise")
    speeding = Category.objects.get(code="roads-speeding")
    hate = Category.objects.get(code="safety-hate")
    open_noise = publish(noise, town.home, text="Loud music every night after midnight.")
    closed_noise = publish(noise, town.home, text="Fireworks in the street.", status="resolved")
    speeding_elsewhere = publish(speeding, town.elsewhere, text="Cars racing past the school.")
    sensitive = publish(hate, town.home, text="Abuse shouted at neighbours.")
    lat, lng = inside(town.home)
    unpublished = services.concern_submit(
        category=noise,
        latitude=lat,
        longitude=lng,
        description="Waiting for moderation.",
        reporter_email="w@example.org",
    ).concern
    hidden = publish(noise, town.home, text="Hidden by a moderator.")
    services.concern_hide(concern=hidden, actor=None, reason="test")
    return Seeded(
        open_noise=open_noise,
        closed_noise=closed_noise,
        speeding_elsewhere=speeding_elsewhere,
        sensitive=sensitive,
        unpublished=unpublished,
        hidden=hidden,
        all_public=[open_noise, closed_noise, speeding_elsewhere, sensitive],
    )
