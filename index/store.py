"""Saving and loading an index: data only, versioned, written atomically.

The file is a NumPy ``.npz`` archive (a zip with a CRC per member) of integer
arrays plus one JSON member. It is loaded with ``allow_pickle=False``, so a file
from anywhere can be refused but never run code. Loading reads the stored terms
back: the corpus is never re-analyzed.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from index.bigrams import SYLLABLES, Bigrams
from index.bm25 import Postings
from index.errors import IndexFileError
from index.morphemes import analyzer_version
from index.passages import Columns
from index.search import BuildInfo, Index, Structure
from index.text import Document

FORMAT = "articlebot-index"
FORMAT_VERSION = 4


def save(index: Index, path: str | os.PathLike[str]) -> None:
    """Write the index to ``path`` atomically: readers see the old file or the new one."""
    try:
        with atomic_file(Path(path)) as out:
            # Uncompressed: loading is a read, not a decompression. Written straight to
            # the file, not through a buffer: 0.2 s less on a 90 MB index.
            np.savez(out, **_arrays(index))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise IndexFileError(
            f"{path}: cannot write the index ({reason}); nothing changed"
        ) from None


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A temporary file beside ``path`` to write to; on leaving, it is flushed to disk
    and renamed over ``path``.

    A crash, a full disk or a permission error at any point leaves whatever was at
    ``path`` before untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load(path: str | os.PathLike[str]) -> Index:
    """Read an index saved by :func:`save`, or raise a one-line IndexFileError."""
    path = Path(path)
    try:
        # One open file: a build renaming a new index over it meanwhile changes nothing here.
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(bytes(arrays.pop("meta")).decode())
    except FileNotFoundError:
        raise IndexFileError(f"{path}: no index here; create it with `articlebot build`") from None
    except IsADirectoryError:
        raise IndexFileError(f"{path}: is a directory, not an index") from None
    except PermissionError as exc:
        raise IndexFileError(f"{path}: cannot read the index ({exc.strerror})") from None
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, EOFError, UnicodeDecodeError) as exc:
        raise IndexFileError(f"{path}: not an articlebot index or damaged ({exc})") from None
    _check_version(path, meta)
    try:
        return _index(meta, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise IndexFileError(f"{path}: damaged index ({exc})") from None


def read_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON metadata of a saved index, without building its scorer."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            return json.loads(bytes(archive["meta"]).decode())
    except FileNotFoundError:
        raise IndexFileError(f"{path}: no index here; create it with `articlebot build`") from None
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise IndexFileError(f"{path}: not an articlebot index or damaged ({exc})") from None


def _check_version(path: Path, meta: dict[str, Any]) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFileError(f"{path}: not an articlebot index")
    version = meta.get("version")
    if version != FORMAT_VERSION:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        raise IndexFileError(
            f"{path}: index format {version} was written by a "
            f"{'newer' if newer else 'older'} articlebot (this one reads format "
            f"{FORMAT_VERSION}); rebuild it with `articlebot build`"
        )
    if meta.get("analyzer") != analyzer_version():
        raise IndexFileError(
            f"{path}: built with analyzer {meta.get('analyzer')}, this articlebot uses "
            f"{analyzer_version()}; rebuild it with `articlebot build`"
        )


_INT_ARRAYS = {
    # name: (dtype, number of columns or 0 for a flat array)
    "passage_document": (np.int32, 0),
    "passage_paragraph": (np.int32, 0),
    "passage_span": (np.int32, 2),
    "sentence_offsets": (np.int64, 0),
    "sentence_span": (np.int32, 2),
    "sentence_term_offsets": (np.int64, 0),
    "term_offsets": (np.int64, 0),
    "term_id": (np.int32, 0),
    "term_span": (np.int32, 2),
    **{
        f"{unit}_{field}": kind
        for unit in ("sentence", "paragraph")
        for field, kind in (
            ("postings_offsets", (np.int64, 0)),
            ("postings_units", (np.int32, 0)),
            ("postings_tf", (np.int32, 0)),
            ("length", (np.int32, 0)),
        )
    },
    "bigram_keys": (np.int64, 0),
    **{
        f"bigram_{unit}_{field}": (np.int32, 0)
        for unit in ("sentence", "paragraph")
        for field in ("df", "len")
    },
}


# Stored under their field names (bigram statistics with a "bigram_" prefix).
_COLUMN_ARRAYS = tuple(f.name for f in fields(Columns) if f.name != "vocabulary")
_BIGRAM_ARRAYS = tuple(f.name for f in fields(Bigrams))


def _arrays(index: Index) -> dict[str, np.ndarray]:
    c = index.columns
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "analyzer": index.info.analyzer,
        "source_sha256": index.info.source_sha256,
        "created": index.info.created,
        "seconds": index.info.seconds,
        "documents": [
            {"title": d.title, "text": d.text, "source": d.source, "name": d.name}
            for d in index.documents
        ],
        "vocabulary": list(c.vocabulary),
    }
    return {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
        **{name: getattr(c, name) for name in _COLUMN_ARRAYS},
        **_postings_arrays("sentence", index.by_sentence),
        **_postings_arrays("paragraph", index.by_paragraph),
        **{f"bigram_{name}": getattr(index.bigrams, name) for name in _BIGRAM_ARRAYS},
    }


def _postings_arrays(unit: str, p: Postings) -> dict[str, np.ndarray]:
    return {
        f"{unit}_postings_offsets": p.offsets,
        f"{unit}_postings_units": p.units,
        f"{unit}_postings_tf": p.tf,
        f"{unit}_length": p.doc_len,
    }


def _postings(unit: str, arrays: dict[str, np.ndarray]) -> Postings:
    return Postings(
        offsets=arrays[f"{unit}_postings_offsets"],
        units=arrays[f"{unit}_postings_units"],
        tf=arrays[f"{unit}_postings_tf"],
        doc_len=arrays[f"{unit}_length"],
    )


def _index(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Index:
    """An Index from stored arrays, after checking that they fit together."""
    for name, (dtype, width) in _INT_ARRAYS.items():
        array = arrays[name]
        if array.dtype != dtype or array.ndim != (2 if width else 1):
            raise ValueError(f"{name} has the wrong type or shape")
        if width and array.shape[1] != width:
            raise ValueError(f"{name} has the wrong shape")
    documents = [
        Document(title=d["title"], text=d["text"], source=d["source"], name=d["name"])
        for d in meta["documents"]
    ]
    vocabulary = tuple(meta["vocabulary"])
    if not all(isinstance(t, str) for t in vocabulary):
        raise ValueError("the vocabulary holds something else than words")
    columns = Columns(**{name: arrays[name] for name in _COLUMN_ARRAYS}, vocabulary=vocabulary)
    by_sentence, by_paragraph = _postings("sentence", arrays), _postings("paragraph", arrays)
    _check(documents, columns)
    paragraphs = len(Structure.of(columns).paragraph_term_offsets) - 1
    for name, postings, units in (
        ("sentence", by_sentence, len(columns.sentence_span)),
        ("paragraph", by_paragraph, paragraphs),
    ):
        _check_postings(name, postings, units, len(vocabulary))
    bigrams = Bigrams(**{name: arrays[f"bigram_{name}"] for name in _BIGRAM_ARRAYS})
    _check_bigrams(bigrams, len(columns.sentence_span), paragraphs)
    info = BuildInfo(
        source_sha256=meta["source_sha256"],
        analyzer=meta["analyzer"],
        created=float(meta["created"]),
        seconds=float(meta["seconds"]),
    )
    return Index(documents, columns, info, by_sentence, by_paragraph, bigrams)


def _check(documents: list[Document], c: Columns) -> None:
    """Every offset and span inside what it points into, with vectorized checks only."""
    n = len(c.passage_document)

    def offsets(name: str, values: np.ndarray, owners: int, end: int) -> None:
        if (
            len(values) != owners + 1
            or values[0] != 0
            or values[-1] != end
            or np.any(np.diff(values) < 0)
        ):
            raise ValueError(f"{name} do not fit their arrays")

    if not n or len(c.passage_paragraph) != n or len(c.passage_span) != n:
        raise ValueError("passage arrays differ in length")
    if np.any(np.diff(c.passage_document) < 0) or c.passage_document[0] < 0:
        raise ValueError("passages are out of document order")
    if c.passage_document[-1] >= len(documents):
        raise ValueError("a passage names a missing document")
    lengths = np.array([len(d.text) for d in documents])[c.passage_document]
    spans = c.passage_span
    if (
        np.any(spans[:, 0] < 0)
        or np.any(spans[:, 1] > lengths)
        or np.any(spans[:, 0] >= spans[:, 1])
    ):
        raise ValueError("a passage lies outside its document")
    offsets("sentence offsets", c.sentence_offsets, n, len(c.sentence_span))
    offsets("term offsets", c.term_offsets, n, len(c.term_id))
    offsets("sentence term offsets", c.sentence_term_offsets, len(c.sentence_span), len(c.term_id))
    for name, spans_of, owners in (
        ("sentence", c.sentence_span, c.sentence_offsets),
        ("term", c.term_span, c.term_offsets),
    ):
        owner = np.repeat(np.arange(n), np.diff(owners))
        if np.any(spans_of[:, 0] < c.passage_span[owner, 0]) or np.any(
            spans_of[:, 1] > c.passage_span[owner, 1]
        ):
            raise ValueError(f"a {name} lies outside its passage")
    vocabulary = len(c.vocabulary)
    if len(c.term_id) and (c.term_id.min() < 0 or c.term_id.max() >= vocabulary):
        raise ValueError("a term is missing from the vocabulary")


def _check_postings(name: str, p: Postings, units: int, vocabulary: int) -> None:
    sizes = (len(p.offsets) - 1, p.offsets[-1], len(p.tf), len(p.doc_len))
    if sizes != (vocabulary, len(p.units), len(p.units), units):
        raise ValueError(f"{name} postings do not fit their arrays")
    if len(p.units) and (p.units.min() < 0 or p.units.max() >= units):
        raise ValueError(f"{name} postings name missing {name}s")


def _check_bigrams(b: Bigrams, sentences: int, paragraphs: int) -> None:
    keys = b.keys
    if len(b.sentence_df) != len(keys) or len(b.paragraph_df) != len(keys):
        raise ValueError("bigram counts do not fit their keys")
    if len(keys) and (
        keys[0] < 0 or keys[-1] >= SYLLABLES * SYLLABLES or np.any(np.diff(keys) <= 0)
    ):
        raise ValueError("bigram keys are out of order or range")
    if len(b.sentence_len) != sentences or len(b.paragraph_len) != paragraphs:
        raise ValueError("bigram lengths do not fit the sentences and paragraphs")
    for df, units in ((b.sentence_df, sentences), (b.paragraph_df, paragraphs)):
        if len(df) and (df.min() < 1 or df.max() > units):
            raise ValueError("bigram counts name missing units")
