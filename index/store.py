"""Saving and loading an index: data only, versioned, written atomically.

The file is a NumPy ``.npz`` archive (a zip with a CRC per member) of integer
arrays plus one JSON member. It is loaded with ``allow_pickle=False``, so a file
from anywhere can be refused but never run code. Loading reads the stored terms
back: the corpus is never re-analyzed.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IndexFileError
from index.morphemes import Term, analyzer_version
from index.passages import Passage, Span
from index.search import BuildInfo, Index
from index.text import Document

FORMAT = "articlebot-index"
FORMAT_VERSION = 1


def save(index: Index, path: str | os.PathLike[str]) -> None:
    """Write the index to ``path`` atomically: readers see the old file or the new one."""
    payload = io.BytesIO()
    np.savez_compressed(payload, **_arrays(index))
    write_atomic(Path(path), payload.getvalue())


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename over it.

    A crash, a full disk or a permission error at any point leaves whatever was at
    ``path`` before untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
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
        data = path.read_bytes()
    except FileNotFoundError:
        raise IndexFileError(f"{path}: no index here; create it with `articlebot build`") from None
    except OSError as exc:
        raise IndexFileError(f"{path}: cannot read the index ({exc.strerror})") from None
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(bytes(arrays.pop("meta")).decode())
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


def _arrays(index: Index) -> dict[str, np.ndarray]:
    vocabulary: dict[str, int] = {}
    passages = index.passages
    terms = [t for p in passages for t in p.terms]
    sentences = [s for p in passages for s in p.sentences]
    term_ids = [vocabulary.setdefault(t.text, len(vocabulary)) for t in terms]
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
        "vocabulary": list(vocabulary),
    }

    def ints(values: Any) -> np.ndarray:
        return np.asarray(values, dtype=np.int32)

    return {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
        "passage_document": ints([p.document for p in passages]),
        "passage_paragraph": ints([p.paragraph for p in passages]),
        "passage_span": ints([(p.start, p.end) for p in passages]).reshape(-1, 2),
        "sentence_offsets": ints(np.cumsum([0] + [len(p.sentences) for p in passages])),
        "sentence_span": ints([(s.start, s.end) for s in sentences]).reshape(-1, 2),
        "term_offsets": ints(np.cumsum([0] + [len(p.terms) for p in passages])),
        "term_id": ints(term_ids),
        "term_span": ints([(t.start, t.end) for t in terms]).reshape(-1, 2),
    }


def _index(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Index:
    documents = [
        Document(title=d["title"], text=d["text"], source=d["source"], name=d["name"])
        for d in meta["documents"]
    ]
    vocabulary: list[str] = meta["vocabulary"]
    doc_of = arrays["passage_document"].tolist()
    paragraph = arrays["passage_paragraph"].tolist()
    spans = arrays["passage_span"].tolist()
    s_off = arrays["sentence_offsets"].tolist()
    s_span = arrays["sentence_span"].tolist()
    t_off = arrays["term_offsets"].tolist()
    t_id = arrays["term_id"].tolist()
    t_span = arrays["term_span"].tolist()
    passages = []
    for i, d in enumerate(doc_of):
        limit = len(documents[d].text)
        start, end = spans[i]
        if not 0 <= start < end <= limit:
            raise ValueError(f"passage {i} lies outside its document")
        passages.append(
            Passage(
                document=d,
                paragraph=paragraph[i],
                start=start,
                end=end,
                sentences=tuple(Span(a, b) for a, b in s_span[s_off[i] : s_off[i + 1]]),
                terms=tuple(
                    Term(vocabulary[v], a, b)
                    for v, (a, b) in zip(
                        t_id[t_off[i] : t_off[i + 1]], t_span[t_off[i] : t_off[i + 1]], strict=True
                    )
                ),
            )
        )
    info = BuildInfo(
        source_sha256=meta["source_sha256"],
        analyzer=meta["analyzer"],
        created=float(meta["created"]),
        seconds=float(meta["seconds"]),
    )
    return Index(documents, passages, info)
