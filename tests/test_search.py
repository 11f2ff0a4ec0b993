import unicodedata

from index import Index, build, parse_document


def test_best_passage_and_sentence_for_a_question(article_index: Index) -> None:
    hit = article_index.search("양측이 합의한 GPU 규모는?")[0]
    text = article_index.documents[0].text
    assert text[hit.sentence.start : hit.sentence.end] == (
        "양측은 한국 내 26만 장 이상의 GPU 확보를 포함한 초대형 AI 인프라 확충에 합의했다."
    )
    assert hit.passage.start <= hit.sentence.start < hit.sentence.end <= hit.passage.end
    assert {text[t.start : t.end] for t in hit.matched} >= {"GPU", "합의", "양측"}
    assert hit.number == hit.passage.paragraph + 1


def test_hits_are_ranked_best_first_and_limited(article_index: Index) -> None:
    hits = article_index.search("엔비디아와 한국 AI 협력", k=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_coverage_is_full_when_every_word_matches(article_index: Index) -> None:
    hit = article_index.search("슈퍼컴퓨터 한강 양자 하이브리드")[0]
    assert hit.coverage == 1.0


def test_names_the_text_never_mentions_are_unknown(article_index: Index) -> None:
    assert article_index.search("Apple CEO는 누구야?").unknown == ("Apple",)  # as written
    assert article_index.search("엔비디아 CEO는 누구야?").unknown == ()
    # A misspelt name is not unknown: the text holds most of its syllable pairs.
    assert article_index.search("게오르기예바 총재는 뭐라고 했어?").unknown == ()


def test_no_hit_when_no_word_matches(article_index: Index) -> None:
    assert article_index.search("로또 당첨 번호 알려줘") == []
    assert article_index.search("?!") == []
    assert article_index.search("테슬라 주가 어때?").unknown == ("테슬라",)


def test_decomposed_question_finds_the_same(article_index: Index) -> None:
    question = "현대차의 투자 규모는 얼마인가?"
    nfd = unicodedata.normalize("NFD", question)
    assert article_index.search(nfd) == article_index.search(question)


def test_best_sentence_in_a_multi_sentence_passage() -> None:
    index = build(
        [parse_document("제목\n삼성은 반도체를 만든다. 현대차는 로봇에 30억 달러를 투자한다.")]
    )
    hit = index.search("현대차 투자 규모")[0]
    assert index.documents[0].text[hit.sentence.start : hit.sentence.end].startswith("현대차는")


def test_a_question_for_a_meaning_quotes_where_the_text_glosses_the_word() -> None:
    index = build(
        [
            parse_document(
                "제목\n한빛에너지는 새만금에 1조8천억 원을 들여 ESS(에너지저장장치) 전용 배터리"
                " 공장을 짓는다고 12일 밝혔다.\n업계는 ESS 수요가 늘 것으로 본다."
            )
        ]
    )
    text = index.documents[0].text
    for question in ("ESS가 뭐야?", "ess란?"):
        hit = index.search(question)[0]
        assert "에너지저장장치" in text[hit.sentence.start : hit.sentence.end]
    # Asked for anything else, the short sentence matches best, as plain BM25 has it.
    hit = index.search("ESS 수요")[0]
    assert text[hit.sentence.start : hit.sentence.end].startswith("업계는")


def test_a_question_for_an_effect_quotes_the_sentence_that_states_one() -> None:
    index = build(
        [
            parse_document(
                "제목\n양측은 GPU 10만 장 확보에 합의했다. 이는 국내 AI 산업의 발판이 될"
                " 전망이다.\nSK는 GPU를 활용해 반도체 공정을 최적화하기로 했다.\n정부는"
                " 연구소에 양자 컴퓨터를 도입하고 인재 양성을 본격화할 방침이다.\n회담은 경주에서"
                " 열렸다.\n양국 정상은 공동 성명을 냈다.\n현대차는 로봇 투자를 늘리기로 했다."
            )
        ]
    )
    text = index.documents[0].text

    def quote(question: str) -> str:
        hit = index.search(question)[0]
        return text[hit.passage.start : hit.passage.end]

    assert "전망" in quote("gpu 도입하면 뭐가 좋아져?")
    # Asked for no effect, the rarer "도입" weighs most, as plain BM25 has it.
    assert quote("gpu 도입 계획은?").startswith("정부는")
