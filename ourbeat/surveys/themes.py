"""Themes in the answers to an open question: answers that say much the same thing, grouped
so that staff can read a neighbourhood's few hundred answers as a dozen issues and send one
to the neighbourhood's priorities (``ourbeat.surveys.services.themes.theme_propose``).

How answers are grouped (``group_answers``):

1. **Text.** Lowercased, accents stripped (``strip_accents_unicode``: "café" is "cafe",
   "ё" is "е", "й" is "и"), punctuation turned into spaces (so "fly-tipping" is "fly
   tipping"), then words shorter than ``MIN_WORD`` letters dropped (articles and the short
   prepositions and conjunctions of any language: "a", "в", "у", "на"), and for answers given
   in English, scikit-learn's English stop words (``STOP_WORDS``, less a few such as "fire"
   that residents mean). Answers shorter than ``MIN_ANSWER`` characters, and those with
   nothing left after this ("n/a"), are left out (``Grouping.left_out``).
2. **Vectors.** TF-IDF over word unigrams and bigrams (weight ``WORD_WEIGHT``) side by side
   with TF-IDF over character 3- to 5-grams within words (``char_wb``, weight 1), both with
   sublinear term frequency, each part of unit length. The character n-grams are what let
   "speeding" meet "speeders", "flytipping" meet "fly tipping", and Russian inflections meet
   one another ("наркотики", "наркотиков", "наркотиками").
3. **Clustering.** Agglomerative (hierarchical) clustering on cosine distance with average
   linkage (``scipy.cluster.hierarchy``), cut at the distance ``THRESHOLD``: two groups join
   while their answers' mean cosine distance stays below it. No number of themes is fixed.
   Answers in different alphabets share no features, so English and Russian answers about the
   same issue form separate themes.

The parameters were chosen on two labelled samples of short English and Russian answers (about
a dozen issues each, 160 answers in all): a threshold of 0.92 scored best (adjusted Rand index
about 0.8), and anything from 0.89 to 0.96 came within 0.05 of it; heavier word features
and complete linkage did worse. It is a bag of words: answers that share an
incidental word ("street", "outside") can still land together, the more so when there are
only a handful of answers, which is why staff read the examples and write the title.

Each theme has its answers (most central first), a ``label`` (the most central answer: the
one with the highest mean similarity to the others, which reads better than a list of
terms), its top ``terms`` and its ``count``. Themes are ordered by size, then by their
earliest answer; the result depends only on the answers (ids, texts, languages), not on the
order they are given in. At most ``MAX_ANSWERS`` answers are grouped in one call (the
earliest by id): that many take about 3 seconds and 200 MB for a moment (the condensed
distance matrix and the linkage's copy of it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    TfidfVectorizer,
    strip_accents_unicode,
)
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from ourbeat.engagement.models import PriorityOrigin
from ourbeat.places.models import Area
from ourbeat.surveys.models import Answer, InstrumentItem, Item, Wave

MIN_ANSWER = 3
MIN_WORD = 3
MAX_ANSWERS = 5000
THRESHOLD = 0.92
WORD_WEIGHT = 0.5
CHAR_NGRAMS = (3, 5)
WORD_NGRAMS = (1, 2)
TERMS = 3
LINKAGE = "average"

NOT_A_LETTER = re.compile(r"[\W_]+")
# scikit-learn's English stop words, less the few that name what residents complain of (or
# the places they name: "Mill Lane").
KEPT_WORDS = frozenset(
    {"alone", "bill", "call", "cry", "empty", "fire", "front", "mill", "serious", "system"}
)
STOP_WORDS = ENGLISH_STOP_WORDS - KEPT_WORDS


@dataclass(frozen=True)
class OpenAnswer:
    id: int
    text: str
    language: str = ""


@dataclass
class Theme:
    answers: list[OpenAnswer]  # the most central first
    terms: list[str]

    @property
    def count(self) -> int:
        return len(self.answers)

    @property
    def label(self) -> str:
        return self.answers[0].text

    @property
    def answer_ids(self) -> list[int]:
        return sorted(answer.id for answer in self.answers)

    def examples(self, n: int = 5) -> list[OpenAnswer]:
        return self.answers[:n]


@dataclass
class Grouping:
    themes: list[Theme] = field(default_factory=list)
    # Answers too short, or with no words left once stop words are dropped ("n/a", "-").
    left_out: int = 0
    # Answers beyond MAX_ANSWERS, not grouped.
    truncated: int = 0

    @property
    def grouped(self) -> int:
        return sum(theme.count for theme in self.themes)


def normalised(text: str, language: str = "") -> str:
    """The words of an answer that count for grouping (see the module's documentation)."""
    text = NOT_A_LETTER.sub(" ", strip_accents_unicode(text.lower()))
    english = language.split("-")[0] == "en"
    return " ".join(
        word
        for word in text.split()
        if len(word) >= MIN_WORD and not (english and word in STOP_WORDS)
    )


def _vectoriser() -> FeatureUnion:
    # The texts arrive normalised: the analysers only split them.
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=WORD_NGRAMS,
                    lowercase=False,
                    sublinear_tf=True,
                    dtype=np.float64,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=CHAR_NGRAMS,
                    lowercase=False,
                    sublinear_tf=True,
                    dtype=np.float64,
                ),
            ),
        ],
        transformer_weights={"words": WORD_WEIGHT, "chars": 1.0},
    )


def _top_terms(words: Any, names: np.ndarray[Any, Any], members: np.ndarray[Any, Any]) -> list[str]:
    """The words (and pairs of words) most of the theme's answers use, heaviest first; a
    pair's words are not repeated alone."""
    block = words[members]
    used = np.asarray((block > 0).sum(axis=0)).ravel()
    weights = np.asarray(block.sum(axis=0)).ravel()
    chosen: list[str] = []
    # Ties in alphabetical order, so that the terms are deterministic.
    ranked = sorted(
        np.flatnonzero(used), key=lambda i: (-used[i], -round(float(weights[i]), 12), names[i])
    )
    for index in ranked:
        term = str(names[index])
        if any(term in other.split() or other in term.split() for other in chosen):
            continue
        chosen.append(term)
        if len(chosen) == TERMS:
            break
    return chosen


def cosine_distances(vectors: Any, rows: int = 256) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The condensed matrix (as ``scipy.spatial.distance.pdist`` gives it) of the cosine
    distances between the rows of ``vectors`` (sparse, each of unit length), computed a few
    rows at a time so that no full square matrix is ever held."""
    n = vectors.shape[0]
    condensed = np.empty(n * (n - 1) // 2, dtype=np.float64)
    transposed = vectors.T.tocsc()
    start = 0
    for first in range(0, n, rows):
        last = min(first + rows, n)
        similarity = (vectors[first:last] @ transposed).toarray()
        for i in range(first, last):
            width = n - i - 1
            condensed[start : start + width] = 1.0 - similarity[i - first, i + 1 :]
            start += width
    np.clip(condensed, 0.0, 2.0, out=condensed)
    return condensed


def group_answers(answers: Sequence[OpenAnswer], *, threshold: float = THRESHOLD) -> Grouping:
    """Group answers into themes (see the module's documentation)."""
    ordered = sorted({answer.id: answer for answer in answers}.values(), key=lambda a: a.id)
    result = Grouping()
    kept: list[OpenAnswer] = []
    texts: list[str] = []
    for answer in ordered:
        text = normalised(answer.text, answer.language)
        if len(answer.text.strip()) < MIN_ANSWER or not text:
            result.left_out += 1
            continue
        kept.append(answer)
        texts.append(text)
    if len(kept) > MAX_ANSWERS:
        result.truncated = len(kept) - MAX_ANSWERS
        kept, texts = kept[:MAX_ANSWERS], texts[:MAX_ANSWERS]
    if not kept:
        return result
    vectoriser = _vectoriser()
    vectors = normalize(vectoriser.fit_transform(texts)).tocsr()
    words_vectoriser = vectoriser.transformer_list[0][1]
    words = words_vectoriser.transform(texts)
    names = words_vectoriser.get_feature_names_out()
    if len(kept) == 1:
        labels = np.ones(1, dtype=int)
    else:
        tree = linkage(cosine_distances(vectors), method=LINKAGE)
        labels = fcluster(tree, t=threshold, criterion="distance")
    themes: list[Theme] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        block = vectors[members]
        centrality = np.asarray((block @ block.T).mean(axis=1)).ravel()
        # Most central first; ties to the shorter answer, then the earlier one.
        order = sorted(
            range(len(members)),
            key=lambda i: (-round(float(centrality[i]), 12), len(kept[members[i]].text), i),
        )
        themes.append(
            Theme(
                answers=[kept[members[i]] for i in order],
                terms=_top_terms(words, names, members),
            )
        )
    themes.sort(key=lambda theme: (-theme.count, min(theme.answer_ids)))
    result.themes = themes
    return result


# ----------------------------------------------------------------------------- a wave's


def open_items(wave: Wave) -> list[Item]:
    """The open questions (no scale) of the wave's questionnaire, in its order."""
    return [
        entry.item
        for entry in InstrumentItem.objects.filter(
            instrument_id=wave.instrument_id, item__scale__isnull=True
        )
        .select_related("item")
        .order_by("position")
    ]


def _linked(wave: Wave) -> QuerySet[Any]:
    return PriorityOrigin.objects.filter(answer__response__wave=wave).values("answer_id")


def open_answers(
    wave: Wave, item: Item, area: Area | None = None, *, unlinked: bool = True
) -> QuerySet[Answer]:
    """The answers to one open question of the wave (in one neighbourhood, or all), by
    default only those that have not yet raised a priority."""
    answers = Answer.objects.filter(response__wave=wave, item=item).exclude(text="")
    if area is not None:
        answers = answers.filter(response__area=area)
    if unlinked:
        answers = answers.exclude(pk__in=_linked(wave))
    return answers


def linked_answers(wave: Wave, item: Item, area: Area | None = None) -> int:
    """How many of those answers have already raised a priority."""
    return open_answers(wave, item, area, unlinked=False).filter(pk__in=_linked(wave)).count()


def wave_themes(wave: Wave, item: Item, area: Area | None = None) -> Grouping:
    """The themes of the answers to ``item`` in the wave, for one neighbourhood or all,
    leaving out the answers that have already raised a priority."""
    answers = open_answers(wave, item, area)
    # Enough rows to fill MAX_ANSWERS after the too-short ones are left out, in most cases.
    limit = MAX_ANSWERS * 2
    rows = list(answers.order_by("pk").values_list("pk", "text", "response__language")[:limit])
    grouping = group_answers([OpenAnswer(pk, text, language) for pk, text, language in rows])
    if len(rows) == limit:
        grouping.truncated += answers.count() - limit
    return grouping
