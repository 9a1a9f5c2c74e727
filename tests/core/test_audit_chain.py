"""The audit log is append-only and hash-chained: ``manage.py audit_verify`` passes on the
intact chain and names the first bad row when someone tampers with the table directly."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from ourbeat.core import audit
from ourbeat.core.models import AuditChainHead, AuditEvent, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(db: Any) -> list[AuditEvent]:
    """A chain with at least five fresh events at its end, and the database's own guard
    (PostgreSQL's trigger) dropped inside the test transaction, as a DBA could."""
    events = [audit.record(f"test.event.{n}", actor=None, data={"n": n}) for n in range(5)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER core_auditevent_append_only ON core_auditevent")
    return events


def _verify_fails() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit_verify")
    return str(caught.value)


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_intact_chain_verifies(chain: list[AuditEvent], capsys: Any) -> None:
    call_command("audit_verify")
    assert "audit log intact" in capsys.readouterr().out
    assert audit.verify_chain().problem is None


def test_editing_a_rows_data_names_that_row(chain: list[AuditEvent]) -> None:
    target = chain[2]
    _sql("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.forged", target.id])
    message = _verify_fails()
    assert f"broken at event #{target.id}:" in message
    assert "edited" in message


def test_editing_an_event_and_its_hash_is_caught_by_the_next_row(
    chain: list[AuditEvent],
) -> None:
    target = chain[1]
    _sql("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.forged", target.id])
    forged = AuditEvent.objects.get(id=target.id)
    _sql(
        "UPDATE core_auditevent SET hash = %s WHERE id = %s", [audit.event_hash(forged), forged.id]
    )
    message = _verify_fails()
    assert f"broken at event #{chain[2].id}:" in message


def test_deleting_a_middle_row_names_the_gap(chain: list[AuditEvent]) -> None:
    target = chain[2]
    _sql("DELETE FROM core_auditevent WHERE id = %s", [target.id])
    message = _verify_fails()
    assert f"expected event #{target.id} but found #{target.id + 1}" in message


def test_deleting_the_newest_rows_is_caught_by_the_chain_head(chain: list[AuditEvent]) -> None:
    _sql("DELETE FROM core_auditevent WHERE id >= %s", [chain[3].id])
    message = _verify_fails()
    assert f"broken at event #{chain[3].id}:" in message
    assert "newest events were removed" in message


def test_inserting_a_row_out_of_order_is_named(chain: list[AuditEvent]) -> None:
    last = chain[-1]
    _sql(
        "INSERT INTO core_auditevent (id, created_at, action, actor_label, object_type, "
        "object_id, object_repr, data, prev_hash, hash) "
        "VALUES (%s, %s, 'test.inserted', 'x', '', '', '', '{}', %s, %s)",
        [last.id + 2, last.created_at, last.hash, "f" * 64],
    )
    message = _verify_fails()
    assert f"expected event #{last.id + 1} but found #{last.id + 2}" in message


def test_a_well_formed_row_appended_behind_the_logs_back_is_named(
    chain: list[AuditEvent],
) -> None:
    last = chain[-1]
    forged = AuditEvent(
        id=last.id + 1,
        created_at=last.created_at,
        action="test.inserted",
        actor_label="system",
        data={},
        prev_hash=last.hash,
    )
    forged.hash = audit.event_hash(forged)
    forged.save()  # a new row, but the chain head is not moved
    message = _verify_fails()
    assert f"broken at event #{last.id + 1}:" in message
    assert "inserted outside the audit log" in message


def test_editing_the_chain_head_is_caught(chain: list[AuditEvent]) -> None:
    AuditChainHead.objects.filter(id=1).update(last_hash="0" * 64)
    message = _verify_fails()
    assert f"broken at event #{chain[-1].id}:" in message


def test_moving_the_chain_head_back_is_caught(chain: list[AuditEvent]) -> None:
    AuditChainHead.objects.filter(id=1).update(last_id=chain[-2].id, last_hash=chain[-2].hash)
    message = _verify_fails()
    assert f"broken at event #{chain[-1].id}:" in message


def test_the_command_exits_non_zero_from_the_shell(chain: list[AuditEvent]) -> None:
    _sql("UPDATE core_auditevent SET data = %s WHERE id = %s", ['{"n": 99}', chain[0].id])
    utility = ManagementUtility(["manage.py", "audit_verify"])
    with pytest.raises(SystemExit) as caught:
        utility.execute()
    assert caught.value.code != 0


def test_the_orm_refuses_to_change_or_remove_events(db: Any) -> None:
    event = audit.record("test.event", actor=None)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(id=event.id).update(action="test.forged")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(id=event.id).delete()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    event.action = "test.forged"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["action"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_updates_and_deletes_itself(db: Any) -> None:
    event = audit.record("test.event", actor=None)
    for statement in (
        "UPDATE core_auditevent SET action = 'test.forged' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _sql(statement, [event.id])
    assert AuditEvent.objects.get(id=event.id).action == "test.event"


def test_many_appends_keep_the_chain_valid(db: Any) -> None:
    before = AuditEvent.objects.count()
    for n in range(200):
        with transaction.atomic():
            audit.record("test.bulk", actor=None, data={"n": n, "text": "é" * (n % 7)})
    report = audit.verify_chain()
    assert report.problem is None
    assert report.checked == before + 200
