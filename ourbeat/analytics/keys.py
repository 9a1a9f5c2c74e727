"""Pseudonymous keys for places and victims, and the keys that tell imported rows apart.

A key is the first 16 hex digits of an HMAC-SHA256 under a key derived from the site's
SECRET_KEY: the same place (or the same victim reference) always gives the same key, so
repeats can be counted, while the key cannot be reversed or recomputed without the secret.
Raw victim references are never stored; only their keys are.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import numpy.typing as npt
from django.conf import settings
from pandas.util import hash_array


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


# ---- incident row keys ---------------------------------------------------------------------
#
# What makes an incident the same incident when its file comes again is a 63-bit integer:
# the row's month (counted from January 1970, in the top 11 bits) and 52 bits of a keyed
# SipHash-2-4 of the source's own reference (police.uk's Crime ID), or of the row's content
# digest where it has none. An integer instead of the 64-character Crime ID makes the unique
# index a quarter of the size, and the month in front makes a month's rows arrive together
# in it instead of all over it: SQLite inserts a million rows into it in 2.5 s instead of
# 8.4 s (docs/performance.md, (h)). Two different rows of one organisation, source and month
# share a key with a probability of about n²/2⁵³ (4e-8 for a police.uk force's 20,000 crimes
# a month, 1e-4 for a million rows in one month); the second would be counted as present.
# The reference is hashed even when it looks like a digest already: sequential references
# would otherwise share their first digits. The hash is pandas' vectorised one (a fifth of
# the time of SHA-256 row by row, which was an eighth of the import's); its values are
# pinned by a test, since a library release that changed them would make the next import
# of every file add its rows again.

ROW_KEY_DIGEST_BITS = 52
ROW_KEY_LAST_MONTH = 2**11 - 1
_EPOCH_MONTH = 1970 * 12


def _month_number(month: date | None) -> int:
    if month is None:  # keyed by its reference alone (or a rejected row, never written)
        return 0
    return min(max(month.year * 12 + month.month - 1 - _EPOCH_MONTH, 0), ROW_KEY_LAST_MONTH)


# SipHash's 16-byte key: fixed, since the keys must be the same in every process and year.
_ROW_KEY_HASH_KEY = "ourbeat/row-key1"


def incident_row_keys(months: Sequence[date | None], texts: Sequence[str]) -> list[int]:
    """Each row's key from its month (None: no month, the first key range) and its
    reference or content digest."""
    count = len(texts)
    numbers = {month: _month_number(month) for month in set(months)}
    month_numbers = np.fromiter(map(numbers.__getitem__, months), dtype=np.int64, count=count)
    hashes = hash_array(
        np.asarray(texts, dtype=object), hash_key=_ROW_KEY_HASH_KEY, categorize=False
    )
    digests = (hashes >> np.uint64(64 - ROW_KEY_DIGEST_BITS)).astype(np.int64)
    keys: npt.NDArray[np.int64] = (month_numbers << ROW_KEY_DIGEST_BITS) | digests
    return keys.tolist()
