"""Hangul character bigrams: a second view of the text for when morphemes disagree.

Morphemes are the better unit on their own, but the analyzer cuts the same words
differently in a question and in the text often enough to matter: "루키시즌때" is one
noun where "루키 시즌" is two, an unknown name keeps its particle ("요크의"), a
transliteration varies by a syllable. Adjacent-syllable pairs survive all of these
(Lucene's CJK analyzer indexes nothing else). Added with a small weight to the
morpheme scores of sentences and paragraphs that already match the question, they
lift answer@1 on KorQuAD dev from 0.923 to 0.926 per article and from 0.896 to
0.901 in one index (benchmarks/README.md).

Only the corpus statistics are stored: how many sentences and paragraphs hold
each bigram, and how many bigrams each unit has. A question's bigrams are counted
in its few candidate units' text when it is asked, so the index stays small and
the build pays one vectorized pass over the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from index.bm25 import K1, B, batch_scores, lucene_idf, mean_length, run_starts

HANGUL_FIRST = 0xAC00  # 가
SYLLABLES = 11_172  # 가 … 힣


def bigram_keys(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The key of every pair of adjacent Hangul syllables, and where each pair starts.

    A key is ``first × 11172 + second`` over syllable numbers, so pairs are plain
    integers for numpy; offsets are those of ``text`` (code points).
    """
    code = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    code -= HANGUL_FIRST
    hangul = (code >= 0) & (code < SYLLABLES)
    starts = np.flatnonzero(hangul[:-1] & hangul[1:])
    return code[starts] * SYLLABLES + code[starts + 1], starts


def _lookup(values: np.ndarray, sorted_set: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``values`` stands in ``sorted_set`` and whether it is there: a
    binary search each, a fraction of ``np.isin``'s cost on a question's few keys."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return at, sorted_set[at] == values


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``sorted_set``."""
    return _lookup(values, sorted_set)[1]


class QuestionBigrams(NamedTuple):
    """A question's distinct bigram keys (sorted) with their IDF, and those the corpus
    holds as key → IDF (the ones that can score)."""

    keys: np.ndarray
    idf: np.ndarray
    known: dict[int, float]


@dataclass(frozen=True, eq=False)
class Bigrams:
    """Bigram statistics of a corpus over sentences and over paragraphs.

    ``keys`` is sorted; ``*_df[i]`` counts the units that hold ``keys[i]``, and
    ``*_len[u]`` the bigrams in unit ``u`` (BM25's document length).
    """

    keys: np.ndarray  # int64 [G]
    sentence_df: np.ndarray  # int32 [G]
    paragraph_df: np.ndarray  # int32 [G]
    sentence_len: np.ndarray  # int32 [S]
    paragraph_len: np.ndarray  # int32 [paragraphs]

    @classmethod
    def count(
        cls,
        texts: Sequence[str],
        sentence_span: np.ndarray,
        sentence_document: np.ndarray,
        sentence_paragraph: np.ndarray,
        paragraphs: int,
    ) -> Bigrams:
        """Count every bigram inside a sentence (one that crosses a sentence boundary is
        in no unit), document by document; sentences are in document order."""
        sentences = len(sentence_span)
        bounds = np.searchsorted(sentence_document, np.arange(len(texts) + 1))
        keys, owners = [], []
        for d, text in enumerate(texts):
            first, last = int(bounds[d]), int(bounds[d + 1])
            if first == last:
                continue
            found, starts = bigram_keys(text)
            spans = sentence_span[first:last]
            slot = np.searchsorted(spans[:, 0], starts, side="right") - 1
            inside = (slot >= 0) & (starts + 2 <= spans[np.maximum(slot, 0), 1])
            keys.append(found[inside])
            owners.append(slot[inside] + first)
        key = np.concatenate(keys) if keys else np.empty(0, np.int64)
        sentence = np.concatenate(owners) if owners else np.empty(0, np.int64)
        # One sort of the occurrences as (bigram, sentence) numbers gives every count.
        # On the 4.5M occurrences of 10M characters, np.unique with its inverse and a
        # sort for each kind of unit took 2.2 s, this 0.6 s: the build waits for it
        # with one core idle.
        per = max(sentences, 1)
        occurrences = np.sort(key * per + sentence)
        held_key, held_sentence = np.divmod(occurrences[run_starts(occurrences)], per)
        new_key = run_starts(held_key)
        key_number = np.cumsum(new_key) - 1
        # Sentences are numbered in paragraph order, so within one bigram the paragraphs
        # of its sentences ascend: a (bigram, paragraph) is new where either changes.
        new_paragraph = new_key | run_starts(sentence_paragraph[held_sentence])
        vocabulary = held_key[new_key]
        sentence_df = np.bincount(key_number, minlength=len(vocabulary))
        paragraph_df = np.bincount(key_number[new_paragraph], minlength=len(vocabulary))
        sentence_len = np.bincount(sentence, minlength=sentences)
        # A paragraph holds the pairs of its sentences, no more (none crosses a sentence).
        paragraph_len = np.bincount(sentence_paragraph, weights=sentence_len, minlength=paragraphs)
        return cls(
            keys=vocabulary,
            sentence_df=sentence_df.astype(np.int32),
            paragraph_df=paragraph_df.astype(np.int32),
            sentence_len=sentence_len.astype(np.int32),
            paragraph_len=paragraph_len.astype(np.int32),
        )


class BigramScorer:
    """BM25 of a question's bigrams over given units, from their text; rank-bm25 scores.

    The units are sentences or paragraphs, with the matching ``df`` and lengths.
    """

    def __init__(self, keys: np.ndarray, df: np.ndarray, unit_len: np.ndarray) -> None:
        self._keys = keys
        self._len = unit_len
        self._idf = lucene_idf(df, len(unit_len))
        self._unseen_idf = float(lucene_idf(0, len(unit_len)))
        self._avgdl = mean_length(unit_len)

    def question(self, keys: np.ndarray) -> QuestionBigrams:
        """The question's bigrams (:func:`question_keys`) with their IDF; one the corpus
        never uses weighs the most, as an unseen morpheme does."""
        at, known = _lookup(keys, self._keys)
        idf = np.full(len(keys), self._unseen_idf)
        idf[known] = self._idf[at[known]]
        return QuestionBigrams(
            keys, idf, dict(zip(keys[known].tolist(), idf[known].tolist(), strict=True))
        )

    @staticmethod
    def coverage(question: QuestionBigrams, found: np.ndarray) -> float:
        """The share of the question's bigram weight among ``found``, the keys of a text."""
        if not len(question.keys):
            return 0.0
        held = _members(question.keys, np.sort(found))
        return float(question.idf[held].sum() / question.idf.sum())

    def score(
        self, question: QuestionBigrams, freqs: Mapping[int, Mapping[int, int]]
    ) -> dict[int, float]:
        """BM25 of each unit of ``freqs`` (unit → key → count in its text) for the
        question's bigrams.

        rank-bm25 loops in Python over every unit for every query term, so it is asked
        only about the bigrams that some unit holds: the others add exactly 0 to every
        score. A unit left out of ``freqs`` scores 0.
        """
        held = {key for counts in freqs.values() for key in counts}
        idf = {key: weight for key, weight in question.known.items() if key in held}
        if not idf:
            return {}
        return batch_scores(idf, freqs, self._len, self._avgdl, K1, B)


def question_keys(text: str) -> np.ndarray:
    """A question's distinct bigram keys, sorted: what both scorers weigh."""
    return np.unique(bigram_keys(text)[0])


def occurrences(keys: np.ndarray, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Where the bigrams ``keys`` (sorted) occur in ``text``: the key and the start of
    each occurrence, in text order."""
    found, starts = bigram_keys(text)
    held = _members(found, keys)
    return found[held], starts[held]


def tally(units: np.ndarray, keys: np.ndarray) -> dict[int, dict[int, int]]:
    """Unit → key → count, from the unit and the key of each occurrence (a few hundred
    a question: counted in Python faster than numpy sorts them)."""
    freqs: dict[int, dict[int, int]] = {}
    for unit, key in zip(units.tolist(), keys.tolist(), strict=True):
        counts = freqs.setdefault(unit, {})
        counts[key] = counts.get(key, 0) + 1
    return freqs
