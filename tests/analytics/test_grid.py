"""The H3 grid of hot spot analyses: points to cells, the study area's universe of cells,
counts per cell, ring weights and cell outlines, each checked against h3's own per-cell
functions or against shapely, on the real Essex police.uk month and on cells across the
globe (pentagons and base-cell edges included)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import h3
import h3.api.basic_int as h3_int
import numpy as np
import pytest
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon

from ourbeat.analytics.grid import (
    cell_boundaries,
    cell_counts,
    cells_for_points,
    ring_weights,
    study_cells,
)

ESSEX = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "policeuk"
    / "street"
    / "2018-03-essex-street.csv"
)


def essex_points() -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of every row of the Essex month; NaN for "No Location"."""
    with ESSEX.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lat = np.array([float(row["Latitude"] or "nan") for row in rows])
    lng = np.array([float(row["Longitude"] or "nan") for row in rows])
    return lat, lng


def neighbourhood(weights, row: int) -> set[int]:
    return set(weights.indices[weights.indptr[row] : weights.indptr[row + 1]].tolist())


def test_cells_for_points_match_h3_point_by_point_and_missing_locations_get_no_cell():
    lat, lng = essex_points()
    cells = cells_for_points(lat, lng, 9)

    located = ~np.isnan(lat)
    assert (~located).sum() == 17  # the month's "No Location" rows
    assert (cells[~located] == 0).all()
    expected = [
        h3.str_to_int(h3.latlng_to_cell(a, b, 9))
        for a, b in zip(lat[located], lng[located], strict=True)
    ]
    assert cells[located].tolist() == expected
    assert cells.dtype == np.uint64


def test_coordinates_off_the_globe_get_no_cell():
    cells = cells_for_points([91.0, 51.5, -90.0, 51.5], [0.5, 181.0, 0.0, np.inf], 7)
    assert cells[[0, 1, 3]].tolist() == [0, 0, 0]
    assert cells[2] == h3.str_to_int(h3.latlng_to_cell(-90.0, 0.0, 7))


def test_study_cells_of_a_polygon_are_the_cells_whose_centre_lies_inside_it():
    # An irregular area with a hole, about 6 km across, near Colchester.
    area = Polygon(
        [(0.85, 51.86), (0.95, 51.87), (0.96, 51.91), (0.90, 51.93), (0.86, 51.90)],
        holes=[[(0.89, 51.885), (0.91, 51.885), (0.91, 51.895), (0.89, 51.895)]],
    )
    universe = study_cells(9, polygons=area)

    around = h3_int.grid_disk(h3_int.latlng_to_cell(51.895, 0.905, 9), 40)
    expected = sorted(
        cell
        for cell in around
        if area.contains(Point(h3_int.cell_to_latlng(cell)[::-1]))  # (lng, lat)
    )
    assert universe.tolist() == expected
    assert (np.diff(universe.astype(np.float64)) > 0).all()


def test_study_cells_keep_the_cells_of_events_outside_the_polygons():
    area = MultiPolygon(
        [
            Polygon([(0.85, 51.86), (0.90, 51.86), (0.90, 51.90), (0.85, 51.90)]),
            Polygon([(0.95, 51.86), (1.00, 51.86), (1.00, 51.90), (0.95, 51.90)]),
        ]
    )
    outside_lat, outside_lng = 51.95, 0.80
    universe = study_cells(8, polygons=area, lat=[51.87, outside_lat], lng=[0.87, outside_lng])

    area_only = study_cells(8, polygons=[area])
    outside = h3_int.latlng_to_cell(outside_lat, outside_lng, 8)
    assert outside not in area_only.tolist()
    assert sorted([*area_only.tolist(), outside]) == universe.tolist()


def test_study_cells_without_polygons_cover_the_events_hull_and_one_ring_around_it():
    lat, lng = essex_points()
    universe = set(study_cells(7, lat=lat, lng=lng).tolist())

    located = ~np.isnan(lat)
    event_cells = {
        h3_int.latlng_to_cell(a, b, 7) for a, b in zip(lat[located], lng[located], strict=True)
    }
    hull = MultiPoint(np.column_stack([lng[located], lat[located]])).convex_hull
    centre = h3_int.latlng_to_cell(hull.centroid.y, hull.centroid.x, 7)
    candidates = set(h3_int.grid_disk(centre, 150))
    rim = set(h3_int.grid_ring(centre, 150))
    assert not any(hull.contains(Point(h3_int.cell_to_latlng(cell)[::-1])) for cell in rim)
    core = event_cells | {
        cell for cell in candidates if hull.contains(Point(h3_int.cell_to_latlng(cell)[::-1]))
    }
    expected = set(core)
    for cell in core:
        expected.update(h3_int.grid_disk(cell, 1))
    assert universe == expected


def test_cell_counts_count_events_per_universe_cell_and_drop_the_rest():
    universe = np.array(sorted(h3_int.grid_disk(h3_int.latlng_to_cell(51.7, 0.5, 8), 2)))
    universe = universe.astype(np.uint64)
    outside = h3_int.latlng_to_cell(52.5, 1.5, 8)
    rng = np.random.default_rng(4)
    events = [*rng.choice(universe[:10], 500).tolist(), outside, outside, 0]

    counts = cell_counts(np.array(events, dtype=np.uint64), universe)

    tally = Counter(events)
    assert counts.tolist() == [tally[int(cell)] for cell in universe]
    assert counts.sum() == 500
    assert (counts == 0).any()  # empty cells stay in, with 0


@pytest.mark.parametrize("k", [1, 2])
def test_ring_weights_link_each_essex_cell_to_its_grid_disk_within_the_universe(k):
    lat, lng = essex_points()
    universe = study_cells(8, lat=lat, lng=lng)
    members = set(universe.tolist())

    weights = ring_weights(universe, k)

    assert weights.shape == (universe.size, universe.size)
    assert set(weights.data.tolist()) == {1.0}
    assert (weights.diagonal() == 1).all()
    assert (weights != weights.T).nnz == 0
    for row, cell in enumerate(universe.tolist()):
        expected = set(h3_int.grid_disk(cell, k)) & members
        assert {int(universe[j]) for j in neighbourhood(weights, row)} == expected


@pytest.mark.parametrize("resolution", [0, 2, 5, 11, 15])
def test_ring_weights_match_h3_across_the_globe_pentagons_and_base_cell_edges(resolution):
    rng = np.random.default_rng(resolution)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, 4000)))
    lng = rng.uniform(-180, 180, 4000)
    scattered = cells_for_points(lat, lng, resolution)
    pentagons = np.array(h3_int.get_pentagons(resolution), dtype=np.uint64)
    around_pentagon = np.array(h3_int.grid_disk(int(pentagons[0]), 3), dtype=np.uint64)
    universe = np.unique(np.concatenate([scattered, pentagons, around_pentagon]))
    members = set(universe.tolist())

    for k in (1, 2):
        weights = ring_weights(universe, k)
        for row, cell in enumerate(universe.tolist()):
            expected = set(h3_int.grid_disk(cell, k)) & members
            assert {int(universe[j]) for j in neighbourhood(weights, row)} == expected


def test_ring_weights_with_no_rings_are_the_identity():
    universe = np.array(sorted(h3_int.grid_disk(h3_int.latlng_to_cell(51.7, 0.5, 9), 3)))
    weights = ring_weights(universe.astype(np.uint64), 0)
    assert (weights.toarray() == np.eye(universe.size)).all()


def test_cell_boundaries_are_h3s_outlines_in_lat_lng():
    cells = study_cells(8, polygons=Polygon([(0.5, 51.7), (0.55, 51.7), (0.55, 51.73)]))
    cells = np.append(cells, np.uint64(h3_int.get_pentagons(8)[0]))

    outlines = cell_boundaries(cells)

    assert len(outlines) == cells.size
    for outline, cell in zip(outlines, cells.tolist(), strict=True):
        assert outline == [tuple(vertex) for vertex in h3_int.cell_to_boundary(cell)]
    assert len(outlines[-1]) == 5  # a pentagon


@pytest.mark.parametrize("resolution", [16, -1, True, 8.0, "8"])
def test_a_resolution_outside_h3s_range_is_refused(resolution):
    with pytest.raises(ValueError, match="resolution"):
        cells_for_points([51.5], [0.5], resolution)
    with pytest.raises(ValueError, match="resolution"):
        study_cells(resolution, lat=[51.5], lng=[0.5])


def test_unusable_arguments_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="2 latitudes but 1 longitudes"):
        cells_for_points([51.5, 51.6], [0.5], 8)
    with pytest.raises(ValueError, match="coordinates must be numbers"):
        cells_for_points(["north"], [0.5], 8)
    with pytest.raises(ValueError, match="both lat and lng"):
        study_cells(8, lat=[51.5])
    with pytest.raises(ValueError, match="polygons or at least one located event"):
        study_cells(8, lat=[np.nan], lng=[np.nan])
    with pytest.raises(ValueError, match="Polygons or MultiPolygons"):
        study_cells(8, polygons=[Point(0.5, 51.5)])
    with pytest.raises(ValueError, match="sorted"):
        cell_counts([1], np.array([5, 3], dtype=np.uint64))
    with pytest.raises(ValueError, match="must be integers"):
        cell_counts([6.1e17], np.array([3, 5], dtype=np.uint64))
    mixed = np.array(
        sorted([h3_int.latlng_to_cell(51.5, 0.5, 8), h3_int.latlng_to_cell(51.5, 0.5, 9)]),
        dtype=np.uint64,
    )
    with pytest.raises(ValueError, match="one resolution"):
        ring_weights(mixed)
    with pytest.raises(ValueError, match="not every value is an H3 cell"):
        ring_weights(np.array([1, 2, 3], dtype=np.uint64))
    with pytest.raises(ValueError, match="whole number of rings"):
        ring_weights(mixed[:1], -1)
    with pytest.raises(ValueError, match="too many: use fewer rings"):
        ring_weights(mixed[:1], 10_000)
