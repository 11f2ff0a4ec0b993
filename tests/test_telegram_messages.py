"""Telegram HTML rendering: escaping, emphasis, length, checked by the fake server's parser."""

from __future__ import annotations

import re

from fake_bot_api import parse_html, utf16_len
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.constants import MessageLimit

from bot.answer import Answer, Quote, answer
from bot.render import NOT_FOUND
from bot.telegram.messages import plain_text, telegram_html, telegram_inline_html
from index import build, parse_document


def quote(text: str, sentence: tuple[int, int], highlights=(), passage: int = 1) -> Quote:
    return Quote(text, passage, 1.0, "제목", sentence, tuple(highlights))


def test_best_sentence_bold_and_words_underlined_inside_it() -> None:
    q = quote("앞 문장. 현대차는 30억 달러를 투자한다.", (6, 24), [(6, 9), (0, 1)])
    message = telegram_html(Answer("질문", (q,)))
    assert message == (
        "<blockquote><b>앞</b> 문장. <b><u>현대차</u>는 30억 달러를 투자한다.</b>"
        "</blockquote>\n<i>— 1번째 단락</i>"
    )
    text, _ = parse_html(message)
    assert text.startswith(q.text)


def test_special_characters_are_escaped() -> None:
    q = quote('A<b> & "C" <script>x</script>', (0, 5))
    message = telegram_html(Answer("질문", (q,)))
    text, _ = parse_html(message)
    assert text.startswith(q.text)
    assert "<script>" not in message and "&lt;script&gt;" in message


def test_more_quotes_are_expandable_blockquotes_not_nested() -> None:
    quotes = tuple(quote(f"{i}번째 인용문이다.", (0, 9), passage=i) for i in range(1, 4))
    message = telegram_html(Answer("질문", quotes), quotes=3)
    assert message.count("<blockquote>") == 1 and message.count("<blockquote expandable>") == 2
    parse_html(message)


def test_several_documents_name_the_document() -> None:
    message = telegram_html(Answer("질문", (quote("인용.", (0, 3)),), several_documents=True))
    assert "<i>— 《제목》 1번째 단락</i>" in message


def test_not_found_has_no_blockquote() -> None:
    message = telegram_html(Answer("질문", ()))
    assert message.startswith(NOT_FOUND) and "blockquote" not in message
    parse_html(message)


def test_not_found_names_what_the_text_lacks_escaped() -> None:
    message = telegram_html(Answer("질문", (), unknown=("AT&T",)))
    assert message.endswith("<i>기사에 나오지 않는 말: ‘AT&amp;T’</i>")
    parse_html(message)


def test_too_long_message_drops_further_quotes_then_emphasis_then_text() -> None:
    long = "&" * 1500
    quotes = tuple(
        quote(long, (0, 1500), [(i, i + 1) for i in range(0, 1500, 2)]) for _ in range(3)
    )
    message = telegram_html(Answer("질문", quotes), quotes=3)
    assert len(message) <= MessageLimit.MAX_TEXT_LENGTH
    assert "expandable" not in message
    text, _ = parse_html(message)
    assert text.startswith("&" * 100)
    huge = quote("<" * 5000, (0, 5000))
    message = telegram_html(Answer("질문", (huge,)))
    assert len(message) <= MessageLimit.MAX_TEXT_LENGTH
    text, _ = parse_html(message)
    assert text.startswith("<" * 100) and "…" in text


def test_plain_text_is_the_visible_text() -> None:
    q = quote("A & B <c>", (0, 5), [(0, 1)])
    message = telegram_html(Answer("질문", (q,)))
    assert plain_text(message) == parse_html(message)[0]


def test_inline_message_carries_the_question() -> None:
    q = quote("인용문.", (0, 4))
    message = telegram_inline_html(Answer("<질문>", (q,)), q)
    assert message.startswith("❓ &lt;질문&gt;\n<blockquote>")
    parse_html(message)


_WORDS = st.text(
    alphabet=st.sampled_from(list("가나다라마바사 아자차 엔비디아 GPU<>&\"';.!?\n\u200b😀ᄀ")),
    min_size=1,
    max_size=400,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_WORDS, question=_WORDS)
def test_any_document_and_question_give_valid_short_faithful_messages(
    document: str, question: str
) -> None:
    try:
        doc = parse_document("제목\n" + document)
    except ValueError:
        return
    index = build([doc])
    try:
        reply = answer(index, question)
    except ValueError:
        return
    for message in (telegram_html(reply), telegram_html(reply, quotes=3)):
        text, _ = parse_html(message)  # raises on anything Telegram would reject
        assert utf16_len(text) <= MessageLimit.MAX_TEXT_LENGTH
        assert len(message) <= MessageLimit.MAX_TEXT_LENGTH
        for quoted in re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", message, re.S):
            visible = plain_text(quoted).strip("…")
            assert visible in doc.text
