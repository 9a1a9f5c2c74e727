"""Gi* z-scores equal PySAL esda's ``G_Local(y, w, transform="B", star=True)`` to 1e-9:
on libpysal's bundled ``columbus`` data set (queen contiguity and a distance band, binary),
and on an H3 grid of the real Essex police.uk month with its empty cells.

esda is given the binary weights without their diagonal: with ``star=True`` it puts 1 on
the diagonal itself (``fill_diagonal``), which is the matrix ours receives."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import geopandas
import libpysal
import numpy as np
import pytest
import scipy.sparse as sp
from esda.getisord import G_Local
from scipy import stats

from ourbeat.analytics.grid import cell_counts, cells_for_points, ring_weights, study_cells
from ourbeat.analytics.stats.hotspots import gi_star, gi_star_z

ESSEX = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "policeuk"
    / "street"
    / "2018-03-essex-street.csv"
)


@pytest.fixture(scope="module")
def columbus() -> geopandas.GeoDataFrame:
    return geopandas.read_file(libpysal.examples.get_path("columbus.shp"))


def esda_z(y: np.ndarray, w: libpysal.weights.W) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(y, w, transform="B", star=True, permutations=0).Zs


def with_self(w: libpysal.weights.W) -> sp.csr_array:
    """The binary matrix of ``w`` with 1 on the diagonal, as esda's star=True builds it."""
    matrix = sp.csr_array(w.sparse, dtype=np.float64, copy=True)
    matrix.data[:] = 1.0
    return sp.csr_array(matrix + sp.eye_array(w.n, format="csr"))


def queen(frame: geopandas.GeoDataFrame) -> libpysal.weights.W:
    return libpysal.weights.Queen.from_dataframe(frame, use_index=False)


def distance_band(frame: geopandas.GeoDataFrame) -> libpysal.weights.W:
    # 0.8 map units between centroids: no islands, 2 to 14 neighbours.
    return libpysal.weights.DistanceBand.from_dataframe(
        frame, threshold=0.8, binary=True, silence_warnings=True
    )


@pytest.mark.parametrize("contiguity", [queen, distance_band])
def test_gi_star_z_equals_esda_on_columbus(columbus, contiguity):
    w = contiguity(columbus)
    crime = columbus["CRIME"].to_numpy(dtype=np.float64)

    ours = gi_star_z(crime, with_self(w))

    np.testing.assert_allclose(ours, esda_z(crime, w), rtol=0, atol=1e-9)
    assert np.abs(ours).max() > 2  # Columbus' crime clusters: a comparison with substance


def test_gi_star_normal_p_values_are_twice_esdas_one_sided_ones(columbus):
    w = queen(columbus)
    crime = columbus["CRIME"].to_numpy(dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = G_Local(crime, w, transform="B", star=True, permutations=0)

    result = gi_star(crime, with_self(w), permutations=0)

    assert result.p_sim is None
    np.testing.assert_allclose(result.p_norm, 2 * reference.p_norm, rtol=1e-12, atol=0)
    np.testing.assert_allclose(result.p, 2 * stats.norm.sf(np.abs(reference.Zs)), atol=1e-12)


def essex_counts(resolution: int, crime_type: str | None) -> tuple[np.ndarray, np.ndarray]:
    with ESSEX.open(newline="", encoding="utf-8") as handle:
        rows = [
            row
            for row in csv.DictReader(handle)
            if row["Latitude"] and (crime_type is None or row["Crime type"] == crime_type)
        ]
    lat = np.array([float(row["Latitude"]) for row in rows])
    lng = np.array([float(row["Longitude"]) for row in rows])
    universe = study_cells(resolution, lat=lat, lng=lng)
    counts = cell_counts(cells_for_points(lat, lng, resolution), universe)
    return universe, counts.astype(np.float64)


@pytest.mark.parametrize("crime_type", [None, "Burglary"])
def test_gi_star_z_equals_esda_on_an_h3_grid_of_the_essex_month(crime_type):
    universe, counts = essex_counts(8, crime_type)
    weights = ring_weights(universe, 1)
    off_diagonal = sp.csr_matrix(weights, copy=True)
    off_diagonal.setdiag(0)
    off_diagonal.eliminate_zeros()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cells whose whole ring is outside the area
        w = libpysal.weights.W.from_sparse(off_diagonal)

    ours = gi_star_z(counts, weights)

    assert (counts == 0).mean() > 0.5  # the empty cells are in the universe
    np.testing.assert_allclose(ours, esda_z(counts, w), rtol=0, atol=1e-9)
