"""Registering for a meeting: one place per e-mail address, never more than the capacity
(also when many people register at the same moment), nothing after the start or for a
cancelled meeting; who registered is never in the audit log."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ourbeat.core.models import AuditEvent
from ourbeat.engagement.models import MeetingStatus, Registration
from ourbeat.engagement.services import meetings
from tests.engagement.meetings_helpers import new_forum, past_meeting, schedule


@pytest.fixture
def meeting(town: Any) -> Any:
    return schedule(new_forum(town.home), registration_required=True, capacity=2)


@pytest.mark.django_db
def test_a_resident_registers_and_the_audit_event_does_not_name_them(meeting: Any) -> None:
    registration = meetings.meeting_register(
        meeting=meeting, name="Ada Lovelace", email="Ada@Example.org", needs="Hearing loop"
    )
    assert registration.email == "ada@example.org"
    event = AuditEvent.objects.latest("id")
    assert event.action == "engagement.meeting.register"
    assert "Ada" not in json.dumps(event.data)
    assert "ada@" not in json.dumps(event.data)
    assert "Ada" not in event.object_repr


@pytest.mark.django_db
def test_registering_twice_is_refused_whatever_the_case_of_the_address(meeting: Any) -> None:
    meetings.meeting_register(meeting=meeting, name="Ada", email="ada@example.org")
    with pytest.raises(ValidationError, match="already registered"):
        meetings.meeting_register(meeting=meeting, name="Ada again", email=" ADA@example.ORG ")
    assert meeting.registrations.count() == 1


@pytest.mark.django_db
def test_a_signed_in_resident_registers_once_even_with_another_address(
    meeting: Any, personas: Any
) -> None:
    resident = personas["resident"]
    meetings.meeting_register(meeting=meeting, name="R", email="one@example.org", user=resident)
    with pytest.raises(ValidationError, match="already registered"):
        meetings.meeting_register(meeting=meeting, name="R", email="two@example.org", user=resident)


@pytest.mark.django_db
def test_a_full_meeting_refuses_more_registrations(meeting: Any) -> None:
    meetings.meeting_register(meeting=meeting, name="A", email="a@example.org")
    meetings.meeting_register(meeting=meeting, name="B", email="b@example.org")
    assert meetings.places_left(meeting) == 0
    with pytest.raises(ValidationError, match="full"):
        meetings.meeting_register(meeting=meeting, name="C", email="c@example.org")
    assert meeting.registrations.count() == 2


@pytest.mark.django_db
def test_registration_closes_at_the_start_and_for_cancelled_or_open_meetings(
    meeting: Any, town: Any
) -> None:
    forum = meeting.forum
    started = past_meeting(forum, registration_required=True)
    with pytest.raises(ValidationError, match="started"):
        meetings.meeting_register(meeting=started, name="A", email="a@example.org")
    meetings.meeting_cancel(actor=None, meeting=meeting, reason="Snow")
    with pytest.raises(ValidationError, match="cancelled"):
        meetings.meeting_register(meeting=meeting, name="A", email="a@example.org")
    open_meeting = schedule(forum, days=9)
    with pytest.raises(ValidationError, match="needs no registration"):
        meetings.meeting_register(meeting=open_meeting, name="A", email="a@example.org")
    assert not Registration.objects.filter(meeting__forum=forum).exists()
    assert started.status == MeetingStatus.SCHEDULED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "email", "needs", "field"),
    [
        ("", "a@example.org", "", "name"),
        ("A", "not-an-address", "", "email"),
        ("A", "", "", "email"),
        ("A", "a@example.org\n@evil", "", "email"),
        ("A" * 151, "a@example.org", "", "name"),
        ("A", "a@example.org", "x" * 301, "needs"),
        ("Robert'); DROP TABLE engagement_registration;--", "a@", "", "email"),
        ("Nul\x00", "a@example.org", "", "name"),
    ],
)
def test_bad_registrations_are_refused_and_nothing_is_written(
    meeting: Any, name: str, email: str, needs: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_register(meeting=meeting, name=name, email=email, needs=needs)
    assert field in refused.value.message_dict
    assert meeting.registrations.count() == 0


CONCURRENT = """
import json, threading
from datetime import timedelta
from django.db import connections
from django.utils import timezone
from ourbeat.engagement.models import Registration
from ourbeat.engagement.services import meetings
from ourbeat.places.models import Area

area = Area.objects.filter(level="neighbourhood").order_by("code").first()
forum = meetings.forum_create(actor=None, area=area, organisation=area.organisation,
    kind="beat_meeting", name="Concurrency forum", frequency="monthly")
starts = timezone.now() + timedelta(days=30)
meeting = meetings.meeting_schedule(actor=None, forum=forum, title="Popular meeting",
    starts_at=starts, ends_at=starts + timedelta(hours=1), venue="Tiny room %(tag)s",
    registration_required=True, capacity=5)
barrier = threading.Barrier(12)
outcomes = []

def register(n, email):
    try:
        barrier.wait()
        meetings.meeting_register(meeting=meeting, name=f"Person {n}", email=email)
        outcomes.append("ok")
    except Exception as error:
        words = " ".join(getattr(error, "messages", [str(error)]))
        outcomes.append(type(error).__name__ + ": " + words)
    finally:
        connections.close_all()

# Ten different people and the same person twice, all at once.
emails = [f"p{n}@example.org" for n in range(10)] + ["same@example.org", "SAME@example.org"]
threads = [threading.Thread(target=register, args=(n, e)) for n, e in enumerate(emails)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({
    "outcomes": outcomes,
    "registered": Registration.objects.filter(meeting=meeting).count(),
}))
"""


def test_simultaneous_registrations_never_overbook_a_meeting(live_site: Any) -> None:
    output = live_site.shell(CONCURRENT % {"tag": id(live_site)})
    result = json.loads(output.splitlines()[-1])
    assert result["registered"] == 5
    assert result["outcomes"].count("ok") == 5
    refused = [o for o in result["outcomes"] if o != "ok"]
    assert len(refused) == 7
    assert all(o.startswith("ValidationError") for o in refused), refused
    assert all("full" in o or "already registered" in o for o in refused), refused


@pytest.mark.django_db
def test_the_capacity_counts_only_this_meetings_registrations(meeting: Any) -> None:
    other = schedule(meeting.forum, days=10, registration_required=True, capacity=1)
    meetings.meeting_register(meeting=other, name="A", email="a@example.org")
    meetings.meeting_register(meeting=meeting, name="A", email="a@example.org")
    assert meetings.places_left(meeting) == 1
    assert other.starts_at - meeting.starts_at == timedelta(days=3)
