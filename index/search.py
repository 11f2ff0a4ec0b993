"""Question in, ranked quotes out, each with the sentence that answers best."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from index.bigrams import Bigrams, BigramScorer
from index.bm25 import Postings, Scorer, run_starts
from index.morphemes import Term, analyzer_version, question_terms
from index.passages import Columns, Passage, Progress, Span, split_passages
from index.rank import Ranker, Window
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


class Hits(list[Hit]):
    """A question's hits, best first, and the names in it (people, companies,
    acronyms) that the text never mentions, not even nearly, as the question writes
    them: a question about something else is likely to name one."""

    def __init__(self, hits: Iterable[Hit] = (), unknown: tuple[str, ...] = ()) -> None:
        super().__init__(hits)
        self.unknown = unknown


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What a saved index says about itself."""

    source_sha256: str
    analyzer: str
    created: float = field(default_factory=time.time)
    seconds: float = 0.0


@dataclass(frozen=True, eq=False)
class Structure:
    """Where sentences and paragraphs stand, derived from the passage arrays in O(S + P)."""

    sentence_passage: np.ndarray  # int64 [S]
    sentence_paragraph: np.ndarray  # int64 [S], paragraphs numbered across the corpus
    paragraph_term_offsets: np.ndarray  # int64 [paragraphs + 1]

    @classmethod
    def of(cls, c: Columns) -> Structure:
        passages = len(c)
        sentence_passage = np.repeat(np.arange(passages), np.diff(c.sentence_offsets))
        key = c.passage_document.astype(np.int64) << 32 | c.passage_paragraph.astype(np.int64)
        new_paragraph = run_starts(key)
        starts = np.flatnonzero(new_paragraph)
        paragraph_of_passage = np.cumsum(new_paragraph) - 1
        return cls(
            sentence_passage=sentence_passage,
            sentence_paragraph=paragraph_of_passage[sentence_passage],
            paragraph_term_offsets=np.r_[c.term_offsets[starts], c.term_offsets[-1]].astype(
                np.int64
            ),
        )


class Index:
    """Documents, their passages as arrays, and BM25 over sentences and paragraphs.

    Building one costs no per-passage Python objects: loading a saved index of
    millions of characters is a matter of reading its arrays.
    """

    def __init__(
        self,
        documents: Sequence[Document],
        columns: Columns,
        info: BuildInfo,
        by_sentence: Postings,
        by_paragraph: Postings,
        bigrams: Bigrams,
    ) -> None:
        self.documents = tuple(documents)
        self.columns = columns
        self.info = info
        self.by_sentence = by_sentence
        self.by_paragraph = by_paragraph
        self.bigrams = bigrams
        structure = Structure.of(columns)
        ids = {term: i for i, term in enumerate(columns.vocabulary)}
        self._ranker = Ranker(
            self.documents,
            columns,
            Scorer(by_sentence, ids),
            Scorer(by_paragraph, ids),
            BigramScorer(bigrams.keys, bigrams.sentence_df, bigrams.sentence_len),
            BigramScorer(bigrams.keys, bigrams.paragraph_df, bigrams.paragraph_len),
            structure.sentence_paragraph,
            structure.sentence_passage,
            ids,
        )
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

    def search(self, question: str, k: int = 3) -> Hits:
        """The ``k`` best quotes for a question, best first; empty when none matches."""
        text = normalize_question(question)
        terms, names, defines, cues = question_terms(text)
        wanted = list(dict.fromkeys(t.text for t in terms))
        windows, absent = self._ranker.rank(text, wanted, k, defines, cues)
        unknown = tuple(text[n.start : n.end] for n in names if n.text in absent)
        words = set(wanted)
        return Hits((self._hit(w, words) for w in windows), unknown)

    def _hit(self, window: Window, wanted: set[str]) -> Hit:
        passage = self._ranker.passage(window)
        origin = self._ranker.passage_of(window.best)
        return Hit(
            passage=passage,
            number=origin - int(self._first[passage.document]) + 1,
            score=window.score,
            sentence=self._ranker.sentence_span(window.best),
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
    columns = split_passages(documents, progress)
    vocabulary = len(columns.vocabulary)
    by_sentence = Postings.from_terms(columns.sentence_term_offsets, columns.term_id, vocabulary)
    structure = Structure.of(columns)
    paragraphs = structure.paragraph_term_offsets
    by_paragraph = Postings.from_terms(paragraphs, columns.term_id, vocabulary)
    bigrams = Bigrams.count(
        [d.text for d in documents],
        columns.sentence_span,
        columns.passage_document[structure.sentence_passage],
        structure.sentence_paragraph,
        len(paragraphs) - 1,
    )
    info = BuildInfo(
        source_sha256=source_sha256(documents),
        analyzer=analyzer_version(),
        seconds=time.perf_counter() - started,
    )
    return Index(documents, columns, info, by_sentence, by_paragraph, bigrams)
