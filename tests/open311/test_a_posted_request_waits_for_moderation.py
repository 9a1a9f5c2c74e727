"""POST requests files a concern through the Open311 channel: the reporter is stored apart,
the concern is unread until a moderator publishes it, then it is readable without any of
the reporter's details and only at its public cell centre."""

from __future__ import annotations

from typing import Any

from tests.open311.conftest import SECRET_EMAIL, SECRET_NAME, SECRET_PHONE, point_in, xml


def _file(client: Any, town: Any, api_key: str, fmt: str = "json", headers: Any = None) -> Any:
    lat, lng = point_in(town.home)
    return client.post(
        f"/open311/v2/requests.{fmt}",
        {
            "api_key": api_key,
            "service_code": "asb-noise",
            "lat": lat,
            "long": lng,
            "first_name": SECRET_NAME.split()[0],
            "last_name": SECRET_NAME.split()[1],
            "email": SECRET_EMAIL,
            "phone": SECRET_PHONE,
            "description": "Parties every night in the flat above the chemist.",
            "attribute[time_of_day]": "night",
            "media_url": "https://photos.example.org/1.jpg",
        },
        headers=headers,
    )


def test_a_posted_request_is_stored_with_its_reporter_apart(
    client: Any, town: Any, api_key: str
) -> None:
    from ourbeat.concerns.models import Concern

    response = _file(client, town, api_key)
    assert response.status_code == 201
    answer = response.json()
    assert set(answer[0]) == {"service_request_id", "service_notice", "account_id"}
    concern = Concern.objects.get(reference=answer[0]["service_request_id"])
    assert concern.channel == "open311"
    assert concern.answers["time_of_day"] == "night"
    assert concern.answers["media_url"] == "https://photos.example.org/1.jpg"
    assert concern.reporter.email == SECRET_EMAIL
    assert concern.reporter.phone == SECRET_PHONE
    assert concern.published_at is None
    assert concern.confirmed_at is not None


def test_it_is_unreadable_until_published_then_readable_without_the_reporter(
    client: Any, town: Any, api_key: str
) -> None:
    from ourbeat.concerns.models import Concern
    from ourbeat.concerns.services import concern_publish

    reference = xml(_file(client, town, api_key, "xml")).findtext("request/service_request_id")
    assert client.get(f"/open311/v2/requests/{reference}.json").status_code == 404
    listed = client.get(f"/open311/v2/requests.json?service_request_id={reference}").json()
    assert listed == []
    concern = Concern.objects.get(reference=reference)
    concern_publish(concern=concern, actor=None)
    response = client.get(f"/open311/v2/requests/{reference}.json")
    assert response.status_code == 200
    item = response.json()[0]
    assert item["service_request_id"] == reference
    assert (item["lat"], item["long"]) != (concern.latitude, concern.longitude)
    text = response.content.decode()
    for secret in (*SECRET_NAME.split(), SECRET_EMAIL, SECRET_PHONE):
        assert secret not in text
    assert client.get(f"/open311/v2/tokens/{reference}.json").json()[0]["service_request_id"] == (
        reference
    )


def test_a_retry_with_the_same_idempotency_key_files_one_concern(
    client: Any, town: Any, api_key: str
) -> None:
    from ourbeat.concerns.models import Concern

    before = Concern.objects.count()
    first = _file(client, town, api_key, headers={"Idempotency-Key": "abc-123"})
    again = _file(client, town, api_key, headers={"Idempotency-Key": "abc-123"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Concern.objects.count() == before + 1
