"""Pseudonymous keys for places and victims.

A key is the first 16 hex digits of an HMAC-SHA256 under a key derived from the site's
SECRET_KEY: the same place (or the same victim reference) always gives the same key, so
repeats can be counted, while the key cannot be reversed or recomputed without the secret.
Raw victim references are never stored; only their keys are.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings


def _secret(purpose: str) -> bytes:
    # One derived key per purpose, so a location key can never equal a victim key.
    return hashlib.sha256(f"ourbeat.analytics.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _keys(purpose: str, values: Iterable[str]) -> list[str]:
    secret = _secret(purpose)
    return [hmac.new(secret, v.encode(), hashlib.sha256).hexdigest()[:16] for v in values]


def location_keys(
    latitudes: Iterable[float | None], longitudes: Iterable[float | None]
) -> list[str]:
    """The key of each point, rounded to 6 decimal places (police.uk's map points); "" for a
    point without coordinates."""
    pairs = list(zip(latitudes, longitudes, strict=True))
    texts = [f"{lat:.6f},{lng:.6f}" for lat, lng in pairs if lat is not None and lng is not None]
    keys = iter(_keys("location", texts))
    return [next(keys) if lat is not None and lng is not None else "" for lat, lng in pairs]


def victim_keys(references: Iterable[str]) -> list[str]:
    """The key of each victim reference (trimmed, case-folded); "" for an empty one."""
    cleaned = [r.strip().casefold() for r in references]
    keys = iter(_keys("victim", [r for r in cleaned if r]))
    return [next(keys) if r else "" for r in cleaned]
