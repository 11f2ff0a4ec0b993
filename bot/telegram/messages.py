"""Answers as Telegram messages: valid HTML, escaped, within Telegram's limits."""

from __future__ import annotations

import html
import re

from telegram.constants import MessageLimit

from bot.answer import Answer, Quote
from bot.render import NOT_FOUND, not_found_hint, place


def telegram_html(answer: Answer, quotes: int = 1) -> str:
    """A Telegram HTML message with the first ``quotes`` quotes.

    The best quote is a blockquote; further ones are expandable blockquotes (they
    cannot nest). The best sentence is bold and the question's words are bold (and
    underlined inside the bold sentence). The message stays within Telegram's 4096
    characters: quotes that do not fit are dropped, and if the best one alone is too
    long with its markup it is sent without emphasis, then cut.
    """
    if not answer.found:
        return f"{html.escape(NOT_FOUND)}\n<i>{html.escape(not_found_hint(answer))}</i>"
    shown = list(answer.quotes[:quotes])
    while shown:
        message = "\n".join(
            _telegram_quote(q, answer.several_documents, expandable=i > 0)
            for i, q in enumerate(shown)
        )
        if len(message) <= MessageLimit.MAX_TEXT_LENGTH:
            return message
        if len(shown) == 1:
            break
        shown.pop()
    best = shown[0]
    plain = _telegram_quote(best, answer.several_documents, expandable=False, emphasis=False)
    if len(plain) <= MessageLimit.MAX_TEXT_LENGTH:
        return plain
    where = _place_html(best, answer.several_documents)
    room = MessageLimit.MAX_TEXT_LENGTH - len(where) - len("<blockquote></blockquote>\n…")
    body = html.escape(best.text)[:room]
    body = body[: body.rfind("&")] if body.rfind("&") > body.rfind(";") else body
    return f"<blockquote>{body}…</blockquote>\n{where}"


def telegram_inline_html(answer: Answer, quote: Quote) -> str:
    """What an inline result posts into a chat: the question, then one quote."""
    return f"❓ {html.escape(answer.question)}\n" + _telegram_quote(
        quote, answer.several_documents, expandable=False
    )


def plain_text(message_html: str) -> str:
    """The visible text of a message built here, for resending without entities."""
    return html.unescape(_TAG.sub("", message_html))


_TAG = re.compile(r"<[^>]+>")


def _place_html(quote: Quote, several_documents: bool) -> str:
    return f"<i>— {html.escape(place(quote, several_documents))}</i>"


def _telegram_quote(
    quote: Quote, several_documents: bool, expandable: bool, emphasis: bool = True
) -> str:
    body = _html_emphasis(quote) if emphasis else html.escape(quote.text)
    tag = "blockquote expandable" if expandable else "blockquote"
    return f"<{tag}>{body}</blockquote>\n{_place_html(quote, several_documents)}"


def _html_emphasis(quote: Quote) -> str:
    """Escaped text: <b> over the best sentence and matched words, <u> on words inside it."""
    n = len(quote.text)
    bold = [False] * n
    underline = [False] * n
    sentence = range(*quote.sentence)
    for i in sentence:
        bold[i] = True
    for start, end in quote.highlights:
        for i in range(start, end):
            bold[i] = True
            underline[i] = i in sentence
    return "".join(
        f"<b>{''.join(_underlined(quote.text, underline, a, b))}</b>"
        if bold[a]
        else html.escape(quote.text[a:b])
        for a, b in _runs(bold)
    )


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """Maximal spans of equal flags."""
    runs = []
    start = 0
    for i in range(1, len(flags) + 1):
        if i == len(flags) or flags[i] != flags[start]:
            runs.append((start, i))
            start = i
    return runs


def _underlined(text: str, underline: list[bool], start: int, end: int) -> list[str]:
    parts = []
    for a, b in _runs(underline[start:end]):
        piece = html.escape(text[start + a : start + b])
        parts.append(f"<u>{piece}</u>" if underline[start + a] else piece)
    return parts
