"""Shared pieces of the fuzz tests: bounded hypothesis settings (the whole suite stays
within about a minute), strategies for hostile text and numbers, the rows a write could
leave behind, and the check that an answer is never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Every fuzz test runs a bounded number of examples with no per-example deadline (the first
# request of a test warms caches) and accepts function-scoped fixtures: each example runs in
# the test's transaction, and each checks its own before/after counts.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)

HOSTILE_TEXT = [
    "",
    " ",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "1; DROP TABLE concerns_concern; --",
    "../../etc/passwd",
    "%00",
    "\x00",
    "a\x00b",
    "\x01\x1b[31m",
    "\ud7ff\ue000\ufffd",
    "ñandú-😀",
    "‮reversed",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "-0",
    "0x10",
    "9" * 400,
    "x" * 6000,
]

# Text a browser or a client could send: any code point a form body can carry (surrogates
# cannot be encoded), with the hostile classics mixed in.
any_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=80),
)
number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "51.5", "-0.1", "1,5", "1e-400", "+5", " 51.5 ", "٥١"]),
    any_text,
)


def write_counts() -> dict[str, int]:
    """Rows a public write could add: a refused write may add none of them."""
    from ourbeat.api.models import Open311UpdateReceipt
    from ourbeat.concerns.models import Concern, Photo, Reporter, Update
    from ourbeat.core.models import AuditEvent

    return {
        "concerns": Concern.objects.count(),
        "reporters": Reporter.objects.count(),
        "photos": Photo.objects.count(),
        "updates": Update.objects.count(),
        "update receipts": Open311UpdateReceipt.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


def assert_not_a_server_error(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    """Fuzzing posts far more than a resident would; the limits have tests of their own."""
    settings.RATELIMIT_ENABLE = False
