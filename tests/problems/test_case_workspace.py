"""The restricted workspace of a case: notes and documents added by the lead force's staff
and by a member agency's staff, read by both, and closed to everyone else."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(town: Any) -> Any:
    """Staff of a partner agency that is not a member of the case."""
    from ourbeat.accounts.models import Membership, Role
    from ourbeat.places.models import Organisation, OrganisationKind
    from tests.fixtures.personas import make_user

    agency = Organisation.objects.create(
        kind=OrganisationKind.PARTNER_AGENCY,
        name="Outside Youth Service",
        slug="outside-youth-service",
    )
    user = make_user("outsider@example.org")
    Membership.objects.create(user=user, organisation=agency, role=Role.PARTNER_STAFF)
    return user


def _upload(client: Any, case: Any, name: str, content: bytes, title: str = "") -> Any:
    return client.post(
        reverse("staff_problems:document_upload", kwargs={"pk": case.pk}),
        {"upload": SimpleUploadedFile(name, content), "title": title},
    )


def test_the_lead_officer_adds_a_note_recorded_under_the_force(
    case: Any, personas: Any, client_for: Any, town: Any
) -> None:
    client = client_for(personas["officer"])
    url = reverse("staff_problems:workspace", kwargs={"pk": case.pk})

    response = client.post(url, {"text": "Spoke to the landlord about the back gate."})

    assert response.status_code == 302
    note = case.notes.get()
    assert note.author == personas["officer"]
    assert note.organisation == town.force
    page = client.get(url).content.decode()
    assert "Spoke to the landlord about the back gate." in page
    assert town.force.name in page


def test_member_partner_staff_add_a_note_recorded_under_their_agency(
    case: Any, personas: Any, client_for: Any, town: Any
) -> None:
    from ourbeat.core.models import AuditEvent

    client = client_for(personas["partner_staff"])
    url = reverse("staff_problems:workspace", kwargs={"pk": case.pk})

    response = client.post(url, {"text": "Two lamps out on the alley; repair booked."})

    assert response.status_code == 302
    note = case.notes.get()
    assert note.organisation == town.council
    assert AuditEvent.objects.filter(action="problems.note.add", object_id=str(note.pk)).exists()
    assert "Two lamps out on the alley" in client.get(url).content.decode()


def test_notes_are_listed_newest_first(case: Any, personas: Any, client_for: Any) -> None:
    client = client_for(personas["officer"])
    url = reverse("staff_problems:workspace", kwargs={"pk": case.pk})
    client.post(url, {"text": "First note, written earlier."})
    client.post(url, {"text": "Second note, written later."})

    page = client.get(url).content.decode()

    assert page.index("Second note, written later.") < page.index("First note, written earlier.")


@pytest.mark.parametrize(
    "text", ["", "   ", "x" * 8001, "bell \x07 inside"], ids=["empty", "blank", "huge", "control"]
)
def test_a_bad_note_gets_a_form_error_and_saves_nothing(
    case: Any, personas: Any, client_for: Any, text: str
) -> None:
    client = client_for(personas["officer"])

    response = client.post(
        reverse("staff_problems:workspace", kwargs={"pk": case.pk}), {"text": text}
    )

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert case.notes.count() == 0


def test_a_note_is_shown_as_text_not_html(case: Any, personas: Any, client_for: Any) -> None:
    client = client_for(personas["officer"])
    url = reverse("staff_problems:workspace", kwargs={"pk": case.pk})
    client.post(url, {"text": "<script>alert('x')</script>"})

    page = client.get(url).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_lead_staff_and_member_partners_upload_and_download_documents(
    case: Any, personas: Any, client_for: Any, private_dir: Any, town: Any
) -> None:
    from ourbeat.core.models import AuditEvent

    officer = client_for(personas["officer"])
    partner = client_for(personas["partner_staff"])

    assert _upload(officer, case, "minutes.txt", b"Meeting minutes\n", "Minutes").status_code == 302
    assert _upload(partner, case, "lights.csv", b"lamp,status\n12,out\n").status_code == 302

    minutes = case.documents.get(title="Minutes")
    lights = case.documents.get(original_name="lights.csv")
    assert minutes.organisation == town.force
    assert lights.organisation == town.council
    assert lights.content_type == "text/csv"
    assert minutes.sha256 == hashlib.sha256(b"Meeting minutes\n").hexdigest()
    assert minutes.size == len(b"Meeting minutes\n")
    # Each stored file is named by a random token, not by the upload.
    stored = sorted(p.name for p in (private_dir / "problems").iterdir())
    assert len(stored) == 2
    assert all("minutes" not in name and "lights" not in name for name in stored)

    # The partner reads what the officer uploaded, as an attachment that is never sniffed.
    response = partner.get(
        reverse("staff_problems:document", kwargs={"pk": case.pk, "document_id": minutes.pk})
    )
    assert response.status_code == 200
    assert response.content == b"Meeting minutes\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''minutes.txt" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert AuditEvent.objects.filter(
        action="problems.document.download", object_id=str(minutes.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="problems.document.add").count() == 2


def test_the_workspace_shows_both_forms_to_contributors(
    case: Any, personas: Any, client_for: Any
) -> None:
    page = client_for(personas["partner_staff"]).get(
        reverse("staff_problems:workspace", kwargs={"pk": case.pk})
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert reverse("staff_problems:document_upload", kwargs={"pk": case.pk}) in html


def test_a_non_ascii_file_name_is_offered_in_rfc_6266_form(
    case: Any, personas: Any, client_for: Any, private_dir: Any
) -> None:
    client = client_for(personas["officer"])
    _upload(client, case, "Отчёт.txt", "Отчёт о встрече\n".encode())
    document = case.documents.get()

    response = client.get(
        reverse("staff_problems:document", kwargs={"pk": case.pk, "document_id": document.pk})
    )

    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82.txt" in disposition
    assert 'filename="_____.txt"' in disposition


def test_a_document_of_another_case_is_not_found_through_this_one(
    case: Any, personas: Any, client_for: Any, private_dir: Any, town: Any
) -> None:
    from ourbeat.problems.models import Problem

    client = client_for(personas["officer"])
    other = Problem.objects.create(organisation=town.force, area=town.home, title="Other case")
    _upload(client, other, "other.txt", b"not for this case\n")
    document = other.documents.get()

    response = client.get(
        reverse("staff_problems:document", kwargs={"pk": case.pk, "document_id": document.pk})
    )

    assert response.status_code == 404


def test_a_non_member_partner_is_refused_every_workspace_url(
    case: Any, personas: Any, client_for: Any, outsider: Any, private_dir: Any
) -> None:
    _upload(client_for(personas["officer"]), case, "minutes.txt", b"Minutes\n")
    document = case.documents.get()
    client = client_for(outsider)
    pk = case.pk

    assert client.get(reverse("staff_problems:workspace", kwargs={"pk": pk})).status_code == 403
    assert (
        client.post(reverse("staff_problems:workspace", kwargs={"pk": pk}), {"text": "hi"})
    ).status_code == 403
    assert _upload(client, case, "x.txt", b"hello\n").status_code == 403
    download = reverse("staff_problems:document", kwargs={"pk": pk, "document_id": document.pk})
    assert client.get(download).status_code == 403
    assert client.get(reverse("staff_problems:summary", kwargs={"pk": pk})).status_code == 403
    assert (
        client.post(reverse("staff_problems:summary_publish", kwargs={"pk": pk}), {"publish": "1"})
    ).status_code == 403
    assert case.notes.count() == 0
    assert case.documents.count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(case: Any, client_for: Any) -> None:
    response = client_for(None).get(reverse("staff_problems:workspace", kwargs={"pk": case.pk}))

    assert response.status_code == 302
    assert "login" in response["Location"]
