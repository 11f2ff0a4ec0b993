import pytest

from bot.answer import (
    MAX_QUESTION_CHARS,
    MIN_COVERAGE,
    MIN_COVERAGE_UNKNOWN_NAME,
    QUOTE_MAX_CHARS,
    QuestionError,
    answer,
    check_question,
)
from index import Index


def test_answer_quotes_the_article(article_index: Index) -> None:
    reply = answer(article_index, "현대차의 투자 규모는 얼마인가?")
    assert reply.found
    best = reply.quotes[0]
    assert "30억 달러" in best.text
    assert best.text[best.sentence[0] : best.sentence[1]].startswith("현대차는 엔비디아와 함께")
    assert all(0 <= a < b <= len(best.text) for a, b in best.highlights)
    assert "투자" in {best.text[a:b] for a, b in best.highlights}


@pytest.mark.parametrize(
    "question", ["로또 당첨 번호 알려줘", "내일 부산 비 와?", "ㅎㅎ", "자바스크립트 배열 합치는 법"]
)
def test_questions_the_article_does_not_answer(article_index: Index, question: str) -> None:
    reply = answer(article_index, question)
    assert not reply.found and reply.quotes == ()


def test_best_quote_decides_and_weaker_ones_follow_it() -> None:
    from index import build, parse_document

    index = build(
        [
            parse_document(
                "제목\n현대차는 로봇 회사에 30억 달러를 투자한다.\n현대차 공장은 울산에 있다."
            )
        ]
    )
    question = "현대차 로봇 투자 규모는 얼마인가"
    hits = index.search(question)
    assert hits[0].coverage >= MIN_COVERAGE > hits[1].coverage
    assert [q.text for q in answer(index, question).quotes][1] == "현대차 공장은 울산에 있다."
    assert not answer(index, "내일 울산 날씨와 강수 확률은").found  # best quote below the rule


def test_a_name_the_article_never_mentions_needs_a_stronger_quote(article_index: Index) -> None:
    hit = article_index.search("애플 CEO는 누구야?")[0]
    assert MIN_COVERAGE <= hit.coverage < MIN_COVERAGE_UNKNOWN_NAME  # CEO alone would pass
    refused = answer(article_index, "애플 CEO는 누구야?")
    assert not refused.found and refused.unknown == ("애플",)
    assert answer(article_index, "엔비디아 CEO는 누구야?").found


def test_top_limits_quotes(article_index: Index) -> None:
    assert len(answer(article_index, "엔비디아 한국 AI 협력", top=1).quotes) == 1


@pytest.mark.parametrize("question", ["", "   ", "?!…", "。。。", "\u200b"])
def test_empty_or_punctuation_question_is_an_error(question: str) -> None:
    with pytest.raises(QuestionError, match="비어"):
        check_question(question)


def test_too_long_question_is_an_error() -> None:
    with pytest.raises(QuestionError, match="너무 깁니다"):
        check_question("가" * 10_000)
    assert check_question("가" * MAX_QUESTION_CHARS) == "가" * MAX_QUESTION_CHARS


def test_enormous_sentence_is_quoted_as_a_window_around_the_match() -> None:
    from index import build, parse_document

    filler = "가나다라마바사 " * 2000
    doc = parse_document(f"제목\n{filler}엔비디아는 한국에 GPU를 공급하면서 {filler}끝.")
    reply = answer(build([doc]), "엔비디아 GPU 공급")
    quote = reply.quotes[0]
    assert len(quote.text) <= QUOTE_MAX_CHARS + 2
    assert quote.text.startswith("…") and quote.text.endswith("…")
    assert "엔비디아는 한국에 GPU를 공급하면서" in quote.text
    assert {quote.text[a:b] for a, b in quote.highlights} == {"엔비디아", "GPU", "공급"}
    assert quote.text[quote.sentence[0] : quote.sentence[1]] == quote.text[1:-1]
