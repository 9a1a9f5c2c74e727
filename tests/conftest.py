"""Shared fixtures: the demo town in the test database, the named personas, a real
ourbeat server for HTTP and browser tests, and Playwright driving Debian's Chromium.

The same suite runs on SQLite (default) and on PostgreSQL (``DATABASE_URL=postgres:///…``).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

# Playwright's sync API keeps an event loop in the main thread; Django's ORM refuses to run
# while one exists unless told this is deliberate (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures.personas", "tests.fixtures.live_site", "tests.fixtures.browser"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; the personas' passwords need no such protection here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_page_cache() -> None:
    """Cached public pages are keyed by an area's content version, which the rolled-back
    transaction of an earlier test may have used for other content."""
    from django.core.cache import caches

    # And the progress of imports and runs, keyed by ids that a rolled-back test reuses.
    for alias in ("default", "progress"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """A request to /ru/… leaves Russian active in the test's thread; the next test must
    start in the default language, as a new request would."""
    from django.utils import translation

    yield
    translation.activate("en")
