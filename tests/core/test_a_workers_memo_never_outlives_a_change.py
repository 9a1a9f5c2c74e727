"""What a worker keeps in memory between requests (``core.memo``: categories, routing
rules, client keys) is read once, forgotten as soon as a watched model is saved or deleted in
the same process, and kept no longer than its few seconds, after which a change made by
another process shows. Nothing read inside a transaction is kept: it may be rolled back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models.signals import post_delete, post_save

from ourbeat.concerns.models import Category, RoutingRule
from ourbeat.core import memo
from ourbeat.core.memo import ProcessMemo


class Loads:
    """A loader that counts its calls and returns the next value."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_a_value_is_read_once_and_then_answered_from_memory() -> None:
    kept: ProcessMemo[str, int] = ProcessMemo(Category)
    load = Loads()
    assert [kept.get("a", load), kept.get("a", load)] == [1, 1]
    assert load.calls == 1


def test_saving_or_deleting_a_watched_model_forgets_everything() -> None:
    kept: ProcessMemo[str, int] = ProcessMemo(Category, RoutingRule)
    load = Loads()
    kept.get("a", load)
    post_save.send(sender=RoutingRule, instance=RoutingRule(), created=True)
    assert kept.get("a", load) == 2
    post_delete.send(sender=Category, instance=Category())
    assert kept.get("a", load) == 3


def test_an_entry_is_read_again_after_its_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: now[0])
    kept: ProcessMemo[str, int] = ProcessMemo(seconds=10)
    load = Loads()
    kept.get("a", load)
    now[0] += 9.9
    assert kept.get("a", load) == 1
    now[0] += 0.2
    assert kept.get("a", load) == 2


def test_an_unknown_key_is_looked_up_every_time() -> None:
    kept: ProcessMemo[str, Any] = ProcessMemo()
    calls = []
    for _ in range(2):
        assert kept.get("no such key", lambda: calls.append(1)) is None
    assert len(calls) == 2


def test_nothing_read_inside_a_transaction_is_kept(db: Any) -> None:
    kept: ProcessMemo[str, int] = ProcessMemo(Category)
    load = Loads()
    assert [kept.get("a", load), kept.get("a", load)] == [1, 2]
