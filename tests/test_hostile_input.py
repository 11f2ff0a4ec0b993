"""Hostile text in documents and questions: answered or refused in one line, never a crash."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest
from fake_bot_api import parse_html
from telegram.constants import MessageLimit

from bot.answer import QuestionError, answer
from bot.documents import document_from_bytes, read_document
from bot.render import json_line, terminal
from bot.telegram.messages import telegram_html
from index import DocumentError, build, load, parse_document, save

BODY = "엔비디아는 한국에 GPU 26만 장을 공급한다."

HOSTILE_TEXTS = {
    "html": f'<b>굵게</b> & <a href="x">링크</a> <script>alert("x")</script> {BODY}',
    "markdown_v2": f"_*[]()~`>#+-=|{{}}.!\\ {BODY} *굵게* _기울임_ `코드`",
    "zero_width_bidi": "엔\u200b비\u200d디\u2060아는\u202e 한국에\u2066 GPU 26만 장을 공급한다.",
    "emoji_astral": f"😀👍🏽👨‍👩‍👧 𝒳𝓎 {BODY} 🇰🇷",
    "control": f"\x00\x01\x07\x1b[31m{BODY}\x7f\x9b",
    "nfd": unicodedata.normalize("NFD", BODY),
    "long_line": ("가나다라 " * 25_000) + BODY,
    "crlf": f"제목\r\n{BODY}\r\n둘째 단락이다.\r\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_hostile_documents_build_and_answer(name: str, tmp_path: Path) -> None:
    doc = parse_document("제목\n" + HOSTILE_TEXTS[name])
    index = build([doc])
    save(index, tmp_path / "index.npz")
    reloaded = load(tmp_path / "index.npz")
    reply = answer(reloaded, "엔비디아 GPU 공급 규모")
    assert reply.found, name
    best = reply.quotes[0]
    assert "26만" in best.text
    assert best.text.strip("…") in doc.text
    message = telegram_html(reply, quotes=3)
    visible, _ = parse_html(message)
    assert len(message) <= MessageLimit.MAX_TEXT_LENGTH and visible
    assert "\x00" not in terminal(reply, color=True) and "\x1b[31m" not in terminal(reply, True)
    json_line(reply)


HOSTILE_QUESTIONS = [
    "<script>alert(1)</script> GPU 규모?",
    "*_GPU_* [규모](http://x) `공급`",
    "G\u200bPU\u202e 규모\u2066?",
    "😀 GPU 👍 규모? 🇰🇷",
    "\x00\x1b[2J GPU 규모",
    unicodedata.normalize("NFD", "엔비디아 공급 규모는?"),
    "GPU\r\n규모\r\n?",
    "&amp; &lt;b&gt; GPU 규모",
]


@pytest.mark.parametrize("question", HOSTILE_QUESTIONS)
def test_hostile_questions_are_answered_or_refused(article_index, question: str) -> None:
    try:
        reply = answer(article_index, question)
    except QuestionError as exc:
        assert "\n" not in str(exc)
        return
    parse_html(telegram_html(reply, quotes=3))
    assert "\x1b[2J" not in terminal(reply, color=False)


@pytest.mark.parametrize("question", ["", "\u200b\u200d", "\x00\x01", "‮‭", "🙂" * 5000])
def test_questions_without_words_or_too_long_are_one_line_errors(article_index, question) -> None:
    with pytest.raises(QuestionError) as info:
        answer(article_index, question)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        (codecs.BOM_UTF8 + BODY.encode(), True),
        (BODY.encode("utf-16"), True),
        (BODY.encode("utf-16-be"), False),  # no BOM: not guessed
        (BODY.encode("cp949"), False),
        (b"\xff\xfe\x00\xd8", False),  # UTF-16 BOM, then a lone surrogate
        (bytes(range(256)), False),
    ],
)
def test_encodings(data: bytes, ok: bool) -> None:
    if ok:
        assert "26만" in document_from_bytes(data, "x.txt").text
    else:
        with pytest.raises(DocumentError) as info:
            document_from_bytes(data, "x.txt")
        assert "\n" not in str(info.value) and str(info.value).startswith("x.txt:")


def test_hostile_file_names(tmp_path: Path) -> None:
    weird = tmp_path / "<b>기사 &amp; 😀\u202e.txt"
    weird.write_text(f"제목\n{BODY}\n", encoding="utf-8")
    assert read_document(str(weird)).name == weird.name
