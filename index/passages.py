"""Passages: the pieces of a document that BM25 ranks and a reply quotes.

A passage is one or more whole sentences of one paragraph. It never crosses a
paragraph or document boundary, so a quote always reads as the author wrote it,
and it keeps its sentences' spans so a reply can emphasize the one that matched.

A corpus of millions of characters has millions of terms, so passages are kept
as flat integer arrays (:class:`Columns`), which is also how they are saved; a
:class:`Passage` object is made only for the few passages a reply shows.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.morphemes import AnalyzedSentence, Term, analyze_paragraphs
from index.text import Document

# Long enough to hold a thought with its context, short enough to read on a
# phone; a paragraph longer than this is cut at sentence boundaries into parts of
# about equal length. A single longer sentence stays whole.
PASSAGE_CHARS = 300


@dataclass(frozen=True, slots=True)
class Span:
    """A character range in a document's text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Passage:
    """Whole sentences of one paragraph, with spans into the document's text."""

    document: int
    paragraph: int
    start: int
    end: int
    sentences: tuple[Span, ...]
    terms: tuple[Term, ...]


@dataclass(frozen=True, eq=False)
class Columns:
    """All passages of a corpus as arrays; row ``i`` of each is passage ``i``.

    Sentences and terms are stored end to end; ``*_offsets[i]:*_offsets[i + 1]``
    selects passage ``i``'s (``sentence_term_offsets``: sentence ``i``'s terms).
    Spans are character offsets into the document text.
    """

    passage_document: np.ndarray  # int32 [P]
    passage_paragraph: np.ndarray  # int32 [P]
    passage_span: np.ndarray  # int32 [P, 2]
    sentence_offsets: np.ndarray  # int64 [P + 1]
    sentence_span: np.ndarray  # int32 [S, 2]
    sentence_term_offsets: np.ndarray  # int64 [S + 1]: a sentence's terms, end to end
    term_offsets: np.ndarray  # int64 [P + 1]
    term_id: np.ndarray  # int32 [T]
    term_span: np.ndarray  # int32 [T, 2]
    vocabulary: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.passage_document)

    def passage(self, i: int) -> Passage:
        s0, s1 = self.sentence_offsets[i], self.sentence_offsets[i + 1]
        t0, t1 = self.term_offsets[i], self.term_offsets[i + 1]
        start, end = self.passage_span[i].tolist()
        return Passage(
            document=int(self.passage_document[i]),
            paragraph=int(self.passage_paragraph[i]),
            start=start,
            end=end,
            sentences=self.spans(s0, s1),
            terms=self.terms(t0, t1),
        )

    def spans(self, first: int, stop: int) -> tuple[Span, ...]:
        """Sentences ``first`` to ``stop`` (exclusive), as spans."""
        return tuple(Span(a, b) for a, b in self.sentence_span[first:stop].tolist())

    def terms(self, first: int, stop: int) -> tuple[Term, ...]:
        """Terms ``first`` to ``stop`` (exclusive), as objects with their spans."""
        vocabulary = self.vocabulary
        spans = self.term_span[first:stop]
        texts = [vocabulary[v] for v in self.term_id[first:stop].tolist()]
        return tuple(map(Term, texts, spans[:, 0].tolist(), spans[:, 1].tolist()))


Progress = Callable[[int, int], None]


def split_passages(documents: Sequence[Document], progress: Progress | None = None) -> Columns:
    """Cut documents into passages, analyzing all their paragraphs in one Kiwi pass.

    ``progress(done, total)`` is called with characters processed so far.
    """
    jobs: list[tuple[int, int, int]] = []  # (document, paragraph number, offset)
    texts: list[str] = []
    for d, document in enumerate(documents):
        for p, (start, end) in enumerate(document.paragraphs):
            jobs.append((d, p, start))
            texts.append(document.text[start:end])
    total = sum(map(len, texts))
    done = 0
    out = _ColumnsBuilder()
    for (d, p, offset), text, sentences in zip(jobs, texts, analyze_paragraphs(texts), strict=True):
        sentences = [s for s in sentences if text[s.start : s.end].strip()]
        for group in _group(sentences):
            out.add(d, p, offset, group)
        done += len(text)
        if progress is not None:
            progress(done, total)
    return out.columns()


def _group(sentences: list[AnalyzedSentence]) -> list[list[AnalyzedSentence]]:
    """Consecutive sentences in parts of about equal length, each near PASSAGE_CHARS."""
    if not sentences:
        return []
    length = sentences[-1].end - sentences[0].start
    parts = max(1, math.ceil(length / PASSAGE_CHARS))
    target = length / parts
    groups: list[list[AnalyzedSentence]] = [[]]
    group_start = sentences[0].start
    for sentence in sentences:
        if groups[-1] and sentence.end - group_start > target * 1.15:
            groups.append([])
            group_start = sentence.start
        groups[-1].append(sentence)
    return groups


class _ColumnsBuilder:
    """Appends passages to growing typed arrays: no object per term is kept.

    Sentence and term spans are kept relative to their paragraph and moved to
    document offsets with numpy at the end, not with an addition per term.
    """

    def __init__(self) -> None:
        self.document, self.paragraph, self.span = array("i"), array("i"), array("i")
        self.offset = array("i")
        self.sentence_counts, self.sentence_span = array("i"), array("i")
        self.sentence_terms = array("i")
        self.term_counts, self.term_id = array("i"), array("i")
        self.term_start, self.term_length = array("i"), array("i")
        self.vocabulary: dict[str, int] = {}

    def add(
        self, document: int, paragraph: int, offset: int, group: list[AnalyzedSentence]
    ) -> None:
        self.document.append(document)
        self.paragraph.append(paragraph)
        self.offset.append(offset)
        self.span.extend((offset + group[0].start, offset + group[-1].end))
        self.sentence_counts.append(len(group))
        ids = self.vocabulary
        terms = 0
        for sentence in group:
            self.sentence_span.extend((sentence.start, sentence.end))
            self.term_id.extend([ids.setdefault(form, len(ids)) for form in sentence.forms])
            self.term_start.extend(sentence.starts)
            self.term_length.extend(sentence.lengths)
            self.sentence_terms.append(len(sentence.forms))
            terms += len(sentence.forms)
        self.term_counts.append(terms)

    def columns(self) -> Columns:
        def flat(values: array) -> np.ndarray:
            return np.frombuffer(values, dtype=np.int32)

        def offsets(counts: array) -> np.ndarray:
            return np.concatenate([[0], np.cumsum(flat(counts))]).astype(np.int64)

        offset = flat(self.offset)
        sentence_offset = np.repeat(offset, flat(self.sentence_counts))
        term_start = flat(self.term_start) + np.repeat(offset, flat(self.term_counts))
        return Columns(
            passage_document=flat(self.document).copy(),
            passage_paragraph=flat(self.paragraph).copy(),
            passage_span=flat(self.span).reshape(-1, 2).copy(),
            sentence_offsets=offsets(self.sentence_counts),
            sentence_span=flat(self.sentence_span).reshape(-1, 2) + sentence_offset[:, None],
            sentence_term_offsets=offsets(self.sentence_terms),
            term_offsets=offsets(self.term_counts),
            term_id=flat(self.term_id).copy(),
            term_span=np.stack([term_start, term_start + flat(self.term_length)], axis=1),
            vocabulary=tuple(self.vocabulary),
        )
