"""Shared fixtures: the demo town in the test database, the named personas, a real
ourbeat server for HTTP and browser tests, and Playwright driving Debian's Chromium.

The same suite runs on SQLite (default) and on PostgreSQL (``DATABASE_URL=postgres:///…``).
"""

from __future__ import annotations

import os

# Playwright's sync API keeps an event loop in the main thread; Django's ORM refuses to run
# while one exists unless told this is deliberate (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures.personas", "tests.fixtures.live_site", "tests.fixtures.browser"]
