"""The scanning analyses over an ``EventQuery``, and the machinery that runs and caches them.

One function per analysis (``hotspot_analysis``, ``emerging_analysis``, ``knox_analysis``,
``repeats_analysis``, ``evaluation_analysis``) takes a query, its parameters and an optional
progress callback, and returns a JSON-serialisable result. The ``*_of_events`` functions do
the same from ``Events`` already in memory, so that the manage commands can run them on a
CSV file.

``run_analysis`` is the entry point of the pages and the API: it hashes the kind, the query,
the parameters and the organisation's ``data_version`` into ``AnalysisRun.input_key``. The
same input returns the stored run; a new input creates a run (audited as
``analytics.run.create``) and enqueues ``analysis_tasks.run_analysis_task`` after commit,
which computes it with progress kept in the progress cache (a write to the row from the task's
connection would block on SQLite while a request holds the write lock) and stores the
result on the row at the end. With the immediate backend (tests, ``make run``) that happens
inside the request.

Results hold codes and numbers, never translated text, so that one cached run serves every
language; the pages translate the codes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import h3
import numpy as np
import numpy.typing as npt
import shapely
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from ourbeat.analytics import grid
from ourbeat.analytics.events import (
    EPOCH,
    EventQuery,
    Events,
    data_version,
    load_events,
    project,
)
from ourbeat.analytics.models import AnalysisRun, RunStatus
from ourbeat.analytics.stats import density, emerging, evaluation, hotspots, knox
from ourbeat.core import audit
from ourbeat.places.models import Area

logger = logging.getLogger(__name__)

Progress = Callable[[float], None]
KINDS = ("hotspots", "emerging", "knox", "repeats", "evaluation")

# The most cells a study area may have at the chosen resolution: beyond it the map and the
# result would be too large to show (a county at resolution 10 is millions of cells).
MAX_UNIVERSE_CELLS = 400_000
# The kernel density raster's longer side, in raster cells.
KDE_MAX_SIDE = 120
# Gi_Bin's absolute value → ArcGIS's confidence level.
CONFIDENCE = {1: 90, 2: 95, 3: 99}
# A run still queued or running after this long is taken to have died with its worker.
RUN_STALE_AFTER = timedelta(hours=2)
# Share of events known to the day that a time-based analysis needs before it is meaningful.
DAY_PRECISION_NEEDED = 0.5


class AnalysisError(ValueError):
    """A run that cannot be computed for a reason the analyst can act on."""


def _noop(_fraction: float) -> None:
    return None


def _stage(progress: Progress | None, low: float, high: float) -> Progress:
    """A progress callback for one stage: 0..1 within it maps to low..high overall."""
    if progress is None:
        return _noop
    report = progress
    return lambda fraction: report(low + (high - low) * min(max(fraction, 0.0), 1.0))


def _round(values: npt.ArrayLike, digits: int) -> list[Any]:
    array = np.round(np.asarray(values, dtype=np.float64), digits)
    return [None if not math.isfinite(v) else v for v in array.tolist()]


def _selection(events: Events) -> dict[str, Any]:
    return {
        "events": len(events),
        "located": int(np.count_nonzero(events.located)),
        "unlocated": events.unlocated_count,
    }


def _day_precision_share(events: Events) -> float:
    """The share of events whose day is known (police.uk gives only the month)."""
    if len(events) == 0:
        return 1.0
    return float(np.count_nonzero(events.weekday >= 0) / len(events))


# ----------------------------------------------------------------------------- study area


def study_polygons(query: EventQuery) -> list[BaseGeometry] | None:
    """The study area's boundaries: the chosen area, else the organisation's top-level
    areas; None when the organisation has none (the events' extent then decides)."""
    areas = Area.objects.filter(organisation_id=query.organisation_id)
    if query.area_id is not None:
        areas = areas.filter(pk=query.area_id)
    else:
        areas = areas.filter(parent__isnull=True)
    geometries = [area.geometry for area in areas]
    return geometries or None


def _check_universe_size(
    resolution: int, polygons: Sequence[BaseGeometry] | None, lat: Any, lng: Any
) -> None:
    """Refuse before building it a universe that would be too large, from its bounding box
    (never smaller than the area itself)."""
    if polygons:
        bounds = np.array([geometry.bounds for geometry in polygons])
        west, south = bounds[:, 0].min(), bounds[:, 1].min()
        east, north = bounds[:, 2].max(), bounds[:, 3].max()
    elif len(lat):
        west, east, south, north = np.min(lng), np.max(lng), np.min(lat), np.max(lat)
    else:
        return
    km_per_degree = 111.195
    width = (east - west) * km_per_degree * math.cos(math.radians((north + south) / 2))
    height = (north - south) * km_per_degree
    estimate = width * height / h3.average_hexagon_area(resolution, "km^2")
    if estimate > MAX_UNIVERSE_CELLS:
        raise AnalysisError(
            f"The study area holds about {int(estimate):,} cells at resolution {resolution}; "
            f"at most {MAX_UNIVERSE_CELLS:,} can be analysed. Choose a coarser resolution "
            "or a smaller area."
        )


def _grid(
    events: Events, resolution: int, polygons: Sequence[BaseGeometry] | None
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    """The universe, each located event's cell, and which events are located."""
    located = events.located
    lat, lng = events.lat[located], events.lng[located]
    if polygons is None and lat.size == 0:
        raise AnalysisError("No event in the selection has a location.")
    _check_universe_size(resolution, polygons, lat, lng)
    universe = grid.study_cells(resolution, polygons=polygons, lat=lat, lng=lng)
    if polygons:
        # Events outside every area (a police.uk archive of a wider force, say) bring their
        # own extent into the study area, empty cells included; otherwise only the cells
        # that hold them would count and the mean and variance would be biased upwards.
        outside = ~shapely.contains_xy(shapely.union_all(list(polygons)), lng, lat)
        if np.count_nonzero(outside) >= 3:
            universe = np.union1d(
                universe, grid.study_cells(resolution, lat=lat[outside], lng=lng[outside])
            )
    if universe.size > MAX_UNIVERSE_CELLS:
        raise AnalysisError(
            f"The study area holds {universe.size:,} cells; at most {MAX_UNIVERSE_CELLS:,} "
            "can be analysed. Choose a coarser resolution or a smaller area."
        )
    if universe.size < 3:
        raise AnalysisError("The study area is too small for this resolution.")
    return universe, grid.cells_for_points(lat, lng, resolution), located


def _cell_rows(cells: npt.NDArray[np.uint64], **columns: list[Any]) -> list[dict[str, Any]]:
    """One dict per cell: its index (hex), centre, boundary and the given columns."""
    boundaries = grid.cell_boundaries(cells)
    centres = [h3.cell_to_latlng(h3.int_to_str(int(cell))) for cell in cells.tolist()]
    names = list(columns)
    rows = []
    for position, cell in enumerate(cells.tolist()):
        row: dict[str, Any] = {
            "cell": h3.int_to_str(int(cell)),
            "lat": round(centres[position][0], 6),
            "lng": round(centres[position][1], 6),
            "boundary": [[round(a, 6), round(b, 6)] for a, b in boundaries[position]],
        }
        for name in names:
            row[name] = columns[name][position]
        rows.append(row)
    return rows


def _extent(rows: list[dict[str, Any]]) -> dict[str, float] | None:
    points = [point for row in rows for point in row["boundary"]]
    if not points:
        return None
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    return {"south": min(lats), "north": max(lats), "west": min(lngs), "east": max(lngs)}


# ----------------------------------------------------------------------------- hot spots


def kernel_density_map(events: Events, universe: npt.NDArray[np.uint64]) -> dict[str, Any] | None:
    """The quartic kernel density of the located events over the universe's extent, with
    ArcGIS's default search radius, on a raster of at most ``KDE_MAX_SIDE`` cells a side,
    in events per km². None when the rule gives no radius (fewer than two distinct points).
    """
    located = events.located
    lat, lng = events.lat[located], events.lng[located]
    if lat.size < 2:
        return None
    centres = np.array([h3.cell_to_latlng(h3.int_to_str(int(c))) for c in universe.tolist()])
    edge = h3.average_hexagon_edge_length(h3.get_resolution(h3.int_to_str(int(universe[0]))), "m")
    south, north = centres[:, 0].min(), centres[:, 0].max()
    west, east = centres[:, 1].min(), centres[:, 1].max()
    centre = ((south + north) / 2, (west + east) / 2)
    x, y = project(lat, lng, centre=centre)
    corner_x, corner_y = project(np.array([south, north]), np.array([west, east]), centre=centre)
    x_min, x_max = float(corner_x[0]) - edge, float(corner_x[1]) + edge
    y_min, y_max = float(corner_y[0]) - edge, float(corner_y[1]) + edge
    cell_size = max(x_max - x_min, y_max - y_min) / KDE_MAX_SIDE
    try:
        raster = density.kernel_density(
            x, y, cell_size=cell_size, bounds=(x_min, y_min, x_max, y_max), per_square_km=True
        )
    except ValueError:
        return None
    rows, cols = raster.density.shape
    # The projection is linear in latitude and longitude, so the raster is a regular grid
    # of degrees too: its corners are enough to place it on a map.
    metres_per_degree_lat = math.radians(1) * 6_371_008.8
    metres_per_degree_lng = metres_per_degree_lat * math.cos(math.radians(centre[0]))
    return {
        "rows": rows,
        "cols": cols,
        "cell_size_m": round(raster.cell_size, 2),
        "radius_m": round(raster.radius, 2),
        "unit": raster.unit,
        "north": centre[0] + raster.y_max / metres_per_degree_lat,
        "south": centre[0] + raster.y_min / metres_per_degree_lat,
        "west": centre[1] + raster.x_min / metres_per_degree_lng,
        "east": centre[1] + raster.x_max / metres_per_degree_lng,
        "max": float(raster.density.max()),
        "density": [_round(row, 3) for row in raster.density],
    }


def hotspots_of_events(
    events: Events,
    *,
    resolution: int,
    rings: int = 1,
    permutations: int = 999,
    seed: int | None = None,
    polygons: Sequence[BaseGeometry] | None = None,
    with_density: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Gi* hot spots of the located events on an H3 grid (zero cells of the study area
    included), with conditional-permutation p-values and ArcGIS's Gi_Bin after the
    Benjamini-Hochberg correction, and the kernel density raster for the map.

    ``cells`` lists every cell with events or a significant bin: its index, centre,
    boundary, count, z, p (the permutation p-value, two-sided; the normal one without
    permutations), p_norm, bin (−3 … +3) and confidence (90/95/99 or None).
    """
    report = _stage(progress, 0.0, 1.0)
    universe, event_cells, _located = _grid(events, resolution, polygons)
    counts = grid.cell_counts(event_cells, universe)
    weights = grid.ring_weights(universe, k=rings)
    report(0.1)
    result = hotspots.gi_star(
        counts, weights, permutations=permutations, seed=seed, progress=_stage(progress, 0.1, 0.85)
    )
    shown = np.flatnonzero((counts > 0) | (result.bins != 0))
    bins = result.bins[shown].astype(int).tolist()
    rows = _cell_rows(
        universe[shown],
        count=counts[shown].tolist(),
        z=_round(result.z[shown], 4),
        p=_round(result.p[shown], 6),
        p_norm=_round(result.p_norm[shown], 6),
        bin=bins,
        confidence=[CONFIDENCE.get(abs(b)) for b in bins],
    )
    report(0.9)
    kde = kernel_density_map(events, universe) if with_density else None
    report(1.0)
    all_bins = result.bins.astype(int)
    return {
        "kind": "hotspots",
        "selection": _selection(events),
        "resolution": resolution,
        "rings": rings,
        "permutations": permutations,
        "seed": seed,
        "fdr": result.fdr,
        "universe": {
            "cells": int(universe.size),
            "cells_with_events": int(np.count_nonzero(counts)),
            "events_counted": int(counts.sum()),
        },
        "summary": {str(b): int(np.count_nonzero(all_bins == b)) for b in range(-3, 4)},
        "cells": rows,
        "extent": _extent(rows),
        "kde": kde,
    }


def hotspot_analysis(
    query: EventQuery, params: dict[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    events = load_events(query)
    _stage(progress, 0, 1)(0.05)
    return hotspots_of_events(
        events,
        resolution=int(params["resolution"]),
        rings=int(params.get("rings", 1)),
        permutations=int(params.get("permutations", 999)),
        seed=params.get("seed"),
        polygons=study_polygons(query),
        progress=_stage(progress, 0.05, 1.0),
    )


# ----------------------------------------------------------------------------- emerging

EMERGING_CATEGORIES = emerging.CATEGORY_CODES


def emerging_of_events(
    events: Events,
    *,
    first_month: int,
    months: int,
    resolution: int,
    rings: int = 1,
    time_steps: int = 1,
    polygons: Sequence[BaseGeometry] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Emerging hot spots on a monthly space-time cube from ``first_month`` (months since
    January 1970) over ``months`` months: the Gi* z-score of every cell and month with a
    neighbourhood of ``time_steps`` earlier months, the Mann-Kendall trend of each cell's
    z-scores and its category. ``cells`` lists the cells in a category (not "none")."""
    if months < 3:
        raise AnalysisError("Emerging hot spots need at least three months.")
    report = _stage(progress, 0.0, 1.0)
    in_period = (events.month >= first_month) & (events.month < first_month + months)
    events = events.subset(in_period)
    universe, event_cells, located = _grid(events, resolution, polygons)
    position = np.searchsorted(universe, event_cells)
    position = np.minimum(position, universe.size - 1)
    inside = universe[position] == event_cells
    month_index = events.month[located][inside] - first_month
    cube = emerging.space_time_cube(position[inside], month_index, universe.size, months)
    weights = grid.ring_weights(universe, k=rings)
    report(0.3)
    found = emerging.emerging_hot_spots(cube, weights, time_window=time_steps + 1)
    report(0.9)
    shown = np.flatnonzero(found.categories != emerging.NO_PATTERN)
    totals = cube.sum(axis=1)
    rows = _cell_rows(
        universe[shown],
        category=[str(c) for c in found.categories[shown]],
        count=totals[shown].tolist(),
        last_z=_round(found.gi_z[shown, -1], 4),
        trend=found.trend.trend[shown].astype(int).tolist(),
        trend_z=_round(found.trend.z[shown], 4),
        trend_p=_round(found.trend.p[shown], 6),
        tau=_round(found.trend.tau[shown], 4),
        hot_months=found.significant[shown].sum(axis=1).astype(int).tolist(),
        series=cube[shown].tolist(),
    )
    report(1.0)
    month_labels = [
        str(np.datetime64("1970-01", "M") + np.timedelta64(first_month + m, "M"))
        for m in range(months)
    ]
    return {
        "kind": "emerging",
        "selection": _selection(events),
        "resolution": resolution,
        "rings": rings,
        "time_steps": time_steps,
        "alpha": found.alpha,
        "months": month_labels,
        "monthly_events": cube.sum(axis=0).astype(int).tolist(),
        "universe": {"cells": int(universe.size), "events_counted": int(cube.sum())},
        "summary": {
            code: int(np.count_nonzero(found.categories == code)) for code in EMERGING_CATEGORIES
        },
        "cells": rows,
        "extent": _extent(rows),
    }


def _month_number(day: date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


def emerging_analysis(
    query: EventQuery, params: dict[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    if query.start is None or query.end is None:
        raise AnalysisError("Emerging hot spots need a period.")
    first = _month_number(query.start)
    months = _month_number(query.end) - first + 1
    events = load_events(query)
    return emerging_of_events(
        events,
        first_month=first,
        months=months,
        resolution=int(params["resolution"]),
        rings=int(params.get("rings", 1)),
        time_steps=int(params.get("time_steps", 1)),
        polygons=study_polygons(query),
        progress=_stage(progress, 0.05, 1.0),
    )


# ----------------------------------------------------------------------------- near repeats


def knox_of_events(
    events: Events,
    *,
    metric: knox.Metric,
    space_bandwidth: float,
    space_bands: int,
    time_bandwidth: int,
    time_bands: int,
    permutations: int,
    seed: int | None,
    today: date,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The Knox test of the located events (projected to metres around their centre), in
    the Near Repeat Calculator's layout, with the near-repeat window and the alerts for
    the events of the last days up to ``today``."""
    located = events.located
    events = events.subset(located)
    if len(events) < 2:
        raise AnalysisError("The Knox test needs at least two events with a location.")
    x, y = project(events.lat, events.lng)
    stage = _stage(progress, 0.05, 0.95)
    result = knox.knox(
        x,
        y,
        events.day,
        metric=metric,
        space_bandwidth=space_bandwidth,
        space_bands=space_bands,
        time_bandwidth=time_bandwidth,
        time_bands=time_bands,
        permutations=permutations,
        seed=seed,
        progress=lambda done, total: stage(done / max(total, 1)),
    )
    window = knox.near_repeat_window(result)
    alerts = knox.near_repeat_alerts(x=x, y=y, days=events.day, result=result, today=today)
    warnings = []
    if _day_precision_share(events) < DAY_PRECISION_NEEDED:
        warnings.append("month_precision")
    return {
        "kind": "knox",
        "selection": {**_selection(events), "unlocated": 0},
        "knox": result.to_dict(),
        "window": window.to_dict() if window is not None else None,
        "today": today.isoformat(),
        "alerts": [
            {
                "day": alert.day.isoformat(),
                "until": alert.until.isoformat(),
                "radius": alert.radius,
                "metric": alert.metric,
                # Staff only, and a point of the event itself, rounded to about 10 m.
                "lat": round(float(events.lat[alert.index]), 4),
                "lng": round(float(events.lng[alert.index]), 4),
                "category": events.category_keys[int(events.category[alert.index])],
                "linked": len(alert.linked),
            }
            for alert in alerts[:200]
        ],
        "alerts_total": len(alerts),
        "warnings": warnings,
    }


def knox_analysis(
    query: EventQuery, params: dict[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    events = load_events(query)
    result = knox_of_events(
        events,
        metric=params.get("metric", "manhattan"),
        space_bandwidth=float(params["space_bandwidth"]),
        space_bands=int(params["space_bands"]),
        time_bandwidth=int(params["time_bandwidth"]),
        time_bands=int(params["time_bands"]),
        permutations=int(params.get("permutations", 99)),
        seed=params.get("seed"),
        today=query.end or timezone.localdate(),
        progress=progress,
    )
    result["selection"]["unlocated"] = events.unlocated_count
    result["selection"]["events"] = len(events)
    return result


# ----------------------------------------------------------------------------- repeats


def _repeat_rows(ranking: Any) -> list[dict[str, Any]]:
    return [
        {
            "key": row.key,
            "count": row.count,
            "share": round(row.share, 6),
            "first": row.first.isoformat() if row.first else None,
            "last": row.last.isoformat() if row.last else None,
            "categories": row.categories,
            "median_days_between": (
                round(row.median_days_between, 2) if row.median_days_between is not None else None
            ),
        }
        for row in ranking.rows
    ]


def _ranking_summary(ranking: Any) -> dict[str, Any]:
    return {
        "events": ranking.events,
        "unkeyed": ranking.unkeyed,
        "keys": ranking.keys,
        "repeat_keys": ranking.repeat_keys,
        "repeat_events": ranking.repeat_events,
        "vital_few_share": round(ranking.vital_few_share, 6),
    }


def repeats_of_events(events: Events, *, limit: int = 20, minimum: int = 2) -> dict[str, Any]:
    """Repeat locations and repeat victims, ranked (pseudonymous keys only)."""
    from ourbeat.analytics import repeats

    categories = np.array(events.category_keys, dtype=object)[events.category]
    dates = (EPOCH + events.day.astype("timedelta64[D]")).astype("datetime64[D]")
    places = repeats.repeat_locations(
        events.location_key, categories, dates=dates, minimum=minimum, limit=limit
    )
    victims = repeats.repeat_victims(
        events.victim_key, categories, dates=dates, minimum=minimum, limit=limit
    )
    location_rows = _repeat_rows(places)
    # Where each ranked place is: the cell (resolution 9, about 0.1 km²) of one of its
    # events, never the exact point.
    first_point: dict[str, tuple[float, float]] = {}
    wanted = {row["key"] for row in location_rows}
    mask = np.isin(events.location_key, list(wanted)) & events.located
    for key, lat, lng in zip(
        events.location_key[mask].tolist(),
        events.lat[mask].tolist(),
        events.lng[mask].tolist(),
        strict=True,
    ):
        first_point.setdefault(key, (lat, lng))
    # The place of a ranked location as police.uk (or the partner's extract) names it: the
    # first name among these events (oldest first), without asking the database again.
    texts = events.location_texts()
    named = np.isin(events.location_key, list(wanted)) & (texts != "")
    names: dict[str, str] = {}
    for key, text in zip(events.location_key[named].tolist(), texts[named].tolist(), strict=True):
        names.setdefault(key, text)
    for row in location_rows:
        row["where"] = names.get(row["key"], "")
        point = first_point.get(row["key"])
        if point is not None:
            cell = h3.latlng_to_cell(point[0], point[1], 9)
            centre = h3.cell_to_latlng(cell)
            row["cell"] = cell
            row["lat"], row["lng"] = round(centre[0], 6), round(centre[1], 6)
    return {
        "kind": "repeats",
        "selection": _selection(events),
        "minimum": minimum,
        "limit": limit,
        "locations": {"summary": _ranking_summary(places), "rows": location_rows},
        "victims": {"summary": _ranking_summary(victims), "rows": _repeat_rows(victims)},
    }


def repeats_analysis(
    query: EventQuery, params: dict[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    events = load_events(query)
    _stage(progress, 0, 1)(0.5)
    return repeats_of_events(
        events, limit=int(params.get("limit", 20)), minimum=int(params.get("minimum", 2))
    )


# ----------------------------------------------------------------------------- evaluation


def evaluation_of_events(
    before: Events,
    after: Events,
    *,
    resolution: int,
    rings: int = 1,
    permutations: int = 999,
    seed: int | None = None,
    confidence: int = 95,
    polygons: Sequence[BaseGeometry] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The Gi* hot spot map of ``before`` (cells hot at ``confidence`` or more) judged
    against ``after``: hit rate, PAI and RRI. Both periods share one study area; H3 cells
    of one resolution have nearly equal areas (within a fraction of a per cent across a
    town), so the area share is the share of cells."""
    level = {90: 1, 95: 2, 99: 3}.get(confidence)
    if level is None:
        raise AnalysisError("The confidence must be 90, 95 or 99.")
    both = Events(
        lat=np.concatenate([before.lat, after.lat]),
        lng=np.concatenate([before.lng, after.lng]),
        day=np.concatenate([before.day, after.day]),
        month=np.concatenate([before.month, after.month]),
        hour=np.concatenate([before.hour, after.hour]),
        weekday=np.concatenate([before.weekday, after.weekday]),
        category=np.concatenate([before.category, after.category]),
        location_key=np.concatenate([before.location_key, after.location_key]),
        victim_key=np.concatenate([before.victim_key, after.victim_key]),
        kind=np.concatenate([before.kind, after.kind]),
        ids=np.concatenate([before.ids, after.ids]),
    )
    universe, _cells, _located = _grid(both, resolution, polygons)
    counts_before = grid.cell_counts(
        grid.cells_for_points(before.lat, before.lng, resolution), universe
    )
    counts_after = grid.cell_counts(
        grid.cells_for_points(after.lat, after.lng, resolution), universe
    )
    weights = grid.ring_weights(universe, k=rings)
    result = hotspots.gi_star(
        counts_before,
        weights,
        permutations=permutations,
        seed=seed,
        progress=_stage(progress, 0.1, 0.9),
    )
    hot = result.bins >= level
    judged = evaluation.evaluate_hot_spots(
        hot_spots=hot, counts_before=counts_before, counts_after=counts_after
    )
    shown = np.flatnonzero(hot)
    rows = _cell_rows(
        universe[shown],
        count_before=counts_before[shown].tolist(),
        count_after=counts_after[shown].tolist(),
        z=_round(result.z[shown], 4),
        bin=result.bins[shown].astype(int).tolist(),
    )
    return {
        "kind": "evaluation",
        "selection": _selection(before),
        "test_selection": _selection(after),
        "resolution": resolution,
        "rings": rings,
        "permutations": permutations,
        "seed": seed,
        "confidence": confidence,
        "universe": {"cells": int(universe.size)},
        "hot_cells": int(shown.size),
        "events_before": int(judged.events_before),
        "events_in_hot_spots_before": int(judged.events_in_hot_spots_before),
        "events_after": int(judged.events_total),
        "events_in_hot_spots_after": int(judged.events_in_hot_spots),
        "area_share": judged.area_share,
        "hit_rate": judged.hit_rate,
        "pai": judged.predictive_accuracy_index,
        "rri": judged.recapture_rate_index,
        "cells": rows,
        "extent": _extent(rows),
    }


def evaluation_analysis(
    query: EventQuery, params: dict[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    test_query = query.with_period(
        date.fromisoformat(params["test_start"]), date.fromisoformat(params["test_end"])
    )
    before = load_events(query)
    after = load_events(test_query)
    result = evaluation_of_events(
        before,
        after,
        resolution=int(params["resolution"]),
        rings=int(params.get("rings", 1)),
        permutations=int(params.get("permutations", 999)),
        seed=params.get("seed"),
        confidence=int(params.get("confidence", 95)),
        polygons=study_polygons(query),
        progress=_stage(progress, 0.05, 1.0),
    )
    result["test_period"] = [params["test_start"], params["test_end"]]
    return result


ANALYSES: dict[str, Callable[[EventQuery, dict[str, Any], Progress | None], dict[str, Any]]] = {
    "hotspots": hotspot_analysis,
    "emerging": emerging_analysis,
    "knox": knox_analysis,
    "repeats": repeats_analysis,
    "evaluation": evaluation_analysis,
}


# ----------------------------------------------------------------------------- runs


def input_key(kind: str, query: EventQuery, params: dict[str, Any], version: str) -> str:
    """The hash that identifies one input: the same analysis of the same data."""
    payload = {"kind": kind, "query": query.to_dict(), "params": params, "data": version}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def progress_key(run_id: int) -> str:
    return f"analytics:run:{run_id}:progress"


def run_progress(run: AnalysisRun) -> float | None:
    """How far a run is (0..1): the progress cache while it runs (shared by every process),
    the row once it has finished; None when unknown (not started, or its entry expired)."""
    if run.status == RunStatus.DONE:
        return 1.0
    value = caches["progress"].get(progress_key(run.pk))
    return float(value) if value is not None else None


def _stale(run: AnalysisRun) -> bool:
    if run.status == RunStatus.FAILED:
        return True
    if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run.created_at < timezone.now() - RUN_STALE_AFTER
    return False


def _enqueue_after_commit(run_id: int) -> None:
    from ourbeat.analytics.analysis_tasks import run_analysis_task

    transaction.on_commit(lambda: run_analysis_task.enqueue(run_id=run_id), robust=False)


def run_analysis(*, kind: str, query: EventQuery, params: dict[str, Any], user: Any) -> AnalysisRun:
    """The run of this analysis on this input: the stored one when the same input was asked
    for before (whoever asked), otherwise a new run, queued to be computed after commit. A
    failed run (or one whose worker died) is queued again."""
    if kind not in ANALYSES:
        raise ValueError(f"unknown analysis {kind!r}")
    version = data_version(query.organisation_id)
    key = input_key(kind, query, params, version)
    existing = AnalysisRun.objects.filter(
        organisation_id=query.organisation_id, kind=kind, input_key=key
    ).first()
    if existing is not None and not _stale(existing):
        return existing
    actor = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        if existing is not None:
            AnalysisRun.objects.filter(pk=existing.pk).update(
                status=RunStatus.QUEUED,
                progress=0.0,
                error="",
                result=None,
                finished_at=None,
                created_at=timezone.now(),
                requested_by=actor,
            )
            run = AnalysisRun.objects.get(pk=existing.pk)
            audit.record(
                "analytics.run.create",
                actor=user,
                obj=run,
                data={"kind": kind, "input_key": key, "again": True},
            )
        else:
            run, created = AnalysisRun.objects.get_or_create(
                organisation_id=query.organisation_id,
                kind=kind,
                input_key=key,
                defaults={
                    "parameters": {"query": query.to_dict(), "params": params, "data": version},
                    "requested_by": actor,
                },
            )
            if not created:
                # Another request created it a moment ago: it is already queued.
                return run
            audit.record(
                "analytics.run.create",
                actor=user,
                obj=run,
                data={"kind": kind, "input_key": key, "parameters": run.parameters},
            )
        _enqueue_after_commit(run.pk)
    return run


def execute_run(*, run_id: int) -> AnalysisRun | None:
    """Compute a queued run and store its result (or its error). Idempotent: a run that is
    done, or that another worker has claimed, is left alone."""
    claimed = AnalysisRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=0.0
    )
    run = AnalysisRun.objects.filter(pk=run_id).first()
    if not claimed or run is None:
        return run
    key = progress_key(run_id)
    progress = caches["progress"]
    progress.set(key, 0.0, timeout=int(RUN_STALE_AFTER.total_seconds()))

    def report(fraction: float) -> None:
        progress.set(key, round(fraction, 3), timeout=int(RUN_STALE_AFTER.total_seconds()))

    status, result, error = RunStatus.DONE, None, ""
    try:
        query = EventQuery.from_dict(run.parameters["query"])
        result = ANALYSES[run.kind](query, run.parameters["params"], report)
    except ValueError as failure:
        # The analysis refused its input (too few events, a study area too large, …).
        status, error = RunStatus.FAILED, str(failure)[:2000]
    except Exception:
        logger.exception("analysis run %s failed", run_id)
        status, error = RunStatus.FAILED, "The analysis failed unexpectedly."
    AnalysisRun.objects.filter(pk=run_id).update(
        status=status,
        result=result,
        error=error,
        progress=1.0 if status == RunStatus.DONE else 0.0,
        finished_at=timezone.now(),
    )
    progress.delete(key)
    return AnalysisRun.objects.get(pk=run_id)


def query_of_run(run: AnalysisRun) -> EventQuery:
    return EventQuery.from_dict(run.parameters["query"])


def run_area_id(run: AnalysisRun) -> int | None:
    """The area a run was limited to (None: the whole organisation, or a run of another
    shape, such as recurring concerns)."""
    query = run.parameters.get("query") if isinstance(run.parameters, dict) else None
    area_id = query.get("area_id") if isinstance(query, dict) else None
    return int(area_id) if area_id is not None else None
