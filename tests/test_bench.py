"""The benchmark at its smallest size, so that it cannot rot. No time is asserted."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench(tmp_path: Path, *args: str) -> list[str]:
    """The benchmark's output lines at its smallest size, without KorQuAD (a missing file)."""
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench.py"),
            *args,
            "--sizes",
            "20000",
            "--repeats",
            "1",
            "--cold-starts",
            "1",
            "--rounds",
            "1",
            "--korquad",
            str(tmp_path / "absent.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


def test_benchmark_runs_at_its_smallest_size(tmp_path: Path) -> None:
    lines = bench(tmp_path, "--questions", "5", "--bot-chats", "2", "--bot-messages", "2")
    assert lines[0].startswith("note: ") and "absent.json not found" in lines[0]
    row = json.loads(lines[1])
    assert row["characters"] >= 20_000 and row["passages"] > 0
    assert {"build_ratio", "p50_ms", "peer_p50_ms", "cold_ratio", "cold_peak_mib"} <= set(row)
    assert row["build_pairs"] == row["cold_starts"] == 1
    bot = json.loads(lines[2])
    assert bot["bot_answers"] == 4
    assert any(line.startswith("| characters | passages |") for line in lines)
    assert any("median of 1 and of 1 runs at each size" in line for line in lines)


def test_build_only_compares_builds_alone(tmp_path: Path) -> None:
    lines = bench(tmp_path, "--build-only")
    assert len(lines) == 2 and lines[0].startswith("note: ")
    row = json.loads(lines[1])
    assert set(row) == {"characters", "build_s", "raw_kiwi_s", "build_ratio", "build_pairs"}
    assert row["build_pairs"] == 1
    assert row["build_ratio"] == row["raw_kiwi_s"] / row["build_s"]
