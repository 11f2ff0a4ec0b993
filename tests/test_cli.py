"""End-to-end: the real `articlebot` CLI in subprocesses, as a person runs it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

QUESTION = "젠슨 황은 한국을 어떻게 평가했나?"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))}
    clean.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        INDEX_PATH=str(tmp_path / "index.npz"),
        NO_COLOR="1",
    )
    return clean


def run(
    env: dict[str, str], *args: str, stdin: str | bytes = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=data,
        capture_output=True,
        env=env,
        cwd=cwd or Path(env["HOME"]).parent,
        timeout=120,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode()
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], text: str) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("articlebot: error: ") and text in lines[0]


def test_build_ask_json_and_chat(env: dict[str, str], tmp_path: Path) -> None:
    built = run(env, "build")
    assert built.returncode == 0, built.stderr
    summary = built.stdout.strip()
    assert summary.startswith("Indexed 1 document, 17 passages, ")
    assert summary.endswith(f"→ {env['INDEX_PATH']}")

    asked = run(env, "ask", "--json", "현대차의", "투자", "규모는?")
    assert asked.returncode == 0, asked.stderr
    reply = json.loads(asked.stdout)
    assert set(reply) == {"question", "found", "quotes", "unknown"}
    assert reply["question"] == "현대차의 투자 규모는?" and reply["found"] is True
    best = reply["quotes"][0]
    assert set(best) == {"text", "passage", "score", "document"}
    assert "30억 달러" in best["text"] and best["document"].startswith("“AI는 이제")
    scores = [q["score"] for q in reply["quotes"]]
    assert scores == sorted(scores, reverse=True)

    chat = run(env, "chat", stdin=f"{QUESTION}\n\n로또 당첨 번호 알려줘\n")
    assert chat.returncode == 0, chat.stderr
    assert f"질문> {QUESTION}" in chat.stdout
    assert "한국은 양쪽 모두에서 강점을 지닌 유일한 나라" in chat.stdout
    assert "기사에서 이 질문의 답을 찾지 못했습니다." in chat.stdout
    assert "\x1b[" not in chat.stdout


def test_ask_reads_questions_from_stdin_in_one_process(env: dict[str, str]) -> None:
    questions = "양측이 합의한 GPU 규모는?\n\n애플 CEO는 누구야?\n?!\nLLM이 뭐야?\n"
    proc = run(env, "ask", "--json", "--top", "1", stdin=questions)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["question"] for r in lines] == [
        "양측이 합의한 GPU 규모는?",
        "애플 CEO는 누구야?",
        "LLM이 뭐야?",
    ]
    assert [r["found"] for r in lines] == [True, False, True]
    assert "26만 장" in lines[0]["quotes"][0]["text"] and len(lines[0]["quotes"]) == 1
    assert lines[1]["quotes"] == [] and lines[1]["unknown"] == ["애플"]
    assert lines[0]["unknown"] == []
    assert "대형언어모델" in lines[2]["quotes"][0]["text"]
    assert_one_line_error(proc, "question 3: 질문이 비어 있습니다")  # '?!', not the blank line
    assert Path(env["INDEX_PATH"]).exists(), "the bundled article is indexed on first use"


def test_ask_plain_text(env: dict[str, str]) -> None:
    proc = run(env, "ask", QUESTION)
    assert proc.returncode == 0
    assert proc.stdout.startswith("│ 비공개 회의에서 젠슨 황 CEO는")
    assert "— 12번째 단락" in proc.stdout


def test_build_several_documents_and_stdin(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "반도체 소식\n삼성전자는 HBM 생산을 늘린다.\n", encoding="utf-8"
    )
    (tmp_path / "b.md").write_text("# 자동차 소식\n\n현대차는 로봇에 투자한다.\n", encoding="utf-8")
    out = tmp_path / "custom.npz"
    proc = run(
        env, "build", "a.txt", "b.md", "-", "--out", str(out), stdin="날씨 소식\n내일은 맑다.\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Indexed 3 documents, 6 passages, ")
    ask = run(env, "ask", "--json", "--index", str(out), "현대차는 어디에 투자해?")
    reply = json.loads(ask.stdout)
    assert reply["quotes"][0] == {
        **reply["quotes"][0],
        "text": "현대차는 로봇에 투자한다.",
        "document": "자동차 소식",
    }


def test_text_option_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("회의록\n예산은 5억 원으로 확정했다.\n", encoding="utf-8")
    proc = run(env, "ask", "--text", "note.txt", "예산은 얼마로 확정했어?")
    assert proc.returncode == 0 and "5억 원" in proc.stdout
    assert not Path(env["INDEX_PATH"]).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n \t \n", "empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
        ("한국어 기사".encode("cp949"), "not valid UTF-8"),
    ],
)
def test_failed_build_leaves_the_previous_index_byte_identical(
    env: dict[str, str], tmp_path: Path, content: bytes, message: str
) -> None:
    index = Path(env["INDEX_PATH"])
    index.write_bytes(b"previous index bytes")
    (tmp_path / "bad.txt").write_bytes(content)
    proc = run(env, "build", "bad.txt")
    assert_one_line_error(proc, message)
    assert index.read_bytes() == b"previous index bytes"
    assert sorted(p.name for p in index.parent.iterdir() if p.name.startswith(".index")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "질문이 비어 있습니다"),
        (["ask", "?!…"], "질문이 비어 있습니다"),
        (["ask", "가" * 10_000], "질문이 너무 깁니다 (10,000자)"),
        (["ask", "--index", "missing.npz", "질문"], "missing.npz: no index here"),
        (["chat", "--index", "missing.npz"], "missing.npz: no index here"),
        (["ask", "--text", "missing.txt", "질문"], "missing.txt: no such file"),
        (["build", "missing.txt"], "missing.txt: no such file"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    env: dict[str, str], args: list[str], message: str
) -> None:
    assert_one_line_error(run(env, *args), message)


def test_damaged_index_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 broken")
    assert_one_line_error(run(env, "ask", "--index", "broken.npz", "질문"), "broken.npz")


def test_bad_setting_is_one_line(env: dict[str, str]) -> None:
    env["ADMIN_USER_IDS"] = "alice"
    assert_one_line_error(run(env, "ask", "질문"), "ADMIN_USER_IDS")


def test_build_out_and_ask_index_read_no_settings_and_load_no_bot_stack(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A build to a given path, or a question to a given index, needs no setting, so
    neither pydantic nor Telegram is imported (a cold `ask` pays no more than it must)."""
    env["ADMIN_USER_IDS"] = "alice"
    assert_one_line_error(run(env, "build"), "ADMIN_USER_IDS")  # INDEX_PATH is a setting
    assert_one_line_error(run(env, "ask", "질문"), "ADMIN_USER_IDS")
    out = tmp_path / "out.npz"

    def main_in_child(*args: str) -> str:
        script = (
            "import sys; from bot.cli import main; code = main(sys.argv[1:]); "
            "print(code, sorted({m.split('.')[0] for m in sys.modules} & "
            "{'pydantic', 'pydantic_settings', 'telegram', 'httpx'}))"
        )
        proc = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert main_in_child("build", "--out", str(out)).splitlines()[-1] == "0 []" and out.exists()
    replied = main_in_child("ask", "--index", str(out), "현대차의 투자 규모는?")
    assert "30억 달러" in replied and replied.splitlines()[-1] == "0 []"


@pytest.mark.parametrize("command", [[], ["build"], ["ask"], ["chat"]])
def test_help(env: dict[str, str], command: list[str]) -> None:
    proc = run(env, *command, "--help")
    assert proc.returncode == 0 and proc.stdout.startswith("usage: articlebot")


def test_console_script_is_installed() -> None:
    script = shutil.which("articlebot", path=str(Path(sys.executable).parent))
    assert script is not None
    proc = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "chat" in proc.stdout


def test_eval_command(env: dict[str, str], tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        '{"q": "양측이 합의한 GPU 규모는?", "answers": ["26만 장"], "kind": "fact"}\n'
        '{"q": "내일 부산 비 와?", "answers": [], "kind": "unanswerable"}\n',
        encoding="utf-8",
    )
    proc = run(env, "eval", "--json", "qa.jsonl")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["all"]["answer_at_1"] == 1.0 and report["all"]["refusal_rate_unanswerable"] == 1.0
    assert_one_line_error(run(env, "eval", "absent.json"), "absent.json: no such dataset")


def test_unwritable_output_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    proc = run(env, "build", "--out", "a-file/index.npz")
    assert_one_line_error(proc, "a-file/index.npz: cannot write the index")


def test_kill_9_during_build_leaves_the_previous_index_loadable(
    env: dict[str, str], tmp_path: Path
) -> None:
    index_path = Path(env["INDEX_PATH"])
    assert run(env, "build").returncode == 0
    before = index_path.read_bytes()
    big = tmp_path / "big.txt"
    big.write_text(
        "큰 문서\n" + "한국 정부는 반도체 산업을 키우기 위해 지원한다.\n" * 40_000, "utf-8"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "build", "big.txt"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(4)  # loading Kiwi and analyzing: well before the rename
    proc.kill()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert index_path.read_bytes() == before
    reply = json.loads(run(env, "ask", "--json", QUESTION).stdout)
    assert reply["found"]
