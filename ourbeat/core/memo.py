"""Per-process memos of rows that rarely change (categories, routing rules, client keys),
shared by the requests one worker serves, so that a busy write path does not read them
again for every request.

A memo is per process, so it cannot hear about a change made in another worker. Each entry
is therefore kept for at most ``MEMO_SECONDS``: a change made anywhere (an administrator in
another worker, a manage command) is seen by every worker within that time. A change made
through the models in this process (``post_save``/``post_delete``) clears the memo at once;
writes that bypass the signals (``QuerySet.update``) must call ``clear()``.

What is read inside a transaction is never kept: it may still be rolled back, and it may
hold the transaction's own uncommitted rows. (So the tests, which each run inside a
transaction, always read afresh.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

# How long a worker may answer from its memo after another process changed the rows: a new
# routing rule, category or client key takes effect everywhere within this many seconds.
MEMO_SECONDS = 10.0

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ProcessMemo(Generic[K, V]):
    """Values by key, each loaded once and kept for ``seconds``; cleared whenever one of
    ``watched`` is saved or deleted in this process. ``None`` is never kept (an unknown
    key, such as a wrong api_key, is looked up every time and costs no memory)."""

    def __init__(self, *watched: type[models.Model], seconds: float = MEMO_SECONDS) -> None:
        self.seconds = seconds
        self._entries: dict[K, tuple[float, V]] = {}
        for model in watched:
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)

    def _changed(self, **kwargs: Any) -> None:
        self.clear()

    def clear(self) -> None:
        self._entries.clear()

    def get(self, key: K, load: Callable[[], V]) -> V:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and now < entry[0]:
            return entry[1]
        value = load()
        if value is not None and not transaction.get_connection().in_atomic_block:
            self._entries[key] = (now + self.seconds, value)
        return value
