"""The address of the client, for rate limits (``RATELIMIT_IP_META_KEY`` points here).

Without a proxy it is ``REMOTE_ADDR``. Behind ``OURBEAT_TRUSTED_PROXY_COUNT`` reverse proxies,
each of which appends the address it was reached from to ``X-Forwarded-For``, it is the entry
that many places from the right: the entries further left were written by the client (or by
proxies it chose) and could be anything, so they are never used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


def _address(value: str) -> str | None:
    """A bare IP address from an X-Forwarded-For entry (some proxies add a port)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "")
    trusted = int(getattr(settings, "OURBEAT_TRUSTED_PROXY_COUNT", 0))
    address = remote
    if trusted > 0:
        header = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
        forwarded = [entry for entry in header.split(",") if entry.strip()]
        # Fewer entries than proxies: the request did not come through all of them, so the
        # header tells nothing trustworthy; an entry that is not an address neither.
        if len(forwarded) >= trusted:
            address = _address(forwarded[-trusted]) or remote
    if not address:
        raise ImproperlyConfigured(
            "The client address is empty (REMOTE_ADDR is empty when a proxy connects over a "
            "Unix socket): set OURBEAT_TRUSTED_PROXY_COUNT to the number of proxies."
        )
    return address
