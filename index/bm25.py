"""BM25 scoring with rank-bm25, made sound for one article and fast for millions of characters.

rank-bm25's ``BM25Okapi`` uses Robertson's IDF, which is negative for a term in
more than half of the passages and exactly zero at half; it then floors negatives
to a fraction of the mean. On an article of a dozen passages that means common
words get arbitrary weight, a two-passage corpus scores all zeros, and a term in
one of two passages counts for nothing. Lucene's IDF, ``log(1 + (N - n + 0.5) /
(n + 0.5))``, is positive for every term and still favours rare ones; it is the
one Elasticsearch and Lucene use, which is what people compare against.

rank-bm25 also loops in Python over every document for every question term. Here
it scores only candidates: units (sentences, paragraphs) that hold a question term,
and of those only the ones that can still reach the top k (MaxScore pruning, exact:
the top k and their order are those of scoring every unit).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np
from rank_bm25 import BM25Okapi

# Measured on KorQuAD dev per article (benchmarks/README.md): k1 0.6–1.2 with
# b 0.25–0.5 is a plateau; 0.9 / 0.5 beats the usual 1.5 / 0.75 by 1.5 points.
# Less length normalization suits sentences and short passages.
K1 = 0.9
B = 0.5

T = TypeVar("T", bound=Hashable)  # a term: a morpheme's text, or a bigram's key


def lucene_idf(df: np.ndarray | int, units: int) -> np.ndarray:
    """Lucene's IDF of terms held by ``df`` of ``units`` units (0: a term never seen)."""
    return np.log1p((units - np.asarray(df) + 0.5) / (np.asarray(df) + 0.5))


def mean_length(unit_len: np.ndarray) -> float:
    """BM25's average unit length; 1 for a corpus without terms, to stay defined."""
    return float(unit_len.mean()) if len(unit_len) and unit_len.any() else 1.0


class LuceneBM25(BM25Okapi):
    """``BM25Okapi`` with Lucene's non-negative IDF."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        n_docs = self.corpus_size
        self.idf = {term: float(lucene_idf(n, n_docs)) for term, n in nd.items()}


def run_starts(values: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` starts a run of equal values (sorted or grouped
    arrays: postings by unit, passages by paragraph, bigram occurrences)."""
    starts = np.empty(len(values), dtype=bool)
    starts[:1] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts


@dataclass(frozen=True, eq=False)
class Postings:
    """For each term id, the units (sentences, paragraphs…) holding it, ascending, and
    how often: CSR arrays, the inverted form of a unit → terms list."""

    offsets: np.ndarray  # int64 [V + 1]
    units: np.ndarray  # int32 [N]
    tf: np.ndarray  # int32 [N]
    doc_len: np.ndarray  # int32 [U], terms per unit

    @classmethod
    def from_terms(cls, term_offsets: np.ndarray, term_id: np.ndarray, vocabulary: int) -> Postings:
        """Invert unit → terms (``term_offsets`` [U + 1] over ``term_id``) with one sort."""
        units = max(len(term_offsets) - 1, 1)
        doc_len = np.diff(term_offsets).astype(np.int32)
        owner = np.repeat(np.arange(len(doc_len), dtype=np.int64), doc_len)
        keys, tf = np.unique(term_id.astype(np.int64) * units + owner, return_counts=True)
        offsets = np.searchsorted(keys // units, np.arange(vocabulary + 1)).astype(np.int64)
        return cls(
            offsets=offsets,
            units=(keys % units).astype(np.int32),
            tf=tf.astype(np.int32),
            doc_len=doc_len,
        )


def batch_scores(
    idf: Mapping[T, float],
    freqs: Mapping[int, Mapping[T, int]],
    doc_len: np.ndarray,
    avgdl: float,
    k1: float = K1,
    b: float = B,
) -> dict[int, float]:
    """rank-bm25's ``get_batch_scores`` over the units in ``freqs`` (unit → term → count).

    The corpus statistics (IDF, average length) are given, not re-counted: the
    caller knows them for the whole corpus. rank-bm25 sees only the candidates,
    renumbered from 0, so it never copies or walks arrays as long as the corpus.
    """
    if not freqs:
        return {}
    units = list(freqs)
    bm25 = LuceneBM25.__new__(LuceneBM25)
    bm25.k1, bm25.b, bm25.avgdl, bm25.idf = k1, b, avgdl, dict(idf)
    bm25.doc_freqs, bm25.doc_len = list(freqs.values()), doc_len[units]
    bm25.corpus_size = len(units)
    scores = bm25.get_batch_scores(list(idf), range(len(units)))
    return dict(zip(units, map(float, scores), strict=True))


class Scorer:
    """Lucene-IDF BM25 over postings; rank-bm25's ``get_batch_scores`` does the scoring.

    The units are whatever the postings count: sentences, or paragraphs.
    """

    def __init__(
        self, postings: Postings, vocabulary: Mapping[str, int], k1: float = K1, b: float = B
    ) -> None:
        self._postings = postings
        self._ids = vocabulary
        self._k1, self._b = k1, b
        n = len(postings.doc_len)
        self._n = n
        self._avgdl = mean_length(postings.doc_len)
        df = np.diff(postings.offsets)
        self._idf = lucene_idf(df, n)
        self._unseen_idf = float(lucene_idf(0, n))
        # For top()'s bounds: each term's highest frequency in any unit, and each
        # unit's length part of the BM25 denominator.
        tf, offsets = postings.tf, postings.offsets
        self._max_tf = np.zeros(len(df), dtype=np.float64)
        held = np.flatnonzero(df)
        if len(held):
            self._max_tf[held] = np.maximum.reduceat(tf, offsets[held])
        self._norm = k1 * (1 - b + b * postings.doc_len / self._avgdl)

    def idf(self, term: str) -> float:
        """The weight of a term; one the corpus never uses weighs the most."""
        i = self._ids.get(term)
        return self._unseen_idf if i is None else float(self._idf[i])

    def _gather(self, query: list[str]) -> _QueryPostings:
        """The query terms' postings end to end, with one fancy index (numpy calls cost
        microseconds each; a question makes dozens of them per term otherwise)."""
        ids = np.array([self._ids[t] for t in query], dtype=np.int64)
        starts = self._postings.offsets[ids]
        sizes = self._postings.offsets[ids + 1] - starts
        at = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        return _QueryPostings(
            query,
            ids,
            np.repeat(np.arange(len(query)), sizes),
            self._postings.units[at],
            self._postings.tf[at],
        )

    def _score(self, postings: _QueryPostings, candidates: np.ndarray) -> dict[int, float]:
        """rank-bm25's own scoring of the candidates, with only their frequencies loaded.

        rank-bm25 loops in Python over every candidate for every query term, so it is
        asked only about the candidates that hold a query term and the terms some
        candidate holds: the others score, and add, exactly 0. A candidate without a
        query term is left out of the result.
        """
        if not len(candidates):
            return {}
        wanted = np.zeros(self._n, dtype=bool)
        wanted[candidates] = True
        inside = wanted[postings.units]
        query = postings.query
        freqs: dict[int, dict[str, int]] = {}
        terms = postings.term[inside].tolist()
        for term, unit, count in zip(
            terms, postings.units[inside].tolist(), postings.tf[inside].tolist(), strict=True
        ):
            counts = freqs.get(unit)
            if counts is None:
                counts = freqs[unit] = {}
            counts[query[term]] = count
        idf = {query[term]: self.idf(query[term]) for term in sorted(set(terms))}
        return batch_scores(idf, freqs, self._postings.doc_len, self._avgdl, self._k1, self._b)

    def score_units(self, terms: Iterable[str], units: Iterable[int]) -> dict[int, float]:
        """BM25 scores of the given units that share a term with the query."""
        query = [t for t in dict.fromkeys(terms) if t in self._ids]
        return self._score(self._gather(query), np.unique(np.fromiter(units, dtype=np.int64)))

    def scores(self, terms: Iterable[str]) -> dict[int, float]:
        """BM25 score of every unit that shares at least one term, by unit number."""
        query = [t for t in dict.fromkeys(terms) if t in self._ids]
        if not query:
            return {}
        postings = self._gather(query)
        return self._score(postings, np.unique(postings.units))

    def top(self, terms: Iterable[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best (unit, score), best first, ties by unit order; exact.

        BM25 grows with a term's frequency, so a term adds at most what its highest
        frequency anywhere would add in this unit (with the unit's own length), and a
        unit's score is at most the sum of that bound over the question terms it
        holds — computed for every candidate at once with numpy. The bound is exact
        for a term that is never repeated in a unit, as most are in a sentence.
        rank-bm25 scores the candidates with the highest bounds, then every other
        candidate whose bound reaches the k-th best of those scores: the units left
        cannot enter the top k, and are never scored. Two calls at most.
        """
        query = [t for t in dict.fromkeys(terms) if t in self._ids]
        if not query or k < 1:
            return []
        postings = self._gather(query)
        # Each unit's entries together, in query order (each term's postings are
        # sorted, and a stable sort of a few sorted runs is a merge): no array as
        # long as the corpus is made or scanned.
        order = np.argsort(postings.units, kind="stable")
        units, term = postings.units[order], postings.term[order]
        top_tf = self._max_tf[postings.ids]
        most = self._idf[postings.ids] * (self._k1 + 1) * top_tf
        starts = np.flatnonzero(run_starts(units))
        left = units[starts]
        bound = np.add.reduceat(most[term] / (top_tf[term] + self._norm[units]), starts)
        bound *= 1 + 1e-9  # rounding must never bring a bound below the score it bounds
        first = max(2 * k, 64)
        if len(left) > first:
            pick = np.argpartition(-bound, first - 1)[:first]
            found = self._score(postings, np.sort(left[pick]))
            kth = np.partition(np.fromiter(found.values(), dtype=np.float64), -k)[-k]
            rest = bound >= kth
            rest[pick] = False
            if rest.any():
                found |= self._score(postings, left[rest])
        else:
            found = self._score(postings, left)
        scored_units = np.fromiter(found, dtype=np.int64, count=len(found))
        scored = np.fromiter(found.values(), dtype=np.float64, count=len(found))
        best = np.lexsort((scored_units, -scored))[:k]
        return [
            (unit, score)
            for unit, score in zip(scored_units[best].tolist(), scored[best].tolist(), strict=True)
            if score > 0
        ]


class _QueryPostings(NamedTuple):
    """The postings of a query's terms (with their ids), end to end: for each entry,
    its term (a place in ``query``), its unit and the term's frequency there."""

    query: list[str]
    ids: np.ndarray
    term: np.ndarray
    units: np.ndarray
    tf: np.ndarray
