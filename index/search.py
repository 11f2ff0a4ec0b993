"""Question in, ranked passages out, each with the sentence that answers best."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from index.bm25 import Postings, Scorer
from index.morphemes import Term, analyzer_version, question_terms
from index.passages import Columns, Passage, Progress, Span, split_passages
from index.text import Document, normalize_question


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked passage.

    ``number`` counts passages from 1 within the passage's document, as a reader
    would; ``sentence`` is the best-matching sentence and ``matched`` the passage's
    terms that the question shares, both with spans for highlighting. ``coverage``
    is the share of the question's IDF weight that the passage contains: 1.0 means
    every word of the question is there, near 0 means the passage only touches it.
    """

    passage: Passage
    number: int
    score: float
    sentence: Span
    matched: tuple[Term, ...]
    coverage: float


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What a saved index says about itself."""

    source_sha256: str
    analyzer: str
    created: float = field(default_factory=time.time)
    seconds: float = 0.0


class Index:
    """Documents, their passages as arrays, and a BM25 scorer over the passages' terms.

    Building one costs no per-passage Python objects: loading a saved index of
    millions of characters is a matter of reading its arrays.
    """

    def __init__(
        self,
        documents: Sequence[Document],
        columns: Columns,
        info: BuildInfo,
        postings: Postings,
    ) -> None:
        self.documents = tuple(documents)
        self.columns = columns
        self.info = info
        self.postings = postings
        self._scorer = Scorer(self.postings, {term: i for i, term in enumerate(columns.vocabulary)})
        # Passage i is number i - first + 1 of its document (documents are contiguous).
        self._first = np.searchsorted(columns.passage_document, np.arange(len(self.documents)))

    @cached_property
    def passages(self) -> tuple[Passage, ...]:
        """Every passage as an object: for tests and whole-corpus walks, not for answering."""
        return tuple(self.passage(i) for i in range(len(self.columns)))

    def passage(self, i: int) -> Passage:
        return self.columns.passage(i)

    @property
    def passage_count(self) -> int:
        return len(self.columns)

    @property
    def characters(self) -> int:
        return sum(len(d.text) for d in self.documents)

    def passage_text(self, passage: Passage) -> str:
        return self.documents[passage.document].text[passage.start : passage.end]

    def search(self, question: str, k: int = 3) -> list[Hit]:
        """The ``k`` best passages for a question, best first; empty when none matches."""
        terms = question_terms(normalize_question(question))
        wanted = list(dict.fromkeys(t.text for t in terms))
        total = sum(self._scorer.idf(t) for t in wanted)
        return [self._hit(i, score, wanted, total) for i, score in self._scorer.top(wanted, k)]

    def _hit(self, i: int, score: float, wanted: list[str], total: float) -> Hit:
        passage = self.passage(i)
        shared = set(wanted) & {t.text for t in passage.terms}
        matched = tuple(t for t in passage.terms if t.text in shared)
        return Hit(
            passage=passage,
            number=i - int(self._first[passage.document]) + 1,
            score=score,
            sentence=self._best_sentence(passage, matched),
            matched=matched,
            coverage=sum(self._scorer.idf(t) for t in shared) / total if total else 0.0,
        )

    def _best_sentence(self, passage: Passage, matched: tuple[Term, ...]) -> Span:
        """The sentence holding the most question weight; the first one on a tie."""

        def weight(sentence: Span) -> float:
            inside = {t.text for t in matched if sentence.start <= t.start < sentence.end}
            return sum(self._scorer.idf(t) for t in inside)

        return max(passage.sentences, key=weight)


def source_sha256(documents: Sequence[Document]) -> str:
    """A fingerprint of the indexed text, to tell which text an index was built from."""
    digest = hashlib.sha256()
    for d in documents:
        for part in (d.title, d.text, d.source):
            digest.update(part.encode())
            digest.update(b"\x00")
    return digest.hexdigest()


def build(documents: Sequence[Document], progress: Progress | None = None) -> Index:
    """Index documents: passages, morphemes, BM25."""
    started = time.perf_counter()
    columns = split_passages(documents, progress)
    postings = Postings.from_terms(columns.term_offsets, columns.term_id, len(columns.vocabulary))
    info = BuildInfo(
        source_sha256=source_sha256(documents),
        analyzer=analyzer_version(),
        seconds=time.perf_counter() - started,
    )
    return Index(documents, columns, info, postings)
