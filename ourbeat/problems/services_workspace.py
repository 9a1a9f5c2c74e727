"""Writes of a case's restricted workspace (notes, documents) and of its public summary."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ourbeat.core import audit
from ourbeat.core.permissions import leads_problem, problem_partner_organisation_ids
from ourbeat.core.text import clean_text, mask_personal_details
from ourbeat.places.services import area_touch
from ourbeat.problems.models import Document, Note, Problem
from ourbeat.problems.uploads import check_document

DOCUMENTS_SUBDIR = "problems"


def _organisation_id_of(actor: Any, problem: Problem) -> int | None:
    """The organisation through which the actor takes part: the lead organisation for its
    staff, otherwise the member agency they belong to."""
    if leads_problem(actor, problem):
        return problem.organisation_id
    members = set(problem.members.values_list("organisation_id", flat=True))
    through = sorted(problem_partner_organisation_ids(actor) & members)
    return through[0] if through else None


def note_add(*, actor: Any, problem: Problem, text: str) -> Note:
    body = clean_text(text, field="text", limit=8000, required=_("Write the note."))
    with transaction.atomic():
        note = Note.objects.create(
            problem=problem,
            author=actor,
            organisation_id=_organisation_id_of(actor, problem),
            text=body,
        )
        audit.record("problems.note.add", actor=actor, obj=note, data={"problem": problem.pk})
    return note


def document_path(document: Document) -> Path:
    """Where a document's bytes are kept (its stored name is a random token)."""
    return Path(settings.OURBEAT_PRIVATE_DIR) / document.stored_name


def _write_new(path: Path, content: bytes) -> None:
    """Create the file (never overwriting one), readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def document_add(*, actor: Any, problem: Problem, upload: Any, title: str = "") -> Document:
    """Check and keep an uploaded document. All or nothing: a refused upload, or a failed
    write of the row, leaves no file and no row behind."""
    clean_title = clean_text(title, field="title", limit=200)
    # Reading, type checks and image re-encoding happen before any transaction is open.
    checked = check_document(upload, max_bytes=settings.OURBEAT_DOCUMENT_MAX_BYTES)
    stored_name = f"{DOCUMENTS_SUBDIR}/{secrets.token_urlsafe(32)}"
    path = Path(settings.OURBEAT_PRIVATE_DIR) / stored_name
    _write_new(path, checked.content)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                problem=problem,
                uploaded_by=actor,
                organisation_id=_organisation_id_of(actor, problem),
                title=clean_title or checked.display_name,
                original_name=checked.display_name,
                stored_name=stored_name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
            )
            audit.record(
                "problems.document.add",
                actor=actor,
                obj=document,
                data={
                    "problem": problem.pk,
                    "content_type": checked.content_type,
                    "size": checked.size,
                    "sha256": checked.sha256,
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return document


def document_download_record(*, actor: Any, document: Document) -> None:
    """Record that someone read a document: it may hold personal data."""
    with transaction.atomic():
        audit.record(
            "problems.document.download",
            actor=actor,
            obj=document,
            data={"problem": document.problem_id},
        )


def summary_write(
    *, actor: Any, problem: Problem, public_title: str, public_summary: str
) -> Problem:
    """Write the public summary; e-mails, phone numbers and plates are masked before it is
    stored. It is kept as plain text (escaped wherever it is shown)."""
    title = clean_text(
        public_title, field="public_title", limit=200, required=_("Give the summary a title.")
    )
    summary = clean_text(
        public_summary, field="public_summary", limit=8000, required=_("Write the summary.")
    )
    with transaction.atomic():
        locked = Problem.objects.select_for_update().get(pk=problem.pk)
        locked.public_title = mask_personal_details(title)
        locked.public_summary = mask_personal_details(summary)
        locked.version += 1
        locked.save(update_fields=["public_title", "public_summary", "version", "updated_at"])
        audit.record(
            "problems.summary.write",
            actor=actor,
            obj=locked,
            data={"published": locked.public_published_at is not None},
        )
        if locked.public_published_at is not None:
            area_touch([locked.area_id])
    problem.public_title = locked.public_title
    problem.public_summary = locked.public_summary
    problem.version = locked.version
    return problem


def summary_publish(*, actor: Any, problem: Problem, publish: bool) -> Problem:
    """Publish the public summary (it must be written first), or withdraw it."""
    with transaction.atomic():
        locked = Problem.objects.select_for_update().get(pk=problem.pk)
        if publish and not (locked.public_title and locked.public_summary):
            raise ValidationError(_("Write the public summary before publishing it."))
        locked.public_published_at = (
            (locked.public_published_at or timezone.now()) if publish else None
        )
        locked.version += 1
        locked.save(update_fields=["public_published_at", "version", "updated_at"])
        audit.record(
            "problems.summary.publish" if publish else "problems.summary.withdraw",
            actor=actor,
            obj=locked,
        )
        # The neighbourhood page lists published summaries.
        area_touch([locked.area_id])
    problem.public_published_at = locked.public_published_at
    problem.version = locked.version
    return problem


def report_export_record(*, actor: Any, problem: Problem, export_format: str, size: int) -> None:
    """Record that the case file left the system as a file."""
    with transaction.atomic():
        audit.record(
            "problems.report.export",
            actor=actor,
            obj=problem,
            data={"format": export_format, "bytes": size},
        )
