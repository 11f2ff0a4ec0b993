import errno
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import index
from index import IndexFileError, load, save
from index.store import FORMAT_VERSION, atomic_file


def test_round_trip_keeps_everything(article_index: index.Index, tmp_path: Path) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    loaded = load(path)
    assert loaded.documents == article_index.documents
    assert loaded.passages == article_index.passages
    assert loaded.info == article_index.info
    question = "현대차의 투자 규모는 얼마인가?"
    assert loaded.search(question) == article_index.search(question)


def test_metadata_records_version_source_and_build(article_index, tmp_path: Path) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    meta = index.read_info(path)
    assert meta["version"] == FORMAT_VERSION
    assert meta["source_sha256"] == index.source_sha256(article_index.documents)
    assert meta["analyzer"].startswith("kiwi-content")
    assert meta["created"] > 0 and meta["seconds"] >= 0


def test_loading_does_not_analyze_text(article_index, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    monkeypatch.setattr(
        "index.passages.analyze_paragraphs", lambda *a: pytest.fail("corpus re-analyzed")
    )
    assert len(load(path).passages) == len(article_index.passages)


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "index.npz"
    path.write_bytes(b"old index")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError), atomic_file(path) as out:
        out.write(b"new index")
    assert path.read_bytes() == b"old index"
    assert [p.name for p in tmp_path.iterdir()] == ["index.npz"]


def test_write_creates_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "index.npz"
    with atomic_file(path) as out:
        out.write(b"data")
    assert path.read_bytes() == b"data"


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flipped":
        middle = len(data) // 3
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "text":
        path.write_text("not an index\n")


@pytest.mark.parametrize("how", ["truncated", "flipped", "empty", "text"])
def test_damaged_index_is_refused_in_one_line(article_index, tmp_path: Path, how: str) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    _damage(path, how)
    with pytest.raises(IndexFileError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message


def _rewrite_meta(path: Path, change) -> None:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    change(meta)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


def test_future_format_is_refused(article_index, tmp_path: Path) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    _rewrite_meta(path, lambda meta: meta.update(version=FORMAT_VERSION + 1))
    with pytest.raises(IndexFileError, match="newer articlebot"):
        load(path)


def test_index_of_another_analyzer_is_refused(article_index, tmp_path: Path) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    _rewrite_meta(path, lambda meta: meta.update(analyzer="kiwi-content-v0/kiwipiepy-0.1"))
    with pytest.raises(IndexFileError, match="rebuild it with `articlebot build`"):
        load(path)


def test_span_outside_its_document_is_refused(article_index, tmp_path: Path) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    _rewrite_meta(path, lambda meta: meta["documents"][0].update(text="짧다"))
    with pytest.raises(IndexFileError, match="damaged"):
        load(path)


def test_pickled_objects_are_refused_not_run(tmp_path: Path) -> None:
    path = tmp_path / "index.npz"
    with zipfile.ZipFile(path, "w") as archive:
        buffer = io.BytesIO()
        np.save(buffer, np.array([{"run": "code"}], dtype=object), allow_pickle=True)
        archive.writestr("meta.npy", buffer.getvalue())
    with pytest.raises(IndexFileError):
        load(path)


def test_missing_index_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(IndexFileError, match="articlebot build"):
        load(tmp_path / "nothing.npz")


def _rewrite_array(path: Path, name: str, change) -> None:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {n: archive[n] for n in archive.files}
    arrays[name] = change(arrays[name].copy())
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


def _bump_last(values: np.ndarray) -> np.ndarray:
    values.reshape(-1)[-1] += 10_000
    return values


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("term_id", _bump_last),
        ("term_span", _bump_last),
        ("sentence_offsets", _bump_last),
        ("sentence_postings_units", _bump_last),
        ("paragraph_postings_units", _bump_last),
        ("sentence_term_offsets", _bump_last),
        ("passage_document", _bump_last),
        ("passage_span", lambda a: a[:, ::-1].copy()),
        ("sentence_length", lambda a: a[:-1]),
        ("term_span", lambda a: a.astype(np.float64)),
        ("bigram_keys", lambda a: a[::-1].copy()),
        ("bigram_keys", lambda a: a[:-1]),
        ("bigram_sentence_df", _bump_last),
        ("bigram_paragraph_len", lambda a: a[:-1]),
    ],
)
def test_inconsistent_arrays_are_refused(article_index, tmp_path: Path, name, change) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    _rewrite_array(path, name, change)
    with pytest.raises(IndexFileError, match="damaged"):
        load(path)


def test_permission_denied_while_writing_changes_nothing(
    article_index, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "index.npz"
    save(article_index, path)
    before = path.read_bytes()

    def denied(self: Path, target: Path) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "replace", denied)
    with pytest.raises(IndexFileError, match="cannot write the index \\(Permission denied\\)"):
        save(article_index, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["index.npz"]
