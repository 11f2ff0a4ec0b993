"""Where the text comes from: the bundled article, files, stdin, the saved index."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import index
from index import Document, DocumentError, Index, IndexFileError

# Files larger than this are refused before they are read: an article, even a
# book, is far smaller, and Kiwi would take minutes on more.
MAX_FILE_BYTES = 64 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md")


def bundled_document() -> Document:
    """The article articlebot answers about when nothing else is configured."""
    raw = resources.files("bot").joinpath("data/article.txt").read_text(encoding="utf-8")
    return index.parse_document(raw, "article.txt")


def read_document(name: str) -> Document:
    """A document from a ``.txt`` / ``.md`` file, or ``-`` for standard input."""
    if name == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        label = "stdin"
    else:
        path = Path(name)
        if path.suffix.lower() not in TEXT_SUFFIXES:
            raise DocumentError(f"{name}: only .txt and .md files can be indexed")
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise DocumentError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB")
            data = path.read_bytes()
        except FileNotFoundError:
            raise DocumentError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise DocumentError(f"{name}: is a directory, not a text file") from None
        except OSError as exc:
            raise DocumentError(f"{name}: cannot read ({exc.strerror})") from None
        label = path.name
    if len(data) > MAX_FILE_BYTES:
        raise DocumentError(f"{label}: larger than {MAX_FILE_BYTES // 2**20} MB")
    return document_from_bytes(data, label)


def document_from_bytes(data: bytes, name: str) -> Document:
    """A document from the bytes of an uploaded or read file, or a DocumentError."""
    document = index.parse_document(index.decode(data, name), name)
    if not any(ch.isalnum() for ch in document.text):
        raise DocumentError(f"{name}: no words to index")
    return document


def open_index(index_path: Path, text_file: str | None = None, create: bool = True) -> Index:
    """The index to answer from.

    ``text_file`` is indexed in memory and nothing is written. Otherwise the saved
    index at ``index_path`` is loaded. With ``create`` (the configured INDEX_PATH,
    not a path the person typed), a missing index is built from the bundled article
    and saved there, and an index of the bundled article that another version of
    articlebot wrote is rebuilt the same way.
    """
    if text_file is not None:
        return index.build([read_document(text_file)])
    try:
        return index.load(index_path)
    except IndexFileError:
        if not create or (index_path.exists() and not _is_bundled(index_path)):
            raise
    built = index.build([bundled_document()])
    index.save(built, index_path)
    return built


def _is_bundled(index_path: Path) -> bool:
    try:
        sha = index.read_info(index_path).get("source_sha256")
    except IndexFileError:
        return False
    return sha == index.source_sha256([bundled_document()])
