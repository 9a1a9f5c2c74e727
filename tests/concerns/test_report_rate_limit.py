"""Reports are limited per client address; past the limit the answer is 429 with a clear
message and nothing is filed."""

from __future__ import annotations

from typing import Any

from ourbeat.concerns.models import Concern
from tests.concerns.test_report_helpers import REPORT_URL, report_data


def test_the_eleventh_report_within_an_hour_is_refused(town: Any, client: Any) -> None:
    for _ in range(10):
        assert client.post(REPORT_URL, report_data(town.home)).status_code == 302
    before = Concern.objects.count()
    response = client.post(REPORT_URL, report_data(town.home))
    assert response.status_code == 429
    assert "Too many reports" in response.content.decode()
    assert Concern.objects.count() == before


def test_another_address_is_not_limited(town: Any, client: Any) -> None:
    for _ in range(10):
        client.post(REPORT_URL, report_data(town.home))
    response = client.post(REPORT_URL, report_data(town.home), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302


def test_the_limit_can_be_switched_off(town: Any, client: Any, settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False
    for _ in range(12):
        assert client.post(REPORT_URL, report_data(town.home)).status_code == 302
