"""The staff pages of forums and meetings, through HTTP: an officer sets up a forum, adds
members, schedules, changes, cancels and records meetings and what they heard; bad input
comes back as form errors; each member of staff sees only the forums of their areas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ourbeat.concerns.models import Category, Channel, Concern
from ourbeat.engagement.models import Forum, ForumMember, Meeting, MeetingItem, MeetingStatus
from tests.engagement.meetings_helpers import new_forum, past_meeting, schedule, soon

pytestmark = pytest.mark.django_db


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def officer(personas: Any, client_for: Any) -> Any:
    return client_for(personas["officer"])


def test_the_staff_home_links_to_forums_for_the_police_roles_only(
    personas: Any, client_for: Any
) -> None:
    link = reverse("staff_engagement:forums")
    assert link in client_for(personas["officer"]).get("/en/staff/").content.decode()
    assert link not in client_for(personas["partner_staff"]).get("/en/staff/").content.decode()


def test_an_officer_sets_up_a_forum_in_their_neighbourhood_only(officer: Any, town: Any) -> None:
    url = reverse("staff_engagement:forum_new")
    page = officer.get(url).content.decode()
    assert town.home.name in page
    assert town.elsewhere.name not in page
    refused = officer.post(
        url,
        {"area": town.elsewhere.pk, "kind": "beat_meeting", "name": "X", "frequency": "monthly"},
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    response = officer.post(
        url,
        {
            "area": town.home.pk,
            "kind": "pact_panel",
            "name": "Mill Lane <b>PACT</b>",
            "frequency": "monthly",
            "rrule": "FREQ=MONTHLY;BYDAY=+2TU",
            "usual_venue": "Community Hall",
        },
    )
    forum = Forum.objects.get(name="Mill Lane <b>PACT</b>")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/forums/{forum.pk}/")
    page = officer.get(response["Location"]).content.decode()
    assert "Mill Lane &lt;b&gt;PACT&lt;/b&gt;" in page
    assert "<b>PACT</b>" not in page


def test_a_bad_repeat_rule_is_a_form_error(officer: Any, town: Any) -> None:
    response = officer.post(
        reverse("staff_engagement:forum_new"),
        {
            "area": town.home.pk,
            "kind": "beat_meeting",
            "name": "X",
            "frequency": "monthly",
            "rrule": "FREQ=SECONDLY",
        },
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not Forum.objects.filter(name="X").exists()


def test_members_are_added_and_ended_from_the_members_page(officer: Any, town: Any) -> None:
    forum = new_forum(town.home)
    url = reverse("staff_engagement:forum_members", kwargs={"pk": forum.pk})
    officer.post(
        url,
        {
            "add": "1",
            "name": "Ada",
            "role": "resident_co_chair",
            "represents": "Tenants' association",
            "public": "on",
        },
    )
    twice = officer.post(url, {"add": "1", "name": "Bo", "role": "resident_co_chair"})
    assert "end that membership first" in twice.content.decode()
    member = ForumMember.objects.get(forum=forum, name="Ada")
    officer.post(url, {"end": str(member.pk)})
    member.refresh_from_db()
    assert member.until is not None
    page = officer.get(reverse("staff_engagement:forum", kwargs={"pk": forum.pk})).content.decode()
    assert "1 former member" in page
    assert officer.post(url, {"end": "99999999"}).status_code == 200


def test_an_officer_schedules_changes_and_cancels_a_meeting(officer: Any, town: Any) -> None:
    forum = new_forum(town.home)
    starts = soon()
    data = {
        "title": "Spring beat meeting",
        "starts_at": _local(starts),
        "ends_at": _local(starts + timedelta(hours=2)),
        "venue": "Community Hall",
        "registration_required": "on",
        "capacity": "30",
    }
    response = officer.post(reverse("staff_engagement:meeting_new", kwargs={"pk": forum.pk}), data)
    meeting = Meeting.objects.get(forum=forum)
    assert response.status_code == 302
    assert (meeting.capacity, meeting.registration_required) == (30, True)
    clash = officer.post(
        reverse("staff_engagement:meeting_new", kwargs={"pk": forum.pk}),
        {**data, "venue": "community  hall", "title": "Clash"},
    )
    assert "is taken then" in clash.content.decode()
    past = officer.post(
        reverse("staff_engagement:meeting_new", kwargs={"pk": forum.pk}),
        {
            **data,
            "starts_at": _local(timezone.now() - timedelta(days=1)),
            "ends_at": _local(timezone.now()),
        },
    )
    assert "in the past" in past.content.decode()
    edit = reverse("staff_engagement:meeting_edit", kwargs={"pk": meeting.pk})
    officer.post(edit, {**data, "venue": "Library"})
    meeting.refresh_from_db()
    assert meeting.venue == "Library"
    cancel = reverse("staff_engagement:meeting_cancel", kwargs={"pk": meeting.pk})
    assert "field-error" in officer.post(cancel, {"reason": ""}).content.decode()
    officer.post(cancel, {"reason": "The library is closed"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    page = officer.get(reverse("staff_engagement:meeting", kwargs={"pk": meeting.pk}))
    assert "The library is closed" in page.content.decode()
    assert Meeting.objects.filter(forum=forum).count() == 1


def test_an_officer_records_attendance_minutes_and_what_the_meeting_heard(
    officer: Any, town: Any
) -> None:
    forum = new_forum(town.home)
    meeting = past_meeting(forum)
    listing = officer.get(reverse("staff_engagement:meetings")).content.decode()
    assert "Last beat meeting" in listing
    record = reverse("staff_engagement:meeting_record", kwargs={"pk": meeting.pk})
    too_many = officer.post(
        record, {"attendance": "5", "attendance_by_group": "young people: 4\nolder people: 3"}
    )
    assert "more than the 5 people" in too_many.content.decode()
    garbled = officer.post(record, {"attendance": "5", "attendance_by_group": "lots of people"})
    assert "group: number" in garbled.content.decode()
    officer.post(
        record,
        {
            "attendance": "18",
            "attendance_by_group": "young people: 4\nolder people: 9",
            "minutes": "Speeding on Mill Lane was raised.",
            "publish_minutes": "on",
        },
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.attendance_by_group == {"young people": 4, "older people": 9}
    items = reverse("staff_engagement:meeting_items", kwargs={"pk": meeting.pk})
    category = Category.objects.filter(active=True, organisation=town.force).first()
    assert category is not None
    missing = officer.post(items, {"kind": "concern", "text": "Cars race at night"})
    assert "Choose the category" in missing.content.decode()
    response = officer.post(
        items, {"kind": "concern", "text": "Cars race at night", "category": category.pk}
    )
    assert response.status_code == 302
    concern = Concern.objects.get(meeting_items__meeting=meeting)
    assert concern.channel == Channel.MEETING
    officer.post(items, {"kind": "decision", "text": "Ask for a speed watch"})
    assert MeetingItem.objects.filter(meeting=meeting).count() == 2
    page = officer.get(
        reverse("staff_engagement:meeting", kwargs={"pk": meeting.pk})
    ).content.decode()
    assert concern.reference in page
    assert reverse("staff_engagement:meeting_votes", kwargs={"pk": meeting.pk}) in page
    assert "young people: 4" in page


def test_each_member_of_staff_sees_only_the_forums_of_their_areas(
    personas: Any, client_for: Any, town: Any
) -> None:
    new_forum(town.home, name="Home forum")
    new_forum(town.elsewhere, name="Elsewhere forum")
    url = reverse("staff_engagement:forums")
    officer_page = client_for(personas["officer"]).get(url).content.decode()
    assert "Home forum" in officer_page
    assert "Elsewhere forum" not in officer_page
    analyst_page = client_for(personas["analyst"]).get(url).content.decode()
    assert "Home forum" in analyst_page
    assert "Elsewhere forum" in analyst_page
    assert "Set up a forum" not in analyst_page
    assert client_for(personas["partner_staff"]).get(url).status_code == 403
    assert client_for(personas["oversight"]).get(url).status_code == 403


def test_the_analyst_reads_a_meeting_without_the_means_to_change_it(
    personas: Any, client_for: Any, town: Any
) -> None:
    meeting = schedule(new_forum(town.home))
    analyst = client_for(personas["analyst"])
    page = analyst.get(reverse("staff_engagement:meeting", kwargs={"pk": meeting.pk}))
    assert page.status_code == 200
    assert "Cancel the meeting" not in page.content.decode()
    url = reverse("staff_engagement:meeting_cancel", kwargs={"pk": meeting.pk})
    assert analyst.post(url, {"reason": "x"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_the_forum_list_costs_a_fixed_number_of_queries(
    officer: Any, town: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        forum = new_forum(town.home, name=f"Forum {n}")
        schedule(forum, days=5 + n)
    with django_assert_max_num_queries(15):
        response = officer.get(reverse("staff_engagement:forums"))
    assert response.content.decode().count("Forum ") >= 12
