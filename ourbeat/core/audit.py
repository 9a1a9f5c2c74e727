"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from ourbeat.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(event: AuditEvent) -> str:
    payload = [
        event.id,
        event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.action,
        event.actor_id,
        event.actor_label,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.data,
        event.prev_hash,
    ]
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system" if actor is None else "anonymous"
    return str(getattr(actor, "email", "") or actor.pk)


def record(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    ``action`` is a dotted code such as ``teams.contact_point.cancel``; ``actor`` is the user
    (or None for the system); ``data`` must be JSON-serialisable and is stored canonically so
    that the stored value re-hashes to the same digest on every database.

    Inside the caller's transaction no savepoint is made: if anything here fails, the
    caller's whole transaction rolls back anyway. The event is prepared before the chain's
    head is locked, and the head is read and moved on with two plain statements: every
    audited write holds its lock through this step (on SQLite the database's write lock),
    and through the ORM those two cost more than the rest of it.
    """
    event = AuditEvent(
        created_at=timezone.now(),
        action=action,
        actor_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=json.loads(_canonical(data or {})),
    )
    with transaction.atomic(savepoint=False):
        last_id, last_hash = _lock_head()
        event.id = last_id + 1
        event.prev_hash = last_hash
        event.hash = event_hash(event)
        event.save()
        with connection.cursor() as cursor:
            cursor.execute(_HEAD_UPDATE_SQL, [event.id, event.hash])
    return event


_HEAD_TABLE = AuditChainHead._meta.db_table
_HEAD_SELECT_SQL = f"SELECT last_id, last_hash FROM {_HEAD_TABLE} WHERE id = 1"  # noqa: S608
_HEAD_UPDATE_SQL = f"UPDATE {_HEAD_TABLE} SET last_id = %s, last_hash = %s WHERE id = 1"  # noqa: S608


def _lock_head() -> tuple[int, str]:
    """The id and hash of the chain's last event, with the head row locked until the
    transaction ends (SQLite has no row locks: its write lock is already held)."""
    sql = _HEAD_SELECT_SQL
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None:  # the first event ever
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        return head.last_id, head.last_hash
    return int(row[0]), str(row[1])


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_hash: str
    problem: ChainBreak | None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Walk the chain from the first event; report the first row that does not fit."""
    expected_id = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in _events():
        if event.id != expected_id:
            reason = (
                f"expected event #{expected_id} but found #{event.id}: "
                "events were deleted or inserted out of order"
            )
            return ChainReport(checked, prev_hash, ChainBreak(event.id, reason))
        if event.prev_hash != prev_hash:
            reason = "its previous-hash does not match the event before it"
            return ChainReport(checked, prev_hash, ChainBreak(event.id, reason))
        if event_hash(event) != event.hash:
            reason = "its contents do not match its hash: the row was edited"
            return ChainReport(checked, prev_hash, ChainBreak(event.id, reason))
        prev_hash = event.hash
        expected_id += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    head_id, head_hash = (head.last_id, head.last_hash) if head else (0, GENESIS_HASH)
    if head_id > checked:
        reason = (
            f"the chain ends at #{checked} but its head records #{head_id}: "
            "the newest events were removed"
        )
        return ChainReport(checked, prev_hash, ChainBreak(checked + 1, reason))
    if head_id < checked:
        reason = (
            f"the chain head records #{head_id} as the newest event: "
            "the events after it were inserted outside the audit log"
        )
        return ChainReport(checked, prev_hash, ChainBreak(head_id + 1, reason))
    if head_hash != prev_hash:
        reason = "the chain head records another hash for it: the head or this event was altered"
        return ChainReport(checked, prev_hash, ChainBreak(checked, reason))
    return ChainReport(checked, prev_hash, None)
