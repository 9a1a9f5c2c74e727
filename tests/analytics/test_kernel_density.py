"""Quartic kernel density on a raster, with ArcGIS's default search radius."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from ourbeat.analytics.stats.density import (
    MAX_RASTER_CELLS,
    default_search_radius,
    kernel_density,
)


def brute_force_density(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    centres_x: npt.NDArray[np.float64],
    centres_y: npt.NDArray[np.float64],
    radius: float,
) -> npt.NDArray[np.float64]:
    """Every point against every cell centre, straight from the kernel's formula."""
    grid_x, grid_y = np.meshgrid(centres_x, centres_y)  # rows follow y, columns x
    d = np.hypot(grid_x[..., None] - x, grid_y[..., None] - y)
    kernel = np.where(d < radius, 3 / (math.pi * radius**2) * (1 - (d / radius) ** 2) ** 2, 0)
    return np.asarray((kernel * weights).sum(axis=-1))


def test_a_single_point_gives_the_kernels_own_values() -> None:
    # Cells of 1 with centres at half-integers; the point on the centre (2.5, 2.5) and
    # r = 2: the point's own cell is at d = 0, its four edge neighbours at d = 1 = r/2, its
    # diagonal neighbours at d = √2, the cells two away along an axis at d = r.
    raster = kernel_density([2.5], [2.5], cell_size=1.0, bounds=(0, 0, 5, 5), radius=2.0)
    scale = 3 / (math.pi * 4)
    density = raster.density
    assert density.shape == (5, 5)
    assert density[2, 2] == pytest.approx(scale)
    for row, col in [(1, 2), (3, 2), (2, 1), (2, 3)]:
        assert density[row, col] == pytest.approx(scale * (1 - 1 / 4) ** 2)
    for row, col in [(1, 1), (1, 3), (3, 1), (3, 3)]:
        assert density[row, col] == pytest.approx(scale * (1 - 2 / 4) ** 2)
    for row, col in [(0, 2), (4, 2), (2, 0), (2, 4), (0, 0)]:
        assert density[row, col] == 0.0


def test_row_zero_is_the_top_of_the_raster() -> None:
    raster = kernel_density([0.5], [3.5], cell_size=1.0, bounds=(0, 0, 4, 4), radius=0.9)
    assert raster.density[0, 0] > 0
    assert raster.density[3, 0] == 0
    x, y = raster.cell_centres()
    assert x.tolist() == [0.5, 1.5, 2.5, 3.5]
    assert y.tolist() == [3.5, 2.5, 1.5, 0.5]
    assert (raster.x_min, raster.y_min, raster.x_max, raster.y_max) == (0, 0, 4, 4)


@pytest.mark.parametrize("weighted", [False, True])
def test_many_points_match_the_formula_evaluated_point_by_point(weighted: bool) -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(-50, 650, 300)  # some points outside the raster still reach into it
    y = rng.uniform(-50, 450, 300)
    weights = rng.uniform(0, 5, 300) if weighted else np.ones(300)
    raster = kernel_density(
        x,
        y,
        cell_size=10.0,
        bounds=(0, 0, 600, 400),
        radius=57.0,
        weights=weights if weighted else None,
    )
    centres_x, centres_y = raster.cell_centres()
    expected = brute_force_density(x, y, weights, centres_x, centres_y, 57.0)
    np.testing.assert_allclose(raster.density, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("radius_in_cells", [3.0, 7.5, 20.0])
def test_the_density_integrates_to_the_number_of_points_within_the_discretisation_bound(
    radius_in_cells: float,
) -> None:
    # The kernel is C¹ with a Lipschitz gradient (its Hessian is at most L = 24/(π r⁴) in
    # norm), so the midpoint rule errs by at most L·c⁴/12 on every cell that its support
    # touches, and those cells lie within r + c√2 of the point: the error per point is at
    # most 2c²(r + c√2)²/r⁴. Points are placed at least r inside the raster.
    cell = 10.0
    radius = radius_in_cells * cell
    rng = np.random.default_rng(int(radius_in_cells * 10))
    x = rng.uniform(radius, 1000 - radius, 40)
    y = rng.uniform(radius, 800 - radius, 40)
    weights = rng.uniform(0.5, 3.0, 40)
    raster = kernel_density(
        x, y, cell_size=cell, bounds=(0, 0, 1000, 800), radius=radius, weights=weights
    )
    integral = raster.density.sum() * cell**2
    bound = weights.sum() * 2 * cell**2 * (radius + cell * math.sqrt(2)) ** 2 / radius**4
    assert abs(integral - weights.sum()) <= bound


def test_density_per_square_km_is_a_million_times_per_square_metre() -> None:
    x, y = np.array([500.0, 620.0]), np.array([400.0, 380.0])
    per_metre = kernel_density(x, y, cell_size=25, bounds=(0, 0, 1000, 800), radius=300)
    per_km = kernel_density(
        x, y, cell_size=25, bounds=(0, 0, 1000, 800), radius=300, per_square_km=True
    )
    np.testing.assert_allclose(per_km.density, per_metre.density * 1e6)
    assert per_km.unit == "per_square_km"
    assert per_metre.unit == "per_square_map_unit"


def test_the_default_radius_uses_the_standard_distance_when_it_is_smaller() -> None:
    # The corners of a 2×2 square and its centre: mean centre (1, 1), four points at √2
    # and one at 0. SD = √(4·2/5) = √1.6; Dm = √2, and √(1/ln 2)·√2 ≈ 1.699 > √1.6 ≈ 1.265.
    x = [0.0, 2.0, 0.0, 2.0, 1.0]
    y = [0.0, 0.0, 2.0, 2.0, 1.0]
    assert default_search_radius(x, y) == pytest.approx(0.9 * math.sqrt(1.6) * 5**-0.2)


def test_the_default_radius_uses_the_median_distance_when_it_is_smaller() -> None:
    # Points on a line at −10, −1, 0, 1, 10: mean centre 0, distances 10, 1, 0, 1, 10.
    # SD = √(202/5) ≈ 6.36; Dm = 1, so √(1/ln 2)·1 ≈ 1.20 is the smaller.
    x = [-10.0, -1.0, 0.0, 1.0, 10.0]
    y = [0.0] * 5
    expected = 0.9 * math.sqrt(1 / math.log(2)) * 1.0 * 5**-0.2
    assert default_search_radius(x, y) == pytest.approx(expected)


def test_the_default_radius_with_populations_weights_everything() -> None:
    # (0, 0) with population 3 and (4, 0) with 1: weighted mean centre (1, 0); distances
    # 1 (weight 3) and 3 (weight 1); SD = √((3·1 + 1·9)/4) = √3; the weighted median is 1
    # (3 of the 4 units of weight lie at 1); n = 4.
    expected = 0.9 * min(math.sqrt(3), math.sqrt(1 / math.log(2)) * 1.0) * 4**-0.2
    radius = default_search_radius([0.0, 4.0], [0.0, 0.0], weights=[3.0, 1.0])
    assert radius == pytest.approx(expected)


def test_an_even_number_of_points_takes_the_middle_of_the_two_median_distances() -> None:
    # Distances from the mean centre 0: 1, 1, 3, 3 → median 2 (not 1 or 3).
    x = [-3.0, -1.0, 1.0, 3.0]
    sd = math.sqrt((9 + 1 + 1 + 9) / 4)
    expected = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * 2.0) * 4**-0.2
    assert default_search_radius(x, [0.0] * 4) == pytest.approx(expected)


def test_the_raster_uses_the_default_radius_when_none_is_given() -> None:
    x = np.array([100.0, 300.0, 500.0, 320.0])
    y = np.array([100.0, 250.0, 120.0, 260.0])
    raster = kernel_density(x, y, cell_size=20, bounds=(0, 0, 600, 400))
    assert raster.radius == pytest.approx(default_search_radius(x, y))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"x": [], "y": []}, "no points"),
        ({"radius": 0.0}, "radius"),
        ({"radius": -5.0}, "radius"),
        ({"radius": float("nan")}, "radius"),
        ({"cell_size": 0.0}, "cell_size"),
        ({"cell_size": -1.0}, "cell_size"),
        ({"bounds": (10, 0, 0, 10)}, "bounds"),
        ({"bounds": (0, 0, float("inf"), 10)}, "finite"),
        ({"x": [1.0, float("nan")], "y": [1.0, 2.0]}, "finite"),
        ({"x": [1.0, 2.0], "y": [1.0]}, "same length"),
        ({"x": ["north", "south"]}, "numbers"),
        ({"weights": [{}, 1.0]}, "numbers"),
        ({"weights": [1.0, -1.0]}, "non-negative"),
        ({"weights": [1.0]}, "one value per point"),
        ({"bounds": (0, 0, 1e6, 1e6), "cell_size": 1.0}, "limit"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(arguments: dict, message: str) -> None:
    call = {
        "x": [1.0, 2.0],
        "y": [1.0, 2.0],
        "cell_size": 0.5,
        "bounds": (0, 0, 10, 10),
        "radius": 2.0,
        **arguments,
    }
    x, y = call.pop("x"), call.pop("y")
    with pytest.raises(ValueError, match=message):
        kernel_density(x, y, **call)


def test_a_radius_too_wide_for_the_cell_size_and_the_points_is_refused() -> None:
    x = np.linspace(0, 2000, 200)
    with pytest.raises(ValueError, match="too many"):
        kernel_density(x, x, cell_size=1.0, bounds=(0, 0, 2000, 2000), radius=1e5)


def test_a_radius_wider_than_the_raster_still_gives_the_formulas_values() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 100, 30), rng.uniform(0, 80, 30)
    raster = kernel_density(x, y, cell_size=10.0, bounds=(0, 0, 100, 80), radius=400.0)
    centres_x, centres_y = raster.cell_centres()
    expected = brute_force_density(x, y, np.ones(30), centres_x, centres_y, 400.0)
    np.testing.assert_allclose(raster.density, expected, rtol=1e-12)


def test_the_raster_limit_is_the_documented_one() -> None:
    side = math.isqrt(MAX_RASTER_CELLS)
    kernel_density([1.0], [1.0], cell_size=1.0, bounds=(0, 0, side, side), radius=2.0)
    with pytest.raises(ValueError, match="limit"):
        kernel_density([1.0], [1.0], cell_size=1.0, bounds=(0, 0, side + 1, side), radius=2.0)


@pytest.mark.parametrize(
    ("x", "y", "weights"),
    [
        ([5.0], [5.0], None),
        ([5.0, 5.0, 5.0], [5.0, 5.0, 5.0], None),
        ([1.0, 2.0], [1.0, 1.0], [0.0, 0.0]),
    ],
)
def test_no_default_radius_when_the_points_do_not_spread(
    x: list[float], y: list[float], weights: list[float] | None
) -> None:
    with pytest.raises(ValueError, match=r"radius|zero"):
        kernel_density(x, y, cell_size=1.0, bounds=(0, 0, 10, 10), weights=weights)
