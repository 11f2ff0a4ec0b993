from index import Document, Passage, build, parse_document
from index.passages import PASSAGE_CHARS


def split_passages(documents: list[Document]) -> tuple[Passage, ...]:
    return build(documents).passages


def test_passages_cover_each_paragraph_with_whole_sentences(article: Document) -> None:
    passages = split_passages([article])
    paragraphs = article.paragraphs
    assert {p.paragraph for p in passages} == set(range(len(paragraphs)))
    for p in passages:
        para_start, para_end = paragraphs[p.paragraph]
        assert para_start <= p.start < p.end <= para_end, "a passage crosses its paragraph"
        assert p.sentences[0].start == p.start and p.sentences[-1].end == p.end
        for a, b in zip(p.sentences, p.sentences[1:], strict=False):
            assert a.end <= b.start
        for term in p.terms:
            assert p.start <= term.start < term.end <= p.end


def test_sentence_spans_are_sentences(article: Document) -> None:
    passages = split_passages([article])
    sentences = [article.text[s.start : s.end] for p in passages for s in p.sentences]
    assert (
        "양측은 한국 내 26만 장 이상의 GPU 확보를 포함한 초대형 AI 인프라 확충에 합의했다."
        in sentences
    )
    assert "이는 ‘대한민국 AI 고속도로’ 구축의 중추가 될 전망이다." in sentences


def test_long_paragraph_is_cut_at_sentences_into_even_parts() -> None:
    sentence = "한국 정부는 반도체 산업을 키우기 위해 새로운 지원 정책을 발표했다. "
    doc = parse_document("제목\n" + sentence * 20)
    passages = split_passages([doc])[1:]
    assert len(passages) > 1
    lengths = [p.end - p.start for p in passages]
    assert max(lengths) <= PASSAGE_CHARS * 1.2
    assert min(lengths) >= max(lengths) / 2
    assert passages[0].end < passages[1].start
    assert all(doc.text[p.start : p.end].endswith("발표했다.") for p in passages)


def test_passages_never_cross_documents() -> None:
    docs = [
        parse_document("첫 문서\n가나다 문장이다."),
        parse_document("둘째 문서\n라마바 문장이다."),
    ]
    index = build(docs)
    assert [(p.document, p.paragraph) for p in index.passages] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert index.passage_text(index.passages[3]) == "라마바 문장이다."


def test_paragraph_of_only_punctuation_makes_a_passage_without_terms() -> None:
    doc = parse_document("제목\n……\n본문 문장이다.")
    passages = split_passages([doc])
    assert [doc.text[p.start : p.end] for p in passages] == ["제목", "……", "본문 문장이다."]
    assert passages[1].terms == ()
