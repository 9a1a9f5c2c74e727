"""Locate-by-point in bulk: 1,000,000 random points against 500 areas.

Compares ``ourbeat.places.locator.RasterLocator`` with a plain vectorised shapely STRtree
query (``lowest_intersecting``: one ``STRtree.query(points, predicate="intersects")`` and
the lowest polygon index per point) on the same data in the same run, checks that the
answers are identical, and prints points per second for each.

    .venv/bin/python bench/locate_points.py [--areas 500] [--points 1000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ourbeat.places.locator import RasterLocator, lowest_intersecting

# A city-sized region in degrees, like the demo town but about 40 times larger in area.
CENTRE_X, CENTRE_Y = -1.48, 53.04
RADIUS = 0.2


def _outline(rng: np.random.Generator) -> Polygon:
    k = 1 / math.cos(math.radians(CENTRE_Y))
    t = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    phases = rng.uniform(0, 2 * np.pi, 3)
    r = RADIUS * (
        1
        + 0.14 * np.sin(2 * t + phases[0])
        + 0.07 * np.sin(3 * t + phases[1])
        + 0.04 * np.sin(7 * t + phases[2])
    )
    return Polygon(np.column_stack([CENTRE_X + r * np.cos(t) * k, CENTRE_Y + r * np.sin(t)]))


def make_areas(count: int, seed: int) -> list[Polygon]:
    """``count`` areas that tile a city without gaps or overlaps: a Voronoi tiling of
    jittered seeds, clipped to a wobbly outline, with edges densified and bent by one smooth
    displacement field (shared edges move together), snapped to a 1e-7 degree grid so
    neighbours share their vertices exactly, as in ``ourbeat/demo/town.py``."""
    rng = np.random.default_rng(seed)
    outline = _outline(rng)
    min_x, min_y, max_x, max_y = outline.bounds
    seeds: list[tuple[float, float]] = []
    while len(seeds) < count:
        xs = rng.uniform(min_x, max_x, count)
        ys = rng.uniform(min_y, max_y, count)
        inside = shapely.contains_xy(outline, xs, ys)
        seeds.extend(zip(xs[inside], ys[inside], strict=True))
    seeds = seeds[:count]
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.envelope.buffer(0.1))
    tiles = [c.intersection(outline) for c in cells.geoms]
    tiles = [t for t in tiles if not t.is_empty]
    spacing = math.sqrt(outline.area / count)
    # About 90 vertices around a typical area; small ones get fewer, large ones more.
    segment = spacing * 3.7 / 85
    amplitude, wave = spacing * 0.08, 2 * np.pi / (spacing * 0.7)
    p1, p2, p3, p4 = rng.uniform(0, 2 * np.pi, 4)

    def bend(coords: np.ndarray) -> np.ndarray:
        x, y = coords[:, 0].copy(), coords[:, 1].copy()
        coords[:, 0] = x + amplitude * (
            0.6 * np.sin(wave * y + p1) + 0.4 * np.sin(1.7 * wave * (x + y) + p2)
        )
        coords[:, 1] = y + amplitude * (
            0.6 * np.sin(wave * x + p3) + 0.4 * np.sin(1.3 * wave * (x - y) + p4)
        )
        return coords

    grid = 1e-7
    out = []
    for tile in tiles:
        dense = shapely.set_precision(shapely.segmentize(tile, segment), grid)
        out.append(shapely.set_precision(shapely.transform(dense, bend), grid))
    return out


def best_of(repeats: int, run: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--resolution", type=int, default=2048)
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()

    areas = make_areas(args.areas, args.seed)
    vertices = np.array([shapely.get_num_coordinates(a) for a in areas])
    rng = np.random.default_rng(args.seed + 1)
    min_x, min_y, max_x, max_y = shapely.total_bounds(np.asarray(areas, dtype=object))
    x = rng.uniform(min_x, max_x, args.points)
    y = rng.uniform(min_y, max_y, args.points)

    print(
        f"python {platform.python_version()}, shapely {shapely.__version__}, numpy {np.__version__}"
    )
    print(
        f"{len(areas)} areas, vertices per area: min {vertices.min()}, "
        f"median {int(np.median(vertices))}, max {vertices.max()}; {args.points:,} points, "
        f"best of {args.repeats}"
    )

    tree_build, tree = best_of(args.repeats, lambda: shapely.STRtree(areas))
    assert isinstance(tree, shapely.STRtree)
    tree_query, expected = best_of(args.repeats, lambda: lowest_intersecting(tree, x, y))

    raster_build, locator = best_of(
        args.repeats, lambda: RasterLocator(areas, resolution=args.resolution)
    )
    assert isinstance(locator, RasterLocator)
    raster_query, answer = best_of(args.repeats, lambda: locator.locate(x, y))

    assert isinstance(expected, np.ndarray)
    assert isinstance(answer, np.ndarray)
    differ = int(np.count_nonzero(answer != expected))
    assert differ == 0, f"{differ} points answered differently"

    rows = [
        ("STRtree query (baseline)", tree_build, tree_query),
        (f"RasterLocator ({args.resolution} cells)", raster_build, raster_query),
    ]
    print()
    print(f"{'method':<30} {'build ms':>9} {'query ms':>9} {'points/s':>14}")
    for name, build, query in rows:
        print(f"{name:<30} {build * 1000:>9.1f} {query * 1000:>9.1f} {args.points / query:>14,.0f}")
    print()
    outside = np.count_nonzero(expected == -1) / args.points
    print(
        f"answers identical for all {args.points:,} points ({outside:.1%} outside every area); "
        f"raster cells near a boundary: {locator.mixed_fraction:.1%}"
    )
    print(f"speed-up over the STRtree baseline: {tree_query / raster_query:.1f}x")


if __name__ == "__main__":
    main()
