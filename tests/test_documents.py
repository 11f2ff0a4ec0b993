from pathlib import Path

import pytest

import index
from bot.documents import bundled_document, open_index, read_document
from index import DocumentError, IndexFileError


def test_bundled_article() -> None:
    doc = bundled_document()
    assert "젠슨 황" in doc.text and doc.name == "article.txt"


def test_missing_configured_index_is_built_from_the_bundled_article(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "index.npz"
    built = open_index(path)
    assert path.exists()
    assert built.documents == (bundled_document(),)
    assert index.load(path).passages == built.passages


def test_index_path_given_explicitly_must_exist(tmp_path: Path) -> None:
    with pytest.raises(IndexFileError, match="no index"):
        open_index(tmp_path / "missing.npz", create=False)
    assert not (tmp_path / "missing.npz").exists()


def test_damaged_custom_index_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "index.npz"
    path.write_bytes(b"garbage")
    with pytest.raises(IndexFileError):
        open_index(path)
    assert path.read_bytes() == b"garbage"


def test_text_file_is_indexed_in_memory(tmp_path: Path) -> None:
    text = tmp_path / "note.md"
    text.write_text("# 회의록\n오늘 회의에서 예산을 확정했다.\n", encoding="utf-8")
    built = open_index(tmp_path / "index.npz", text_file=str(text))
    assert built.documents[0].title == "회의록"
    assert not (tmp_path / "index.npz").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.txt", b"", "empty"),
        ("a.txt", b"  \n\t\n", "empty"),
        ("a.txt", "…?!".encode(), "no words"),
        ("a.txt", b"\x00\x01\x02binary", "binary"),
        ("a.txt", "한국어".encode("euc-kr"), "not valid UTF-8"),
        ("a.pdf", b"%PDF-1.4", "only .txt and .md"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=message):
        read_document(str(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        read_document(str(tmp_path / "nope.txt"))
