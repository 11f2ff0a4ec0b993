"""BM25 scoring with rank-bm25, made sound for the few passages of one article.

rank-bm25's ``BM25Okapi`` uses Robertson's IDF, which is negative for a term in
more than half of the passages and exactly zero at half; it then floors negatives
to a fraction of the mean. On an article of a dozen passages that means common
words get arbitrary weight, a two-passage corpus scores all zeros, and a term in
one of two passages counts for nothing. Lucene's IDF, ``log(1 + (N - n + 0.5) /
(n + 0.5))``, is positive for every term and still favours rare ones; it is the
one Elasticsearch and Lucene use, which is what people compare against.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from rank_bm25 import BM25Okapi

# Measured on KorQuAD dev per article (benchmarks/README.md): k1 0.6–1.2 with
# b 0.25–0.5 is a plateau; 0.9 / 0.5 beats the usual 1.5 / 0.75 by 1.5 points.
# Less length normalization suits sentences and short passages.
K1 = 0.9
B = 0.5


class LuceneBM25(BM25Okapi):
    """``BM25Okapi`` with Lucene's non-negative IDF."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        n_docs = self.corpus_size
        self.idf = {term: math.log1p((n_docs - n + 0.5) / (n + 0.5)) for term, n in nd.items()}


class Scorer:
    """Scores passages for a set of question terms, touching only those that can match.

    rank-bm25 loops over every passage for every term; passages that share no term
    with the question score zero anyway, so only the ones in the postings of the
    question's terms go through ``get_batch_scores``. Rankings are identical.
    """

    def __init__(self, corpus: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        # rank-bm25 divides by the mean length: an all-empty corpus needs one token.
        self._bm25 = LuceneBM25([list(doc) or [""] for doc in corpus], k1=k1, b=b)
        self._postings: dict[str, list[int]] = {}
        for i, doc in enumerate(corpus):
            for term in set(doc):
                self._postings.setdefault(term, []).append(i)
        self._unseen_idf = math.log1p((len(corpus) + 0.5) / 0.5)

    def idf(self, term: str) -> float:
        """The weight of a term; one the corpus never uses weighs the most."""
        return self._bm25.idf.get(term, self._unseen_idf)

    def scores(self, terms: Iterable[str]) -> dict[int, float]:
        """BM25 score of every passage that shares at least one term, by passage number."""
        query = [t for t in dict.fromkeys(terms) if t in self._postings]
        candidates = sorted({i for t in query for i in self._postings[t]})
        if not candidates:
            return {}
        values = np.asarray(self._bm25.get_batch_scores(query, candidates), dtype=float)
        return dict(zip(candidates, values.tolist(), strict=True))

    def contains(self, passage: int, term: str) -> bool:
        return term in self._bm25.doc_freqs[passage]
