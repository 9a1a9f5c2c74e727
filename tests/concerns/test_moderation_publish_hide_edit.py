"""Moderation: staff publish a report's text (prefilled with personal details masked,
editable), hide a report, hide or correct a public update; every moderation keeps the
original in the audit log, and internal notes never reach the public side."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.concerns.models import Category, Concern, Update, UpdateKind
from ourbeat.concerns.selectors import public_concerns
from ourbeat.concerns.services import concern_note, concern_respond, concern_submit
from ourbeat.core.models import AuditEvent

pytestmark = pytest.mark.django_db

DESCRIPTION = "Needles by the swings, ring me on 07700 900456 or jo@example.net, van AB12 CDE"


@pytest.fixture
def concern(town: Any, personas: dict[str, Any]) -> Concern:
    return concern_submit(
        category=Category.objects.get(code="drugs-litter"),
        latitude=town.home.centre_lat,
        longitude=town.home.centre_lng,
        description=DESCRIPTION,
        user=personas["resident"],
    ).concern


@pytest.fixture
def officer(client_for: Any, personas: dict[str, Any]) -> Any:
    return client_for(personas["officer"])


def newest(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None
    return event


def test_the_publish_form_is_prefilled_with_the_masked_description(
    officer: Any, concern: Concern
) -> None:
    html = officer.get(f"/en/staff/concerns/{concern.reference}/publish/").content.decode()
    textarea = html.split('name="text"')[1].split("</textarea>")[0]
    assert "Needles by the swings" in textarea
    for secret in ("07700 900456", "jo@example.net", "AB12 CDE"):
        assert secret not in textarea


def test_publishing_edited_text_masks_it_and_keeps_the_original_in_the_audit_log(
    officer: Any, concern: Concern
) -> None:
    response = officer.post(
        f"/en/staff/concerns/{concern.reference}/publish/",
        {"text": "Needles by the swings. Call 07700 900456."},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.is_public
    assert "07700 900456" not in concern.public_text
    assert public_concerns().filter(pk=concern.pk).exists()
    event = newest("concerns.concern.publish")
    assert event.data["original"] == DESCRIPTION
    assert event.data["published"] == concern.public_text


def test_publishing_empty_text_is_refused(officer: Any, concern: Concern) -> None:
    response = officer.post(f"/en/staff/concerns/{concern.reference}/publish/", {"text": " "})
    assert response.status_code == 200
    assert not Concern.objects.get(pk=concern.pk).is_public


def test_hiding_a_report_takes_it_off_the_public_side(officer: Any, concern: Concern) -> None:
    officer.post(f"/en/staff/concerns/{concern.reference}/publish/", {"text": "Needles"})
    response = officer.post(f"/en/staff/concerns/{concern.reference}/hide/", {"hide-reason": ""})
    assert response.status_code == 200
    assert public_concerns().filter(pk=concern.pk).exists()
    response = officer.post(
        f"/en/staff/concerns/{concern.reference}/hide/", {"hide-reason": "Names a person"}
    )
    assert response.status_code == 302
    assert not public_concerns().filter(pk=concern.pk).exists()
    event = newest("concerns.concern.hide")
    assert event.data == {"reason": "Names a person", "published": "Needles"}


def test_a_public_update_is_hidden_or_corrected_with_the_original_kept(
    officer: Any, concern: Concern, personas: dict[str, Any]
) -> None:
    update = concern_respond(concern=concern, actor=personas["officer"], text="We visited Flat 3.")
    base = f"/en/staff/concerns/{concern.reference}/updates/{update.pk}"
    assert officer.get(f"{base}/edit/").status_code == 200
    response = officer.post(f"{base}/edit/", {"text": "We visited the block. 07700 900456"})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.text.startswith("We visited the block.")
    assert "900456" not in update.text
    edit = newest("concerns.update.edit")
    assert edit.data["original"] == "We visited Flat 3."
    assert edit.object_id == str(concern.pk)

    response = officer.post(f"{base}/hide/", {"update-hide-reason": "Identifies a flat"})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.hidden
    hidden = newest("concerns.update.hide")
    assert hidden.data["text"] == update.text
    assert hidden.data["reason"] == "Identifies a flat"


def test_internal_notes_and_replies_cannot_be_moderated_as_public_updates(
    officer: Any, concern: Concern, personas: dict[str, Any]
) -> None:
    note = concern_note(concern=concern, actor=personas["officer"], text="Internal")
    base = f"/en/staff/concerns/{concern.reference}/updates/{note.pk}"
    assert officer.get(f"{base}/edit/").status_code == 404
    assert officer.post(f"{base}/hide/", {"update-hide-reason": "x"}).status_code == 404


def test_internal_notes_never_appear_on_the_public_side(
    officer: Any, client_for: Any, concern: Concern
) -> None:
    officer.post(f"/en/staff/concerns/{concern.reference}/publish/", {"text": "Needles"})
    officer.post(
        f"/en/staff/concerns/{concern.reference}/note/", {"note-text": "Informant lives at no. 4"}
    )
    officer.post(f"/en/staff/concerns/{concern.reference}/respond/", {"respond-text": "Cleared"})
    assert Update.objects.filter(concern=concern, kind=UpdateKind.NOTE, public=False).exists()
    public_updates = Update.objects.filter(concern=concern, public=True, hidden=False)
    assert "Informant" not in " ".join(u.text for u in public_updates)
    visitor = client_for(None)
    response = visitor.get(f"/en/concerns/{concern.reference}/")
    if response.status_code == 200:  # the public concern page (built alongside)
        html = response.content.decode()
        assert "Cleared" in html
        assert "Informant lives at no. 4" not in html
    for path in ("/en/concerns/", "/en/concerns/feed.rss", "/en/concerns/feed.atom"):
        response = visitor.get(path)
        if response.status_code == 200:
            assert "Informant" not in response.content.decode()
