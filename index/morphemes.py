"""Korean morphemes: the one Kiwi of the process and the terms BM25 sees.

Kiwi costs about a second to load and another second and a half on its first
call, so the process keeps one instance, warmed once. Documents and questions
both pass through :func:`terms`, so the two sides of a match are cut the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Token

# Content morphemes: the tags that carry what a sentence is about. Particles,
# endings, copulas and punctuation are left out: rank-bm25 would otherwise give
# them real weight. Chosen by measurement on the dev sets (benchmarks/README.md).
CONTENT_TAGS = frozenset(
    {"NNG", "NNP", "NR", "VV", "VA", "XR", "MAG", "SL", "SH", "SN"}
    | {"W_URL", "W_EMAIL", "W_HASHTAG", "W_SERIAL"}
)

# Words that make a sentence a question or carry no topic of their own. A
# question matches an answer by its other words; left in, these would pull
# towards any passage that happens to use them.
QUESTION_STOPWORDS = frozenset(
    {
        "무엇",
        "뭐",
        "누구",
        "언제",
        "어디",
        "어떻",
        "어떠하",
        "왜",
        "몇",
        "어느",
        "얼마",
        "무슨",
        "어떤",
    }
    | {"하", "되", "있", "없", "알리", "말하", "주"}
)

# Part of the index format: an index built with another analyzer cannot be searched.
ANALYZER = "kiwi-content-v1"


class Term(NamedTuple):
    """A content morpheme: its normalized text and where it stands in the source."""

    text: str
    start: int
    end: int


class AnalyzedSentence(NamedTuple):
    """A sentence's span in its paragraph and the terms in it (same offsets)."""

    start: int
    end: int
    terms: tuple[Term, ...]


_kiwi: Kiwi | None = None
_lock = threading.Lock()


def kiwi() -> Kiwi:
    """The process's Kiwi, loaded and warmed on first use."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                instance = Kiwi(num_workers=-1)
                instance.tokenize("한국어 형태소 분석기를 미리 데워 둡니다.")
                _kiwi = instance
    return _kiwi


def analyzer_version() -> str:
    """The analyzer's identity as stored in an index: filter rules plus Kiwi's version."""
    from kiwipiepy import __version__

    return f"{ANALYZER}/kiwipiepy-{__version__}"


def term_of(token: Token) -> str | None:
    """The indexed text of a Kiwi token, or None when the token is not content."""
    tag = token.tag.split("-", 1)[0]  # VV-R, VA-I: irregular conjugations
    if tag not in CONTENT_TAGS:
        return None
    return token.form.lower()


def _terms(tokens: Iterable[Token]) -> tuple[Term, ...]:
    found = []
    for token in tokens:
        text = term_of(token)
        if text is not None:
            found.append(Term(text, token.start, token.start + token.len))
    return tuple(found)


def question_terms(question: str) -> tuple[Term, ...]:
    """Content terms of a question, without question words and light verbs."""
    return tuple(t for t in _terms(kiwi().tokenize(question)) if t.text not in QUESTION_STOPWORDS)


def text_terms(text: str) -> tuple[Term, ...]:
    """Content terms of a piece of document text."""
    return _terms(kiwi().tokenize(text))


def analyze_paragraphs(paragraphs: Sequence[str]) -> Iterator[list[AnalyzedSentence]]:
    """Sentences and terms of many paragraphs in one Kiwi pass.

    Kiwi spreads work over its threads only when it is handed many texts at once,
    and its sentence splitter already analyzes morphemes, so one call yields both.
    """
    for sentences in kiwi().split_into_sents(paragraphs, return_tokens=True):
        yield [AnalyzedSentence(s.start, s.end, _terms(s.tokens)) for s in sentences]
