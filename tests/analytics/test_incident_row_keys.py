"""An incident's row key: its month in front, a keyed hash of its reference behind. The
values are pinned: if a library release changed the hash, every file imported again would
add its rows a second time, and this test says so first."""

from __future__ import annotations

from datetime import date

from ourbeat.analytics.keys import ROW_KEY_DIGEST_BITS, incident_row_keys

MARCH_2018 = date(2018, 3, 1)
POLICEUK_CRIME_ID = "98f240395d1276b3673c6c38bacdcfce472b6f92fc4587a8e6425676c30458a8"


def test_the_keys_are_the_same_in_every_process_and_release() -> None:
    keys = incident_row_keys(
        [MARCH_2018, MARCH_2018, date(2018, 4, 1), date(1969, 12, 1)],
        [POLICEUK_CRIME_ID, "Крым-1", "abc", "abc"],
    )

    assert keys == [
        2604222296238332184,
        2603161199826341756,
        2609705893772219991,
        2121709524702807,
    ]


def test_the_month_comes_first() -> None:
    march = incident_row_keys([MARCH_2018] * 3, ["a", "b", "c"])
    april = incident_row_keys([date(2018, 4, 1)] * 3, ["a", "b", "c"])

    assert max(march) < min(april)
    assert {key >> ROW_KEY_DIGEST_BITS for key in march} == {(2018 - 1970) * 12 + 2}
    # The same reference in another month is another row.
    assert not set(march) & set(april)


def test_months_outside_the_range_share_its_ends() -> None:
    early, late = incident_row_keys([date(1900, 1, 1), date(2199, 12, 1)], ["a", "a"])

    assert early >> ROW_KEY_DIGEST_BITS == 0
    assert late >> ROW_KEY_DIGEST_BITS == 2**11 - 1
    assert 0 <= early < late < 2**63


def test_sequential_references_get_distinct_keys() -> None:
    # Zero-padded hex numbers share their first 60 digits: taking digits instead of
    # hashing would give them all one key.
    references = [f"{n:064x}" for n in range(20_000)]

    keys = incident_row_keys([MARCH_2018] * len(references), references)

    assert len(set(keys)) == len(references)


def test_no_rows_no_keys() -> None:
    assert incident_row_keys([], []) == []
