"""An officer handles a concern through the staff pages: each action leaves its audit event
and its effect in the database, public updates e-mail the reporter after commit, and bad
input is answered with a message and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from ourbeat.concerns.models import (
    Category,
    Concern,
    Referral,
    ResponseTemplate,
    Status,
    Update,
    UpdateKind,
)
from ourbeat.concerns.services import concern_submit
from ourbeat.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def submit(area: Any, code: str, user: Any, text: str = "Loud music every night") -> Concern:
    return concern_submit(
        category=Category.objects.get(code=code),
        latitude=area.centre_lat,
        longitude=area.centre_lng,
        description=text,
        user=user,
        reporter_email="robin@example.net",
    ).concern


def newest(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no {action} event"
    return event


@pytest.fixture
def concern(town: Any, personas: dict[str, Any]) -> Concern:
    return submit(town.home, "asb-noise", personas["resident"])


@pytest.fixture
def officer(client_for: Any, personas: dict[str, Any]) -> Any:
    return client_for(personas["officer"])


def url(concern: Concern, action: str = "") -> str:
    return f"/en/staff/concerns/{concern.reference}/{action + '/' if action else ''}"


def test_the_concern_page_shows_everything_staff_need(
    officer: Any, concern: Concern, town: Any
) -> None:
    html = officer.get(url(concern)).content.decode()
    assert "Loud music every night" in html
    assert f"{concern.latitude:.6f}" in html
    assert "First response due" in html
    assert "Resolution plan due" in html
    assert "Show the reporter's contact details" in html
    assert "robin@example.net" not in html


def test_acknowledging_sets_the_status_audits_and_emails_after_commit(
    officer: Any,
    concern: Concern,
    personas: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = officer.post(url(concern, "status"), {"status-status": "acknowledged"})
    assert response.status_code == 302
    assert len(callbacks) == 1
    concern.refresh_from_db()
    assert concern.status == Status.ACKNOWLEDGED
    event = newest("concerns.concern.status")
    assert (event.actor_id, event.object_id) == (personas["officer"].pk, str(concern.pk))
    assert event.data["from"] == "submitted"
    assert event.data["to"] == "acknowledged"
    assert [m.to for m in mail.outbox] == [["robin@example.net"]]
    assert concern.reference in mail.outbox[0].subject


def test_no_email_leaves_before_the_transaction_commits(
    officer: Any, concern: Concern, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        officer.post(url(concern, "respond"), {"respond-text": "We will patrol on Friday."})
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_not_a_police_matter_needs_somewhere_to_go_instead(officer: Any, concern: Concern) -> None:
    response = officer.post(url(concern, "status"), {"status-status": "not_police_matter"})
    assert response.status_code == 200
    assert "Say where the resident should go instead." in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == Status.SUBMITTED
    response = officer.post(
        url(concern, "status"),
        {"status-status": "not_police_matter", "status-note": "The housing association"},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.status, concern.status_note) == ("not_police_matter", "The housing association")


@pytest.mark.parametrize("status", ["", "exploded", "duplicate"])
def test_an_unknown_status_is_refused(officer: Any, concern: Concern, status: str) -> None:
    response = officer.post(url(concern, "status"), {"status-status": status})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert Concern.objects.get(pk=concern.pk).status == Status.SUBMITTED
    assert not Update.objects.filter(concern=concern).exists()


def test_a_public_response_is_published_audited_and_emailed(
    officer: Any, concern: Concern, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            url(concern, "respond"), {"respond-text": "Call me on 07700 900123 any time."}
        )
    assert response.status_code == 302
    update = Update.objects.get(concern=concern, kind=UpdateKind.RESPONSE)
    assert update.public
    assert "07700 900123" not in update.text
    assert newest("concerns.concern.respond").object_id == str(concern.pk)
    assert len(mail.outbox) == 1
    assert update.text in mail.outbox[0].body


def test_an_empty_response_or_note_is_refused(officer: Any, concern: Concern) -> None:
    for action in ("respond", "note"):
        response = officer.post(url(concern, action), {f"{action}-text": "   "})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
    assert not Update.objects.filter(concern=concern).exists()


def test_a_response_template_prefills_the_response(
    officer: Any, concern: Concern, town: Any
) -> None:
    template = ResponseTemplate.objects.create(
        organisation=town.force, title="Patrol planned", text="Officers will visit this week."
    )
    ResponseTemplate.objects.create(
        organisation=town.council, title="Council only", text="The council's own words."
    )
    html = officer.get(url(concern)).content.decode()
    assert "Patrol planned" in html
    assert "Council only" not in html
    html = officer.get(url(concern), {"template": template.pk}).content.decode()
    assert ">\nOfficers will visit this week.</textarea>" in html


def test_an_internal_note_is_audited_and_sends_nothing(
    officer: Any, concern: Concern, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(url(concern, "note"), {"note-text": "Known address, see log."})
    assert response.status_code == 302
    update = Update.objects.get(concern=concern, kind=UpdateKind.NOTE)
    assert not update.public
    assert newest("concerns.concern.note").object_id == str(concern.pk)
    assert mail.outbox == []


def test_changing_the_category_reroutes_and_tells_the_resident(
    officer: Any, concern: Concern, town: Any, django_capture_on_commit_callbacks: Any
) -> None:
    lights = Category.objects.get(code="street-light")
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            url(concern, "category"),
            {"category-category": lights.pk, "category-note": "The council mends lights."},
        )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.category, concern.responsible) == (lights, town.council)
    event = newest("concerns.concern.recategorise")
    assert (event.data["from"], event.data["to"]) == ("asb-noise", "street-light")
    assert "The council mends lights." in mail.outbox[0].body


def test_changing_the_category_needs_a_note_and_a_different_category(
    officer: Any, concern: Concern
) -> None:
    lights = Category.objects.get(code="street-light")
    response = officer.post(url(concern, "category"), {"category-category": lights.pk})
    assert response.status_code == 200
    response = officer.post(
        url(concern, "category"),
        {"category-category": concern.category_id, "category-note": "Same"},
    )
    assert "already in that category" in response.content.decode()
    assert Concern.objects.get(pk=concern.pk).category_id == concern.category_id


def test_marking_a_duplicate_merges_the_threads_and_tells_its_reporter(
    officer: Any,
    concern: Concern,
    town: Any,
    personas: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    again = submit(town.home, "asb-noise", personas["resident"], "Music again, number 12")
    Update.objects.create(
        concern=again,
        kind=UpdateKind.REPLY,
        text="It is still going on",
        created_at=again.created_at,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            url(again, "duplicate"), {"duplicate-reference": concern.reference.lower()}
        )
    assert response.status_code == 302
    again.refresh_from_db()
    assert (again.status, again.duplicate_of) == (Status.DUPLICATE, concern)
    assert Concern.objects.get(pk=concern.pk).supporters == 1
    assert newest("concerns.concern.duplicate").data["original"] == concern.reference
    assert concern.reference in mail.outbox[0].body
    html = officer.get(url(concern)).content.decode()
    assert "Music again, number 12" in html
    assert "It is still going on" in html


@pytest.mark.parametrize("which", ["itself", "unknown", "out_of_scope"])
def test_a_duplicate_of_itself_or_of_an_unknown_concern_is_refused(
    officer: Any, concern: Concern, town: Any, personas: dict[str, Any], which: str
) -> None:
    reference = {
        "itself": concern.reference,
        "unknown": "MIL-99-999999",
        "out_of_scope": submit(town.elsewhere, "asb-noise", personas["resident"]).reference,
    }[which]
    response = officer.post(url(concern, "duplicate"), {"duplicate-reference": reference})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == Status.SUBMITTED
    assert concern.duplicate_of is None


def test_referring_passes_the_concern_on_and_the_sender_keeps_read_access(
    client_for: Any,
    officer: Any,
    concern: Concern,
    town: Any,
    personas: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            url(concern, "refer"),
            {"refer-organisation": town.council.pk, "refer-note": "Council housing block"},
        )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.responsible == town.council
    assert Referral.objects.filter(concern=concern, to_organisation=town.council).exists()
    assert newest("concerns.concern.refer").data == {
        "to": town.council.slug,
        "note": "Council housing block",
    }
    assert len(mail.outbox) == 1
    # The sender reads but no longer acts; the receiver acts.
    assert officer.get(url(concern)).status_code == 200
    assert officer.post(url(concern, "note"), {"note-text": "x"}).status_code == 403
    partner = client_for(personas["partner_staff"])
    assert partner.get(url(concern)).status_code == 200
    assert partner.post(url(concern, "note"), {"note-text": "On it"}).status_code == 302


def test_referring_to_the_same_organisation_is_refused(
    officer: Any, concern: Concern, town: Any
) -> None:
    response = officer.post(
        url(concern, "refer"), {"refer-organisation": town.force.pk, "refer-note": "Us"}
    )
    assert response.status_code == 200
    assert "already with that organisation" in response.content.decode()
    assert not Referral.objects.filter(concern=concern).exists()


def test_the_analyst_reads_but_every_action_is_refused(
    client_for: Any, personas: dict[str, Any], concern: Concern
) -> None:
    analyst = client_for(personas["analyst"])
    assert analyst.get(url(concern)).status_code == 200
    for action, data in {
        "status": {"status-status": "acknowledged"},
        "respond": {"respond-text": "Hello"},
        "note": {"note-text": "Hello"},
        "reporter": {},
        "hide": {"hide-reason": "x"},
        "publish": {"text": "x"},
    }.items():
        assert analyst.post(url(concern, action), data).status_code == 403, action
    assert not Update.objects.filter(concern=concern).exists()


@pytest.mark.parametrize("persona", ["oversight", "resident", "partner_staff"])
def test_others_cannot_open_the_concern(
    client_for: Any, personas: dict[str, Any], concern: Concern, persona: str
) -> None:
    assert client_for(personas[persona]).get(url(concern)).status_code == 403


def test_an_unknown_reference_is_not_found(officer: Any) -> None:
    assert officer.get("/en/staff/concerns/MIL-99-999999/").status_code == 404
