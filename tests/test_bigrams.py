"""Hangul bigrams: keys and offsets, corpus counts, and BM25 equal to rank-bm25's own."""

from __future__ import annotations

import numpy as np
import pytest

from index import build, parse_document
from index.bigrams import (
    SYLLABLES,
    Bigrams,
    BigramScorer,
    bigram_keys,
    occurrences,
    question_keys,
    tally,
)
from index.bm25 import LuceneBM25
from index.search import Structure


def key(pair: str) -> int:
    first, second = (ord(ch) - 0xAC00 for ch in pair)
    return first * SYLLABLES + second


def test_keys_are_adjacent_syllables_with_their_offsets() -> None:
    keys, starts = bigram_keys("AI 고속도로, 한 번 🚀 더해")
    assert keys.tolist() == [key("고속"), key("속도"), key("도로"), key("더해")]
    assert starts.tolist() == [3, 4, 5, 15]  # code points: 🚀 is one


def test_no_pairs_in_text_without_two_syllables_in_a_row() -> None:
    for text in ("", "가", "a b c", "가 나 다", "ㄱㄴ"):
        assert bigram_keys(text)[0].size == 0


TEXT = "고속도로를 짓는다. 도로가 넓다.\n고속 열차가 달린다."


def counted() -> tuple[Bigrams, list[str], list[list[str]]]:
    index = build([parse_document("제목\n" + TEXT)])
    b = index.bigrams
    document = index.documents[0].text
    sentences = [document[a:z] for a, z in index.columns.sentence_span.tolist()]
    words = [
        [s[i : i + 2] for i in range(len(s) - 1) if all("가" <= c <= "힣" for c in s[i : i + 2])]
        for s in sentences
    ]
    return b, sentences, words


def test_counts_hold_each_sentence_and_paragraph_and_nothing_across_them() -> None:
    b, _, words = counted()
    assert b.sentence_len.tolist() == [len(w) for w in words]
    by_key = dict(zip(b.keys.tolist(), b.sentence_df.tolist(), strict=True))
    assert by_key[key("도로")] == 2 and by_key[key("고속")] == 2
    assert key("다도") not in by_key  # "짓는다. 도로": across a sentence end, in no unit
    paragraphs = dict(zip(b.keys.tolist(), b.paragraph_df.tolist(), strict=True))
    assert paragraphs[key("도로")] == 1 and paragraphs[key("고속")] == 2
    assert b.paragraph_len.sum() == b.sentence_len.sum()


def test_scores_equal_rank_bm25_over_every_sentence() -> None:
    b, sentences, words = counted()
    scorer = BigramScorer(b.keys, b.sentence_df, b.sentence_len)
    question = "고속도로는 넓은가?"
    asked = scorer.question(question_keys(question))
    idf = asked.known
    found = [occurrences(asked.keys, s)[0] for s in sentences]
    units = np.repeat(np.arange(len(found)), [len(f) for f in found])
    ours = scorer.score(asked, tally(units, np.concatenate(found)))
    peer = LuceneBM25(words, k1=0.9, b=0.5)
    wanted = [
        p
        for p in dict.fromkeys(question[i : i + 2] for i in range(len(question) - 1))
        if p in peer.idf
    ]
    assert sorted(key(p) for p in wanted) == sorted(idf)
    expected = peer.get_scores(wanted)
    assert sorted(ours) == np.flatnonzero(expected).tolist()  # the others score 0, left out
    np.testing.assert_allclose([ours.get(i, 0.0) for i in range(len(words))], expected)


def test_occurrences_of_given_keys_and_their_tally() -> None:
    keys = np.array(sorted([key("고속"), key("도로")]))
    found, starts = occurrences(keys, "고속도로 옆 도로")
    assert found.tolist() == [key("고속"), key("도로"), key("도로")]
    assert starts.tolist() == [0, 2, 7]
    assert tally(np.array([4, 4, 9]), found) == {
        4: {key("고속"): 1, key("도로"): 1},
        9: {key("도로"): 1},
    }


def test_coverage_weighs_held_bigrams_and_unseen_ones_most() -> None:
    b, _, _ = counted()
    scorer = BigramScorer(b.keys, b.sentence_df, b.sentence_len)

    def coverage(question: str, text: str) -> float:
        return scorer.coverage(scorer.question(question_keys(question)), bigram_keys(text)[0])

    assert coverage("고속도로", "고속도로를 짓는다.") == 1.0
    assert coverage("고속도로", "열차가 달린다.") == 0.0
    assert coverage("", "고속도로") == 0.0
    unseen = coverage("고속 비행", "고속 열차")  # 비행 is nowhere in the corpus
    assert 0.0 < unseen < 0.5


@pytest.mark.parametrize("text", ["", "제목\n영문 only text here."])
def test_counting_a_corpus_without_pairs_is_empty(text: str) -> None:
    structure_free = Bigrams.count(
        [], np.empty((0, 2), np.int32), np.empty(0, np.int64), np.empty(0, np.int64), 0
    )
    assert structure_free.keys.size == 0 and structure_free.sentence_len.size == 0
    if text:
        index = build([parse_document(text)])
        s = Structure.of(index.columns)
        assert len(index.bigrams.sentence_len) == len(s.sentence_paragraph)
