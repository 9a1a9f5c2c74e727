"""Shared set-up of the forum and meeting tests: a forum in the officer's neighbourhood and
meetings scheduled through the services (or, for the past, written directly, since the
services refuse to schedule in the past)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import Forum, ForumKind, Frequency, Meeting, MeetingStatus
from ourbeat.engagement.services import meetings


def new_forum(area: Any, actor: Any = None, *, name: str = "Millbrook beat meeting") -> Forum:
    return meetings.forum_create(
        actor=actor,
        area=area,
        organisation=area.organisation,
        kind=ForumKind.BEAT_MEETING,
        name=name,
        frequency=Frequency.MONTHLY,
        usual_venue="Community Hall",
    )


def soon(days: int = 7, hour: int = 19) -> datetime:
    day = timezone.localtime() + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def schedule(forum: Forum, actor: Any = None, *, days: int = 7, **extra: Any) -> Meeting:
    starts = extra.pop("starts_at", soon(days))
    fields: dict[str, Any] = {
        "title": "Beat meeting",
        "starts_at": starts,
        "ends_at": extra.pop("ends_at", starts + timedelta(hours=1, minutes=30)),
        "venue": "Community Hall",
        "address": "1 High Street",
    }
    fields.update(extra)
    return meetings.meeting_schedule(actor=actor, forum=forum, **fields)


def past_meeting(forum: Forum, *, days_ago: int = 1, **extra: Any) -> Meeting:
    starts = timezone.now() - timedelta(days=days_ago)
    return Meeting.objects.create(
        forum=forum,
        title=extra.pop("title", "Last beat meeting"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        venue=extra.pop("venue", "Community Hall"),
        status=extra.pop("status", MeetingStatus.SCHEDULED),
        **extra,
    )


def events() -> int:
    return AuditEvent.objects.count()
