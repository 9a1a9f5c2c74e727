"""Helpers the priority tests share: verified residents, a forum and a held meeting in a
neighbourhood, and a priority brought to a given state through the real services. Rows of
forums and meetings are written directly (the meetings services have their own tests)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from ourbeat.engagement.models import (
    Forum,
    ForumKind,
    Meeting,
    MeetingStatus,
    MeetingVote,
    Priority,
    PriorityStatus,
    Question,
)
from ourbeat.engagement.services.priorities import (
    priority_adopt,
    priority_propose,
    priority_publish,
    priority_transition,
)

PASSWORD = "correct horse battery staple"


def resident(email: str, *, verified: bool = True) -> Any:
    """A resident account; ``verified`` confirms its e-mail address (one vote each)."""
    from ourbeat.accounts.models import User

    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def verify(user: Any) -> Any:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    return user


def forum_in(area: Any, *, slug: str = "test-beat-forum") -> Forum:
    return Forum.objects.create(
        area=area,
        organisation=area.organisation,
        kind=ForumKind.BEAT_MEETING,
        name=f"{area.name} test beat meeting",
        slug=slug,
    )


def held_meeting(forum: Forum, *, attendance: int = 20, days_ago: int = 1) -> Meeting:
    starts = timezone.now() - timedelta(days=days_ago)
    return Meeting.objects.create(
        forum=forum,
        title="Beat meeting",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Community hall",
        status=MeetingStatus.HELD,
        attendance=attendance,
    )


def room_for(area: Any, settings: Any, spare: int = 3) -> None:
    """Raise the limit of live priorities so that ``spare`` more fit in ``area`` whatever
    the demo town already holds there."""
    from ourbeat.engagement.services.priorities import live_priority_count

    settings.OURBEAT_MAX_ACTIVE_PRIORITIES = live_priority_count(area) + spare


def proposal(
    area: Any, proposer: Any, title: str = "Speeding on Mill Lane", *, published: bool = True
) -> Priority:
    """A resident's proposal, as a moderator published it (``published=False``: waiting)."""
    proposed = priority_propose(
        area=area, title=title, description="Cars race at night.", user=proposer
    )
    if not published:
        return proposed
    return priority_publish(actor=None, priority=proposed, expected_version=proposed.version)


def bring_to(
    priority: Priority, status: str, actor: Any, meeting: Meeting | None = None
) -> Priority:
    """Walk a proposal along the lifecycle to ``status`` (adopted, active or under review;
    resolved through a carried meeting vote when ``meeting`` is given)."""
    priority.refresh_from_db()
    steps = [PriorityStatus.ADOPTED, PriorityStatus.ACTIVE, PriorityStatus.UNDER_REVIEW]
    for step in steps:
        if priority.status == status:
            return priority
        if step == PriorityStatus.ADOPTED:
            priority = priority_adopt(
                actor=actor, priority=priority, expected_version=priority.version
            )
        else:
            priority = priority_transition(
                actor=actor, priority=priority, to=step, expected_version=priority.version
            )
    if status == PriorityStatus.RESOLVED:
        assert meeting is not None
        MeetingVote.objects.create(
            meeting=meeting, priority=priority, question=Question.RESOLVED, in_favour=9, against=1
        )
        priority = priority_transition(
            actor=actor, priority=priority, to=status, expected_version=priority.version
        )
    assert priority.status == status
    return priority
