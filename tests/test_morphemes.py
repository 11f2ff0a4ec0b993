import unicodedata

from index import kiwi
from index.morphemes import (
    EFFECT_CUES,
    QUESTION_STOPWORDS,
    Term,
    question_terms,
    text_terms,
)
from index.text import normalize


def texts(terms) -> list[str]:
    return [t.text for t in terms]


def test_content_morphemes_only() -> None:
    terms = texts(text_terms("양측은 한국 내 26만 장 이상의 GPU 확보를 포함한 인프라에 합의했다."))
    assert {"한국", "26", "만", "gpu", "확보", "포함", "인프라", "합의"} <= set(terms)
    for particle in ("은", "의", "를", "에", "었", "다", "."):
        assert particle not in terms


def test_latin_is_lower_cased() -> None:
    assert "nvidia" in texts(text_terms("NVIDIA는 미국 회사다"))


def test_spans_point_at_the_source() -> None:
    text = "젠슨 황은 한국을 평가했다"
    for term in text_terms(text):
        assert text[term.start : term.end]
    spans = {text[t.start : t.end] for t in text_terms(text)}
    assert {"젠슨 황", "한국", "평가"} <= spans


def test_question_words_are_dropped_from_questions_only() -> None:
    assert "누구" not in texts(question_terms("대통령은 누구와 만났어?").terms)
    assert "만나" in texts(question_terms("대통령은 누구와 만났어?").terms)
    assert not set(texts(question_terms("무엇을 어떻게 했나?").terms)) & QUESTION_STOPWORDS
    # Kiwi keeps some question words whole: 얼마나, 언제쯤, 어째서.
    assert texts(question_terms("작년엔 사람 얼마나 왔어?").terms) == ["작년", "사람", "오"]
    assert texts(question_terms("언제쯤 열려? 어째서?").terms) == ["열리"]


def test_question_names_are_proper_nouns_and_foreign_words() -> None:
    question = question_terms("엔비디아 GPU를 삼성과 SK가 쓴다, K-팝처럼 또 GPU를?")
    # Once each, where they first stand, and no one-letter "k".
    assert question.names == (
        Term("엔비디아", 0, 4),
        Term("gpu", 5, 8),
        Term("삼성", 10, 12),
        Term("sk", 14, 16),
    )
    assert {"쓰", "팝"} <= set(texts(question.terms)) and "쓰" not in question.names


def test_decomposed_question_matches_composed_text() -> None:
    nfd = unicodedata.normalize("NFD", "엔비디아 투자")
    assert texts(question_terms(normalize(nfd)).terms) == texts(text_terms("엔비디아 투자"))


def test_irregular_conjugations_are_content() -> None:
    text = "문제가 어려웠지만 길을 걸었다"
    tags = {t.form: t.tag for t in kiwi().tokenize(text)}
    assert tags["어렵"] == "VA-I" and tags["걷"] == "VV-I"
    assert {"어렵", "걷"} <= set(texts(text_terms(text)))


def test_paragraph_sentences_and_terms_are_kiwis_own(article_text: str) -> None:
    """The build's one pass gives the sentences of Kiwi's splitter and their content terms."""
    from index.morphemes import _terms, analyze_paragraphs

    paragraphs = [
        *article_text.splitlines(),
        "",
        "   ",
        "회사의 정보 서비스를 책임지고 있는 로웬버그John Loewenberg는<서비스 산업에 있어 종이는 "
        "혈관내의 콜레스트롤과 같다. 나쁜 종이는 동맥을 막는 내부의 물질이다.>라고 말한다.",
        "“정말요?” 그가 물었다! 답은 없었다… URL은 https://example.com/a?b=1 이다.",
    ]
    splitter = kiwi().split_into_sents(paragraphs, split_complex=True, return_tokens=True)
    for text, ours, theirs in zip(
        paragraphs, analyze_paragraphs(paragraphs), splitter, strict=True
    ):
        assert [(s.start, s.end) for s in ours] == [(s.start, s.end) for s in theirs], text
        for sentence, reference in zip(ours, theirs, strict=True):
            terms = _terms(reference.tokens)
            assert sentence.forms == tuple(t.text for t in terms)
            assert sentence.starts == tuple(t.start for t in terms)
            assert sentence.lengths == tuple(t.end - t.start for t in terms)


def test_questions_asking_what_a_word_means() -> None:
    assert question_terms("HBM이 뭐야?").defines == ("hbm",)
    assert question_terms("ESS란?").defines == ("ess",)
    assert question_terms("마하트마의 의미는 무엇인가?").defines == ("마하트마",)
    assert "ai" in question_terms("소버린 AI는 무슨 뜻이야?").defines
    assert "뜻" not in question_terms("소버린 AI는 무슨 뜻이야?").defines
    # 뭐 / 무엇 that is not the predicate asks about something else.
    assert question_terms("AR 체험 그거 뭐하는 거임?").defines == ()
    assert question_terms("정부가 슈퍼컴퓨터 한강에 도입할 것은?").defines == ()


def test_questions_asking_for_an_effect() -> None:
    for question in ("gpu 도입하면 뭐가 좋아져?", "뭐가 편해지나?", "어떤 효과가 있어?", "장점은?"):
        assert question_terms(question).cues == EFFECT_CUES, question
    # The "…아지다" predicate says what kind of answer is wanted, not what about.
    assert [t.text for t in question_terms("gpu 도입하면 뭐가 좋아져?").terms] == ["gpu", "도입"]
    # A premise that changes, and an effect noun that is the question's topic, are not.
    topics = ("가격이 싸지면 좋아?", "영향을 준 인물은?", "비트코인의 가장 큰 장점이자 특징은?")
    for question in topics:
        assert question_terms(question).cues == frozenset(), question
    assert "좋" in [t.text for t in question_terms("가격이 싸지면 좋아?").terms]
