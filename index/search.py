"""Question in, ranked passages out, each with the sentence that answers best."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from index.bm25 import Scorer
from index.morphemes import Term, analyzer_version, question_terms
from index.passages import Passage, Progress, Span, split_passages
from index.rank import Sentences, Window
from index.text import Document, normalize_question


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked quote: whole sentences of one paragraph, chosen around the best sentence.

    ``passage`` is the quote itself (see :mod:`index.rank`), not necessarily one of
    the indexed passages; ``number`` counts indexed passages from 1 within the
    document, as a reader would, and names the one that holds the best sentence.
    ``sentence`` is that sentence and ``matched`` the quote's terms that the
    question shares, both with spans for highlighting. ``coverage`` is the share of
    the question's IDF weight that the quote contains: 1.0 means every word of the
    question is there, near 0 means the quote only touches it.
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
    """Documents, their passages and a BM25 scorer over the passages' terms."""

    def __init__(
        self, documents: Sequence[Document], passages: Sequence[Passage], info: BuildInfo
    ) -> None:
        self.documents = tuple(documents)
        self.passages = tuple(passages)
        self.info = info
        self._scorer = Scorer([[t.text for t in p.terms] for p in self.passages])
        self._numbers: list[int] = []
        seen: dict[int, int] = {}
        for p in self.passages:
            seen[p.document] = seen.get(p.document, 0) + 1
            self._numbers.append(seen[p.document])

    @property
    def characters(self) -> int:
        return sum(len(d.text) for d in self.documents)

    def passage_text(self, passage: Passage) -> str:
        return self.documents[passage.document].text[passage.start : passage.end]

    @cached_property
    def _sentences(self) -> Sentences:
        """Sentence-level ranking, built on first search: loading an index stays cheap."""
        return Sentences([d.text for d in self.documents], self.passages)

    def search(self, question: str, k: int = 3) -> list[Hit]:
        """The ``k`` best quotes for a question, best first; empty when none matches."""
        terms = question_terms(normalize_question(question))
        wanted = list(dict.fromkeys(t.text for t in terms))
        return [self._hit(w, wanted) for w in self._sentences.rank(wanted, k)]

    def _hit(self, window: Window, wanted: list[str]) -> Hit:
        sentences = self._sentences
        passage = sentences.passage(window)
        best = sentences.sentences[window.best]
        return Hit(
            passage=passage,
            number=self._numbers[best.passage],
            score=window.score,
            sentence=best.span,
            matched=tuple(t for t in passage.terms if t.text in wanted),
            coverage=window.coverage,
        )


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
    passages = split_passages(documents, progress)
    info = BuildInfo(
        source_sha256=source_sha256(documents),
        analyzer=analyzer_version(),
        seconds=time.perf_counter() - started,
    )
    return Index(documents, passages, info)
