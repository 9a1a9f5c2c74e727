"""Locating many points at once gives exactly the answers of a point-by-point polygon test:
the lowest index among the polygons that intersect the point, -1 for none."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from ourbeat.places.locator import NOWHERE, RasterLocator, lowest_intersecting


def brute_force(polygons: list[BaseGeometry], x: npt.NDArray[Any], y: npt.NDArray[Any]) -> Any:
    """Every point against every polygon, lowest index first: the definition of the answer."""
    answer = np.full(len(x), NOWHERE, dtype=np.intp)
    for index in reversed(range(len(polygons))):
        answer[shapely.intersects_xy(polygons[index], x, y)] = index
    return answer


def probe_points(
    polygons: list[BaseGeometry], rng: np.random.Generator, count: int = 20_000
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Random points over (and beyond) the extent, every vertex, and points along the edges,
    where answers change and ties between neighbours are decided."""
    min_x, min_y, max_x, max_y = shapely.total_bounds(np.asarray(polygons, dtype=object))
    pad_x, pad_y = (max_x - min_x) * 0.1, (max_y - min_y) * 0.1
    xs = [rng.uniform(min_x - pad_x, max_x + pad_x, count)]
    ys = [rng.uniform(min_y - pad_y, max_y + pad_y, count)]
    for polygon in polygons:
        vertices = shapely.get_coordinates(polygon)
        xs.append(vertices[:, 0])
        ys.append(vertices[:, 1])
        edges = shapely.get_coordinates(shapely.segmentize(polygon.boundary, 1e-9 + pad_x / 50))
        xs.append(edges[:, 0])
        ys.append(edges[:, 1])
        inward = shapely.get_coordinates(shapely.line_interpolate_point(polygon.boundary, 0.37))
        xs.append(inward[:, 0])
        ys.append(inward[:, 1])
    return np.concatenate(xs), np.concatenate(ys)


def assert_same_answers(polygons: list[BaseGeometry], x: Any, y: Any, **options: Any) -> None:
    expected = brute_force(polygons, x, y)
    locator = RasterLocator(polygons, **options)
    np.testing.assert_array_equal(locator.locate(x, y), expected)
    np.testing.assert_array_equal(lowest_intersecting(locator.tree, x, y), expected)


def voronoi_tiling(count: int, seed: int) -> list[BaseGeometry]:
    rng = np.random.default_rng(seed)
    seeds = shapely.multipoints(rng.uniform(0, 1, (count, 2)))
    cells = shapely.voronoi_polygons(seeds, extend_to=box(0, 0, 1, 1))
    wobbly = shapely.segmentize(box(0, 0, 1, 1), 0.05).buffer(0.02)
    return [shapely.set_precision(c.intersection(wobbly), 1e-9) for c in cells.geoms]


@pytest.mark.parametrize("resolution", [4, 64, 2048])
def test_a_tiling_is_answered_exactly_on_vertices_edges_inside_and_outside(
    resolution: int,
) -> None:
    polygons = voronoi_tiling(40, seed=1)
    x, y = probe_points(polygons, np.random.default_rng(2))
    assert_same_answers(polygons, x, y, resolution=resolution)


def test_a_point_on_an_edge_shared_by_two_areas_goes_to_the_first_listed() -> None:
    left, right = box(0, 0, 1, 1), box(1, 0, 2, 1)
    x, y = np.array([1.0, 1.0, 1.0]), np.array([0.0, 0.5, 1.0])
    assert RasterLocator([left, right]).locate(x, y).tolist() == [0, 0, 0]
    assert RasterLocator([right, left]).locate(x, y).tolist() == [0, 0, 0]


def test_multipolygons_with_holes_and_islands_in_the_holes_are_answered_exactly() -> None:
    ring_with_hole = Polygon(
        [(0, 0), (10, 0), (10, 10), (0, 10)], holes=[[(3, 3), (7, 3), (7, 7), (3, 7)]]
    )
    outlying = box(12, 0, 14, 2)
    island = Polygon([(4, 4), (6, 4.5), (5.5, 6), (4.2, 5.7)])
    polygons: list[BaseGeometry] = [MultiPolygon([ring_with_hole, outlying]), island]
    x, y = probe_points(polygons, np.random.default_rng(3))
    assert_same_answers(polygons, x, y, resolution=256)
    located = RasterLocator(polygons).locate(np.array([5.0, 3.5, 13.0, 11.0]), np.full(4, 5.0))
    assert located.tolist() == [1, NOWHERE, NOWHERE, NOWHERE]
    assert RasterLocator(polygons).locate(np.array([13.0]), np.array([1.0])).tolist() == [0]


def test_overlapping_polygons_answer_the_lowest_index() -> None:
    polygons: list[BaseGeometry] = [box(2, 2, 4, 4), box(0, 0, 5, 5), box(3, 3, 8, 8)]
    x, y = probe_points(polygons, np.random.default_rng(4))
    assert_same_answers(polygons, x, y, resolution=128)
    assert RasterLocator(polygons).locate(
        np.array([3.5, 1, 6]), np.array([3.5, 1, 6])
    ).tolist() == [
        0,
        1,
        2,
    ]


def test_edges_lying_exactly_on_raster_lines_are_answered_exactly() -> None:
    # With an extent of 10 and 10 cells each way, every polygon edge is a raster line.
    polygons: list[BaseGeometry] = [box(i, j, i + 1, j + 1) for i in range(10) for j in range(10)]
    grid = np.arange(-1, 11.01, 0.25)
    x, y = (a.ravel() for a in np.meshgrid(grid, grid))
    for resolution in (5, 10, 20, 40):
        assert_same_answers(polygons, x, y, resolution=resolution)


def test_points_far_away_infinite_or_not_a_number_are_nowhere() -> None:
    locator = RasterLocator(voronoi_tiling(10, seed=5))
    x = np.array([np.nan, 0.5, np.inf, -np.inf, 1e300, -1e300, 0.5])
    y = np.array([0.5, np.nan, 0.5, 0.5, 0.5, 0.5, np.nan])
    assert locator.locate(x, y).tolist() == [NOWHERE] * len(x)


def test_no_polygons_or_only_empty_ones_locate_nothing() -> None:
    x, y = np.array([0.0, 1.0]), np.array([0.0, 1.0])
    assert RasterLocator([]).locate(x, y).tolist() == [NOWHERE, NOWHERE]
    assert RasterLocator([Polygon()]).locate(x, y).tolist() == [NOWHERE, NOWHERE]


def test_an_empty_polygon_keeps_its_place_in_the_numbering() -> None:
    polygons: list[BaseGeometry] = [Polygon(), box(0, 0, 1, 1)]
    assert RasterLocator(polygons).locate(np.array([0.5]), np.array([0.5])).tolist() == [1]


def test_lines_and_points_are_refused() -> None:
    with pytest.raises(TypeError, match="Polygons and MultiPolygons"):
        RasterLocator([shapely.LineString([(0, 0), (1, 1)])])


def test_mismatched_coordinate_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        RasterLocator([box(0, 0, 1, 1)]).locate(np.zeros(2), np.zeros(3))


@settings(max_examples=40, deadline=None)
@given(
    boxes=st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(1, 10), st.integers(1, 10)),
        min_size=1,
        max_size=8,
    ),
    resolution=st.integers(1, 64),
    seed=st.integers(0, 2**16),
)
def test_any_overlapping_boxes_at_any_resolution_are_answered_exactly(
    boxes: list[tuple[int, int, int, int]], resolution: int, seed: int
) -> None:
    polygons: list[BaseGeometry] = [box(x, y, x + w, y + h) for x, y, w, h in boxes]
    rng = np.random.default_rng(seed)
    grid = np.arange(-1, 31.01, 0.5)
    gx, gy = (a.ravel() for a in np.meshgrid(grid, grid))
    x = np.concatenate([gx, rng.uniform(-1, 31, 500)])
    y = np.concatenate([gy, rng.uniform(-1, 31, 500)])
    assert_same_answers(polygons, x, y, resolution=resolution)


def test_the_demo_towns_neighbourhoods_are_answered_exactly(town: Any) -> None:
    polygons = [area.geometry for area in town.neighbourhoods]
    x, y = probe_points(polygons, np.random.default_rng(6), count=50_000)
    assert_same_answers(polygons, x, y)
    # Inside the town every point belongs to exactly one neighbourhood: they tile it.
    service = town.service.geometry
    inside = shapely.contains_xy(service, x, y)
    assert (RasterLocator(polygons).locate(x[inside], y[inside]) != NOWHERE).all()
