"""Sentence ranking and quote windows: what to quote, chosen by score.

Passages of a fixed ~300 characters are a good unit to index but a poor unit to
quote: the answer is often in the sentence next to the one that matched, just
across a passage boundary, or the passage is padded with sentences that say
nothing about the question. So sentences are ranked on their own, with the
score of their paragraph and of their neighbours as context, and the quote is
the best sentence grown with its best-scoring neighbours up to a length budget.

Measured on KorQuAD 1.0 dev, per article (benchmarks/README.md, issue 4): answer
in the first quote 0.878 with passages, 0.923 with these windows at a similar
mean length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.bm25 import Scorer
from index.passages import Passage, Span

# A quote grows from its best sentence while it stays within this many
# characters; a single longer sentence is quoted whole. 285 keeps the mean first
# quote under 250 characters on KorQuAD dev.
WINDOW_CHARS = 285
# Weights of the context of a sentence, tuned on KorQuAD dev (even and odd
# articles agree): its paragraph's BM25 score (the topic is often named a
# sentence or two before the answer), its best neighbour's score (questions
# paraphrase the sentence next to the answer), and the question weight the whole
# window holds (a window that holds every word beats one that repeats a few).
PARAGRAPH_WEIGHT = 0.5
NEIGHBOUR_WEIGHT = 0.3
COVERAGE_WEIGHT = 0.3
# Windows scored per question before the best k are kept: enough for the
# coverage term to reorder the top of the list.
CANDIDATES = 10
# A question word the text never uses (an unsplit compound, a name with a
# particle glued on, a typo) still matches a sentence that holds at least this
# share of its character bigrams, weighted by that share.
FUZZY_MIN_SHARE = 0.5
FUZZY_MIN_CHARS = 3


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the index, where it stands and what it says."""

    passage: int  # the indexed passage that holds it
    paragraph: int  # its paragraph's position among all paragraphs of the index
    span: Span
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Window:
    """Consecutive sentences of one paragraph to quote, and how they ranked."""

    first: int
    last: int
    best: int  # the sentence that ranked the window
    score: float
    coverage: float  # share of the question's IDF weight inside the window


class Sentences:
    """Every sentence of an index, with BM25 over sentences and over paragraphs."""

    def __init__(self, documents: Sequence[str], passages: Sequence[Passage]) -> None:
        sentences: list[Sentence] = []
        paragraphs: dict[tuple[int, int], int] = {}
        for n, passage in enumerate(passages):
            key = (passage.document, passage.paragraph)
            paragraph = paragraphs.setdefault(key, len(paragraphs))
            for span in passage.sentences:
                terms = tuple(t.text for t in passage.terms if span.start <= t.start < span.end)
                sentences.append(Sentence(n, paragraph, span, terms))
        self.sentences = tuple(sentences)
        self._vocabulary = frozenset(t for s in sentences for t in s.terms)
        self._by_sentence = Scorer([s.terms for s in sentences])
        paragraph_terms: list[list[str]] = [[] for _ in paragraphs]
        for s in sentences:
            paragraph_terms[s.paragraph].extend(s.terms)
        self._by_paragraph = Scorer(paragraph_terms)
        self._passages = passages
        # Lowercased like the terms, for the bigram match of unseen question words.
        self._lowered = tuple(
            documents[passages[s.passage].document][s.span.start : s.span.end].lower()
            for s in sentences
        )

    def idf(self, term: str) -> float:
        """A term's weight over sentences; one the index never uses weighs the most."""
        return self._by_sentence.idf(term)

    def rank(self, wanted: Sequence[str], k: int) -> list[Window]:
        """The ``k`` best non-overlapping windows for the question's terms, best first."""
        scores = self._by_sentence.scores(wanted)
        fuzzy = self._fuzzy(wanted)
        for matches in fuzzy.values():
            for i, weight in matches.items():
                scores[i] = scores.get(i, 0.0) + weight
        if not scores:
            return []
        paragraph_scores = self._by_paragraph.scores(wanted)
        total = sum(self.idf(t) for t in wanted)

        def context(i: int) -> float:
            neighbours = [scores.get(j, 0.0) for j in (i - 1, i + 1) if self._beside(i, j)]
            return (
                scores.get(i, 0.0)
                + PARAGRAPH_WEIGHT * paragraph_scores.get(self.sentences[i].paragraph, 0.0)
                + NEIGHBOUR_WEIGHT * max(neighbours, default=0.0)
            )

        candidates = set(scores)
        for i in scores:
            candidates.update(j for j in (i - 1, i + 1) if self._beside(i, j))
        used: set[int] = set()
        windows: list[Window] = []
        for i in sorted(candidates, key=lambda i: (-context(i), i)):
            if i in used:
                continue
            first, last = self._grow(i, scores, used)
            inside = range(first, last + 1)
            used.update(inside)
            held = {t for j in inside for t in self.sentences[j].terms}
            weight = sum(self.idf(t) for t in wanted if t in held)
            weight += sum(max((m.get(j, 0.0) for j in inside), default=0.0) for m in fuzzy.values())
            coverage = min(1.0, weight / total) if total else 0.0
            windows.append(Window(first, last, i, context(i) + COVERAGE_WEIGHT * weight, coverage))
            if len(windows) >= max(k, CANDIDATES):
                break
        windows.sort(key=lambda w: (-w.score, w.best))
        return windows[:k]

    def passage(self, window: Window) -> Passage:
        """The window as a passage, whole sentences of one paragraph, ready to quote."""
        first, last = self.sentences[window.first], self.sentences[window.last]
        owners = dict.fromkeys(s.passage for s in self.sentences[window.first : window.last + 1])
        origin = self._passages[first.passage]
        return Passage(
            document=origin.document,
            paragraph=origin.paragraph,
            start=first.span.start,
            end=last.span.end,
            sentences=tuple(s.span for s in self.sentences[window.first : window.last + 1]),
            terms=tuple(
                t
                for n in owners
                for t in self._passages[n].terms
                if first.span.start <= t.start < last.span.end
            ),
        )

    def _beside(self, i: int, j: int) -> bool:
        """Whether sentence ``j`` exists and is in the same paragraph as ``i``."""
        return 0 <= j < len(self.sentences) and (
            self.sentences[i].paragraph == self.sentences[j].paragraph
        )

    def _grow(self, i: int, scores: dict[int, float], used: set[int]) -> tuple[int, int]:
        """Sentence ``i`` with neighbours of its paragraph, best-scoring first (the
        next one on a tie), while the window stays within WINDOW_CHARS."""
        first = last = i
        while True:
            options = [
                j
                for j in (first - 1, last + 1)
                if self._beside(i, j)
                and j not in used
                and self._length(min(first, j), max(last, j)) <= WINDOW_CHARS
            ]
            if not options:
                return first, last
            j = max(options, key=lambda j: (scores.get(j, 0.0), j))
            first, last = min(first, j), max(last, j)

    def _length(self, first: int, last: int) -> int:
        return self.sentences[last].span.end - self.sentences[first].span.start

    def _fuzzy(self, wanted: Sequence[str]) -> dict[str, dict[int, float]]:
        """For each question word the index never saw, the sentences that hold most
        of its character bigrams, with that share of its weight."""
        found: dict[str, dict[int, float]] = {}
        for term in wanted:
            if len(term) < FUZZY_MIN_CHARS or term in self._vocabulary:
                continue
            grams = {term[i : i + 2] for i in range(len(term) - 1)}
            matches: dict[int, float] = {}
            for i, sentence in enumerate(self._lowered):
                share = sum(g in sentence for g in grams) / len(grams)
                if share >= FUZZY_MIN_SHARE:
                    matches[i] = share * self.idf(term)
            if matches:
                found[term] = matches
        return found
