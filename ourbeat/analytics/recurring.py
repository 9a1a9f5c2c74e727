"""Recurring concerns: reports of the same problem, found among the concerns of an area and a
period, and the "is it one of these?" suggestions of the report form.

Two concerns are compared only when they are close in place and time (blocking): their exact
points fall in the same or neighbouring H3 cells and they were reported within a window of
days. Candidate pairs are then scored by the similarity of their texts, and pairs above the
threshold are joined into clusters (connected components).

The scorer and its threshold were chosen by measuring the candidates on a labelled set of
English and Russian pairs (``data/recurring_labelled_pairs.json``, ``bench/
recurring_similarity.py``, ``docs/decisions/0005-recurring-concern-similarity.md``):
character n-gram TF-IDF, a sentence embedding that ships inside a PyPI package (WordLlama,
loaded from the package's own files, never downloaded), and combinations of the two.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import h3
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import average_precision_score

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from ourbeat.concerns.models import Category, Concern
    from ourbeat.places.models import Area

ScorerName = Literal["tfidf", "embedding", "max", "mean"]
SCORERS: tuple[ScorerName, ...] = ("tfidf", "embedding", "max", "mean")

# Blocking: the H3 resolution of the cells that concerns are compared within (with their
# neighbours); resolution 9 cells have edges of about 175 m. And the time window in days.
BLOCK_RESOLUTION = 9
WINDOW_DAYS = 60

# Chosen by the figures (docs/decisions/0005; tests/analytics/test_recurring_labelled_set.py
# recomputes them and fails when the choice no longer follows): the scorer, its threshold
# (the best F1 on the training split), the TF-IDF weight of the weighted mean, and the
# stricter threshold at which a concern of another category is offered on the report form
# (the lowest threshold with a precision of at least OTHER_CATEGORY_PRECISION on training).
SCORER: ScorerName = "tfidf"
THRESHOLD = 0.521
MEAN_TFIDF_WEIGHT = 0.0
OTHER_CATEGORY_THRESHOLD = 0.630
# A false link merges two problems into one cluster (and chains on to others), so the
# threshold is the best F1 among those that keep the precision at TARGET_PRECISION or more.
TARGET_PRECISION = 0.9
OTHER_CATEGORY_PRECISION = 1.0

LABELLED_PAIRS = Path(__file__).resolve().parent / "data" / "recurring_labelled_pairs.json"

# The suggestions look this far around the resident's point (in edges of the category's
# public cell): the same ring of cells as ``concerns.selectors.nearby_open``.
SUGGESTION_RINGS = 2
# At most this many open concerns are scored for one suggestion list.
SUGGESTION_CANDIDATES = 200
# Text kept in a cluster's summary.
SUMMARY_CHARS = 240
# The staff page and the API refuse to cluster more concerns than this at once.
MAX_CONCERNS = 20_000


# ----------------------------------------------------------------------------- the embedding

WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256


def _wordllama_files() -> tuple[Path, Path]:
    """The weights and the tokenizer that the wordllama package ships in its own directory.

    ``WordLlama.load()`` looks for the tokenizer in ``wordllama/tokenizer/`` (singular) while
    the package installs it in ``wordllama/tokenizers/``, so it never finds it and downloads
    it from the Hugging Face hub; with ``disable_download`` it fails instead. So the files are
    opened here directly, and nothing is ever fetched."""
    import importlib.util

    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise RuntimeError("The wordllama package is not installed.")
    package = Path(spec.origin).parent
    return (
        package / "weights" / f"{WORDLLAMA_CONFIG}_{WORDLLAMA_DIM}.safetensors",
        package / "tokenizers" / f"{WORDLLAMA_CONFIG}_tokenizer_config.json",
    )


@lru_cache(maxsize=1)
def embedding_model() -> Any:
    """WordLlama (a static token-embedding model, 256 dimensions), loaded once per process
    from the package's files with no network access."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # wordllama.inference calls logging.basicConfig() when imported; keep the site's logging.
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root.handlers[:] = handlers
    root.setLevel(level)
    weights, tokenizer_file = _wordllama_files()
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    with safe_open(str(weights), framework="np", device="cpu") as tensors:
        embedding = tensors.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, tokenizer)


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length sentence embeddings (one row per text; zeros for an empty text)."""
    if not texts:
        return np.zeros((0, WORDLLAMA_DIM), dtype=np.float32)
    vectors = np.asarray(embedding_model().embed(list(texts), norm=False), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


# ----------------------------------------------------------------------------- TF-IDF


@lru_cache(maxsize=1)
def background_texts() -> tuple[str, ...]:
    """Texts that steady the inverse document frequencies when only a few concerns are
    compared (a suggestion list scores a handful): the labelled set's texts, in both
    languages."""
    pairs = load_labelled_pairs()
    return tuple(text for pair in pairs for text in (pair["a"], pair["b"]))


def tfidf_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """Character 3- to 5-gram TF-IDF rows of unit length, one per text, with the document
    frequencies counted over the texts and the background corpus."""
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True
    )
    background = list(background_texts())
    matrix = vectorizer.fit_transform([*texts, *background])
    return sparse.csr_matrix(matrix[: len(texts)])


def _row_dots(left_rows: Any, right_rows: Any) -> np.ndarray:
    if sparse.issparse(left_rows):
        return np.asarray(left_rows.multiply(right_rows).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", left_rows, right_rows)


def pair_similarities(
    texts: Sequence[str], left: np.ndarray, right: np.ndarray
) -> dict[ScorerName, np.ndarray]:
    """The similarity of each pair (``texts[left[k]]``, ``texts[right[k]]``) under every
    scorer: cosines of the TF-IDF rows and of the embeddings, their maximum, and their
    weighted mean."""
    return _similarities(texts, left, right, list(SCORERS))


def _similarities(
    texts: Sequence[str], left: np.ndarray, right: np.ndarray, wanted: list[ScorerName]
) -> dict[ScorerName, np.ndarray]:
    scores: dict[ScorerName, np.ndarray] = {}
    if len(left) == 0:
        return {name: np.zeros(0) for name in wanted}
    if {"tfidf", "max", "mean"} & set(wanted):
        tfidf = tfidf_vectors(texts)
        scores["tfidf"] = np.clip(_row_dots(tfidf[left], tfidf[right]), 0.0, 1.0)
    if {"embedding", "max", "mean"} & set(wanted):
        vectors = embed(texts)
        scores["embedding"] = np.clip(_row_dots(vectors[left], vectors[right]), 0.0, 1.0)
    if "max" in wanted:
        scores["max"] = np.maximum(scores["tfidf"], scores["embedding"])
    if "mean" in wanted:
        scores["mean"] = combine_mean(scores["tfidf"], scores["embedding"], MEAN_TFIDF_WEIGHT)
    return {name: scores[name] for name in wanted}


def combine_mean(tfidf: np.ndarray, embedding: np.ndarray, weight: float) -> np.ndarray:
    return weight * tfidf + (1.0 - weight) * embedding


def chosen_similarities(texts: Sequence[str], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The similarity of each pair under the chosen scorer (``SCORER``)."""
    return _similarities(texts, left, right, [SCORER])[SCORER]


# ----------------------------------------------------------------------------- blocking


def h3_cells(latitudes: np.ndarray, longitudes: np.ndarray, resolution: int) -> np.ndarray:
    """The H3 cell of each point, as 64-bit integers (h3 has no vectorised call for this)."""
    return np.fromiter(
        (
            h3.str_to_int(h3.latlng_to_cell(float(lat), float(lng), resolution))
            for lat, lng in zip(latitudes, longitudes, strict=True)
        ),
        dtype=np.uint64,
        count=len(latitudes),
    )


def _neighbour_cells(cells: np.ndarray) -> sparse.csr_matrix:
    """Which of the given (distinct, sorted) cells are the same or neighbours: a boolean
    matrix built from each cell's ring of radius 1 (one h3 call per distinct cell)."""
    rows: list[int] = []
    columns: list[int] = []
    for index, cell in enumerate(cells.tolist()):
        ring = np.array(
            [h3.str_to_int(c) for c in h3.grid_disk(h3.int_to_str(cell), 1)], dtype=np.uint64
        )
        position = np.searchsorted(cells, ring)
        position = np.minimum(position, len(cells) - 1)
        found = position[cells[position] == ring]
        rows.extend([index] * len(found))
        columns.extend(found.tolist())
    data = np.ones(len(rows), dtype=bool)
    return sparse.csr_matrix((data, (rows, columns)), shape=(len(cells), len(cells)))


def candidate_pairs(
    latitudes: np.ndarray,
    longitudes: np.ndarray,
    days: np.ndarray,
    *,
    categories: np.ndarray | None = None,
    resolution: int = BLOCK_RESOLUTION,
    window_days: float = WINDOW_DAYS,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (i < j) of events in the same or neighbouring H3 cells of ``resolution``
    whose times (``days``, as day numbers) differ by at most ``window_days``, and, when
    ``categories`` is given, that share a category.

    Events are first grouped into blocks of (cell, time bucket of ``window_days``); two
    events can only pair when their blocks are neighbours in space (the cell's ring of radius
    1) and in time (the same or the next bucket), so the work grows with the pairs that are
    close, never with all pairs. The exact time condition is checked last."""
    latitudes = np.asarray(latitudes, dtype=np.float64)
    longitudes = np.asarray(longitudes, dtype=np.float64)
    days = np.asarray(days, dtype=np.float64)
    count = len(latitudes)
    empty = np.zeros(0, dtype=np.int64)
    if count < 2:
        return empty, empty
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    cells = h3_cells(latitudes, longitudes, resolution)
    distinct_cells, cell_of = np.unique(cells, return_inverse=True)
    bucket = np.floor((days - days.min()) / window_days).astype(np.int64)
    buckets = int(bucket.max()) + 1
    # Each event's block, and which blocks are occupied.
    block_code = cell_of.astype(np.int64) * buckets + bucket
    blocks, block_of = np.unique(block_code, return_inverse=True)
    block_cell, block_bucket = np.divmod(blocks, buckets)
    # Neighbouring blocks: every neighbour cell of a block's cell, in the same bucket or the
    # ones before and after, kept when occupied. Expanded with numpy from the cells' CSR rows.
    adjacency = _neighbour_cells(distinct_cells)
    degree = np.diff(adjacency.indptr)[block_cell]
    source = np.repeat(np.arange(len(blocks)), degree)
    starts = np.repeat(adjacency.indptr[block_cell], degree)
    offsets = np.arange(len(source)) - np.repeat(np.cumsum(degree) - degree, degree)
    neighbour_cell = adjacency.indices[starts + offsets]
    source = np.repeat(source, 3)
    neighbour_cell = np.repeat(neighbour_cell, 3)
    neighbour_bucket = block_bucket[source] + np.tile(np.array([-1, 0, 1]), len(source) // 3)
    inside = (neighbour_bucket >= 0) & (neighbour_bucket < buckets)
    wanted = neighbour_cell[inside].astype(np.int64) * buckets + neighbour_bucket[inside]
    source = source[inside]
    position = np.minimum(np.searchsorted(blocks, wanted), len(blocks) - 1)
    hit = blocks[position] == wanted
    block_graph = sparse.csr_matrix(
        (np.ones(int(hit.sum()), dtype=np.int8), (source[hit], position[hit])),
        shape=(len(blocks), len(blocks)),
    )
    membership = sparse.csr_matrix(
        (np.ones(count, dtype=np.int8), (np.arange(count), block_of)),
        shape=(count, len(blocks)),
    )
    pairs = sparse.triu(membership @ block_graph @ membership.T, k=1).tocoo()
    left, right = pairs.row.astype(np.int64), pairs.col.astype(np.int64)
    keep = np.abs(days[left] - days[right]) <= window_days
    if categories is not None:
        categories = np.asarray(categories)
        keep &= categories[left] == categories[right]
    order = np.lexsort((right[keep], left[keep]))
    return left[keep][order], right[keep][order]


def cluster_labels(
    count: int, left: np.ndarray, right: np.ndarray, linked: np.ndarray
) -> np.ndarray:
    """The connected component of each of ``count`` events in the graph of the linked pairs."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    graph = sparse.csr_matrix(
        (np.ones(int(linked.sum()), dtype=np.int8), (left[linked], right[linked])),
        shape=(count, count),
    )
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


# ----------------------------------------------------------------------------- measuring


def load_labelled_pairs(path: Path = LABELLED_PAIRS) -> list[dict[str, Any]]:
    """The labelled pairs: ``a``, ``b``, ``same_problem``, ``split`` (train or test),
    ``language`` and ``kind``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data["pairs"])


@dataclass(frozen=True)
class Operating:
    """Precision, recall and F1 of a scorer at a threshold."""

    threshold: float
    precision: float
    recall: float
    f1: float


def threshold_table(scores: np.ndarray, labels: np.ndarray) -> list[Operating]:
    """Precision, recall and F1 when every pair scoring at least the threshold is called the
    same problem, for each threshold between two successive distinct scores (the midpoint),
    highest first."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    distinct = np.unique(scores)[::-1]
    if len(distinct) == 0:
        return []
    # Midpoints between successive distinct scores, so that a threshold sits between the
    # pairs it separates rather than on one of them.
    thresholds = np.append((distinct[:-1] + distinct[1:]) / 2, distinct[-1] / 2)
    called = scores[None, :] >= thresholds[:, None]
    true_positive = (called & labels[None, :]).sum(axis=1)
    positive_calls = called.sum(axis=1)
    precision = np.divide(
        true_positive, positive_calls, out=np.zeros(len(thresholds)), where=positive_calls > 0
    )
    recall = true_positive / max(int(labels.sum()), 1)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros(len(thresholds)), where=total > 0)
    return [
        Operating(float(t), float(p), float(r), float(f))
        for t, p, r, f in zip(thresholds, precision, recall, f1, strict=True)
    ]


def best_threshold(
    scores: np.ndarray, labels: np.ndarray, min_precision: float = TARGET_PRECISION
) -> Operating:
    """The threshold of highest F1 among those whose precision is at least
    ``min_precision`` (the highest such threshold when several tie); when none reaches it,
    the threshold of highest precision."""
    table = threshold_table(scores, labels)
    precise = [row for row in table if row.precision >= min_precision]
    if not precise:
        return max(table, key=lambda row: (row.precision, row.f1, row.threshold))
    return max(precise, key=lambda row: (row.f1, row.threshold))


def precise_threshold(scores: np.ndarray, labels: np.ndarray, precision: float) -> float:
    """The lowest threshold whose precision is at least ``precision`` at it and at every
    higher threshold (1.0 when none is)."""
    table = threshold_table(scores, labels)
    chosen = 1.0
    for row in table:  # highest threshold first: stop at the first that falls short
        if row.precision < precision:
            break
        chosen = row.threshold
    return chosen


def operating_at(scores: np.ndarray, labels: np.ndarray, threshold: float) -> Operating:
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    called = scores >= threshold
    true_positive = int((called & labels).sum())
    precision = true_positive / int(called.sum()) if called.any() else 0.0
    recall = true_positive / max(int(labels.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Operating(threshold, precision, recall, f1)


@dataclass(frozen=True)
class ScorerFigures:
    """One scorer measured: threshold (and mean weight) chosen on the training split,
    precision, recall and F1 at that threshold and average precision on the held-out split
    (and on training, for reference)."""

    scorer: ScorerName
    threshold: float
    tfidf_weight: float | None
    train: Operating
    test: Operating
    train_average_precision: float
    test_average_precision: float
    other_category_threshold: float


@dataclass(frozen=True)
class Evaluation:
    figures: dict[ScorerName, ScorerFigures]
    chosen: ScorerName
    train_pairs: int
    test_pairs: int
    by_kind: dict[str, dict[ScorerName, float]] = field(default_factory=dict)


def evaluate(pairs: list[dict[str, Any]] | None = None) -> Evaluation:
    """Measure every scorer on the labelled set: thresholds and the weight of the mean are
    chosen on the training split; the figures that decide are those of the held-out split.
    The chosen scorer has the highest held-out F1 (then average precision, then the simpler
    scorer, in the order of ``SCORERS``)."""
    pairs = load_labelled_pairs() if pairs is None else pairs
    texts = [text for pair in pairs for text in (pair["a"], pair["b"])]
    left = np.arange(0, len(texts), 2)
    right = left + 1
    scores = _similarities(texts, left, right, ["tfidf", "embedding", "max"])
    labels = np.array([bool(pair["same_problem"]) for pair in pairs])
    train = np.array([pair["split"] == "train" for pair in pairs])
    test = ~train
    # The weight of the mean: the best training F1 over a grid (0 and 1 are the two scorers).
    weights = np.round(np.linspace(0.0, 1.0, 21), 2)

    def training_merit(weight: float) -> tuple[float, float]:
        mean = combine_mean(scores["tfidf"], scores["embedding"], weight)[train]
        return (
            round(best_threshold(mean, labels[train]).f1, 6),
            round(float(average_precision_score(labels[train], mean)), 6),
        )

    weight = float(max(weights, key=training_merit))
    scores["mean"] = combine_mean(scores["tfidf"], scores["embedding"], weight)
    figures: dict[ScorerName, ScorerFigures] = {}
    for name in SCORERS:
        chosen_on_train = best_threshold(scores[name][train], labels[train])
        figures[name] = ScorerFigures(
            scorer=name,
            threshold=chosen_on_train.threshold,
            tfidf_weight=weight if name == "mean" else None,
            train=chosen_on_train,
            test=operating_at(scores[name][test], labels[test], chosen_on_train.threshold),
            train_average_precision=float(
                average_precision_score(labels[train], scores[name][train])
            ),
            test_average_precision=float(average_precision_score(labels[test], scores[name][test])),
            other_category_threshold=precise_threshold(
                scores[name][train], labels[train], OTHER_CATEGORY_PRECISION
            ),
        )
    chosen = max(
        SCORERS,
        key=lambda name: (
            round(figures[name].test.f1, 6),
            round(figures[name].test_average_precision, 6),
            -SCORERS.index(name),
        ),
    )
    kinds = sorted({f"{pair['language']} {pair['kind']}" for pair in pairs})
    by_kind: dict[str, dict[ScorerName, float]] = {}
    for kind in kinds:
        rows = np.array([f"{pair['language']} {pair['kind']}" == kind for pair in pairs]) & test
        by_kind[kind] = {
            name: float(((scores[name][rows] >= figures[name].threshold) == labels[rows]).mean())
            for name in SCORERS
        }
    return Evaluation(
        figures=figures,
        chosen=chosen,
        train_pairs=int(train.sum()),
        test_pairs=int(test.sum()),
        by_kind=by_kind,
    )


# ----------------------------------------------------------------------------- clusters


@dataclass(frozen=True)
class ClusterMember:
    reference: str
    reported: datetime
    category: str
    status: str
    neighbourhood: str


@dataclass(frozen=True)
class RecurringCluster:
    """Concerns that look like one recurring problem: their references, how many, the mix of
    categories, the period, a representative text (published or masked, never the
    reporter), and the centre of the H3 cell at the members' mean point."""

    members: list[ClusterMember]
    categories: list[tuple[str, int]]
    first_reported: datetime
    last_reported: datetime
    text: str
    cell: str
    latitude: float
    longitude: float
    area_id: int
    area_slug: str
    area_name: str
    mean_similarity: float

    @property
    def size(self) -> int:
        return len(self.members)

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "concerns": [member.reference for member in self.members],
            "categories": [{"name": name, "count": count} for name, count in self.categories],
            "first_reported": self.first_reported,
            "last_reported": self.last_reported,
            "text": self.text,
            "cell": self.cell,
            "centre": (self.latitude, self.longitude),
            "neighbourhood": self.area_slug,
            "mean_similarity": round(self.mean_similarity, 3),
        }


def _display_text(row: Mapping[str, Any]) -> str:
    """The published text when there is one; otherwise the description with e-mail
    addresses, telephone numbers and number plates masked, as publication would."""
    from ourbeat.core.text import mask_personal_details

    if row["published_at"] is not None and not row["hidden"] and row["public_text"]:
        text = str(row["public_text"])
    else:
        text = mask_personal_details(str(row["description"]))
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def _days(moments: Sequence[datetime]) -> np.ndarray:
    return np.array([moment.timestamp() / 86400.0 for moment in moments], dtype=np.float64)


def recurring_clusters(
    *,
    concerns: QuerySet[Concern],
    resolution: int = BLOCK_RESOLUTION,
    window_days: float = WINDOW_DAYS,
    same_category: bool = False,
) -> list[RecurringCluster]:
    """Clusters of two or more concerns of ``concerns`` (already scoped and filtered by the
    caller) whose texts are alike under the chosen scorer, largest first. For staff: the
    text compared is the resident's own description; the text shown is the published one or
    the masked description, and no reporter is ever read."""
    from ourbeat.concerns.models import Category
    from ourbeat.places.models import Area

    rows = list(
        concerns.order_by("created_at", "pk").values(
            "pk",
            "reference",
            "latitude",
            "longitude",
            "created_at",
            "category_id",
            "area_id",
            "status",
            "description",
            "public_text",
            "published_at",
            "hidden",
        )[: MAX_CONCERNS + 1]
    )
    if len(rows) > MAX_CONCERNS:
        raise ValueError("too many concerns")
    if len(rows) < 2:
        return []
    latitudes = np.array([row["latitude"] for row in rows], dtype=np.float64)
    longitudes = np.array([row["longitude"] for row in rows], dtype=np.float64)
    days = _days([row["created_at"] for row in rows])
    category_ids = np.array([row["category_id"] for row in rows], dtype=np.int64)
    left, right = candidate_pairs(
        latitudes,
        longitudes,
        days,
        categories=category_ids if same_category else None,
        resolution=resolution,
        window_days=window_days,
    )
    if len(left) == 0:
        return []
    # Only the concerns that take part in a candidate pair are scored.
    involved = np.unique(np.concatenate([left, right]))
    local = np.full(len(rows), -1, dtype=np.int64)
    local[involved] = np.arange(len(involved))
    texts = [str(rows[i]["description"]) for i in involved.tolist()]
    similarity = chosen_similarities(texts, local[left], local[right])
    linked = similarity >= THRESHOLD
    labels = cluster_labels(len(rows), left, right, linked)
    sizes = np.bincount(labels)
    # The representative: the member most like the others (highest sum of link scores).
    strength = np.bincount(left[linked], similarity[linked], minlength=len(rows)) + np.bincount(
        right[linked], similarity[linked], minlength=len(rows)
    )
    edge_label = labels[left[linked]]
    link_sum = np.bincount(edge_label, similarity[linked], minlength=len(sizes))
    link_count = np.bincount(edge_label, minlength=len(sizes))
    categories = {c.pk: c for c in Category.objects.filter(pk__in=set(category_ids.tolist()))}
    areas = {
        a.pk: a
        for a in Area.objects.filter(pk__in={row["area_id"] for row in rows}).only(
            "pk", "slug", "name"
        )
    }
    clusters: list[RecurringCluster] = []
    for label in np.flatnonzero(sizes >= 2).tolist():
        members = np.flatnonzero(labels == label)
        chosen = int(members[np.argmax(strength[members])])
        member_rows = [rows[i] for i in members.tolist()]
        lat, lng = float(latitudes[members].mean()), float(longitudes[members].mean())
        cell = h3.latlng_to_cell(lat, lng, resolution)
        centre_lat, centre_lng = h3.cell_to_latlng(cell)
        area_id = Counter(row["area_id"] for row in member_rows).most_common(1)[0][0]
        area = areas[area_id]
        mix = Counter(categories[row["category_id"]].label for row in member_rows)
        clusters.append(
            RecurringCluster(
                members=[
                    ClusterMember(
                        reference=row["reference"],
                        reported=row["created_at"],
                        category=categories[row["category_id"]].label,
                        status=row["status"],
                        neighbourhood=areas[row["area_id"]].name,
                    )
                    for row in member_rows
                ],
                categories=sorted(mix.items(), key=lambda item: (-item[1], item[0])),
                first_reported=member_rows[0]["created_at"],
                last_reported=member_rows[-1]["created_at"],
                text=_display_text(rows[chosen]),
                cell=cell,
                latitude=round(centre_lat, 6),
                longitude=round(centre_lng, 6),
                area_id=area.pk,
                area_slug=area.slug,
                area_name=area.name,
                mean_similarity=float(link_sum[label] / max(link_count[label], 1)),
            )
        )
    clusters.sort(key=lambda c: (-c.size, -c.last_reported.timestamp(), c.members[0].reference))
    return clusters


def clusters_input_key(concerns: QuerySet[Concern], parameters: dict[str, Any]) -> str:
    """A key for caching the clusters of ``concerns``: the query itself (so that two users
    with different scopes never share an entry), the parameters, the scorer, and the version
    of the data (how many concerns, the latest change)."""
    from django.db.models import Count, Max

    version = concerns.order_by().aggregate(n=Count("pk"), changed=Max("updated_at"))
    material = json.dumps(
        {
            "query": str(concerns.order_by().query),
            "parameters": parameters,
            "scorer": [SCORER, THRESHOLD, MEAN_TFIDF_WEIGHT],
            "n": version["n"],
            "changed": version["changed"].isoformat() if version["changed"] else None,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()


# ----------------------------------------------------------------------------- suggestions


def _cells_within(latitude: float, longitude: float, resolution: int, radius_m: float) -> set[int]:
    """The cells of ``resolution`` whose centres lie within ``radius_m`` of the point."""
    edge = h3.average_hexagon_edge_length(resolution, unit="m")
    rings = max(1, math.ceil(radius_m / (math.sqrt(3) * edge)) + 1)
    centre = h3.latlng_to_cell(latitude, longitude, resolution)
    disk = list(h3.grid_disk(centre, rings))
    points = np.array([h3.cell_to_latlng(c) for c in disk])
    distance = _haversine_m(latitude, longitude, points[:, 0], points[:, 1])
    return {h3.str_to_int(c) for c, d in zip(disk, distance, strict=True) if d <= radius_m}


def _haversine_m(lat: float, lng: float, lats: np.ndarray, lngs: np.ndarray) -> np.ndarray:
    phi1, phi2 = np.radians(lat), np.radians(lats)
    dphi, dlmb = phi2 - phi1, np.radians(lngs - lng)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


def similar_open_concerns(
    category: Category, latitude: float, longitude: float, text: str, limit: int = 5
) -> list[Concern]:
    """Open, published concerns near a point that may be the one the resident is about to
    report ("is it one of these?"): those of the same category, most similar first (newest
    first when there is no text yet), and those of another category whose text is very
    similar (residents do not always pick the same category for the same problem).

    Public data only: the concerns of ``public_concerns()`` (published, not hidden), found
    through their public H3 cells around the point, compared on their published text; never
    a sensitive category, and nothing for a sensitive one."""
    from ourbeat.concerns.models import OPEN_STATUSES, Category
    from ourbeat.concerns.selectors import public_concerns

    if category.sensitive or limit <= 0:
        return []
    # The same reach as nearby_open: the ring of radius 2 around the point's cell, for every
    # public resolution in use (categories may snap to different cell sizes).
    reach = SUGGESTION_RINGS * math.sqrt(3) * h3.average_hexagon_edge_length(
        category.public_resolution, unit="m"
    ) + h3.average_hexagon_edge_length(category.public_resolution, unit="m")
    resolutions = set(
        Category.objects.filter(sensitive=False).values_list("public_resolution", flat=True)
    ) | {category.public_resolution}
    same_cells = {
        h3.str_to_int(c)
        for c in h3.grid_disk(
            h3.latlng_to_cell(latitude, longitude, category.public_resolution), SUGGESTION_RINGS
        )
    }
    cells = set(same_cells)
    for resolution in resolutions - {category.public_resolution}:
        cells |= _cells_within(latitude, longitude, resolution, reach)
    candidates = list(
        public_concerns()
        .filter(status__in=OPEN_STATUSES, public_cell__in=sorted(cells), category__sensitive=False)
        .order_by("-created_at", "-pk")[:SUGGESTION_CANDIDATES]
    )
    same = [c for c in candidates if c.category_id == category.pk and c.public_cell in same_cells]
    text = (text or "").strip()
    if not text:
        return same[:limit]
    others = [c for c in candidates if c.category_id != category.pk]
    pool = same + others
    if not pool:
        return []
    texts = [text, *[c.public_text for c in pool]]
    right = np.arange(1, len(texts))
    scores = chosen_similarities(texts, np.zeros(len(pool), dtype=np.int64), right)
    ranked: list[tuple[float, int, Concern]] = []
    for position, (concern, score) in enumerate(zip(pool, scores.tolist(), strict=True)):
        if concern.category_id == category.pk or score >= OTHER_CATEGORY_THRESHOLD:
            ranked.append((score, -position, concern))
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [concern for _, _, concern in ranked[:limit]]


# ----------------------------------------------------------------------------- requests

# The longest period one request may cluster, and the period shown when none is chosen.
MAX_PERIOD_DAYS = 366
DEFAULT_PERIOD_DAYS = 90
# Longer values are refused before any query (no slug or code is this long).
MAX_PARAMETER_CHARS = 100


@dataclass(frozen=True)
class RecurringRequest:
    """What to cluster: an area the user covers (None: all of them), a period of days
    (inclusive) and optionally one category."""

    area: Any
    start: date
    end: date
    category: Any

    def parameters(self) -> dict[str, Any]:
        return {
            "area": self.area.slug if self.area is not None else "",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "category": self.category.code if self.category is not None else "",
        }


def scan_areas(user: Any) -> QuerySet[Area]:
    """The areas (of every level) that the user's scanning roles cover."""
    from ourbeat.core.permissions import SCAN_ROLES, area_scope
    from ourbeat.places.models import Area

    scope = area_scope(user, SCAN_ROLES, "")
    areas = Area.objects.select_related("parent").defer("boundary")
    return (areas if scope is None else areas.filter(scope)).order_by("path")


def _parse_day(value: Any, field_name: str, errors: dict[str, Any]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        from django.utils.translation import gettext as _

        errors[field_name] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def recurring_request(
    *,
    user: Any,
    today: date,
    area: str = "",
    start: Any = None,
    end: Any = None,
    category: str = "",
) -> RecurringRequest:
    """Check the filters of the page and the API. Raises ValidationError naming each bad
    field: an area the user does not cover, a date that is not one, an end before the start,
    a period longer than MAX_PERIOD_DAYS, an unknown category."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from ourbeat.concerns.models import Category

    errors: dict[str, Any] = {}
    chosen_area = None
    area = area or ""
    category = category or ""
    if area:
        if len(area) > MAX_PARAMETER_CHARS or "\x00" in area:
            chosen_area = None
        else:
            chosen_area = scan_areas(user).filter(slug=area).first()
        if chosen_area is None:
            errors["area"] = [_("Choose one of the areas you cover.")]
    chosen_category = None
    if category:
        if len(category) <= MAX_PARAMETER_CHARS and "\x00" not in category:
            chosen_category = Category.objects.filter(code=category).first()
        if chosen_category is None:
            errors["category"] = [_("Choose one of the categories.")]
    first = _parse_day(start, "start", errors)
    last = _parse_day(end, "end", errors)
    if first is None and last is None:
        last = today
    if "start" not in errors and "end" not in errors:
        # One end given: the other is DEFAULT_PERIOD_DAYS away.
        if first is None and last is not None:
            first = last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        elif last is None and first is not None:
            last = first + timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if first is not None and last is not None and last < first:
            errors["end"] = [_("The end of the period comes before its start.")]
        elif first is not None and last is not None and (last - first).days >= MAX_PERIOD_DAYS:
            errors["end"] = [
                _("Choose a period of at most %(days)d days.") % {"days": MAX_PERIOD_DAYS}
            ]
    if errors or first is None or last is None:
        raise ValidationError(errors)
    return RecurringRequest(area=chosen_area, start=first, end=last, category=chosen_category)


def request_concerns(user: Any, request: RecurringRequest) -> QuerySet[Concern]:
    """The concerns of the request that the user may analyse: in the areas their scanning
    roles cover, reported within the period (local days), of the category if one is chosen."""
    from django.utils import timezone

    from ourbeat.concerns.models import Concern
    from ourbeat.core.permissions import SCAN_ROLES, area_scope

    scope = area_scope(user, SCAN_ROLES, "area__")
    concerns = Concern.objects.all() if scope is None else Concern.objects.filter(scope)
    zone = timezone.get_current_timezone()
    concerns = concerns.filter(
        created_at__gte=datetime.combine(request.start, time.min, tzinfo=zone),
        created_at__lt=datetime.combine(request.end + timedelta(days=1), time.min, tzinfo=zone),
    )
    if request.area is not None:
        concerns = concerns.filter(
            area__organisation_id=request.area.organisation_id,
            area__path__startswith=request.area.path,
        )
    if request.category is not None:
        concerns = concerns.filter(category=request.category)
    return concerns


CACHE_SECONDS = 600


def clusters_for(user: Any, request: RecurringRequest) -> list[RecurringCluster]:
    """The recurring clusters of the request for this user, cached per input (the concerns
    read and their latest change, the parameters, the scorer)."""
    from django.core.cache import cache

    concerns = request_concerns(user, request)
    key = "recurring:" + clusters_input_key(concerns, request.parameters())
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    clusters = recurring_clusters(concerns=concerns)
    cache.set(key, clusters, CACHE_SECONDS)
    return clusters
