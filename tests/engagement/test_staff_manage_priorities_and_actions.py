"""Officers manage their neighbourhoods' priorities through the staff pages: the lists, a
priority with its provenance, adoption within the limit, the lifecycle with reasons and
outcomes, linking origins, adding actions; partner staff update their own agency's actions
only; a meeting's votes are recorded against its attendance. Bad input answers with the form
and a message, and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ourbeat.concerns.models import Concern
from ourbeat.engagement.models import (
    Action,
    ActionStatus,
    MeetingVote,
    OriginKind,
    Priority,
    PriorityStatus,
)
from ourbeat.engagement.services.priorities import action_add
from tests.engagement.priority_helpers import (
    bring_to,
    forum_in,
    held_meeting,
    proposal,
    resident,
    room_for,
    verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client_for: Any, personas: dict[str, Any]) -> Any:
    return client_for(personas["officer"])


@pytest.fixture
def priority(town: Any, personas: dict[str, Any], settings: Any) -> Priority:
    room_for(town.home, settings)
    return proposal(town.home, verify(personas["resident"]), "Speeding <b>near</b> the school")


@pytest.fixture
def meeting(town: Any) -> Any:
    return held_meeting(forum_in(town.home), attendance=15)


def test_the_list_shows_proposals_live_and_closed_priorities_of_my_neighbourhoods(
    officer: Any, priority: Priority, town: Any, personas: dict[str, Any]
) -> None:
    elsewhere = proposal(town.elsewhere, resident("far@example.org"), "Far away problem")
    response = officer.get("/en/staff/engagement/priorities/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Speeding &lt;b&gt;near&lt;/b&gt; the school" in body
    assert "<b>near</b>" not in body
    assert elsewhere.title not in body
    assert f"/en/staff/engagement/priorities/{priority.pk}/" in body


def test_the_priority_page_shows_its_provenance_with_links(
    officer: Any, priority: Priority, town: Any, personas: dict[str, Any]
) -> None:
    concern = Concern.objects.filter(area=town.home).first()
    assert concern is not None
    response = officer.post(
        f"/en/staff/engagement/priorities/{priority.pk}/origins/",
        {"concern": concern.reference.lower(), "summary": "Raised by the school"},
    )
    assert response.status_code == 302
    page = officer.get(f"/en/staff/engagement/priorities/{priority.pk}/").content.decode()
    assert f"/en/staff/concerns/{concern.reference}/" in page
    assert "this proposal" in page
    assert personas["resident"].email not in page


def test_linking_an_unknown_concern_or_nothing_answers_with_the_form(
    officer: Any, priority: Priority
) -> None:
    url = f"/en/staff/engagement/priorities/{priority.pk}/origins/"
    response = officer.post(url, {"concern": "NOPE-1"})
    assert response.status_code == 200
    assert "No concern has that reference" in response.content.decode()
    response = officer.post(url, {})
    assert "Name one thing" in response.content.decode()
    assert priority.origins.count() == 1


def test_merging_a_proposal_brings_its_people_along(
    officer: Any, priority: Priority, town: Any
) -> None:
    other_proposer = resident("other@example.org")
    duplicate = proposal(town.home, other_proposer, "Cars too fast by the school")
    response = officer.post(
        f"/en/staff/engagement/priorities/{priority.pk}/origins/", {"proposal": duplicate.pk}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == PriorityStatus.DROPPED
    assert priority.title in duplicate.reason
    assert priority.origins.filter(kind=OriginKind.PROPOSAL, user=other_proposer).exists()


def test_an_officer_adopts_at_a_meeting_and_walks_the_lifecycle(
    officer: Any, priority: Priority, meeting: Any
) -> None:
    url = f"/en/staff/engagement/priorities/{priority.pk}/"
    page = officer.get(url + "adopt/")
    assert page.status_code == 200
    assert meeting.forum.name in page.content.decode()
    response = officer.post(url + "adopt/", {"version": priority.version, "meeting": meeting.pk})
    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.status, priority.adopted_at_meeting) == (PriorityStatus.ADOPTED, meeting)
    response = officer.post(
        url + "status/", {"version": priority.version, "to": PriorityStatus.ACTIVE}
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.ACTIVE


def test_a_stale_form_is_refused_with_the_reload_message(officer: Any, priority: Priority) -> None:
    url = f"/en/staff/engagement/priorities/{priority.pk}/"
    assert officer.post(url + "adopt/", {"version": priority.version}).status_code == 302
    response = officer.post(
        url + "status/", {"version": priority.version, "to": PriorityStatus.DROPPED, "reason": "x"}
    )
    assert response.status_code == 200
    assert "Someone else changed this priority" in response.content.decode()
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.ADOPTED


@pytest.mark.parametrize(
    "version", ["", "abc", "-1", "99999999999999999999", "1; DROP TABLE engagement_priority"]
)
def test_malformed_versions_are_form_errors(officer: Any, priority: Priority, version: str) -> None:
    response = officer.post(
        f"/en/staff/engagement/priorities/{priority.pk}/adopt/", {"version": version}
    )
    assert response.status_code == 200
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.PROPOSED


def test_dropping_without_a_reason_is_refused_on_the_form(officer: Any, priority: Priority) -> None:
    response = officer.post(
        f"/en/staff/engagement/priorities/{priority.pk}/status/",
        {"version": priority.version, "to": PriorityStatus.DROPPED, "reason": ""},
    )
    assert response.status_code == 200
    assert "Say why the priority is dropped" in response.content.decode()


def test_adoption_beyond_the_limit_shows_the_reason(
    officer: Any, priority: Priority, town: Any, settings: Any
) -> None:
    from ourbeat.engagement.services.priorities import live_priority_count

    settings.OURBEAT_MAX_ACTIVE_PRIORITIES = live_priority_count(town.home)
    response = officer.post(
        f"/en/staff/engagement/priorities/{priority.pk}/adopt/", {"version": priority.version}
    )
    assert response.status_code == 200
    assert "the most allowed" in response.content.decode()


def test_an_officer_adds_an_action_owned_by_a_partner_agency(
    officer: Any, priority: Priority, town: Any, personas: dict[str, Any]
) -> None:
    bring_to(priority, PriorityStatus.ACTIVE, personas["officer"])
    due = timezone.localdate() + timedelta(days=30)
    response = officer.post(
        f"/en/staff/engagement/priorities/{priority.pk}/actions/new/",
        {
            "title": "Repaint the crossing",
            "owner_organisation": town.council.pk,
            "owner_user": personas["partner_staff"].pk,
            "due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(priority=priority)
    assert (action.owner_organisation, action.owner_user) == (
        town.council,
        personas["partner_staff"],
    )


def test_an_action_with_a_past_due_date_or_a_stranger_as_owner_is_refused(
    officer: Any, priority: Priority, town: Any, personas: dict[str, Any]
) -> None:
    bring_to(priority, PriorityStatus.ACTIVE, personas["officer"])
    url = f"/en/staff/engagement/priorities/{priority.pk}/actions/new/"
    response = officer.post(
        url,
        {
            "title": "Too late",
            "owner_organisation": town.force.pk,
            "due_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert "already passed" in response.content.decode()
    response = officer.post(
        url,
        {
            "title": "Wrong person",
            "owner_organisation": town.force.pk,
            "owner_user": personas["partner_staff"].pk,
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert "does not work for the owning organisation" in response.content.decode()
    assert not Action.objects.filter(priority=priority).exists()


@pytest.fixture
def council_action(priority: Priority, town: Any, personas: dict[str, Any]) -> Action:
    bring_to(priority, PriorityStatus.ACTIVE, personas["officer"])
    return action_add(
        actor=personas["officer"],
        priority=priority,
        title="Fix the street lights",
        owner_organisation=town.council,
        due_on=timezone.localdate() + timedelta(days=10),
    )


@pytest.fixture
def police_action(priority: Priority, town: Any, personas: dict[str, Any]) -> Action:
    bring_to(priority, PriorityStatus.ACTIVE, personas["officer"])
    return action_add(
        actor=personas["officer"],
        priority=priority,
        title="Speed checks twice a week",
        owner_organisation=town.force,
        due_on=timezone.localdate() + timedelta(days=10),
    )


def test_partner_staff_see_and_complete_their_own_agency_actions(
    client_for: Any, personas: dict[str, Any], council_action: Action, police_action: Action
) -> None:
    partner = client_for(personas["partner_staff"])
    listing = partner.get("/en/staff/engagement/actions/").content.decode()
    assert council_action.title in listing
    assert police_action.title not in listing
    response = partner.post(
        f"/en/staff/engagement/actions/{council_action.pk}/",
        {
            "version": council_action.version,
            "status": ActionStatus.DONE,
            "result": "All twelve lights replaced.",
        },
    )
    assert response.status_code == 302
    council_action.refresh_from_db()
    assert council_action.status == ActionStatus.DONE
    assert council_action.completed_at is not None
    assert council_action.result == "All twelve lights replaced."


def test_partner_staff_cannot_open_or_update_an_action_that_is_not_theirs(
    client_for: Any, personas: dict[str, Any], police_action: Action
) -> None:
    partner = client_for(personas["partner_staff"])
    url = f"/en/staff/engagement/actions/{police_action.pk}/"
    assert partner.get(url).status_code == 403
    response = partner.post(url, {"version": 1, "status": ActionStatus.DONE})
    assert response.status_code == 403
    police_action.refresh_from_db()
    assert police_action.status == ActionStatus.PLANNED


def test_partner_staff_cannot_move_the_due_date(
    client_for: Any, personas: dict[str, Any], council_action: Action
) -> None:
    partner = client_for(personas["partner_staff"])
    later = council_action.due_on + timedelta(days=60)
    response = partner.post(
        f"/en/staff/engagement/actions/{council_action.pk}/",
        {
            "version": council_action.version,
            "status": ActionStatus.IN_PROGRESS,
            "result": "",
            "due_on": later.isoformat(),
        },
    )
    assert response.status_code == 302
    council_action.refresh_from_db()
    assert council_action.due_on != later
    assert council_action.status == ActionStatus.IN_PROGRESS


def test_overdue_actions_are_marked(officer: Any, police_action: Action) -> None:
    Action.objects.filter(pk=police_action.pk).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    page = officer.get(f"/en/staff/engagement/priorities/{police_action.priority_id}/")
    assert "Overdue" in page.content.decode()
    listing = officer.get("/en/staff/engagement/actions/").content.decode()
    assert "Overdue" in listing


def test_the_meeting_vote_page_lists_proposals_and_priorities_under_review(
    officer: Any, priority: Priority, meeting: Any, town: Any, personas: dict[str, Any]
) -> None:
    review = proposal(town.home, resident("rev@example.org"), "Litter in the park")
    bring_to(review, PriorityStatus.UNDER_REVIEW, personas["officer"])
    page = officer.get(f"/en/staff/engagement/meetings/{meeting.pk}/votes/").content.decode()
    assert priority.title.replace("<", "&lt;").replace(">", "&gt;") in page
    assert review.title in page
    assert "Adopt as a priority" in page
    assert "The priority is resolved" in page


def test_recording_a_meeting_vote_and_refusing_more_votes_than_attendees(
    officer: Any, priority: Priority, meeting: Any
) -> None:
    url = f"/en/staff/engagement/meetings/{meeting.pk}/votes/"
    response = officer.post(
        url,
        {"priority": priority.pk, "question": "adopt", "in_favour": 12, "against": 4},
    )
    assert response.status_code == 200
    assert "16 votes are more than the 15 people" in response.content.decode()
    assert (
        not MeetingVote.objects.exists()
        or not MeetingVote.objects.filter(priority=priority).exists()
    )
    response = officer.post(
        url,
        {
            "priority": priority.pk,
            "question": "adopt",
            "in_favour": 11,
            "against": 3,
            "abstained": 1,
        },
    )
    assert response.status_code == 302
    vote = MeetingVote.objects.get(priority=priority)
    assert (vote.in_favour, vote.against, vote.abstained) == (11, 3, 1)
    page = officer.get(url).content.decode()
    assert "Recorded: 11 for, 3 against, 1 abstained" in page


def test_a_vote_for_a_priority_outside_the_forum_is_refused(
    officer: Any, meeting: Any, town: Any
) -> None:
    far = proposal(town.elsewhere, resident("far@example.org"), "Far away")
    response = officer.post(
        f"/en/staff/engagement/meetings/{meeting.pk}/votes/",
        {"priority": far.pk, "question": "adopt", "in_favour": 1, "against": 0},
    )
    assert response.status_code == 200
    assert "not open for a vote at this meeting" in response.content.decode()
    assert not MeetingVote.objects.filter(priority=far).exists()
