"""Blocking of recurring concerns: candidate pairs are concerns in the same or neighbouring
H3 cells within the time window, never two far apart in place or time, and every pair that
is truly close is among them (checked against all pairs, computed by brute force)."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from ourbeat.analytics.recurring import candidate_pairs

RESOLUTION = 9
WINDOW = 60.0


def haversine_m(
    lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray
) -> np.ndarray:
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


@pytest.fixture(scope="module")
def events() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """700 events over about 3 x 3 km and a year, a third of them in tight clumps."""
    rng = np.random.default_rng(20240611)
    spread = 500
    lat = np.concatenate(
        [51.73 + rng.uniform(0, 0.027, spread), 51.74 + rng.normal(0, 0.0004, 200)]
    )
    lng = np.concatenate(
        [-0.47 + rng.uniform(0, 0.043, spread), -0.46 + rng.normal(0, 0.0006, 200)]
    )
    days = np.concatenate([rng.uniform(0, 365, spread), rng.uniform(100, 220, 200)])
    categories = rng.integers(0, 3, len(lat))
    return lat, lng, days, categories


def all_pairs(count: int) -> tuple[np.ndarray, np.ndarray]:
    left, right = np.triu_indices(count, k=1)
    return left.astype(np.int64), right.astype(np.int64)


def test_no_candidate_pair_is_far_apart_in_place_or_time(events: tuple) -> None:
    lat, lng, days, _ = events
    left, right = candidate_pairs(lat, lng, days, resolution=RESOLUTION, window_days=WINDOW)
    assert len(left) > 100  # the clumps give many close pairs
    assert np.all(left < right)
    assert np.all(np.abs(days[left] - days[right]) <= WINDOW)
    cells = [h3.latlng_to_cell(a, b, RESOLUTION) for a, b in zip(lat, lng, strict=True)]
    assert all(h3.grid_distance(cells[i], cells[j]) <= 1 for i, j in zip(left, right, strict=True))
    # Neighbouring cells span at most about four edge lengths.
    edge = h3.average_hexagon_edge_length(RESOLUTION, unit="m")
    assert haversine_m(lat[left], lng[left], lat[right], lng[right]).max() < 4.5 * edge


def test_every_truly_close_pair_is_a_candidate(events: tuple) -> None:
    lat, lng, days, _ = events
    left, right = candidate_pairs(lat, lng, days, resolution=RESOLUTION, window_days=WINDOW)
    found = set(zip(left.tolist(), right.tolist(), strict=True))
    every_left, every_right = all_pairs(len(lat))
    distance = haversine_m(lat[every_left], lng[every_left], lat[every_right], lng[every_right])
    gap = np.abs(days[every_left] - days[every_right])
    # Points closer than half an edge are always in the same or neighbouring cells.
    edge = h3.average_hexagon_edge_length(RESOLUTION, unit="m")
    close = (distance < 0.5 * edge) & (gap <= WINDOW)
    expected = set(zip(every_left[close].tolist(), every_right[close].tolist(), strict=True))
    assert len(expected) > 50
    assert expected <= found


def test_the_candidates_are_exactly_the_neighbouring_cells_within_the_window(events: tuple) -> None:
    lat, lng, days, _ = events
    left, right = candidate_pairs(lat, lng, days, resolution=RESOLUTION, window_days=WINDOW)
    cells = [h3.latlng_to_cell(a, b, RESOLUTION) for a, b in zip(lat, lng, strict=True)]
    every_left, every_right = all_pairs(len(lat))
    neighbours = np.array(
        [
            h3.grid_distance(cells[i], cells[j]) <= 1
            for i, j in zip(every_left, every_right, strict=True)
        ]
    )
    within = np.abs(days[every_left] - days[every_right]) <= WINDOW
    keep = neighbours & within
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == set(
        zip(every_left[keep].tolist(), every_right[keep].tolist(), strict=True)
    )


def test_the_same_category_option_pairs_only_concerns_of_one_category(events: tuple) -> None:
    lat, lng, days, categories = events
    every = candidate_pairs(lat, lng, days)
    same = candidate_pairs(lat, lng, days, categories=categories)
    assert np.all(categories[same[0]] == categories[same[1]])
    wanted = categories[every[0]] == categories[every[1]]
    assert set(zip(*same, strict=True)) == set(
        zip(every[0][wanted].tolist(), every[1][wanted].tolist(), strict=True)
    )


def test_a_shorter_window_keeps_only_the_pairs_within_it(events: tuple) -> None:
    lat, lng, days, _ = events
    left, right = candidate_pairs(lat, lng, days, window_days=7)
    wide = candidate_pairs(lat, lng, days, window_days=WINDOW)
    assert np.all(np.abs(days[left] - days[right]) <= 7)
    wanted = np.abs(days[wide[0]] - days[wide[1]]) <= 7
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == set(
        zip(wide[0][wanted].tolist(), wide[1][wanted].tolist(), strict=True)
    )


def test_one_event_or_none_has_no_pairs_and_a_bad_window_is_refused() -> None:
    for count in (0, 1):
        left, right = candidate_pairs(np.zeros(count), np.zeros(count), np.zeros(count))
        assert len(left) == len(right) == 0
    with pytest.raises(ValueError, match="window"):
        candidate_pairs(np.zeros(2), np.zeros(2), np.zeros(2), window_days=0)
