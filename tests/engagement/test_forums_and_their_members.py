"""Forums are set up with a unique identifier, their members and whom each represents; one
resident and one officer co-chair at a time; every change is audited and refusals change
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import Forum, ForumKind, ForumMember, Frequency, MemberRole
from ourbeat.engagement.services import meetings
from ourbeat.places.models import Area
from tests.engagement.meetings_helpers import events, new_forum

pytestmark = pytest.mark.django_db


def test_a_forum_is_created_with_an_identifier_from_its_name_and_an_audit_event(
    town: Any, personas: Any
) -> None:
    version = town.home.content_version
    forum = new_forum(town.home, personas["officer"], name="Mill Lane PACT panel")
    assert forum.slug == "mill-lane-pact-panel"
    event = AuditEvent.objects.latest("id")
    assert event.action == "engagement.forum.create"
    assert event.actor_id == personas["officer"].pk
    assert Area.objects.get(pk=town.home.pk).content_version > version
    second = new_forum(town.home, personas["officer"], name="Mill Lane PACT panel")
    assert second.slug == "mill-lane-pact-panel-2"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"kind": "secret_society"}, "kind"),
        ({"frequency": "hourly"}, "frequency"),
        ({"rrule": "FREQ=HOURLY"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;INTERVAL=0"}, "rrule"),
        ({"slug": "no spaces/allowed"}, "slug"),
        ({"description": "bad\x00byte"}, "description"),
    ],
)
def test_a_forum_with_bad_details_is_refused_and_nothing_is_written(
    town: Any, personas: Any, changes: dict[str, str], field: str
) -> None:
    fields: dict[str, Any] = {
        "actor": personas["officer"],
        "area": town.home,
        "organisation": town.force,
        "kind": ForumKind.BEAT_MEETING,
        "name": "Beat meeting",
        "frequency": Frequency.MONTHLY,
        **changes,
    }
    before = (Forum.objects.count(), events())
    with pytest.raises(ValidationError) as refused:
        meetings.forum_create(**fields)
    assert field in refused.value.message_dict
    assert (Forum.objects.count(), events()) == before


def test_a_taken_identifier_is_refused(town: Any, personas: Any) -> None:
    forum = new_forum(town.home)
    with pytest.raises(ValidationError, match="Another forum"):
        meetings.forum_create(
            actor=None,
            area=town.home,
            organisation=town.force,
            kind=ForumKind.YOUTH_FORUM,
            name="Youth forum",
            slug=forum.slug,
            frequency=Frequency.QUARTERLY,
        )


def test_a_forum_is_updated_and_the_change_is_audited(town: Any, personas: Any) -> None:
    forum = new_forum(town.home)
    meetings.forum_update(
        actor=personas["officer"],
        forum=forum,
        kind=ForumKind.PACT_PANEL,
        name="Renamed panel",
        frequency=Frequency.BIMONTHLY,
        rrule="freq=monthly; interval=2; byday=+2tu",
        active=False,
    )
    forum.refresh_from_db()
    assert (forum.name, forum.kind, forum.rrule, forum.active) == (
        "Renamed panel",
        ForumKind.PACT_PANEL,
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=+2TU",
        False,
    )
    event = AuditEvent.objects.latest("id")
    assert event.action == "engagement.forum.update"
    assert event.data["changed"]["name"] == ["Millbrook beat meeting", "Renamed panel"]


def test_members_are_added_with_whom_they_represent_and_one_co_chair_of_each_kind(
    town: Any, personas: Any
) -> None:
    forum = new_forum(town.home)
    chair = meetings.forum_member_add(
        actor=personas["officer"],
        forum=forum,
        name="Ada Resident",
        role=MemberRole.RESIDENT_CO_CHAIR,
        represents="Mill Lane residents' association",
    )
    meetings.forum_member_add(
        actor=personas["officer"],
        forum=forum,
        name="PC Pat Officer",
        role=MemberRole.OFFICER_CO_CHAIR,
        user=personas["officer"],
    )
    with pytest.raises(ValidationError) as refused:
        meetings.forum_member_add(
            actor=personas["officer"], forum=forum, name="Bo", role=MemberRole.RESIDENT_CO_CHAIR
        )
    assert "co-chair (resident)" in refused.value.message_dict["role"][0]
    meetings.forum_member_end(actor=personas["officer"], member=chair)
    with pytest.raises(ValidationError, match="already ended"):
        meetings.forum_member_end(actor=personas["officer"], member=chair)
    meetings.forum_member_add(
        actor=personas["officer"], forum=forum, name="Bo", role=MemberRole.RESIDENT_CO_CHAIR
    )
    current = set(forum.members.filter(until__isnull=True).values_list("name", flat=True))
    assert current == {"PC Pat Officer", "Bo"}
    assert ForumMember.objects.get(pk=chair.pk).represents == "Mill Lane residents' association"
    actions = list(
        AuditEvent.objects.filter(action__startswith="engagement.forum_member.").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "engagement.forum_member.add",
        "engagement.forum_member.add",
        "engagement.forum_member.end",
        "engagement.forum_member.add",
    ]


def test_a_member_without_a_name_or_with_an_unknown_role_is_refused(
    town: Any, personas: Any
) -> None:
    forum = new_forum(town.home)
    for name, role in (("", MemberRole.MEMBER), ("Bo", "emperor")):
        with pytest.raises(ValidationError):
            meetings.forum_member_add(actor=None, forum=forum, name=name, role=role)
    assert not forum.members.exists()
