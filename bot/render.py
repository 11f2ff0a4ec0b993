"""Answers as people and programs read them: terminal text and JSON lines."""

from __future__ import annotations

import json

from bot.answer import Answer, Quote

NOT_FOUND = "기사에서 이 질문의 답을 찾지 못했습니다."
NOT_FOUND_HINT = "기사에 나오는 사람, 회사, 숫자 같은 낱말을 넣어 다시 물어보세요."

_BOLD = "\x1b[1m"
_MATCH = "\x1b[1;33m"  # bold yellow: a word of the question
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def place(quote: Quote, several_documents: bool) -> str:
    """Where a quote stands, in words a reader uses."""
    where = f"{quote.passage}번째 단락"
    return f"《{quote.document}》 {where}" if several_documents else where


def not_found_hint(answer: Answer) -> str:
    """What to try after a refusal: the names the text lacks, when the question had some."""
    if answer.unknown:
        return "기사에 나오지 않는 말: " + ", ".join(f"‘{name}’" for name in answer.unknown)
    return NOT_FOUND_HINT


def terminal(answer: Answer, color: bool) -> str:
    """The console's reply: quotes as indented blocks, best sentence and question words marked."""
    if not answer.found:
        hint = not_found_hint(answer)
        return f"{NOT_FOUND}\n{_DIM if color else ''}{hint}{_RESET if color else ''}"
    blocks = []
    for quote in answer.quotes:
        body = _emphasize(quote) if color else quote.text
        where = f"— {place(quote, answer.several_documents)}"
        blocks.append(f"│ {body}\n  {_DIM}{where}{_RESET}" if color else f"│ {body}\n  {where}")
    return "\n\n".join(blocks)


def _emphasize(quote: Quote) -> str:
    """ANSI styles per character: bold for the best sentence, yellow for matched words."""
    styles = [""] * len(quote.text)
    for i in range(*quote.sentence):
        styles[i] = _BOLD
    for start, end in quote.highlights:
        for i in range(start, end):
            styles[i] = _MATCH
    out = []
    current = ""
    for ch, style in zip(quote.text, styles, strict=True):
        if style != current:
            out.append(_RESET + style if current else style)
            current = style
        out.append(ch)
    if current:
        out.append(_RESET)
    return "".join(out)


def json_line(answer: Answer) -> str:
    """One JSON object per question, the shape ``articlebot ask --json`` promises."""
    return json.dumps(
        {
            "question": answer.question,
            "found": answer.found,
            "quotes": [
                {
                    "text": q.text,
                    "passage": q.passage,
                    "score": round(q.score, 4),
                    "document": q.document,
                }
                for q in answer.quotes
            ],
            "unknown": list(answer.unknown),
        },
        ensure_ascii=False,
    )
