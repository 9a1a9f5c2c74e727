"""GET requests filters by id (which overrides the rest), service_code, status and dates (at
most 90 days apart), with page/page_size and updated_after/updated_before as extensions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone


def _ids(client: Any, query: str) -> list[str]:
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def test_ids_override_every_other_filter(client: Any, file_concern: Any) -> None:
    a, b = file_concern(), file_concern("roads-speeding")
    query = (
        f"service_request_id={a.reference},{b.reference}&service_code=drugs-litter&status=closed"
    )
    assert sorted(_ids(client, query)) == sorted([a.reference, b.reference])


def test_service_code_and_status_narrow_the_list(client: Any, file_concern: Any) -> None:
    from ourbeat.concerns.services import concern_set_status

    noise, speeding = file_concern(), file_concern("roads-speeding")
    concern_set_status(concern=speeding, actor=None, status="closed", text="Closed.")
    assert noise.reference in _ids(client, "service_code=asb-noise&status=open")
    assert speeding.reference not in _ids(
        client, "service_code=asb-noise,roads-speeding&status=open"
    )
    assert speeding.reference in _ids(client, "service_code=roads-speeding&status=closed")


def test_a_span_over_ninety_days_is_400(client: Any, town: Any) -> None:
    response = client.get(
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z"
    )
    assert response.status_code == 400
    assert "90 days" in response.json()[0]["description"]
    ok = client.get(
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-03-31T00:00:00Z"
    )
    assert ok.status_code == 200


def test_dates_select_by_when_the_request_was_made(client: Any, file_concern: Any) -> None:
    from ourbeat.concerns.models import Concern

    old = file_concern()
    Concern.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
    new = file_concern()
    recent = _ids(client, "")
    assert new.reference in recent
    assert old.reference not in recent
    then = (timezone.now() - timedelta(days=210)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert old.reference in _ids(client, f"start_date={then}")


def test_updated_after_and_paging(client: Any, file_concern: Any) -> None:
    mark = timezone.now() - timedelta(seconds=1)
    made = [file_concern() for _ in range(3)]
    after = mark.strftime("%Y-%m-%dT%H:%M:%SZ")
    first = _ids(client, f"updated_after={after}&page_size=2")
    second = _ids(client, f"updated_after={after}&page_size=2&page=2")
    assert len(first) == 2
    assert set(first + second) >= {c.reference for c in made}
    assert not set(first) & set(second)
    before = mark.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert not {c.reference for c in made} & set(_ids(client, f"updated_before={before}"))
