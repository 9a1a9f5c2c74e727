"""Hostile values and the JSON-error check shared by the API bad-input tests."""

from __future__ import annotations

from typing import Any

HOSTILE = [
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "1; DROP TABLE places_area; --",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "ñandú-😀",
    "x" * 5000,
]


def assert_json_error(response: Any, status: int, detail_type: type = object) -> Any:
    """The response is a JSON error with a non-empty ``detail`` that echoes no markup."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], detail_type)
    assert body["detail"]
    assert "<script>" not in response.content.decode()
    return body
