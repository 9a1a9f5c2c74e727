"""A request filed through Open311 is recorded by one audit event: the submission, naming
the channel and the client application that vouched for its user (so there is no separate
confirmation to record). A retried post records nothing more, and the chain verifies."""

from __future__ import annotations

from typing import Any

from tests.open311.conftest import point_in


def _post(client: Any, town: Any, api_key: str, retry_key: str = "") -> Any:
    lat, lng = point_in(town.home)
    headers = {"Idempotency-Key": retry_key} if retry_key else None
    return client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "asb-noise",
            "lat": lat,
            "long": lng,
            "email": "resident@example.org",
            "description": "Music until three every night this week.",
        },
        headers=headers,
    )


def test_a_posted_request_is_one_submit_event_naming_the_client(
    client: Any, town: Any, api_key: str
) -> None:
    from ourbeat.concerns.models import Concern
    from ourbeat.core.audit import verify_chain
    from ourbeat.core.models import AuditEvent

    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _post(client, town, api_key)
    assert response.status_code == 201
    concern = Concern.objects.get(reference=response.json()[0]["service_request_id"])
    events = list(AuditEvent.objects.filter(id__gt=last))
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("concerns.concern.submit", "concerns.concern", str(concern.pk))
    ]
    assert events[0].data["channel"] == "open311"
    assert events[0].data["client"] == "Test app"
    assert events[0].data["category"] == "asb-noise"
    assert concern.confirmed_at is not None
    assert verify_chain().problem is None


def test_a_retried_post_records_nothing_more(client: Any, town: Any, api_key: str) -> None:
    from ourbeat.core.models import AuditEvent

    first = _post(client, town, api_key, retry_key="retry-7")
    events = AuditEvent.objects.count()
    again = _post(client, town, api_key, retry_key="retry-7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert AuditEvent.objects.count() == events
