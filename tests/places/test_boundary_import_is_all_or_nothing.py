"""An import either completes or changes nothing: one bad feature among good ones rejects
the file with every problem listed, and a failure while writing rolls everything back."""

from __future__ import annotations

import pytest

from ourbeat.places import services
from tests.places.boundaries import (
    EAST,
    MID,
    NORTH,
    SOUTH,
    WEST,
    Fresh,
    assert_refused,
    box,
    geojson,
    snapshot,
)


def test_one_bad_feature_among_good_ones_imports_nothing(fresh: Fresh) -> None:
    bow_tie = [(MID, SOUTH), (EAST, NORTH), (EAST, SOUTH), (MID, NORTH), (MID, SOUTH)]
    data = geojson(
        ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
        ("Eastbank", "TS2", bow_tie),
        ("Nameless", "TS3", box(WEST, SOUTH - 0.001, EAST, SOUTH)),
    )
    problems = assert_refused(fresh, data, "a.geojson", "Feature 2 (Eastbank)")
    assert not any("Westbank" in p for p in problems)


def test_every_problem_in_the_file_is_listed_not_just_the_first(fresh: Fresh) -> None:
    data = geojson(
        ("", "TS1", box(WEST, SOUTH, MID, NORTH)),
        ("Far North", "TS2", box(WEST, 91.0, EAST, 92.0)),
    )
    problems = assert_refused(fresh, data, "a.geojson", "no name", "latitude out of range")
    assert len(problems) == 2


def test_a_failure_while_writing_rolls_back_every_area_already_written(
    fresh: Fresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_index = services.area_index

    def index_then_fail(area: services.Area) -> int:
        calls.append(area.pk)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return real_index(area)

    monkeypatch.setattr(services, "area_index", index_then_fail)
    data = geojson(
        ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
        ("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
    )
    before = snapshot()
    with pytest.raises(RuntimeError):
        fresh.import_neighbourhoods(data)
    assert len(calls) == 2
    assert snapshot() == before
