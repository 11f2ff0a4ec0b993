"""From ranked hits to the answer every face shows: one decision, shared by all.

The console, ``articlebot ask``, its JSON and the Telegram bot all call
:func:`answer`, so "is this in the article?" has one answer wherever it is asked.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from index import Hit, Index, normalize_question

# The not-found rule: a passage answers only if it holds at least this share of
# the question's IDF weight. Below it, the best passage merely shares a word or
# two with the question, and quoting it would mislead. Tuned on the dev sets
# (benchmarks/README.md).
MIN_COVERAGE = 0.3
MAX_QUESTION_CHARS = 1000
DEFAULT_TOP = 3


class QuestionError(ValueError):
    """A question that cannot be searched; the message is for the person who asked."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A passage as a reply shows it; spans are relative to ``text``."""

    text: str
    passage: int
    score: float
    document: str
    sentence: tuple[int, int]
    highlights: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """What the bot says to one question: quotes best first, or that the text is silent."""

    question: str
    quotes: tuple[Quote, ...]
    several_documents: bool = False

    @property
    def found(self) -> bool:
        return bool(self.quotes)


def check_question(question: str) -> str:
    """The normalized question, or a QuestionError saying what is wrong with it."""
    text = normalize_question(question)
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise QuestionError("질문이 비어 있습니다. 기사에 대해 궁금한 것을 물어보세요.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"질문이 너무 깁니다 ({len(text):,}자). {MAX_QUESTION_CHARS:,}자 이내로 물어보세요."
        )
    return text


def answer(index: Index, question: str, top: int = DEFAULT_TOP) -> Answer:
    """Answer a question from the index, or raise QuestionError for an unusable one."""
    text = check_question(question)
    hits = [h for h in index.search(text, k=top) if h.coverage >= MIN_COVERAGE]
    return Answer(
        question=text,
        quotes=tuple(_quote(index, h) for h in hits),
        several_documents=len(index.documents) > 1,
    )


def _quote(index: Index, hit: Hit) -> Quote:
    passage = hit.passage
    offset = passage.start
    return Quote(
        text=index.passage_text(passage),
        passage=hit.number,
        score=hit.score,
        document=index.documents[passage.document].title,
        sentence=(hit.sentence.start - offset, hit.sentence.end - offset),
        highlights=tuple((t.start - offset, t.end - offset) for t in hit.matched),
    )
