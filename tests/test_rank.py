"""Sentence ranking and quote windows on small texts made here."""

from itertools import pairwise

from index import build, parse_document
from index.rank import WINDOW_CHARS


def quotes(text: str, question: str, k: int = 3) -> list[str]:
    index = build([parse_document(text)])
    document = index.documents[0].text
    return [document[h.passage.start : h.passage.end] for h in index.search(question, k)]


def test_quote_grows_into_the_next_sentence_that_holds_the_answer() -> None:
    text = (
        "제목\n서울시는 올해 새 도서관 계획을 발표했다. 도서관은 마포구에 들어선다. "
        "개관은 2027년이다.\n다른 단락은 날씨 이야기다."
    )
    best = quotes(text, "새 도서관 계획은 어디에 들어서나?")[0]
    assert best.startswith("서울시는") and "마포구" in best
    assert "날씨" not in best  # never crosses a paragraph


def test_window_stays_within_the_budget_but_a_long_sentence_stays_whole() -> None:
    filler = "사과와 배와 감과 " * 40
    text = f"제목\n엔비디아는 {filler}GPU를 공급한다. 옆 문장은 짧다."
    best = quotes(text, "엔비디아 GPU 공급")[0]
    assert len(best) > WINDOW_CHARS and "옆 문장" not in best
    short = "제목\n" + " ".join(f"문장 {n}번은 사과 이야기다." for n in range(40))
    assert len(quotes(short, "사과 이야기 20번")[0]) <= WINDOW_CHARS


def test_paragraph_context_breaks_a_tie_between_sentences() -> None:
    text = (
        "제목\n엔비디아는 한국에 GPU를 공급한다. 공급 규모는 크다.\n"
        "현대차는 로봇을 만든다. 엔비디아는 한국에 GPU를 공급한다. 협력은 현대차와 한다."
    )
    index = build([parse_document(text)])
    hit = index.search("현대차와 엔비디아의 GPU 공급", k=1)[0]
    assert hit.passage.paragraph == 2


def test_quotes_do_not_overlap_and_are_ranked() -> None:
    text = "제목\n" + "\n".join(f"사과는 {n}번째 과일이다. 배는 아니다." for n in range(1, 6))
    index = build([parse_document(text)])
    hits = index.search("사과 과일", k=5)
    spans = sorted((h.passage.start, h.passage.end) for h in hits)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_unseen_question_word_matches_by_character_bigrams() -> None:
    text = "제목\n세인트올번스 주민들은 수도원으로 갔다.\n런던 시민들은 집에 머물렀다."
    index = build([parse_document(text)])
    hits = index.search("세인트올번스의다", k=1)
    assert hits and "세인트올번스" in index.documents[0].text[hits[0].passage.start :][:20]
    assert 0 < hits[0].coverage <= 1
