"""The hot spot analysis over the database: the events the query selects (one organisation,
one category, located ones placed, the others counted), the study area's cells including
empty ones, Gi* z-scores equal to esda's on that grid, a planted cluster found as a hot
spot (and nothing far from it), and the kernel density peaking where the cluster is."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import esda
import h3
import numpy as np
import pytest
import scipy.sparse as sp
from libpysal.weights import WSP

from ourbeat.analytics.analyses import hotspot_analysis
from ourbeat.analytics.events import EventQuery
from ourbeat.analytics.keys import incident_row_keys, location_keys
from ourbeat.analytics.models import Incident
from ourbeat.places.models import Area, Organisation
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.django_db

SOUTH, NORTH, WEST, EAST = 51.99, 52.01, -1.02, -0.98
CLUSTER = (52.0003, -1.0004)
START = date(2024, 1, 1)


def organisation_with_area() -> tuple[Organisation, Area]:
    tag = unique_tag()
    organisation = Organisation.objects.create(
        kind="police_service", name=f"Testshire {tag}", slug=f"testshire-{tag}"
    )
    ring = [[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]
    area = Area.objects.create(
        organisation=organisation,
        level="service",
        name=f"Testshire {tag}",
        slug=f"testshire-{tag}",
        code=tag,
        boundary={"type": "Polygon", "coordinates": [ring]},
        centre_lat=(SOUTH + NORTH) / 2,
        centre_lng=(WEST + EAST) / 2,
        min_lat=SOUTH,
        max_lat=NORTH,
        min_lng=WEST,
        max_lng=EAST,
    )
    area.path = f"{area.pk}/"
    area.save(update_fields=["path"])
    return organisation, area


def plant(
    organisation: Organisation,
    lats: Sequence[float | None],
    lngs: Sequence[float | None],
    days: Sequence[date],
    *,
    category: str = "burglary",
) -> None:
    keys = location_keys(lats, lngs)
    tag = unique_tag()
    Incident.objects.bulk_create(
        Incident(
            organisation=organisation,
            source="csv",
            row_key=incident_row_keys([day.replace(day=1)], [f"{tag}-{i}"])[0],
            category=category,
            month=day.replace(day=1),
            occurred_on=day,
            date_precision="day",
            latitude=lat,
            longitude=lng,
            location_key=key,
        )
        for i, (lat, lng, day, key) in enumerate(zip(lats, lngs, days, keys, strict=True))
    )


def esda_z(counts: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """esda's Gi* (binary weights, star) on the cells' one-ring neighbourhoods, built with
    h3's own grid_disk."""
    position = {int(cell): i for i, cell in enumerate(cells.tolist())}
    rows, cols = [], []
    for i, cell in enumerate(cells.tolist()):
        for other in h3.grid_disk(h3.int_to_str(int(cell)), 1):
            j = position.get(h3.str_to_int(other))
            if j is not None and j != i:
                rows.append(i)
                cols.append(j)
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cells), len(cells)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = WSP(matrix).to_W(silence_warnings=True)
        return np.asarray(
            esda.G_Local(counts.astype(float), w, transform="B", star=True, permutations=0).Zs
        )


@pytest.fixture
def planted(db: Any) -> dict[str, Any]:
    organisation, area = organisation_with_area()
    rng = np.random.default_rng(5)
    # A cluster some 300 m across (a cell of resolution 9 and its neighbours: conditional
    # permutation tests a cell's neighbourhood, so a spike in one cell alone is not one).
    clustered, scattered = 50, 50
    lats = (CLUSTER[0] + rng.normal(0, 0.0012, clustered)).tolist()
    lngs = (CLUSTER[1] + rng.normal(0, 0.0018, clustered)).tolist()
    lats += rng.uniform(SOUTH, NORTH, scattered).tolist()
    lngs += rng.uniform(WEST, EAST, scattered).tolist()
    days = [START + timedelta(days=int(d)) for d in rng.integers(0, 90, 100)]
    plant(organisation, lats, lngs, days)
    # Counted but never placed: burglaries without a location.
    plant(organisation, [None] * 3, [None] * 3, [START] * 3)
    # Left out: another category, another organisation, another period.
    plant(organisation, [CLUSTER[0]] * 5, [CLUSTER[1]] * 5, [START] * 5, category="robbery")
    other, _ = organisation_with_area()
    plant(other, [CLUSTER[0]] * 10, [CLUSTER[1]] * 10, [START] * 10)
    plant(organisation, [CLUSTER[0]] * 7, [CLUSTER[1]] * 7, [START - timedelta(days=1)] * 7)
    query = EventQuery(
        organisation_id=organisation.pk,
        categories=("burglary",),
        start=START,
        end=START + timedelta(days=89),
    )
    return {"query": query, "area": area, "lats": lats, "lngs": lngs}


def test_the_planted_cluster_is_a_hot_spot_and_nothing_else_is(planted: dict[str, Any]) -> None:
    result = hotspot_analysis(
        planted["query"], {"resolution": 9, "rings": 1, "permutations": 9999, "seed": 3}
    )
    assert result["selection"] == {"events": 103, "located": 100, "unlocated": 3}
    assert result["universe"]["events_counted"] == 100
    cluster_cell = h3.latlng_to_cell(*CLUSTER, 9)
    cells = {row["cell"]: row for row in result["cells"]}
    expected_count = sum(
        h3.latlng_to_cell(lat, lng, 9) == cluster_cell
        for lat, lng in zip(planted["lats"], planted["lngs"], strict=True)
    )
    assert cells[cluster_cell]["count"] == expected_count
    assert cells[cluster_cell]["bin"] >= 2
    assert cells[cluster_cell]["confidence"] >= 95
    # Every hot spot is part of the cluster: none far from it.
    for row in result["cells"]:
        if row["bin"] > 0:
            assert h3.great_circle_distance((row["lat"], row["lng"]), CLUSTER, unit="m") < 600


def test_the_grid_covers_the_study_area_with_its_empty_cells_and_z_equals_esda(
    planted: dict[str, Any],
) -> None:
    result = hotspot_analysis(
        planted["query"], {"resolution": 9, "rings": 1, "permutations": 0, "seed": None}
    )
    # The universe, independently: every cell whose centre is in the area, as h3 sees it.
    polygon = h3.LatLngPoly([(SOUTH, WEST), (SOUTH, EAST), (NORTH, EAST), (NORTH, WEST)])
    inside = {h3.str_to_int(c) for c in h3.polygon_to_cells(polygon, 9)}
    event_cells = {
        h3.str_to_int(h3.latlng_to_cell(lat, lng, 9))
        for lat, lng in zip(planted["lats"], planted["lngs"], strict=True)
    }
    universe = np.array(sorted(inside | event_cells), dtype=np.uint64)
    assert result["universe"]["cells"] == universe.size
    assert result["universe"]["cells_with_events"] == len(event_cells)
    counts = np.zeros(universe.size)
    index = {int(c): i for i, c in enumerate(universe.tolist())}
    for lat, lng in zip(planted["lats"], planted["lngs"], strict=True):
        counts[index[h3.str_to_int(h3.latlng_to_cell(lat, lng, 9))]] += 1
    reference = esda_z(counts, universe)
    for row in result["cells"]:
        assert row["z"] == pytest.approx(reference[index[h3.str_to_int(row["cell"])]], abs=1e-4)
    # Without permutations, p is the normal two-sided p-value of z.
    assert all(row["p"] == row["p_norm"] for row in result["cells"])


def test_the_density_peaks_at_the_cluster(planted: dict[str, Any]) -> None:
    result = hotspot_analysis(
        planted["query"], {"resolution": 9, "rings": 1, "permutations": 0, "seed": None}
    )
    kde = result["kde"]
    density = np.array(kde["density"], dtype=float)
    row, col = np.unravel_index(np.argmax(density), density.shape)
    lat = kde["north"] - (row + 0.5) * (kde["north"] - kde["south"]) / kde["rows"]
    lng = kde["west"] + (col + 0.5) * (kde["east"] - kde["west"]) / kde["cols"]
    metres = h3.great_circle_distance((lat, lng), CLUSTER, unit="m")
    assert metres < 2 * kde["cell_size_m"]
    assert kde["unit"] == "per_square_km"
    assert kde["radius_m"] > 0
