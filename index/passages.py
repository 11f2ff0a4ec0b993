"""Passages: the pieces of a document that BM25 ranks and a reply quotes.

A passage is one or more whole sentences of one paragraph. It never crosses a
paragraph or document boundary, so a quote always reads as the author wrote it,
and it keeps its sentences' spans so a reply can emphasize the one that matched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


Progress = Callable[[int, int], None]


def split_passages(
    documents: Sequence[Document], progress: Progress | None = None
) -> list[Passage]:
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
    passages: list[Passage] = []
    for (d, p, offset), text, sentences in zip(jobs, texts, analyze_paragraphs(texts), strict=True):
        sentences = [s for s in sentences if text[s.start : s.end].strip()]
        for group in _group(sentences):
            passages.append(_passage(d, p, offset, group))
        done += len(text)
        if progress is not None:
            progress(done, total)
    return passages


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


def _passage(document: int, paragraph: int, offset: int, group: list[AnalyzedSentence]) -> Passage:
    return Passage(
        document=document,
        paragraph=paragraph,
        start=offset + group[0].start,
        end=offset + group[-1].end,
        sentences=tuple(Span(offset + s.start, offset + s.end) for s in group),
        terms=tuple(Term(t.text, offset + t.start, offset + t.end) for s in group for t in s.terms),
    )
