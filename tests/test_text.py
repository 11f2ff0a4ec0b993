import codecs
import unicodedata

import pytest

from index import DocumentError, decode, normalize, normalize_question, parse_document


def test_normalize_composes_decomposed_hangul() -> None:
    nfd = unicodedata.normalize("NFD", "젠슨 황")
    assert nfd != "젠슨 황"
    assert normalize(nfd) == "젠슨 황"


def test_normalize_line_breaks_invisible_and_control_characters() -> None:
    assert normalize("가\r\n나\r다\u2028라") == "가\n나\n다\n라"
    assert normalize("엔\u200b비\u200d디\ufeff아\u202e") == "엔비디아"
    assert normalize("a\x00b\x07c\td") == "abc d"


def test_normalize_keeps_emoji_and_astral_characters() -> None:
    assert normalize("좋아요 😀 𝒳") == "좋아요 😀 𝒳"


def test_normalize_question_is_one_line() -> None:
    assert normalize_question("  젠슨\n\n황은   누구?  ") == "젠슨 황은 누구?"


@pytest.mark.parametrize(
    "data",
    [
        "한국어".encode(),
        codecs.BOM_UTF8 + "한국어".encode(),
        "한국어".encode("utf-16"),
        codecs.BOM_UTF16_BE + "한국어".encode("utf-16-be"),
    ],
)
def test_decode_accepts_utf8_and_bom_marked_utf16(data: bytes) -> None:
    assert decode(data) == "한국어"


def test_decode_refuses_other_encodings_with_one_line() -> None:
    with pytest.raises(DocumentError, match="not valid UTF-8") as info:
        decode("한국어".encode("cp949"), "old.txt")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("old.txt:")


def test_decode_refuses_binary() -> None:
    with pytest.raises(DocumentError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_parse_document_headline_paragraphs_and_source(article_text: str) -> None:
    doc = parse_document(article_text, "article.txt")
    assert doc.title.startswith("“AI는 이제 한국의 산업")
    assert doc.text.split("\n")[0] == doc.title
    assert doc.source.startswith("Copyright ⓒ 뉴스로드")
    assert doc.source.endswith("공유된 콘텐츠입니다.")
    assert "Copyright" not in doc.text and "뉴스픽" not in doc.text
    assert doc.text.split("\n")[-1].startswith("이에 게오르기에바 총재는")
    assert len(doc.paragraphs) == 17


def test_paragraph_spans_index_the_text() -> None:
    doc = parse_document("제목\n\n첫 단락입니다.\n둘째 단락입니다.")
    assert [doc.text[a:b] for a, b in doc.paragraphs] == [
        "제목",
        "첫 단락입니다.",
        "둘째 단락입니다.",
    ]


def test_hard_wrapped_lines_are_rejoined_but_not_onto_the_headline() -> None:
    doc = parse_document(
        "# 제목\n첫 문장이 길어서\n다음 줄로 이어진다.\n\n- 목록 항목\n- 둘째 항목"
    )
    assert doc.title == "제목"
    assert doc.text.split("\n") == [
        "# 제목",
        "첫 문장이 길어서 다음 줄로 이어진다.",
        "- 목록 항목",
        "- 둘째 항목",
    ]


@pytest.mark.parametrize("raw", ["", "   \n\t\n  ", "\u200b\ufeff"])
def test_empty_text_is_refused(raw: str) -> None:
    with pytest.raises(DocumentError, match="empty"):
        parse_document(raw, "empty.txt")


def test_source_lines_only_at_the_end() -> None:
    doc = parse_document("제목\n무단 전재 및 재배포 금지라는 말이 본문에 있다.\n본문의 끝이다.")
    assert doc.source == ""
    assert len(doc.paragraphs) == 3


def test_every_control_character_is_removed() -> None:
    """All of Cc but the line break, all surrogates, and the invisible format characters."""
    import sys

    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if ch in "\r\x0b\x0c\x85":  # line breaks of other systems become "\n"
            assert normalize(f"가{ch}나") == "가\n나", hex(cp)
        elif unicodedata.category(ch) in ("Cc", "Cs") and ch != "\n":
            assert normalize(f"가{ch}나") in ("가나", "가 나"), hex(cp)  # a tab becomes a space
    for ch in "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2060\u2066\u2069\ufeff":
        assert normalize(f"가{ch}나") == "가나", hex(ord(ch))


def test_every_whitespace_character_is_collapsed_and_nothing_else() -> None:
    """Runs of what the regex ``\\s`` calls whitespace become one space, at either end none."""
    import re
    import sys

    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        line = normalize(f"{ch}가{ch}{ch}나{ch}")
        if "\n" in line:  # a line break of another system: covered above
            continue
        expected = re.sub(r"\s+", " ", line).strip()
        document = parse_document(f"제목\n{line}\n\n끝.")  # not last: never a source line
        assert document.text == f"제목\n{expected}\n끝.", hex(cp)
        assert normalize_question(line) == expected, hex(cp)
