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

Everything works on the index's arrays. In an article every sentence that shares
a word with the question is weighed; in a corpus of millions of characters only
the best sentences and the sentences of the best paragraphs are (both found by
exact top-k BM25), so a question costs milliseconds whatever the corpus size.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from index.bigrams import BigramScorer, occurrences, question_keys, tally
from index.bm25 import Scorer
from index.passages import Columns, Passage, Span
from index.text import Document

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
# Weight of the Hangul bigram BM25 (index/bigrams.py) added to the morpheme BM25
# of the sentences that match, and of their paragraphs. Tuned on KorQuAD dev:
# answer@1 0.923 → 0.926 per article, 0.896 → 0.901 in one index; 0.1–0.3 is a
# plateau.
BIGRAM_WEIGHT = 0.15
PARAGRAPH_BIGRAM_WEIGHT = 0.25
# A question asking what a word means (index.morphemes.MEANING_WORDS) is answered
# where the text glosses the word in parentheses, "HBM(고대역폭메모리)" or
# "고대역폭메모리(HBM)": such a sentence counts the word's weight this many times more.
# Rare in KorQuAD (answer@1 0.9287 → 0.9290 per article, 0.9009 → 0.9011 in one
# index), common in chat: "ess가 뭐임?" quoted the headline before, the gloss now.
GLOSS_WEIGHT = 1.0
# A question asking for an effect (index.morphemes.EFFECT_CUES) scores a window
# without any of the words that state one this much lower. Any of 0.36–0.7 answers
# both effect questions of article_dev_qa, "gpu 도입하면 뭐가 좋아져?" (the GPU paragraph's
# "…전망이다" over a paragraph that matches the rarer "도입") and "포용 성장은 …
# 어떤 효과가 있다고 했나?"; KorQuAD dev is the same from 0 to 0.7.
CUE_PENALTY = 0.5
# Windows scored per question before the best k are kept: enough for the
# coverage term to reorder the top of the list.
CANDIDATES = 10
# A question word the text never uses (an unsplit compound, a name with a
# particle glued on, a typo) still matches a sentence that holds at least this
# share of its character bigrams, weighted by that share.
FUZZY_MIN_SHARE = 0.5
FUZZY_MIN_CHARS = 3
# Up to this many sentences (an article, a book chapter) every sentence is
# weighed; beyond it, the paragraphs of the TOP_SENTENCES best sentences by
# sentence BM25 are, whole (same answer@1 on KorQuAD dev as one index). KorQuAD
# in one index: answer@1 0.9009 with 15 or 20 (0.9004 with 10), answer@3 0.9644
# against 0.9646; 15 weighs a quarter fewer sentences per question.
EXHAUSTIVE_SENTENCES = 5_000
TOP_SENTENCES = 15


@dataclass(frozen=True, slots=True)
class Window:
    """Consecutive sentences of one paragraph to quote, and how they ranked."""

    first: int
    last: int
    best: int  # the sentence that ranked the window
    score: float
    # Share of the question's IDF weight inside the window: of its morphemes and of
    # its Hangul bigrams, averaged. Either alone tells a question the text answers
    # from one it does not less well (benchmarks/README.md: at the same 91% of
    # foreign questions refused, 0.95% of answerable ones are refused with
    # morphemes alone, 0.47% with both).
    coverage: float


class Ranking(NamedTuple):
    """The best windows for a question, and the question terms the text holds
    nowhere, not even nearly (see Ranker._fuzzy)."""

    windows: list[Window]
    absent: frozenset[str]


class Ranker:
    """Ranks sentences with their context and cuts quote windows, over index arrays."""

    def __init__(
        self,
        documents: Sequence[Document],
        columns: Columns,
        by_sentence: Scorer,
        by_paragraph: Scorer,
        bigrams_by_sentence: BigramScorer,
        bigrams_by_paragraph: BigramScorer,
        sentence_paragraph: np.ndarray,
        sentence_passage: np.ndarray,
        vocabulary_ids: dict[str, int],
    ) -> None:
        self._documents = documents
        self._columns = columns
        self._by_sentence = by_sentence
        self._by_paragraph = by_paragraph
        self._bigrams_by_sentence = bigrams_by_sentence
        self._bigrams_by_paragraph = bigrams_by_paragraph
        self._paragraph = sentence_paragraph
        self._passage = sentence_passage
        self._count = len(sentence_paragraph)
        self._ids = vocabulary_ids

    def idf(self, term: str) -> float:
        """A term's weight over sentences; one the index never uses weighs the most."""
        return self._by_sentence.idf(term)

    def rank(
        self,
        question: str,
        wanted: Sequence[str],
        k: int,
        defines: Sequence[str] = (),
        cues: Collection[str] = (),
    ) -> Ranking:
        """The ``k`` best non-overlapping windows for the question (its text and its
        terms, the words it asks the meaning of, and the words that would mark the
        kind of answer it asks for), best first."""
        pool = self._pool(wanted)
        if pool is None:
            scores = self._by_sentence.scores(wanted)
        else:
            scores = {i: s for i, s in self._by_sentence.score_units(wanted, pool).items() if s > 0}
        fuzzy = self._fuzzy(wanted, pool)
        absent = frozenset(t for t in wanted if t not in self._ids and t not in fuzzy)
        for matches in fuzzy.values():
            for i, weight in matches.items():
                scores[i] = scores.get(i, 0.0) + weight
        if not scores:
            return Ranking([], absent)
        scored_sentences = np.fromiter(scores, dtype=np.int64, count=len(scores))
        near = self._neighbourhood(scored_sentences)
        keys = question_keys(question)
        bigrams = self._bigrams_by_sentence.question(keys)
        found, starts = occurrences(keys, near.text)
        # Sentence and paragraph texts are cut from the same paragraphs: one pass finds
        # the question's bigrams in both. A pair counts for a sentence when it lies
        # inside it, and for its paragraph wherever it lies in it.
        local = near.holding(starts)
        scored = near.local(scored_sentences)
        held = np.zeros(len(near.sentences), dtype=bool)
        held[scored] = True
        counted = (starts + 2 <= near.ends[local]) & held[local]
        by_bigrams = self._bigrams_by_sentence.score(
            bigrams, tally(near.sentences[local[counted]], found[counted])
        )
        for i, score in by_bigrams.items():
            scores[i] += BIGRAM_WEIGHT * score
        paragraphs = near.paragraphs.tolist()
        paragraph_scores = self._by_paragraph.score_units(wanted, paragraphs)
        by_bigrams = self._bigrams_by_paragraph.score(
            self._bigrams_by_paragraph.question(keys),
            tally(near.paragraphs[near.slot[local]], found),
        )
        for p, score in by_bigrams.items():
            paragraph_scores[p] = paragraph_scores.get(p, 0.0) + PARAGRAPH_BIGRAM_WEIGHT * score
        terms = [(self._ids.get(t), self.idf(t)) for t in wanted]
        total = sum(idf for _, idf in terms)
        cue_ids = {self._ids[c] for c in cues if c in self._ids}

        # Each sentence of these paragraphs with its context, in local numbers: its own
        # score, its paragraph's, and its best neighbour's within the paragraph.
        own = np.zeros(len(held))
        own[scored] = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
        first = np.zeros(len(own), dtype=bool)
        first[near.bounds[:-1]] = True
        last = np.zeros(len(own), dtype=bool)
        last[near.bounds[1:] - 1] = True
        before = np.where(first, 0.0, np.concatenate(([0.0], own[:-1])))
        after = np.where(last, 0.0, np.concatenate((own[1:], [0.0])))
        paragraph_score = np.array([paragraph_scores.get(p, 0.0) for p in paragraphs])
        # Scores are never negative, so the best neighbour is the larger of the two
        # (0 for one that is missing), as max() over the ones that exist.
        context = (
            own
            + PARAGRAPH_WEIGHT * paragraph_score[near.slot]
            + NEIGHBOUR_WEIGHT * np.maximum(before, after)
            + self._glosses(near, defines)
        )
        candidates = np.flatnonzero(
            held
            | (~first & np.concatenate(([False], held[:-1])))
            | (~last & np.concatenate((held[1:], [False])))
        )
        order = candidates[np.lexsort((candidates, -context[candidates]))]

        offsets = self._columns.sentence_term_offsets
        bounds, slot = near.bounds.tolist(), near.slot.tolist()
        sentences = near.sentences.tolist()
        lengths = (near.starts.tolist(), near.ends.tolist())
        points = own.tolist()
        used: set[int] = set()
        windows: list[Window] = []
        for i in order.tolist():
            if i in used:
                continue
            paragraph_of = slot[i]
            first_i, last_i = _grow(
                i, bounds[paragraph_of], bounds[paragraph_of + 1], points, lengths, used
            )
            used.update(range(first_i, last_i + 1))
            a, b = sentences[first_i], sentences[last_i]
            ids = set(self._columns.term_id[offsets[a] : offsets[b + 1]].tolist())
            weight = sum(idf for term, idf in terms if term in ids)
            inside_window = range(a, b + 1)
            weight += sum(
                max((m.get(j, 0.0) for j in inside_window), default=0.0) for m in fuzzy.values()
            )
            coverage = min(1.0, weight / total) if total else 0.0
            score = float(context[i]) + COVERAGE_WEIGHT * weight
            if cue_ids and cue_ids.isdisjoint(ids):
                score *= 1 - CUE_PENALTY
            windows.append(Window(a, b, sentences[i], score, coverage))
            if len(windows) >= max(k, CANDIDATES):
                break
        windows.sort(key=lambda w: (-w.score, w.best))

        def bigram_coverage(w: Window) -> float:
            start = near.starts[near.local(w.first)]
            end = near.ends[near.local(w.last)]
            within = (starts >= start) & (starts + 2 <= end)
            return self._bigrams_by_sentence.coverage(bigrams, found[within])

        best = [replace(w, coverage=(w.coverage + bigram_coverage(w)) / 2) for w in windows[:k]]
        return Ranking(best, absent)

    def _glosses(self, near: _Neighbourhood, words: Sequence[str]) -> np.ndarray | float:
        """GLOSS_WEIGHT × a word's weight for each local sentence that glosses one of
        ``words`` in parentheses (0 when none does)."""
        if not words:
            return 0.0
        text = near.text.lower()
        bonus = np.zeros(len(near.sentences))
        for word in words:
            w = re.escape(word)
            at = [m.start() for m in re.finditer(rf"{w}\s?\(|\(\s?{w}", text)]
            if at:
                local = np.unique(near.holding(at))
                bonus[local] += GLOSS_WEIGHT * self.idf(word)
        return bonus

    def _neighbourhood(self, scored: np.ndarray) -> _Neighbourhood:
        """The paragraphs of the scored sentences, every sentence of them, and their text."""
        paragraphs = np.unique(self._paragraph[scored])
        firsts, stops = self._sentences_of(paragraphs)
        sizes = stops - firsts
        bounds = np.concatenate(([0], np.cumsum(sizes)))
        slot = np.repeat(np.arange(len(paragraphs)), sizes)
        sentences = np.arange(bounds[-1]) - bounds[slot] + firsts[slot]
        spans = self._columns.sentence_span[sentences].astype(np.int64)
        documents = self._columns.passage_document[self._passage[firsts]]
        begin, end = spans[bounds[:-1], 0], spans[bounds[1:] - 1, 1]
        text = "\n".join(
            self._documents[d].text[a:b]
            for d, a, b in zip(documents.tolist(), begin.tolist(), end.tolist(), strict=True)
        )
        lines = end - begin + 1  # each paragraph and its line break
        shift = (np.cumsum(lines) - lines - begin)[slot]
        return _Neighbourhood(
            paragraphs, sentences, slot, bounds, text, spans[:, 0] + shift, spans[:, 1] + shift
        )

    def _pool(self, wanted: Sequence[str]) -> list[int] | None:
        """The sentences worth weighing in a large index; None means all of them: the
        best sentences by their own score, and every sentence of their paragraphs."""
        if self._count <= EXHAUSTIVE_SENTENCES:
            return None
        best = [sentence for sentence, _ in self._by_sentence.top(wanted, TOP_SENTENCES)]
        firsts, stops = self._sentences_of(np.unique(self._paragraph[best]))
        spans = zip(firsts.tolist(), stops.tolist(), strict=True)
        return [i for first, stop in spans for i in range(first, stop)]

    def passage(self, window: Window) -> Passage:
        """The window as a passage, whole sentences of one paragraph, ready to quote."""
        c = self._columns
        sentences = c.spans(window.first, window.last + 1)
        origin = int(self._passage[window.first])
        offsets = c.sentence_term_offsets
        return Passage(
            document=int(c.passage_document[origin]),
            paragraph=int(c.passage_paragraph[origin]),
            start=sentences[0].start,
            end=sentences[-1].end,
            sentences=sentences,
            terms=c.terms(offsets[window.first], offsets[window.last + 1]),
        )

    def sentence_span(self, i: int) -> Span:
        a, b = self._columns.sentence_span[i].tolist()
        return Span(a, b)

    def passage_of(self, i: int) -> int:
        return int(self._passage[i])

    @cached_property
    def _all_texts(self) -> dict[int, str]:
        """Every sentence lowercased, kept once an article needs them."""
        return {i: self._text(i) for i in range(self._count)}

    def _text(self, i: int) -> str:
        """Sentence ``i``'s text, lowercased as question terms are."""
        document = self._columns.passage_document[self._passage[i]]
        a, b = self._columns.sentence_span[i].tolist()
        return self._documents[document].text[a:b].lower()

    def _sentences_of(self, paragraphs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each paragraph's sentences, ``first`` to ``stop`` (exclusive)."""
        return (
            np.searchsorted(self._paragraph, paragraphs),
            np.searchsorted(self._paragraph, paragraphs + 1),
        )

    def _fuzzy(self, wanted: Sequence[str], pool: list[int] | None) -> dict[str, dict[int, float]]:
        """For each question word the index never saw, the sentences (of the pool, or
        all of them in an article) that hold most of its character bigrams, with that
        share of its weight."""
        unseen = [t for t in wanted if len(t) >= FUZZY_MIN_CHARS and t not in self._ids]
        if not unseen:
            return {}
        texts = self._all_texts if pool is None else {i: self._text(i) for i in pool}
        found: dict[str, dict[int, float]] = {}
        for term in unseen:
            grams = {term[i : i + 2] for i in range(len(term) - 1)}
            matches: dict[int, float] = {}
            for i, sentence in texts.items():
                share = sum(g in sentence for g in grams) / len(grams)
                if share >= FUZZY_MIN_SHARE:
                    matches[i] = share * self.idf(term)
            if matches:
                found[term] = matches
        return found


class _Neighbourhood(NamedTuple):
    """The paragraphs that hold a question's scored sentences, with every sentence of
    them numbered locally (0, 1, … in corpus order), and their text end to end, one
    paragraph a line, for one pass over it."""

    paragraphs: np.ndarray  # paragraph numbers, ascending
    sentences: np.ndarray  # local sentence → sentence number
    slot: np.ndarray  # local sentence → its paragraph's place in ``paragraphs``
    bounds: np.ndarray  # [paragraphs + 1], each paragraph's first local sentence
    text: str
    starts: np.ndarray  # where each local sentence starts in ``text``
    ends: np.ndarray  # and ends

    def holding(self, positions: ArrayLike) -> np.ndarray:
        """The local sentence that holds each position of ``text``."""
        return np.searchsorted(self.starts, positions, side="right") - 1

    def local(self, sentences: ArrayLike) -> np.ndarray:
        """The local numbers of sentences (by corpus number) of these paragraphs."""
        return np.searchsorted(self.sentences, sentences)


def _grow(
    i: int,
    first_of_paragraph: int,
    stop_of_paragraph: int,
    scores: list[float],
    spans: tuple[list[int], list[int]],
    used: set[int],
) -> tuple[int, int]:
    """Sentence ``i`` with neighbours of its paragraph (all in local numbers),
    best-scoring first (the next one on a tie), while the window stays within
    WINDOW_CHARS."""
    starts, ends = spans
    first = last = i
    while True:
        options = [
            j
            for j in (first - 1, last + 1)
            if first_of_paragraph <= j < stop_of_paragraph
            and j not in used
            and ends[max(last, j)] - starts[min(first, j)] <= WINDOW_CHARS
        ]
        if not options:
            return first, last
        j = max(options, key=lambda j: (scores[j], j))
        first, last = min(first, j), max(last, j)
