"""The resident's e-mailed link lets them reply to the team and, once the concern is
closed, rate the response (once)."""

from __future__ import annotations

from typing import Any

from ourbeat.concerns import services
from ourbeat.concerns.models import Rating, Status, Update, UpdateKind
from tests.concerns.test_report_helpers import published_concern


def test_a_reply_joins_the_thread_for_the_staff(town: Any, client: Any) -> None:
    concern = published_concern(town.home)
    url = f"/en/concerns/reply/{concern.token}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "It happened again last night."})
    assert response.status_code == 200
    assert "Your reply has been sent" in response.content.decode()
    reply = Update.objects.get(concern=concern, kind=UpdateKind.REPLY)
    assert reply.text == "It happened again last night."
    assert not reply.public


def test_an_empty_reply_is_refused(town: Any, client: Any) -> None:
    concern = published_concern(town.home)
    response = client.post(f"/en/concerns/reply/{concern.token}/", {"text": ""})
    assert response.status_code == 400
    assert not Update.objects.filter(concern=concern, kind=UpdateKind.REPLY).exists()


def test_an_open_concern_cannot_be_rated_yet(town: Any, client: Any) -> None:
    concern = published_concern(town.home)
    response = client.post(f"/en/concerns/rate/{concern.token}/", RATING)
    assert "Not ready to rate yet" in response.content.decode()
    assert not Rating.objects.filter(concern=concern).exists()


RATING = {"resolved": "yes", "satisfied": "4", "respectful": "yes", "comment": "Thanks"}


def test_a_closed_concern_is_rated_once(town: Any, client: Any) -> None:
    concern = published_concern(town.home)
    services.concern_set_status(concern=concern, actor=None, status=Status.RESOLVED, text="Done")
    url = f"/en/concerns/rate/{concern.token}/"
    assert 'name="satisfied"' in client.get(url).content.decode()
    response = client.post(url, RATING)
    assert "Your rating of concern" in response.content.decode()
    rating = Rating.objects.get(concern=concern)
    assert (rating.resolved, rating.satisfied, rating.respectful) == (True, 4, True)
    again = client.post(url, {**RATING, "satisfied": "1"})
    assert "rated already" in again.content.decode()
    assert Rating.objects.get(concern=concern).satisfied == 4


def test_a_rating_out_of_range_is_refused(town: Any, client: Any) -> None:
    concern = published_concern(town.home)
    services.concern_set_status(concern=concern, actor=None, status=Status.CLOSED)
    response = client.post(f"/en/concerns/rate/{concern.token}/", {**RATING, "satisfied": "9"})
    assert response.status_code == 400
    assert not Rating.objects.filter(concern=concern).exists()


def test_a_bad_token_is_a_404_with_a_message(client: Any, db: Any) -> None:
    for kind in ("reply", "rate", "confirm"):
        response = client.get(f"/en/concerns/{kind}/no-such-token/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
