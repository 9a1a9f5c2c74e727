"""Writes of incident imports and column mappings. Each function here is one transaction
with an audit event; views, tasks and manage commands call these and nothing lower.

An upload is checked (size, CSV text, a header that fits the kind chosen) and stored under
``OURBEAT_VAR_DIR/imports/<uuid>.csv`` until its task has run; the task reads it into the
database in one transaction (``importing.import_file``) and deletes it, so a partner's file
(which may hold victim references) is kept no longer than the import takes. While it runs,
its progress is kept in the progress cache (files every process reads), not on the row: on
SQLite a write from inside the import's transaction is invisible to other connections, and
one from another connection would wait for its lock.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ourbeat.analytics import importing
from ourbeat.analytics.models import (
    ColumnMapping,
    ImportStatus,
    IncidentImport,
    IncidentSource,
)
from ourbeat.core import audit
from ourbeat.places.models import Organisation

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# How long a running import's progress stays in the cache without news.
PROGRESS_SECONDS = 6 * 60 * 60
# The sources an upload may be (the demo town writes its incidents itself).
UPLOAD_SOURCES = (
    IncidentSource.POLICEUK_STREET,
    IncidentSource.POLICEUK_OUTCOMES,
    IncidentSource.POLICEUK_STOP_SEARCH,
    IncidentSource.CSV,
)
_COPY_BLOCK = 1024 * 1024

logger = logging.getLogger(__name__)


def max_upload_bytes() -> int:
    return int(getattr(settings, "OURBEAT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def imports_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def clean_file_name(name: str) -> str:
    """The name as shown on pages: its last path part only (``../../etc/passwd`` and
    ``C:\\x\\y.csv`` alike), without control characters, at most 255 characters. It is never
    used to build a path: the stored copy is named by a random uuid."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "upload.csv"


def progress_key(import_id: int) -> str:
    return f"analytics:import:{import_id}:progress"


def import_progress(incident_import: IncidentImport) -> dict[str, int]:
    """How far a running import has got: rows read, and bytes read out of the file's size."""
    found = caches["progress"].get(progress_key(incident_import.pk))
    if isinstance(found, dict):
        return {k: int(v) for k, v in found.items()}
    return {"rows_done": incident_import.rows_done, "bytes_done": 0, "bytes_total": 0}


@dataclass(frozen=True)
class Upload:
    """A file to import: its name as the person gave it, and its bytes."""

    name: str
    content: IO[bytes]


def _store(upload: Upload, limit: int) -> tuple[Path, str]:
    """Copy the upload under the imports directory, counting and hashing as it goes; refuse
    it, and keep nothing, when it is too large, empty or not UTF-8 text."""
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.csv"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "xb") as out:
            while block := upload.content.read(_COPY_BLOCK):
                size += len(block)
                if size > limit:
                    raise ValidationError(
                        _("%(file)s is larger than %(limit)s MB.")
                        % {"file": clean_file_name(upload.name), "limit": limit // (1024 * 1024)}
                    )
                digest.update(block)
                out.write(block)
        if size == 0:
            raise ValidationError(_("%(file)s is empty.") % {"file": clean_file_name(upload.name)})
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest()


def _check_stored(path: Path, name: str, source: str, mapping: ColumnMapping | None) -> None:
    """The stored file is CSV text whose header fits the kind of file chosen."""
    with open(path, "rb") as raw:
        first_line = raw.readline(64 * 1024)
    # UTF-16 (a spreadsheet's "Unicode text") or a binary file: NULs from the first line on.
    if b"\x00" in first_line:
        raise ValidationError(_("%(file)s is not a CSV text file.") % {"file": name})
    try:
        header = importing.read_header(path)
        importing.check_header(header, source=source, mapping=mapping)
    except importing.ImportRefused as refused:
        raise ValidationError(f"{name}: {refused}") from None


def import_create(
    *,
    actor: Any,
    organisation: Organisation,
    source: str,
    uploads: Iterable[Upload],
    mapping: ColumnMapping | None = None,
    run: bool = True,
) -> list[IncidentImport]:
    """Queue one import per file. Every file is checked before any is queued: one bad file
    refuses them all with a ``ValidationError`` and keeps nothing. With ``run`` the task
    that imports each file is enqueued once the transaction commits (the immediate backend
    runs it at once)."""
    if source not in UPLOAD_SOURCES:
        raise ValidationError(_("Choose the kind of file."))
    if source == IncidentSource.CSV and mapping is None:
        raise ValidationError(_("Choose the column mapping of this CSV file."))
    if mapping is not None and mapping.organisation_id != organisation.pk:
        raise ValidationError(_("The column mapping belongs to another organisation."))
    if source != IncidentSource.CSV:
        mapping = None
    limit = max_upload_bytes()
    stored: list[tuple[Upload, Path, str]] = []
    try:
        for upload in uploads:
            path, digest = _store(upload, limit)
            stored.append((upload, path, digest))
            _check_stored(path, clean_file_name(upload.name), source, mapping)
        if not stored:
            raise ValidationError(_("Choose at least one file."))
        with transaction.atomic():
            created = []
            for upload, path, digest in stored:
                incident_import = IncidentImport.objects.create(
                    organisation=organisation,
                    source=source,
                    mapping=mapping,
                    file_name=clean_file_name(upload.name),
                    stored_path=str(path),
                    file_sha256=digest,
                    uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
                    status=ImportStatus.QUEUED,
                )
                audit.record(
                    "analytics.import.create",
                    actor=actor,
                    obj=incident_import,
                    data={
                        "source": source,
                        "file": incident_import.file_name,
                        "sha256": digest,
                        "bytes": path.stat().st_size,
                        "mapping": mapping.pk if mapping else None,
                    },
                )
                created.append(incident_import)
            if run:
                ids = [i.pk for i in created]
                transaction.on_commit(lambda: _enqueue(ids), robust=True)
    except BaseException:
        for _upload, path, _digest in stored:
            path.unlink(missing_ok=True)
        raise
    return created


def _enqueue(import_ids: list[int]) -> None:
    from ourbeat.analytics.tasks import run_incident_import

    for import_id in import_ids:
        run_incident_import.enqueue(import_id=import_id)


def _owned_file(stored_path: str) -> Path | None:
    """The stored file, if it is one of ours (only those are ever deleted)."""
    if not stored_path:
        return None
    path = Path(stored_path)
    folder = imports_dir().resolve()
    return path if path.resolve().parent == folder else None


def import_run(*, incident_import_id: int, actor: Any = None) -> IncidentImport:
    """Read a queued import's file into the database: all its new rows in one transaction
    with the import's counts and an audit event, or (on a refused file or any error) nothing
    but the import marked failed with the reason. Idempotent: a finished import is returned
    as it is, and running a file again adds no row twice."""
    incident_import = IncidentImport.objects.select_related("mapping").get(pk=incident_import_id)
    if incident_import.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return incident_import
    IncidentImport.objects.filter(pk=incident_import.pk).update(status=ImportStatus.RUNNING)
    incident_import.status = ImportStatus.RUNNING
    key = progress_key(incident_import.pk)

    def on_progress(rows_done: int, bytes_done: int, bytes_total: int) -> None:
        caches["progress"].set(
            key,
            {"rows_done": rows_done, "bytes_done": bytes_done, "bytes_total": bytes_total},
            PROGRESS_SECONDS,
        )

    path = Path(incident_import.stored_path) if incident_import.stored_path else None
    try:
        if path is None or not path.is_file():
            raise importing.ImportRefused(_("The uploaded file is no longer available."))
        with transaction.atomic():
            counts = importing.import_file(
                path=path,
                organisation_id=incident_import.organisation_id,
                source=incident_import.source,
                mapping=incident_import.mapping,
                import_id=incident_import.pk,
                on_progress=on_progress,
            )
            _finish(incident_import, counts)
            audit.record(
                "analytics.import.run",
                actor=actor,
                obj=incident_import,
                data={
                    "status": ImportStatus.DONE,
                    "rows": counts.rows_total,
                    "added": counts.rows_added,
                    "present": counts.rows_present,
                    "rejected": counts.rows_rejected,
                },
            )
    except Exception as error:
        message = (
            str(error)
            if isinstance(error, importing.ImportRefused)
            else _("The import failed and nothing was added (%(error)s).")
            % {"error": type(error).__name__}
        )
        with transaction.atomic():
            IncidentImport.objects.filter(pk=incident_import.pk).update(
                status=ImportStatus.FAILED,
                error=message,
                stored_path="",
                finished_at=timezone.now(),
            )
            incident_import.refresh_from_db()
            audit.record(
                "analytics.import.run",
                actor=actor,
                obj=incident_import,
                data={"status": ImportStatus.FAILED, "error": message},
            )
        if not isinstance(error, importing.ImportRefused):
            logger.exception("import %s failed", incident_import.pk)
    finally:
        caches["progress"].delete(key)
        owned = _owned_file(str(path)) if path else None
        if owned is not None:
            owned.unlink(missing_ok=True)
    return incident_import


def _finish(incident_import: IncidentImport, counts: importing.ImportCounts) -> None:
    incident_import.status = ImportStatus.DONE
    incident_import.rows_total = counts.rows_total
    incident_import.rows_done = counts.rows_total
    incident_import.rows_added = counts.rows_added
    incident_import.rows_present = counts.rows_present
    incident_import.rows_rejected = counts.rows_rejected
    incident_import.rejected = counts.rejected
    incident_import.error = ""
    incident_import.stored_path = ""
    incident_import.finished_at = timezone.now()
    incident_import.save(
        update_fields=[
            "status",
            "rows_total",
            "rows_done",
            "rows_added",
            "rows_present",
            "rows_rejected",
            "rejected",
            "error",
            "stored_path",
            "finished_at",
        ]
    )


def mapping_save(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    columns: Mapping[str, str],
    date_format: str = "",
    category_values: Mapping[str, str] | None = None,
) -> ColumnMapping:
    """Save a column mapping (a new one, or the organisation's mapping of that name again):
    which header holds each field, the date format, and how the file's own category values
    translate to category slugs. Raises ``ValidationError`` and saves nothing when a required
    field has no column, a field is unknown, the date format cannot read a date or a
    category value names no valid slug."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors.setdefault("name", []).append(_("Give the mapping a name."))
    unknown = sorted(set(columns) - set(importing.MAPPING_FIELDS))
    if unknown:
        errors.setdefault("__all__", []).append(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    cleaned = {field: str(columns.get(field) or "").strip() for field in importing.MAPPING_FIELDS}
    for field in importing.MAPPING_REQUIRED:
        if not cleaned[field]:
            errors.setdefault(field, []).append(_("Name the column that holds this."))
    headers = [h for h in cleaned.values() if h]
    if len(set(headers)) != len(headers):
        errors.setdefault("__all__", []).append(_("Each field needs a column of its own."))
    date_format = date_format.strip()
    if date_format and not _format_reads_dates(date_format):
        errors.setdefault("date_format", []).append(
            _("%(format)s cannot read a date back.") % {"format": date_format}
        )
    values = {str(k).strip(): str(v).strip() for k, v in (category_values or {}).items()}
    bad = sorted(
        v
        for v in values.values()
        if not importing.SLUG_PATTERN.fullmatch(v) or len(v) > importing.MAX_LENGTH["category"]
    )
    if bad or any(not k for k in values):
        errors.setdefault("category_values", []).append(
            _(
                "Each line is “value in the file = category”, the category in lower case "
                "with hyphens (for example burglary)."
            )
        )
    if errors:
        raise ValidationError(errors)
    stored: dict[str, Any] = {k: v for k, v in cleaned.items() if v}
    if values:
        stored[importing.CATEGORY_VALUES_KEY] = values
    try:
        with transaction.atomic():
            mapping, created = ColumnMapping.objects.update_or_create(
                organisation=organisation,
                name=name,
                defaults={"columns": stored, "date_format": date_format},
            )
            audit.record(
                "analytics.mapping.save",
                actor=actor,
                obj=mapping,
                data={"created": created, "columns": stored, "date_format": date_format},
            )
    except IntegrityError:
        raise ValidationError(
            {"name": [_("Another mapping of this organisation has that name.")]}
        ) from None
    return mapping


def _format_reads_dates(date_format: str) -> bool:
    """A strptime format is usable when a date written with it reads back."""
    sample = datetime(2024, 5, 31, 21, 45, 30)
    try:
        text = sample.strftime(date_format)
        datetime.strptime(text, date_format)
    except (ValueError, TypeError):
        return False
    return bool(re.search(r"%[Ymy]", date_format))
