import json

from bot.answer import Answer, Quote
from bot.render import NOT_FOUND, NOT_FOUND_HINT, json_line, terminal

QUOTE = Quote(
    text="앞 문장이다. 현대차는 30억 달러를 투자한다.",
    passage=7,
    score=3.14159,
    document="제목",
    sentence=(8, 26),
    highlights=((8, 11), (21, 23)),
)


def test_plain_terminal_text_is_the_quote_and_its_place() -> None:
    out = terminal(Answer("질문", (QUOTE,)), color=False)
    assert out == "│ 앞 문장이다. 현대차는 30억 달러를 투자한다.\n  — 7번째 단락"
    assert "\x1b" not in out


def test_color_marks_sentence_and_matched_words() -> None:
    out = terminal(Answer("질문", (QUOTE,)), color=True)
    assert "\x1b[1m" + "는 30억 달러를 " in out  # the best sentence, bold
    assert "\x1b[1;33m현대차" in out and "\x1b[1;33m투자" in out  # question words
    assert out.count("\x1b[0m") >= 3
    assert "앞 문장이다." in out.split("\x1b")[0]


def test_several_documents_name_the_document() -> None:
    out = terminal(Answer("질문", (QUOTE,), several_documents=True), color=False)
    assert "《제목》 7번째 단락" in out


def test_not_found() -> None:
    assert terminal(Answer("질문", ()), color=False) == f"{NOT_FOUND}\n{NOT_FOUND_HINT}"


def test_not_found_names_what_the_text_lacks() -> None:
    reply = terminal(Answer("애플과 Tesla", (), unknown=("애플", "Tesla")), color=False)
    assert reply == f"{NOT_FOUND}\n기사에 나오지 않는 말: ‘애플’, ‘Tesla’"


def test_json_line_shape() -> None:
    line = json_line(Answer("질문", (QUOTE,)))
    assert "\n" not in line
    assert json.loads(line) == {
        "question": "질문",
        "found": True,
        "quotes": [{"text": QUOTE.text, "passage": 7, "score": 3.1416, "document": "제목"}],
        "unknown": [],
    }
    assert json.loads(json_line(Answer("애플 주가", (), unknown=("애플",)))) == {
        "question": "애플 주가",
        "found": False,
        "quotes": [],
        "unknown": ["애플"],
    }
