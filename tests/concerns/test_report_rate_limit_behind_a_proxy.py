"""Behind reverse proxies every request comes from the proxy's address. With
OURBEAT_TRUSTED_PROXY_COUNT set, the limits count per client address taken from
X-Forwarded-For, trusting only the entries the proxies wrote (the rightmost ones); unset,
the header is ignored, so a client cannot dodge the limit by writing it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from ourbeat.core.client_ip import client_ip
from tests.concerns.test_report_helpers import REPORT_URL, report_data

PROXY = "10.0.0.5"


def post(client: Any, town: Any, forwarded: str | None = None, remote: str = PROXY) -> int:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return int(client.post(REPORT_URL, report_data(town.home), **headers).status_code)


def test_without_the_setting_a_forged_header_does_not_escape_the_limit(
    town: Any, client: Any
) -> None:
    for n in range(10):
        assert post(client, town, f"203.0.113.{n}") == 302
    assert post(client, town, "203.0.113.99") == 429


def test_behind_one_proxy_each_resident_has_their_own_limit(
    town: Any, client: Any, settings: Any
) -> None:
    settings.OURBEAT_TRUSTED_PROXY_COUNT = 1
    for _ in range(10):
        assert post(client, town, "198.51.100.1") == 302
    assert post(client, town, "198.51.100.1") == 429
    assert post(client, town, "198.51.100.2") == 302
    # The proxy's own address is not what counts.
    assert post(client, town, "198.51.100.3", remote="10.0.0.6") == 302


def test_behind_one_proxy_what_the_client_writes_itself_is_ignored(
    town: Any, client: Any, settings: Any
) -> None:
    settings.OURBEAT_TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        # The client sent "X-Forwarded-For: 203.0.113.n"; the proxy appended the real one.
        assert post(client, town, f"203.0.113.{n}, 198.51.100.1") == 302
    assert post(client, town, "203.0.113.77, 198.51.100.1") == 429


def test_behind_two_proxies_the_client_is_second_from_the_right(
    town: Any, client: Any, settings: Any
) -> None:
    settings.OURBEAT_TRUSTED_PROXY_COUNT = 2
    for n in range(10):
        assert post(client, town, f"203.0.113.{n}, 198.51.100.1, 10.0.0.9") == 302
    assert post(client, town, "198.51.100.1, 10.0.0.9") == 429
    assert post(client, town, "198.51.100.2, 10.0.0.9") == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "remote", "client"),
    [
        (0, "198.51.100.1", "10.0.0.5", "10.0.0.5"),
        (1, "198.51.100.1", "10.0.0.5", "198.51.100.1"),
        (1, "  198.51.100.1 ,  198.51.100.2 ", "10.0.0.5", "198.51.100.2"),
        (1, "198.51.100.1:51234", "10.0.0.5", "198.51.100.1"),
        (1, "[2001:db8::7]:443", "10.0.0.5", "2001:db8::7"),
        (1, "2001:db8::7", "10.0.0.5", "2001:db8::7"),
        (1, None, "10.0.0.5", "10.0.0.5"),  # the proxy was bypassed
        (1, "unknown", "10.0.0.5", "10.0.0.5"),
        (2, "198.51.100.1", "10.0.0.5", "10.0.0.5"),  # fewer entries than proxies
        (1, "198.51.100.1", "", "198.51.100.1"),  # a proxy on a Unix socket
    ],
)
def test_the_client_address(
    settings: Any, count: int, forwarded: str | None, remote: str, client: str
) -> None:
    settings.OURBEAT_TRUSTED_PROXY_COUNT = count
    headers: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **headers)) == client


def test_no_address_at_all_is_a_configuration_error(settings: Any) -> None:
    settings.OURBEAT_TRUSTED_PROXY_COUNT = 0
    with pytest.raises(ImproperlyConfigured, match="OURBEAT_TRUSTED_PROXY_COUNT"):
        client_ip(RequestFactory().get("/", REMOTE_ADDR=""))
