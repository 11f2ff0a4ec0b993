"""From ranked hits to the answer every face shows: one decision, shared by all.

The console, ``articlebot ask``, its JSON and the Telegram bot all call
:func:`answer`, so "is this in the article?" has one answer wherever it is asked.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from index import Hit, Hits, Index, normalize_question

# The not-found rule: the article answers only if the best quote holds at least
# this share of the question's weight (morphemes and syllable pairs, see
# index.rank.Window). Below it, the best quote merely shares a word or two with
# the question, and quoting it would mislead. Once the best quote passes, the next
# ones are shown whatever they hold: they are the next places to look, and
# filtering them too cost 1 point of answer@3.
MIN_COVERAGE = 0.12
# A question that names something the text never mentions (a company, a person,
# an acronym: "애플 CEO는 누구야?") is most likely about something else, so its best
# quote must hold more of the rest. Tuned on the dev sets (benchmarks/README.md):
# the two thresholds refuse 93.9% of KorQuAD questions asked of the wrong article
# and 0.41% of the right ones; 0.14 alone refused 91.4% and 0.47%.
MIN_COVERAGE_UNKNOWN_NAME = 0.2
MAX_QUESTION_CHARS = 1000
DEFAULT_TOP = 3
# A quote longer than this (a passage that is one enormous sentence) is cut to a
# window around the words that matched, marked with an ellipsis.
QUOTE_MAX_CHARS = 600
ELLIPSIS = "…"


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
    # When the text is silent: names the question uses that the text never mentions,
    # so the reply can say what is missing rather than only that something is.
    unknown: tuple[str, ...] = ()

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
    hits = index.search(text, k=top)
    several = len(index.documents) > 1
    if not _answers(hits):
        return Answer(question=text, quotes=(), several_documents=several, unknown=hits.unknown)
    return Answer(
        question=text,
        quotes=tuple(_quote(index, h) for h in hits),
        several_documents=several,
    )


def _answers(hits: Hits) -> bool:
    """The not-found rule, on the best hit: whether it holds enough of the question."""
    needed = MIN_COVERAGE_UNKNOWN_NAME if hits.unknown else MIN_COVERAGE
    return bool(hits) and hits[0].coverage >= needed


def _quote(index: Index, hit: Hit) -> Quote:
    passage = hit.passage
    start, end = _window(hit)
    text = index.documents[passage.document].text[start:end]
    prefix = ELLIPSIS if start > passage.start else ""
    suffix = ELLIPSIS if end < passage.end else ""
    shift = start - len(prefix)

    def clip(a: int, b: int) -> tuple[int, int]:
        return max(a, start) - shift, min(b, end) - shift

    return Quote(
        text=f"{prefix}{text}{suffix}",
        passage=hit.number,
        score=hit.score,
        document=index.documents[passage.document].title,
        sentence=clip(hit.sentence.start, hit.sentence.end),
        highlights=tuple(clip(t.start, t.end) for t in hit.matched if start <= t.start < end),
    )


def _window(hit: Hit) -> tuple[int, int]:
    """The part of a passage to quote: all of it, unless it is one enormous sentence
    (passages split longer text at sentence boundaries), then a cut around the first
    word that matched."""
    passage = hit.passage
    if passage.end - passage.start <= QUOTE_MAX_CHARS:
        return passage.start, passage.end
    best = hit.sentence
    inside = [t.start for t in hit.matched if best.start <= t.start < best.end]
    anchor = inside[0] if inside else best.start
    start = max(passage.start, min(anchor - QUOTE_MAX_CHARS // 3, passage.end - QUOTE_MAX_CHARS))
    return start, start + QUOTE_MAX_CHARS
