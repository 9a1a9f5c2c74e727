"""ourbeat's own API serves the "you said, we did" loop with its full structure: a
neighbourhood's priorities (live first) with actions, votes and provenance counts, one
priority with its provenance, the meetings residents can attend (upcoming, held with
attendance and minutes, missed, cancelled) and a forum with its named members; and it names
nobody who asked not to be named."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ourbeat.engagement.models import (
    LIVE_PRIORITY_STATUSES,
    ForumMember,
    Meeting,
    MeetingStatus,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    Question,
    Registration,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def get(client: Any, url: str, **params: Any) -> Any:
    response = client.get(BASE + url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def all_priorities(client: Any, slug: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = get(
            client, f"/neighbourhoods/{slug}/priorities", limit=100, offset=len(items), **params
        )
        items += page["items"]
        if len(items) >= page["total"] or not page["items"]:
            return items


def test_a_neighbourhood_lists_every_priority_live_first_then_proposals_then_past(
    client_for: Any, town: Any
) -> None:
    client = client_for(None)
    for area in town.neighbourhoods:
        items = all_priorities(client, area.slug)
        assert sorted(p["id"] for p in items) == sorted(
            Priority.objects.filter(area=area).values_list("pk", flat=True)
        )
        groups = [
            0 if p["status"] in LIVE_PRIORITY_STATUSES else 1 if p["status"] == "proposed" else 2
            for p in items
        ]
        assert groups == sorted(groups)
        assert all(p["neighbourhood"] == area.slug for p in items)


@pytest.mark.parametrize(
    ("status", "statuses"),
    [
        ("live", {"adopted", "active", "under_review"}),
        ("closed", {"resolved", "carried_over", "dropped"}),
        ("proposed", {"proposed"}),
        ("resolved", {"resolved"}),
    ],
)
def test_priorities_filter_by_status(
    client_for: Any, town: Any, status: str, statuses: set[str]
) -> None:
    area = town.home
    items = all_priorities(client_for(None), area.slug, status=status)
    assert {p["status"] for p in items} <= statuses
    assert len(items) == Priority.objects.filter(area=area, status__in=statuses).count()


def test_pages_hold_limit_items_from_offset_and_count_them_all(client_for: Any, town: Any) -> None:
    client = client_for(None)
    everything = all_priorities(client, town.home.slug)
    page = get(client, f"/neighbourhoods/{town.home.slug}/priorities", limit=3, offset=2)
    assert (page["limit"], page["offset"], page["total"]) == (3, 2, len(everything))
    assert [p["id"] for p in page["items"]] == [p["id"] for p in everything[2:5]]


def test_a_priority_carries_its_actions_votes_and_origin_counts(client_for: Any, town: Any) -> None:
    client = client_for(None)
    # One that a meeting declared resolved (others were confirmed online).
    resolved = (
        Priority.objects.filter(
            status=PriorityStatus.RESOLVED, meeting_votes__question=Question.RESOLVED
        )
        .distinct()
        .first()
    )
    assert resolved is not None
    body = get(client, f"/priorities/{resolved.pk}")
    assert body["status"] == "resolved"
    assert body["outcome"] == resolved.outcome
    assert resolved.forum is not None
    assert body["forum"] == resolved.forum.slug
    assert body["adopted_at_meeting"] == resolved.adopted_at_meeting_id
    assert body["url"] == resolved.get_absolute_url()
    assert {(a["id"], a["status"], a["result"], a["owner"]) for a in body["actions"]} == {
        (a.pk, a.status, a.result, a.owner_organisation.name) for a in resolved.actions.all()
    }
    assert {
        (v["meeting"], v["question"], v["in_favour"], v["against"]) for v in body["meeting_votes"]
    } == {(v.meeting_id, v.question, v.in_favour, v.against) for v in resolved.meeting_votes.all()}
    assert any(v["question"] == "resolved" and v["carried"] for v in body["meeting_votes"])
    online = Counter(resolved.votes.values_list("question", "in_favour"))
    for question in Question.values:
        assert body["online_votes"][question] == {
            "in_favour": online[question, True],
            "against": online[question, False],
        }
    origins = Counter(resolved.origins.values_list("kind", flat=True))
    assert body["origins"] == {k: origins[k] for k in body["origins"]}
    assert body["support"] == {
        "accounts": online[Question.ADOPT, True],
        "without_account": resolved.anonymous_support,
    }


def test_overdue_actions_are_flagged(client_for: Any, town: Any) -> None:
    from ourbeat.engagement.models import Action

    late = next(
        a
        for a in Action.objects.filter(priority__status=PriorityStatus.ACTIVE).select_related(
            "priority__area"
        )
        if a.is_overdue
    )
    items = all_priorities(client_for(None), late.priority.area.slug, status="live")
    actions = {a["id"]: a for p in items for a in p["actions"]}
    assert actions[late.pk]["overdue"] is True
    assert actions[late.pk]["status"] in {"planned", "in_progress"}
    assert not any(a["overdue"] for a in actions.values() if a["status"] == "done")


def test_carried_over_priorities_link_both_ways(client_for: Any, town: Any) -> None:
    original = Priority.objects.filter(status=PriorityStatus.CARRIED_OVER).first()
    assert original is not None
    follow = original.carried_into.get()
    client = client_for(None)
    assert get(client, f"/priorities/{original.pk}")["carried_over_into"] == follow.pk
    assert get(client, f"/priorities/{follow.pk}")["carried_over_from"] == original.pk
    assert get(client, f"/priorities/{original.pk}")["reason"] == original.reason


def test_a_priority_shows_its_provenance_but_never_who(client_for: Any, town: Any) -> None:
    from ourbeat.concerns.models import Concern

    origin = PriorityOrigin.objects.filter(kind="concern").select_related("priority").first()
    assert origin is not None
    priority = origin.priority
    body = get(client_for(None), f"/priorities/{priority.pk}")
    stored = list(priority.origins.all())
    assert [(p["kind"], p["summary"]) for p in body["provenance"]] == [
        (o.kind, o.summary) for o in stored
    ]
    concern = origin.concern
    assert isinstance(concern, Concern)
    assert concern.reference in {p["concern"] for p in body["provenance"]}
    assert all(
        set(p) == {"kind", "summary", "created_at", "concern", "meeting", "proposal"}
        for p in body["provenance"]
    )


def test_a_concern_that_is_not_public_is_not_named_in_the_provenance(
    client_for: Any, town: Any
) -> None:
    from ourbeat.concerns.models import Concern

    origin = PriorityOrigin.objects.filter(kind="concern").select_related("concern").first()
    assert origin is not None
    assert isinstance(origin.concern, Concern)
    Concern.objects.filter(pk=origin.concern.pk).update(hidden=True)
    body = get(client_for(None), f"/priorities/{origin.priority_id}")
    hidden = origin.concern.reference
    assert hidden not in json.dumps(body)
    assert any(p["kind"] == "concern" and p["concern"] is None for p in body["provenance"])


def _meetings(client: Any, slug: str, when: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = get(
            client, f"/neighbourhoods/{slug}/meetings", when=when, limit=100, offset=len(items)
        )
        items += page["items"]
        if len(items) >= page["total"] or not page["items"]:
            return items


def test_upcoming_meetings_come_soonest_first_from_the_forums_residents_attend(
    client_for: Any, town: Any
) -> None:
    area = town.home
    upcoming = _meetings(client_for(None), area.slug, "upcoming")
    now = timezone.now()
    expected = Meeting.objects.filter(
        forum__area__in=[area, area.parent, area.parent.parent], ends_at__gte=now
    ).order_by("starts_at", "pk")
    assert [m["id"] for m in upcoming] == [m.pk for m in expected]
    kinds = {m["forum"]["kind"] for m in upcoming}
    assert kinds & {"beat_meeting", "pact_panel"}
    assert "safety_council" in kinds
    for m in upcoming:
        assert m["status"] == "scheduled"
        assert not m["missed"]
        assert m["minutes"] == ""
        assert m["venue"] or m["online_url"]
        assert m["attendance"] is None


def test_registration_shows_places_left_but_never_who_registered(
    client_for: Any, town: Any
) -> None:
    registration = Registration.objects.select_related("meeting__forum__area").first()
    assert registration is not None
    meeting = registration.meeting
    area = meeting.forum.area
    items = _meetings(client_for(None), area.slug, "upcoming")
    shown = next(m for m in items if m["id"] == meeting.pk)
    assert meeting.capacity is not None
    assert shown["places_left"] == meeting.capacity - meeting.registrations.count()
    text = json.dumps(items)
    for person in meeting.registrations.all():
        assert person.email not in text
        assert person.name not in text


def test_past_meetings_show_attendance_minutes_items_and_votes_missed_and_cancelled(
    client_for: Any, town: Any
) -> None:
    client = client_for(None)
    seen: Counter[str] = Counter()
    for area in town.neighbourhoods:
        for m in _meetings(client, area.slug, "past"):
            stored = Meeting.objects.get(pk=m["id"])
            if m["status"] == "held":
                seen["held"] += 1
                assert m["attendance"] == stored.attendance
                assert m["minutes"] == stored.minutes
                assert len(m["items"]) == stored.items.count()
                assert all(
                    v["in_favour"] + v["against"] + v["abstained"] <= m["attendance"]
                    for v in m["votes"]
                )
                assert "attendance_by_group" not in m
            elif m["status"] == "cancelled":
                seen["cancelled"] += 1
                assert m["cancel_reason"] == stored.cancel_reason
                assert m["attendance"] is None
                assert not m["missed"]
            else:
                seen["missed"] += 1
                assert m["missed"] is True
                assert m["attendance"] is None
                assert m["minutes"] == ""
                assert m["items"] == []
    assert seen["held"]
    assert seen["cancelled"]
    assert seen["missed"]


def test_minutes_not_yet_published_are_not_shown(client_for: Any, town: Any) -> None:
    meeting = Meeting.objects.filter(status=MeetingStatus.HELD).select_related("forum__area").last()
    assert meeting is not None
    Meeting.objects.filter(pk=meeting.pk).update(minutes_published_at=None)
    slug = (
        meeting.forum.area.slug if meeting.forum.area.level == "neighbourhood" else town.home.slug
    )
    shown = next(m for m in _meetings(client_for(None), slug, "all") if m["id"] == meeting.pk)
    assert shown["minutes"] == ""
    assert shown["minutes_published_at"] is None
    assert shown["attendance"] == meeting.attendance


def test_a_forum_shows_its_current_public_members_and_its_next_meeting(
    client_for: Any, town: Any
) -> None:
    forum = town.home.forums.get()
    body = get(client_for(None), f"/forums/{forum.slug}")
    today = timezone.localdate()
    current = [m for m in forum.members.all() if m.until is None or m.until >= today]
    assert sorted(m["name"] for m in body["members"]) == sorted(m.name for m in current if m.public)
    assert body["members_not_named"] == sum(1 for m in current if not m.public)
    assert body["members"][0]["role"] == "resident_co_chair"
    assert (body["area"], body["kind"], body["rrule"]) == (town.home.slug, forum.kind, forum.rrule)
    following = (
        forum.meetings.filter(ends_at__gte=timezone.now())
        .exclude(status="cancelled")
        .order_by("starts_at")
        .first()
    )
    assert following is not None
    assert body["next_meeting"]["id"] == following.pk
    assert body["next_meeting"]["url"] == following.get_absolute_url()
    assert body["url"] == forum.get_absolute_url()
    assert datetime.fromisoformat(body["next_meeting"]["starts_at"]) == following.starts_at


def test_nobody_who_asked_not_to_be_named_appears_in_any_engagement_response(
    client_for: Any, town: Any
) -> None:
    from ourbeat.accounts.models import User

    client = client_for(None)
    public_names = set(ForumMember.objects.filter(public=True).values_list("name", flat=True))
    hidden_members = (
        set(ForumMember.objects.filter(public=False).values_list("name", flat=True)) - public_names
    )
    proposers = User.objects.filter(
        pk__in=Priority.objects.filter(proposed_by__isnull=False).values("proposed_by")
    )
    private = hidden_members | {u.display_name for u in proposers} - public_names
    emails = {u.email for u in proposers}
    assert hidden_members
    assert proposers
    texts = []
    for area in town.neighbourhoods:
        texts.append(json.dumps(all_priorities(client, area.slug)))
        texts.append(json.dumps(_meetings(client, area.slug, "all")))
    for forum in town.home.forums.all():
        texts.append(json.dumps(get(client, f"/forums/{forum.slug}")))
    for pk in Priority.objects.filter(area=town.home).values_list("pk", flat=True):
        texts.append(json.dumps(get(client, f"/priorities/{pk}")))
    text = "\n".join(texts)
    leaked = [name for name in private | emails if name in text]
    assert not leaked
    assert "proposed_by" not in text
    assert "owner_user" not in text


def test_a_meeting_that_ended_without_a_record_is_flagged_missed(
    client_for: Any, town: Any
) -> None:
    forum = town.home.forums.get()
    meeting = Meeting.objects.create(
        forum=forum,
        title="A meeting nobody recorded",
        starts_at=timezone.now() - timedelta(days=2, hours=2),
        ends_at=timezone.now() - timedelta(days=2),
        venue=forum.usual_venue,
    )
    shown = next(
        m for m in _meetings(client_for(None), town.home.slug, "past") if m["id"] == meeting.pk
    )
    assert shown["missed"] is True
    assert shown["status"] == "scheduled"
