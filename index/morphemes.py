"""Korean morphemes: the one Kiwi of the process and the terms BM25 sees.

Kiwi costs about a second to load and another second and a half on its first
call, so the process keeps one instance, warmed once. Documents and questions
both keep the tokens whose tag is in ``_CONTENT_TAG_FORMS``, lowercased, so the two
sides of a match are cut the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Token

# Content morphemes: the tags that carry what a sentence is about. Particles,
# endings, suffixes, copulas and punctuation are left out: rank-bm25 would give
# them real weight. Measured on KorQuAD dev, per article, top sentence contains the
# answer: this set 84.1%, all morphemes 82.7%, without punctuation 83.2%, without
# bound nouns / pronouns / determiners 83.2%, nouns only 81.9% (benchmarks/README.md).
CONTENT_TAGS = frozenset(
    {"NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "XR", "MAG", "MM", "SL", "SH", "SN"}
    | {"W_URL", "W_EMAIL", "W_HASHTAG", "W_MENTION", "W_SERIAL"}
)

# Words that make a sentence a question or a request and say nothing about its
# topic ("무엇", "어떻게", "알려줘", "…에 대해"). Left in, they pull towards any
# passage that happens to use them; Kiwi keeps some whole (얼마나, 언제쯤). Light
# verbs (하, 되, 있) stay: dropping them measured slightly worse.
QUESTION_STOPWORDS = frozenset(
    {"무엇", "뭐", "누구", "언제", "어디", "어떻", "어떠", "왜", "몇", "어느", "얼마"}
    | {"무슨", "어떤", "알리", "대하", "얼마나", "언제쯤", "어째서"}
)

# Names: proper nouns, and words in Latin letters or Chinese characters (brands,
# acronyms, foreign names). A question naming one that the text never mentions is
# most likely about something else (bot.answer weighs that).
NAME_TAGS = frozenset({"NNP", "SL", "SH"})
NAME_MIN_CHARS = 2

# "HBM이 뭐야?", "ESS란?", "소버린 AI는 무슨 뜻이야?": a question that asks what a word
# means. Texts answer it where they gloss the word in parentheses, "HBM(고대역폭메모리)".
# Such a question is one whose 뭐 / 무엇 is the predicate ("X가 뭐야", "X는 무엇인가"),
# that ends in "X란", or that names the meaning (MEANING_WORDS).
MEANING_WORDS = frozenset({"뜻", "의미"})
_WHAT = frozenset({"뭐", "무엇"})

# "gpu 도입하면 뭐가 좋아져?", "어떤 효과가 있어?": a question asking for an effect.
# News text states one in a few stock words (EFFECT_CUES: 전망, 기대, 촉진, …), rarely in
# the question's own, so a quote holding one is the likelier answer. Such a question
# ends on a predicate turned into "…아지다" (좋아져, 달라져, 나아져), which says what kind
# of answer is wanted, not what it is about, like a question word; or it asks "어떤 /
# 무슨" of an EFFECT_WORDS noun, or ends on one ("장점은?"). Elsewhere these nouns are
# the topic ("영향을 준 인물은?"): any of them anywhere flagged about 60 KorQuAD dev
# questions and cost 3 answers in one index; this rule flags 2 and costs none.
# Reasons (왜, 이유 → 때문, 위해) were measured the same way and left out: text gives
# reasons in endings (…므로, …아서) as often as in words, and KorQuAD lost 3 answers.
EFFECT_WORDS = frozenset({"효과", "영향", "도움", "이점", "장점", "혜택"})
EFFECT_CUES = EFFECT_WORDS | {"이익", "전망", "기대", "촉진", "창출", "향상", "개선", "기여"}
_WHICH = frozenset({"어떤", "무슨"})
_CLOSING = _WHAT | {"있", "되"}

# Part of the index format: an index built with another analyzer cannot be searched.
ANALYZER = "kiwi-content-v2"

# Kiwi's options for documents and questions alike: split_complex cuts compound nouns
# into their parts (+0.1 point on KorQuAD dev). The benchmark's raw Kiwi uses them too.
KIWI_OPTIONS = MappingProxyType({"split_complex": True})
# A first call costs Kiwi ~1.5 s of set-up; this sentence pays it at load time.
WARM_UP = "한국어 형태소 분석기를 미리 데워 둡니다."


class Term(NamedTuple):
    """A content morpheme: its normalized text and where it stands in the source."""

    text: str
    start: int
    end: int


class QuestionTerms(NamedTuple):
    """A question's content terms, those that are names (NAME_TAGS), once each, in
    question order; when it asks what a word means, the words it asks about; when it
    asks for an effect, the words that state one (EFFECT_CUES)."""

    terms: tuple[Term, ...]
    names: tuple[Term, ...]
    defines: tuple[str, ...] = ()
    cues: frozenset[str] = frozenset()


class AnalyzedSentence(NamedTuple):
    """A sentence's span in its paragraph and its terms, as parallel tuples of their
    texts, starts and lengths (same offsets): a build of millions of terms makes no
    object per term."""

    start: int
    end: int
    forms: tuple[str, ...]
    starts: tuple[int, ...]
    lengths: tuple[int, ...]


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
                instance.tokenize(WARM_UP, **KIWI_OPTIONS)
                _kiwi = instance
    return _kiwi


def analyzer_version() -> str:
    """The analyzer's identity as stored in an index: filter rules plus Kiwi's version."""
    from kiwipiepy import __version__

    return f"{ANALYZER}/kiwipiepy-{__version__}"


# Kiwi marks irregular conjugations with a suffix (VV-R, VA-I); they count as their tag.
_CONTENT_TAG_FORMS = CONTENT_TAGS | {f"{t}-{s}" for t in CONTENT_TAGS for s in ("R", "I")}


def _terms(tokens: Iterable[Token]) -> tuple[Term, ...]:
    """Content terms of tokens, as objects: for questions and short texts, not a build."""
    content = _CONTENT_TAG_FORMS
    return tuple(Term(t.form.lower(), t.start, t.start + t.len) for t in tokens if t.tag in content)


def question_terms(question: str) -> QuestionTerms:
    """Content terms of a question, without question words, and its names."""
    tokens = kiwi().tokenize(question, **KIWI_OPTIONS)
    names: dict[str, Term] = {}
    for name in _terms(t for t in tokens if t.tag in NAME_TAGS and t.len >= NAME_MIN_CHARS):
        names.setdefault(name.text, name)
    effect, predicate = _effect_asked(tokens)
    terms = tuple(
        t for t in _terms(tokens) if t.text not in QUESTION_STOPWORDS and t.start != predicate
    )
    defines = ()
    if _asks_meaning(tokens):
        defines = tuple(dict.fromkeys(t.text for t in terms if t.text not in MEANING_WORDS))
    cues = EFFECT_CUES if effect else frozenset()
    return QuestionTerms(terms, tuple(names.values()), defines, cues)


def _asks_meaning(tokens: Sequence[Token]) -> bool:
    """Whether the question asks what a word means (see MEANING_WORDS)."""
    for token, after in zip(tokens, [*tokens[1:], None], strict=True):
        if token.form in MEANING_WORDS and token.tag == "NNG":
            return True
        if token.form in _WHAT and after is not None and after.tag == "VCP":
            return True
        if token.tag == "VCP" and after is not None and after.form == "란":
            return True
    return False


def _effect_asked(tokens: Sequence[Token]) -> tuple[bool, int | None]:
    """Whether the question asks for an effect (see EFFECT_WORDS), and the start of
    its "…아지다" predicate if that is how it asks."""
    for i, token in enumerate(tokens):
        if token.tag == "NNG" and token.form in EFFECT_WORDS:
            asked = i > 0 and tokens[i - 1].form in _WHICH
            if asked or all(_closes_question(t) for t in tokens[i + 1 :]):
                return True, None
        elif token.tag.startswith("VA") or token.tag == "XSA":
            turned = tokens[i + 1 : i + 3]
            if (
                [(t.tag, t.form) for t in turned[1:]] == [("VX", "지")]
                and turned[0].tag == "EC"
                and all(t.tag in ("EF", "SF") for t in tokens[i + 3 :])
            ):
                # 편해져: the word is the root before the suffix.
                return True, (tokens[i - 1] if token.tag == "XSA" else token).start
    return False, None


def _closes_question(token: Token) -> bool:
    """Whether a token after a noun leaves it the question's subject: particles,
    copula, endings, punctuation, "뭐 / 무엇", "있다", "되다"."""
    return token.tag.startswith(("J", "E", "S", "VCP")) or token.form in _CLOSING


def text_terms(text: str) -> tuple[Term, ...]:
    """Content terms of a piece of document text."""
    return _terms(kiwi().tokenize(text, **KIWI_OPTIONS))


_SENTENCE = attrgetter("sent_position")


def analyze_paragraphs(paragraphs: Sequence[str]) -> Iterator[list[AnalyzedSentence]]:
    """Sentences and terms of many paragraphs in one Kiwi pass.

    Kiwi spreads work over its threads only when it is handed many texts at once,
    and every token it returns carries the number of its sentence, so one call
    yields both. The sentences are those of ``Kiwi.split_into_sents``, which groups
    the same tokens the same way, but without its Python loop over every token for
    embedded sentences: this loop runs on the thread that competes with Kiwi's.
    """
    content = _CONTENT_TAG_FORMS
    for tokens in kiwi().tokenize(paragraphs, **KIWI_OPTIONS):
        sentences = []
        for _, group in groupby(tokens, _SENTENCE):
            sentence = list(group)
            hits = [t for t in sentence if t.tag in content]
            sentences.append(
                AnalyzedSentence(
                    sentence[0].start,
                    sentence[-1].end,
                    tuple([t.form.lower() for t in hits]),
                    tuple([t.start for t in hits]),
                    tuple([t.len for t in hits]),
                )
            )
        yield sentences
