"""BM25 on tiny corpora, and parity with rank-bm25 scoring every passage."""

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index import build, parse_document
from index.bm25 import K1, B, LuceneBM25, Postings, Scorer


def scorer_of(corpus: list[list[str]]) -> Scorer:
    """A Scorer over token lists, through the same postings an index builds."""
    vocabulary: dict[str, int] = {}
    ids = [vocabulary.setdefault(t, len(vocabulary)) for doc in corpus for t in doc]
    offsets = np.cumsum([0] + [len(doc) for doc in corpus]).astype(np.int64)
    postings = Postings.from_terms(offsets, np.array(ids, dtype=np.int32), len(vocabulary))
    return Scorer(postings, vocabulary)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_tiny_corpus_ranks_the_matching_passage_first(size: int) -> None:
    corpus = [["반도체", "협력"], ["자동차", "투자"], ["인공지능", "인재"]][:size]
    scorer = scorer_of(corpus)
    for i, doc in enumerate(corpus):
        scores = scorer.scores([doc[0]])
        assert list(scores) == [i]
        assert scores[i] > 0


def test_two_passages_where_rank_bm25_okapi_gives_zeros() -> None:
    corpus = [["반도체", "협력"], ["자동차", "투자"]]
    assert list(BM25Okapi(corpus).get_scores(["반도체"])) == [0.0, 0.0]  # why we don't use it
    scores = LuceneBM25(corpus).get_scores(["반도체"])
    assert scores[0] > 0 and scores[1] == 0


def test_term_in_half_of_the_passages_still_counts() -> None:
    corpus = [["반도체", "협력"], ["반도체", "투자"], ["자동차"], ["로봇"]]
    assert BM25Okapi(corpus).idf["반도체"] == 0  # rank-bm25's Okapi: zero weight at n = N/2
    scores = scorer_of(corpus).scores(["반도체", "투자"])
    assert scores[1] > scores[0] > 0


def test_common_term_weighs_less_than_a_rare_one() -> None:
    corpus = [["ai", "반도체"], ["ai", "로봇"], ["ai", "투자"]]
    scorer = scorer_of(corpus)
    assert 0 < scorer.idf("ai") < scorer.idf("반도체") < scorer.idf("없는말")


def test_empty_passages_and_unknown_terms() -> None:
    scorer = scorer_of([[], ["반도체"]])
    assert scorer.scores(["없는말"]) == {}
    assert list(scorer.scores(["반도체"])) == [1]


def test_candidate_scoring_equals_scoring_every_passage(article_index) -> None:
    corpus = [[t.text for t in p.terms] for p in article_index.passages]
    reference = LuceneBM25(corpus, k1=K1, b=B)
    scorer = scorer_of(corpus)
    for query in (["젠슨 황", "평가"], ["gpu", "26", "만"], ["현대차", "투자", "규모"], ["없는말"]):
        full = reference.get_scores(query)
        ours = scorer.scores(query)
        assert all(full[i] == pytest.approx(ours.get(i, 0.0)) for i in range(len(corpus)))


def test_one_passage_index_answers() -> None:
    index = build([parse_document("엔비디아는 한국에 GPU 26만 장을 공급한다.")])
    hits = index.search("GPU 몇 장 공급해?")
    assert (
        len(hits) == 1 and hits[0].score > 0 and hits[0].coverage >= 0.5
    )  # every morpheme: half the weight


def _ranking(scores, k: int) -> list[tuple[int, float]]:
    ranked = sorted(
        ((i, float(s)) for i, s in enumerate(scores) if s > 0), key=lambda x: (-x[1], x[0])
    )
    return ranked[:k]


def test_pruned_top_k_is_identical_to_scoring_every_passage() -> None:
    """MaxScore skips passages that cannot reach the top k; the result must not change."""
    rng = random.Random(7)
    words = [f"w{i}" for i in range(400)]
    weights = [1 / (i + 1) for i in range(400)]  # Zipf: a few words in most passages
    corpus = [rng.choices(words, weights, k=rng.randint(3, 60)) for _ in range(3000)]
    reference = LuceneBM25(corpus, k1=K1, b=B)
    scorer = scorer_of(corpus)
    for _ in range(200):
        query = list(dict.fromkeys(rng.choices(words, weights, k=rng.randint(1, 8))))
        full = reference.get_scores(query)
        for k in (1, 3, 10, 40):
            ours = scorer.top(query, k)
            expected = _ranking(full, k)
            assert [i for i, _ in ours] == [i for i, _ in expected], (query, k)
            assert [s for _, s in ours] == pytest.approx([s for _, s in expected])
