# ruff: noqa: F811  (the shared fixtures are imported by name)
"""A forum's page names its public members and whom they represent, and lists its meetings;
a meeting's page gives the venue with accessibility notes, the online link and the agenda,
a registration form while places are left, and afterwards the attendance, minutes,
decisions, concerns raised and votes. Registering works without JavaScript; bad input,
a full meeting and registering twice are refused with a clear message."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ourbeat.engagement.models import (
    ItemKind,
    Meeting,
    MeetingItem,
    MeetingVote,
    Question,
    Registration,
)
from tests.engagement.test_public_helpers import History, history  # noqa: F401


def get(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def register_url(meeting: Any) -> str:
    return reverse("engagement:meeting_register", kwargs={"pk": meeting.pk})


def test_the_forum_page_names_public_members_only_and_lists_meetings(
    client_for: Any, history: History
) -> None:
    html = get(client_for(None), history.forum.get_absolute_url())
    assert "Rosa Chair" in html
    assert "represents Mill Lane residents&#x27; association" in html
    assert "Hidden Member" not in html
    assert "A housing provider" not in html
    assert "1 more member has asked not to be named." in html
    assert "Next beat meeting" in html
    assert history.held[-1].title in html
    assert "Missed" in html


def test_an_unknown_forum_is_a_404(client_for: Any, town: Any) -> None:
    assert client_for(None).get("/en/forums/no-such-forum/").status_code == 404


def test_an_upcoming_meeting_shows_where_how_to_get_in_and_a_registration_form(
    client_for: Any, history: History
) -> None:
    meeting = history.upcoming[0]
    html = get(client_for(None), meeting.get_absolute_url())
    assert "Community hall, 1 High Street" in html
    assert "Step-free entrance, hearing loop." in html
    assert 'href="https://meet.example.org/beat"' in html
    assert "Report back on speeding." in html
    assert "40 places left." in html
    assert f'action="{register_url(meeting)}"' in html


def test_a_resident_registers_without_javascript_and_the_places_left_go_down(
    client_for: Any, history: History
) -> None:
    meeting = history.upcoming[0]
    client = client_for(None)
    response = client.post(
        register_url(meeting),
        {"name": "Ada Resident", "email": "ada@example.org", "needs": "A hearing loop"},
        follow=True,
    )
    html = response.content.decode()
    assert "You are registered." in html
    assert "39 places left." in html
    assert "Ada Resident" not in html
    assert "ada@example.org" not in html
    registration = Registration.objects.get(meeting=meeting)
    assert (registration.name, registration.needs) == ("Ada Resident", "A hearing loop")
    again = client.post(register_url(meeting), {"name": "Ada", "email": "ADA@example.org"})
    assert again.status_code == 400
    assert "You are already registered for this meeting." in again.content.decode()
    assert Registration.objects.filter(meeting=meeting).count() == 1


def test_bad_registrations_are_refused_and_nothing_is_written(
    client_for: Any, history: History
) -> None:
    meeting = history.upcoming[0]
    client = client_for(None)
    for data in (
        {},
        {"name": "", "email": "someone@example.org"},
        {"name": "Bob", "email": "not-an-address"},
        {"name": "x" * 151, "email": "bob@example.org"},
        {"name": "Bob\x00", "email": "bob@example.org"},
        {"name": "<script>alert(1)</script>", "email": "<b>@example.org"},
    ):
        response = client.post(register_url(meeting), data)
        assert response.status_code == 400
        assert "Please correct the problems below." in response.content.decode()
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert not Registration.objects.filter(meeting=meeting).exists()


def test_a_full_meeting_shows_no_form_and_refuses_one_more(
    client_for: Any, history: History
) -> None:
    meeting = history.upcoming[0]
    Meeting.objects.filter(pk=meeting.pk).update(capacity=1)
    Registration.objects.create(meeting=meeting, name="First", email="first@example.org")
    client = client_for(None)
    html = get(client, meeting.get_absolute_url())
    assert "This meeting is full." in html
    assert f'action="{register_url(meeting)}"' not in html
    response = client.post(register_url(meeting), {"name": "Late", "email": "late@example.org"})
    assert response.status_code == 400
    assert "Sorry, this meeting is full." in response.content.decode()
    assert Registration.objects.filter(meeting=meeting).count() == 1


def test_registering_for_a_meeting_without_registration_or_in_the_past_is_refused(
    client_for: Any, history: History
) -> None:
    client = client_for(None)
    for meeting in (history.upcoming[1], history.held[-1]):
        response = client.post(register_url(meeting), {"name": "Bob", "email": "b@example.org"})
        assert response.status_code == 400
        assert not Registration.objects.filter(meeting=meeting).exists()


def test_registering_is_rate_limited(client_for: Any, history: History) -> None:
    meeting = history.upcoming[0]
    for number in range(10):
        client_for(None).post(
            register_url(meeting), {"name": "Bob", "email": f"bob{number}@example.org"}
        )
    response = client_for(None).post(
        register_url(meeting), {"name": "Bob", "email": "one-more@example.org"}
    )
    assert response.status_code == 429
    assert not Registration.objects.filter(email="one-more@example.org").exists()


def test_a_held_meeting_shows_attendance_minutes_decisions_concerns_and_votes(
    client_for: Any, town: Any, history: History
) -> None:
    from tests.engagement.test_public_priority_page import concern

    meeting = history.held[-1]
    public = concern(town, published=True, text="Broken street light on the path.")
    private = concern(town, published=False, text="Private, not yet moderated.")
    MeetingItem.objects.bulk_create(
        [
            MeetingItem(
                meeting=meeting, kind=ItemKind.DECISION, text="Adopt the speeding priority."
            ),
            MeetingItem(meeting=meeting, kind=ItemKind.REPORT_BACK, text="Twelve speed checks."),
            MeetingItem(
                meeting=meeting, kind=ItemKind.CONCERN, text="street light", concern=public
            ),
            MeetingItem(meeting=meeting, kind=ItemKind.CONCERN, text="private", concern=private),
        ]
    )
    MeetingVote.objects.create(
        meeting=meeting,
        priority=history.proposals[0],
        question=Question.ADOPT,
        in_favour=12,
        against=3,
    )
    html = get(client_for(None), meeting.get_absolute_url())
    assert f"{meeting.attendance} people attended." in html
    assert "residents spoke about parking" in html
    assert "Adopt the speeding priority." in html
    assert "Twelve speed checks." in html
    assert "2 concerns were raised at the meeting" in html
    assert public.reference in html
    assert private.reference not in html
    assert "Private, not yet moderated." not in html
    assert history.proposals[0].title in html
    assert "Carried" in html
    assert "Register" not in html.split("</header>", 1)[1]


def test_a_missed_and_a_cancelled_meeting_say_so(client_for: Any, history: History) -> None:
    client = client_for(None)
    assert "this meeting was due but was not held." in get(
        client, history.missed[0].get_absolute_url()
    )
    html = get(client, history.cancelled[0].get_absolute_url())
    assert "This meeting is cancelled." in html
    assert "The hall was flooded." in html


def test_minutes_not_yet_published_are_not_shown(client_for: Any, history: History) -> None:
    meeting = history.held[-1]
    Meeting.objects.filter(pk=meeting.pk).update(minutes_published_at=None)
    html = get(client_for(None), meeting.get_absolute_url())
    assert "residents spoke about parking" not in html
    assert "The minutes have not been published yet." in html


def test_an_unknown_meeting_is_a_404(client_for: Any, town: Any) -> None:
    client = client_for(None)
    assert client.get("/en/meetings/999999/").status_code == 404
    assert client.post("/en/meetings/999999/register/", {"name": "x"}).status_code == 404
