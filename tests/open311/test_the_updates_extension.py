"""mySociety's servicerequestupdates: public updates with the extended upper-case status,
and residents' updates posted by a client joining the thread for staff only."""

from __future__ import annotations

from typing import Any


def _updates_of(client: Any, reference: str) -> list[dict[str, Any]]:
    response = client.get("/open311/v2/servicerequestupdates.json")
    assert response.status_code == 200
    return [u for u in response.json() if u["service_request_id"] == reference]


def test_public_updates_carry_the_extended_status(client: Any, file_concern: Any) -> None:
    from ourbeat.concerns.services import concern_note, concern_respond, concern_set_status

    concern = file_concern()
    concern_set_status(concern=concern, actor=None, status="action_scheduled", text="Booked.")
    concern_respond(concern=concern, actor=None, text="Call 01234 567890 if it happens again.")
    concern_note(concern=concern, actor=None, text="Internal: known address.")
    concern_set_status(concern=concern, actor=None, status="resolved", text="Sorted.")
    updates = _updates_of(client, concern.reference)
    assert [u["status"] for u in updates] == ["ACTION_SCHEDULED", "ACTION_SCHEDULED", "FIXED"]
    assert [u["external_status_code"] for u in updates][-1] == "resolved"
    assert all(isinstance(u["update_id"], str) for u in updates)
    texts = " ".join(u["description"] for u in updates)
    assert "Internal" not in texts
    assert "567890" not in texts


def test_updates_of_unpublished_concerns_stay_private(client: Any, file_concern: Any) -> None:
    from ourbeat.concerns.services import concern_respond

    concern = file_concern(publish=False)
    concern_respond(concern=concern, actor=None, text="Hello")
    assert _updates_of(client, concern.reference) == []


def test_a_posted_update_becomes_a_private_reply_once(
    client: Any, file_concern: Any, api_key: str
) -> None:
    from ourbeat.concerns.models import Update

    concern = file_concern()
    data = {
        "api_key": api_key,
        "service_request_id": concern.reference,
        "update_id": "fms-991",
        "status": "OPEN",
        "description": "Still happening last night.",
        "updated_datetime": "2026-02-01T22:00:00Z",
        "first_name": "Ann",
        "last_name": "Resident",
        "email": "ann@example.org",
    }
    first = client.post("/open311/v2/servicerequestupdates.json", data)
    again = client.post("/open311/v2/servicerequestupdates.json", data)
    assert first.status_code == 200
    assert first.json() == again.json()
    update = Update.objects.get(pk=int(first.json()[0]["update_id"]))
    assert update.kind == "reply"
    assert not update.public
    assert "Still happening" in update.text
    assert update.author_label == "Ann Resident"
    assert Update.objects.filter(concern=concern, kind="reply").count() == 1
    assert _updates_of(client, concern.reference) == []


def test_posted_updates_are_refused_without_a_key_or_with_bad_fields(
    client: Any, file_concern: Any, api_key: str
) -> None:
    concern = file_concern()
    base = {"service_request_id": concern.reference, "update_id": "1", "description": "Hi"}
    url = "/open311/v2/servicerequestupdates.json"
    assert client.post(url, base).status_code == 403
    assert client.post(url, {**base, "api_key": api_key, "status": "MAYBE"}).status_code == 400
    assert client.post(url, {**base, "api_key": api_key, "update_id": ""}).status_code == 400
    missing = {**base, "api_key": api_key, "service_request_id": "NOPE-1"}
    assert client.post(url, missing).status_code == 404
