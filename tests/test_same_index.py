"""benchmarks/same_index.py: two builds of one text are the same index, a changed array is not."""

import subprocess
import sys
from pathlib import Path

import numpy as np

import index

ROOT = Path(__file__).resolve().parents[1]


def same_index(before: Path, after: Path) -> subprocess.CompletedProcess[str]:
    script = ROOT / "benchmarks" / "same_index.py"
    return subprocess.run(
        [sys.executable, str(script), str(before), str(after)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_rebuild_is_identical_and_a_changed_array_is_not(
    article: index.Document, article_index: index.Index, tmp_path: Path
) -> None:
    first, second, changed = tmp_path / "a.npz", tmp_path / "b.npz", tmp_path / "c.npz"
    index.save(article_index, first)
    index.save(index.build([article]), second)  # another build: other time stamps
    proc = same_index(first, second)
    with np.load(first, allow_pickle=False) as archive:
        members = len(archive.files)
    assert proc.returncode == 0 and proc.stdout.startswith(f"identical: {members} members"), (
        proc.stdout
    )

    with np.load(first, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["term_span"] = arrays["term_span"] + 1
    np.savez(changed, **arrays)
    proc = same_index(first, changed)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1 and len(lines) == 2, proc.stdout
    assert lines[0].startswith("term_span: ") and lines[1].startswith("different: ")
