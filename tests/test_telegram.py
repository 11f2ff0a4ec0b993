"""End-to-end: the real `articlebot telegram` process against the fake Bot API server.

python-telegram-bot's own network stack (httpx) talks to a server of ours on
127.0.0.1 through TELEGRAM_BASE_URL; nothing here reaches Telegram.
"""

from __future__ import annotations

import asyncio
import importlib.abc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import FakeBotAPI
from telegram import Bot

from bot.render import NOT_FOUND
from bot.telegram.app import BOT_API_CONNECTIONS
from bot.telegram.handlers import ERROR_REPLY, NOT_ADMIN, STALE_BUTTON

ADMIN = 4242
USER = 1001


class BotProcess:
    """`python -m bot telegram` with its stderr in a file, stopped with a signal."""

    def __init__(self, fake: FakeBotAPI, workdir: Path, **env: str) -> None:
        self.fake = fake
        self.log_path = workdir / "bot.log"
        self.index_path = workdir / "index.npz"
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))
        }
        self.env.update(
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_BASE_URL=fake.base_url,
            TELEGRAM_BASE_FILE_URL=fake.base_file_url,
            ADMIN_USER_IDS=str(ADMIN),
            INDEX_PATH=str(self.index_path),
            HOME=str(workdir),
            TELEGRAM_RATE_LIMITER="false",
        )
        self.env.update(env)
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *args: str, wait: bool = True) -> BotProcess:
        mark = self.fake.mark()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "telegram", *args],
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log_path.open("wb"),
        )
        if wait:
            self.fake.wait_for("getUpdates", timeout=60, after=mark)
        return self

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10) -> tuple[int, float]:
        assert self.proc is not None
        started = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        return code, time.monotonic() - started

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture(scope="module")
def bot(fake: FakeBotAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    process = BotProcess(fake, tmp_path_factory.mktemp("bot")).start()
    yield process
    if process.proc and process.proc.poll() is None:
        process.stop(signal.SIGKILL)


def ask(fake: FakeBotAPI, text: str, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send a message and wait for the bot's next message in that chat."""
    mark = fake.mark()
    question = fake.user_message(text, **kwargs)["message"]
    chat_id = question["chat"]["id"]
    before = len(fake.sent(chat_id))
    fake.wait_for("sendMessage", lambda c: c.params.get("chat_id") == chat_id, after=mark)
    return question, fake.sent(chat_id)[before]


def test_commands_registered_at_start(bot: BotProcess) -> None:
    names = [c["command"] for c in bot.fake.commands]
    assert names == ["start", "help", "source", "ask"]


def test_start_greets_with_document_and_examples(bot: BotProcess) -> None:
    _, reply = ask(bot.fake, "/start", user_id=2001)
    assert "“AI는 이제 한국의 산업" in reply["text"]
    examples = [line[2:] for line in reply["text"].splitlines() if line.startswith("• ")]
    assert len(examples) == 3
    for example in examples:  # every suggested question is answered from the article
        _, answer = ask(bot.fake, example, user_id=2001)
        assert "<blockquote>" in answer["html"], example


def test_help_and_source(bot: BotProcess) -> None:
    _, help_reply = ask(bot.fake, "/help", user_id=2002)
    assert "/ask" in help_reply["text"] and f"@{bot.fake.username}" in help_reply["text"]
    _, source = ask(bot.fake, "/source", user_id=2002)
    assert "Copyright ⓒ 뉴스로드" in source["text"]
    assert "단락 17개" in source["text"]


def test_question_gets_a_quoted_answer(bot: BotProcess) -> None:
    mark = bot.fake.mark()
    question, reply = ask(bot.fake, "양측이 합의한 GPU 규모는?", user_id=2003)
    html = reply["html"]
    assert html.startswith("<blockquote>") and "</blockquote>" in html
    assert "<b><u>양측</u>은 한국 내 26만 장 이상의 <u>GPU</u> 확보를" in html
    assert "<i>— 7번째 단락</i>" in html
    assert reply["reply_to_message"]["message_id"] == question["message_id"]
    # Once the best quote answers, the next places that share its words are offered too.
    assert reply["reply_markup"]["inline_keyboard"][0][0]["text"] == "더 보기"
    assert [c.method for c in bot.fake.calls[mark:] if c.method.startswith("send")] == [
        "sendMessage"
    ]


def test_not_found_has_no_quote(bot: BotProcess) -> None:
    _, reply = ask(bot.fake, "로또 당첨 번호 알려줘", user_id=2004)
    assert reply["text"].startswith(NOT_FOUND)
    assert "blockquote" not in reply["html"] and "reply_markup" not in reply


def test_more_button_shows_further_quotes(bot: BotProcess) -> None:
    fake = bot.fake
    _, reply = ask(fake, "이재명 대통령은 누구와 만났어?", user_id=2005)
    button = reply["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "더 보기" and button["callback_data"] == "more:1"
    mark = fake.mark()
    fake.callback_query(
        reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"], message=reply, user_id=2005
    )
    edit = fake.wait_for("editMessageText", after=mark)
    assert edit.params["message_id"] == reply["message_id"]
    assert edit.params["text"].count("<blockquote expandable>") >= 1
    assert edit.params["text"].startswith(reply["html"].split("</blockquote>")[0])
    assert fake.wait_for("answerCallbackQuery", after=mark)


def test_forged_callback_data_is_answered_gracefully(bot: BotProcess) -> None:
    fake = bot.fake
    _, reply = ask(fake, "현대차의 투자 규모는 얼마인가?", user_id=2006)
    mark = fake.mark()
    fake.callback_query("more:999", message=reply, user_id=2006)
    call = fake.wait_for("answerCallbackQuery", after=mark)
    assert call.params["text"] == STALE_BUTTON and call.params["show_alert"] is True


def test_group_silence_ask_mention_and_reply(bot: BotProcess) -> None:
    fake = bot.fake
    group = -100777
    mark = fake.mark()
    fake.user_message(
        "오늘 점심 뭐 먹지? GPU 얘기는 그만", chat_id=group, chat_type="supergroup", user_id=2007
    )
    _, asked = ask(
        fake, "/ask 양측이 합의한 GPU 규모는?", chat_id=group, chat_type="supergroup", user_id=2007
    )
    # Updates of one chat are handled in order: the chatter came first and got nothing.
    replies = [
        c for c in fake.calls[mark:] if c.method == "sendMessage" and c.params["chat_id"] == group
    ]
    assert len(replies) == 1 and "26만 장" in asked["text"]

    _, mentioned = ask(
        fake,
        f"@{fake.username} 현대차의 투자 규모는?",
        chat_id=group,
        chat_type="supergroup",
        user_id=2008,
    )
    assert "30억 달러" in mentioned["text"]

    _, replied = ask(
        fake, "LLM이 뭐야?", chat_id=group, chat_type="supergroup", user_id=2009, reply_to=mentioned
    )
    assert "대형언어모델" in replied["text"]

    _, usage = ask(fake, "/ask", chat_id=group, chat_type="group", user_id=2009)
    assert "/ask" in usage["text"]


def test_inline_query_answers_and_starters(bot: BotProcess) -> None:
    fake = bot.fake
    mark = fake.mark()
    fake.inline_query("양측이 합의한 GPU 규모는?", user_id=2010)
    call = fake.wait_for("answerInlineQuery", after=mark)
    results = call.params["results"]
    assert 1 <= len(results) <= 3
    first = results[0]
    assert first["type"] == "article" and "26만 장" in first["title"]
    assert "❓ 양측이 합의한 GPU 규모는?" in first["input_message_content"]["message_text"]

    mark = fake.mark()
    fake.inline_query("", user_id=2010)
    starters = fake.wait_for("answerInlineQuery", after=mark).params["results"]
    assert len(starters) == 3 and all(r["title"].endswith("에 대해 알려줘") for r in starters)

    mark = fake.mark()
    fake.inline_query("로또 당첨 번호", user_id=2010)
    empty = fake.wait_for("answerInlineQuery", after=mark).params
    assert empty["results"] == [] and "button" in empty


def test_html_special_characters_in_questions(bot: BotProcess) -> None:
    _, reply = ask(bot.fake, '<b>양측이</b> 합의한 <GPU> 규모는 & "?"', user_id=2011)
    assert "26만 장" in reply["text"]
    _, reply = ask(bot.fake, "<b>&amp;</b>", user_id=2011)
    assert reply["text"].startswith(NOT_FOUND)


def test_four_thousand_character_question(bot: BotProcess) -> None:
    _, reply = ask(bot.fake, "GPU 규모는? " + "가나다 " * 1000, user_id=2012)
    assert "질문이 너무 깁니다" in reply["text"]


def test_unknown_command(bot: BotProcess) -> None:
    _, reply = ask(bot.fake, "/frobnicate", user_id=2013)
    assert "/help" in reply["text"]


def test_non_admin_upload_and_reload_are_refused(bot: BotProcess) -> None:
    before = bot.index_path.read_bytes()
    mark = bot.fake.mark()
    bot.fake.user_document("새 기사\n새로운 내용이다.\n".encode(), "new.txt", user_id=2014)
    refusal = bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 2014, after=mark)
    assert refusal.params["text"] == NOT_ADMIN
    assert not any(c.method == "getFile" for c in bot.fake.calls[mark:])
    _, reply = ask(bot.fake, "/reload", user_id=2014)
    assert reply["text"] == NOT_ADMIN
    assert bot.index_path.read_bytes() == before


def test_rejected_entities_are_resent_as_plain_text(bot: BotProcess) -> None:
    fake = bot.fake
    fake.fail_next(
        "sendMessage", status=400, description="Bad Request: can't parse entities: unsupported tag"
    )
    mark = fake.mark()
    fake.user_message("양측이 합의한 GPU 규모는?", user_id=2020)
    sent = fake.wait_for("sendMessage", lambda c: c.fault is None, after=mark)
    assert "parse_mode" not in sent.params
    assert (
        sent.params["text"].startswith("양측은 한국 내 26만 장")
        and "<b>" not in sent.params["text"]
    )


def test_handler_error_is_reported_and_the_bot_keeps_running(bot: BotProcess) -> None:
    fake = bot.fake
    fake.fail_next("sendMessage", status=400, description="Bad Request: chat is deactivated")
    mark = fake.mark()
    fake.user_message("양측이 합의한 GPU 규모는?", user_id=2021)
    apology = fake.wait_for("sendMessage", lambda c: c.fault is None, after=mark)
    assert apology.params["text"] == ERROR_REPLY
    _, reply = ask(fake, "양측이 합의한 GPU 규모는?", user_id=2021)
    assert "26만 장" in reply["text"]
    assert "Error while handling an update" in bot.log and "Traceback" in bot.log


def test_crafted_callback_data_does_nothing(bot: BotProcess) -> None:
    fake = bot.fake
    _, reply = ask(fake, "이재명 대통령은 누구와 만났어?", user_id=2030)
    before = bot.index_path.read_bytes()
    for data in ("reload", "more:", "more:../../etc", "x" * 64):
        mark = fake.mark()
        fake.callback_query(data, message=reply, user_id=2030)
        call = fake.wait_for("answerCallbackQuery", after=mark)
        assert call.params["text"] == STALE_BUTTON
        assert not any(c.method == "editMessageText" for c in fake.calls[mark:])
    assert bot.index_path.read_bytes() == before


def test_uploads_from_groups_and_oversized_files_are_never_downloaded(bot: BotProcess) -> None:
    fake = bot.fake
    mark = fake.mark()
    fake.user_document(
        b"title\nbody.\n", "new.txt", user_id=ADMIN, chat_id=-100900, chat_type="group"
    )
    _, reply = ask(fake, "/ask LLM이 뭐야?", chat_id=-100900, chat_type="group", user_id=ADMIN)
    assert "대형언어모델" in reply["text"]  # the upload before it was ignored, in order
    fake.user_document(b"x", "big.txt", user_id=ADMIN, file_size=5_000_000)
    refusal = fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == ADMIN, after=mark)
    assert "너무 큽니다" in refusal.params["text"]
    assert not any(c.method in ("getFile", "downloadFile") for c in fake.calls[mark:])


def test_forwarded_admin_command_from_someone_else_is_refused(bot: BotProcess) -> None:
    """Rights follow who sends the message, not whose message it forwards."""
    before = bot.index_path.read_bytes()
    _, reply = ask(bot.fake, "/reload", user_id=2032, forward_from=ADMIN)
    assert reply["text"] == NOT_ADMIN
    assert bot.index_path.read_bytes() == before


def test_token_stays_out_of_logs_and_chats_when_requests_fail(bot: BotProcess) -> None:
    fake = bot.fake
    token = fake.token
    fake.fail_next("sendMessage", status=400, description=f"Bad Request: bot{token} is confused")
    mark = fake.mark()
    fake.user_message("양측이 합의한 GPU 규모는?", user_id=2031)
    apology = fake.wait_for("sendMessage", lambda c: c.fault is None, after=mark)
    assert token not in apology.params["text"]
    time.sleep(0.5)
    assert "is confused" in bot.log and token not in bot.log
    assert token.partition(":")[2] not in bot.log


def test_token_never_logged_and_sigint_stops_cleanly(bot: BotProcess) -> None:
    code, seconds = bot.stop(signal.SIGINT)
    assert code == 0 and seconds < 10
    log = bot.log
    assert "Serving" in log
    assert bot.fake.token not in log and bot.fake.token.partition(":")[2] not in log


# --- a bot of its own for each test that changes what it serves -------------------------


@pytest.fixture
def own_bot(tmp_path: Path) -> Iterator[BotProcess]:
    with FakeBotAPI() as server:
        process = BotProcess(server, tmp_path).start()
        yield process
        if process.proc and process.proc.poll() is None:
            process.stop(signal.SIGKILL)


def upload(fake: FakeBotAPI, content: bytes, name: str, user_id: int = ADMIN) -> str:
    mark = fake.mark()
    fake.user_document(content, name, user_id=user_id)
    return fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == user_id, after=mark, timeout=60
    ).params["text"]


def test_admin_upload_rebuilds_live_and_old_buttons_say_so(own_bot: BotProcess) -> None:
    fake = own_bot.fake
    _, old = ask(fake, "이재명 대통령은 누구와 만났어?", user_id=ADMIN)
    before = own_bot.index_path.read_bytes()
    text = upload(
        fake, "사내 공지\n다음 주 월요일부터 재택근무는 주 2회로 바뀐다.\n".encode(), "notice.txt"
    )
    assert text.startswith("새 기사로 바꿨습니다: 《사내 공지》")
    assert own_bot.index_path.read_bytes() != before
    _, reply = ask(fake, "재택근무는 주 몇 회야?", user_id=USER)
    assert "주 2회" in reply["text"]
    _, gone = ask(fake, "젠슨 황은 한국을 어떻게 평가했나?", user_id=USER)
    assert gone["text"].startswith(NOT_FOUND)
    mark = fake.mark()
    fake.callback_query(
        old["reply_markup"]["inline_keyboard"][0][0]["callback_data"], message=old, user_id=ADMIN
    )
    assert fake.wait_for("answerCallbackQuery", after=mark).params["text"] == STALE_BUTTON
    assert any(c.method == "sendChatAction" for c in fake.calls)


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        ("기사".encode("cp949"), "old.txt", "not valid UTF-8"),
        (b"", "empty.txt", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image.txt", "binary"),
        (b"%PDF-1.7", "paper.pdf", ".txt 또는 .md"),
        (b"x" * 1_000_001, "big.txt", "너무 큽니다"),
    ],
)
def test_broken_upload_keeps_the_old_index(
    own_bot: BotProcess, content: bytes, name: str, reason: str
) -> None:
    before = own_bot.index_path.read_bytes()
    text = upload(own_bot.fake, content, name)
    assert reason in text and "지금 기사로 계속 답합니다" in text
    assert own_bot.index_path.read_bytes() == before
    _, reply = ask(own_bot.fake, "양측이 합의한 GPU 규모는?", user_id=USER)
    assert "26만 장" in reply["text"]


def test_reload_after_cli_build_and_failed_reload(own_bot: BotProcess, tmp_path: Path) -> None:
    (tmp_path / "new.txt").write_text("공장 소식\n2공장은 내년 3월에 가동한다.\n", encoding="utf-8")
    built = subprocess.run(
        [sys.executable, "-m", "bot", "build", "new.txt"],
        cwd=tmp_path,
        env=own_bot.env,
        capture_output=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    _, reply = ask(own_bot.fake, "/reload", user_id=ADMIN)
    assert reply["text"].startswith("색인을 다시 읽었습니다: 《공장 소식》")
    _, answer = ask(own_bot.fake, "2공장은 언제 가동해?", user_id=USER)
    assert "내년 3월" in answer["text"]
    own_bot.index_path.write_bytes(b"damaged")
    _, failed = ask(own_bot.fake, "/reload", user_id=ADMIN)
    assert "색인을 다시 읽지 못했습니다" in failed["text"]
    _, still = ask(own_bot.fake, "2공장은 언제 가동해?", user_id=USER)
    assert "내년 3월" in still["text"]


def test_sigterm_stops_cleanly(own_bot: BotProcess) -> None:
    code, seconds = own_bot.stop(signal.SIGTERM)
    assert code == 0 and seconds < 10


def test_missing_token_is_one_line(tmp_path: Path) -> None:
    with FakeBotAPI() as server:
        process = BotProcess(server, tmp_path)
        process.env["TELEGRAM_BOT_TOKEN"] = ""
        code = process.start(wait=False).proc.wait(timeout=60)
    assert code != 0
    lines = process.log.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("articlebot: error: TELEGRAM_BOT_TOKEN is not set")


def test_rejected_token_is_one_line(tmp_path: Path) -> None:
    with FakeBotAPI() as server:
        server.set_token_valid(False)
        process = BotProcess(server, tmp_path).start(wait=False)
        code = process.proc.wait(timeout=60)
    assert code != 0
    last = process.log.strip().splitlines()[-1]
    assert last.startswith("articlebot: error: Telegram rejected TELEGRAM_BOT_TOKEN")
    assert "Traceback" not in process.log and server.token not in process.log


class _ImportSpy(importlib.abc.MetaPathFinder):
    """Records every module Python searches for, finding none itself."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        self.searched.append(name)


def test_bot_api_requests_search_for_no_module(fake: FakeBotAPI) -> None:
    """httpcore imports sniffio for every lock and event of every request. Python does not
    remember a failed import, so without sniffio installed each request searched sys.path four
    times: 15% of the bot's CPU under load (issue #5)."""

    async def requests() -> list[str]:
        async with Bot(fake.token, base_url=fake.base_url) as telegram_bot:  # getMe: warm-up
            spy = _ImportSpy()
            sys.meta_path.insert(0, spy)
            try:
                for _ in range(3):
                    await telegram_bot.get_me()
            finally:
                sys.meta_path.remove(spy)
            return spy.searched

    assert asyncio.run(requests()) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, update: dict[str, Any], secret: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_webhook_mode_with_secret_token(tmp_path: Path) -> None:
    port = _free_port()
    with FakeBotAPI() as fake:
        webhook = ["--webhook", "https://bot.example/hook", "--listen", "127.0.0.1"]
        process = BotProcess(fake, tmp_path).start(*webhook, "--port", str(port), wait=False)
        registered = fake.wait_for("setWebhook", timeout=60)
        assert registered.params["url"] == "https://bot.example/hook"
        secret = registered.params["secret_token"]
        assert len(secret) >= 32
        update = fake.user_message("양측이 합의한 GPU 규모는?", user_id=3001)
        fake.wait_for("setMyCommands", timeout=30)
        local = f"http://127.0.0.1:{port}/hook"
        for _ in range(50):  # the webhook server starts right after setWebhook
            try:
                status = _post(local, {**update, "update_id": 99}, "wrong-secret")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 403
        mark = fake.mark()
        assert _post(local, update, secret) == 200
        reply = fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 3001, after=mark)
        assert "26만 장" in reply.params["text"]
        assert not any(c.method == "getUpdates" for c in fake.calls)
        code, seconds = process.stop(signal.SIGTERM)
    assert code == 0 and seconds < 10
    assert secret not in process.log and fake.token not in process.log


@pytest.mark.parametrize("pace", ["true", "false"])
def test_bot_api_faults_are_retried_and_every_question_answered(tmp_path: Path, pace: str) -> None:
    faults = [
        {"retry_after": 1},
        {"status": 500},
        {"status": 502, "description": "Bad Gateway"},
        {"drop_connection": True},
        {"delay": 6.0},  # longer than python-telegram-bot's 5 s read timeout
    ]
    with FakeBotAPI() as fake:
        process = BotProcess(fake, tmp_path, TELEGRAM_RATE_LIMITER=pace).start()
        for n, fault in enumerate(faults):
            fake.fail_next("sendMessage", **fault)
            mark = fake.mark()
            fake.user_message("양측이 합의한 GPU 규모는?", user_id=3100 + n)
            sent = fake.wait_for("sendMessage", lambda c: c.fault is None, after=mark)
            assert "26만 장" in sent.params["text"] and sent.params["chat_id"] == 3100 + n
            attempts = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
            assert len(attempts) == 2 and attempts[0].fault is not None, fault
        assert fake.calls[-1].fault is None
        code, _ = process.stop()
    assert code == 0
    assert "ERROR" not in process.log and fake.token not in process.log


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_load_2000_messages_from_200_users(tmp_path: Path) -> None:
    """Each answered exactly once, in order within each chat, memory flat, no error."""
    users, per_user = 200, 10
    questions = [
        "양측이 합의한 GPU 규모는?",
        "현대차의 투자 규모는 얼마인가?",
        "LLM이 뭐야?",
        "로또 번호",
    ]
    with FakeBotAPI() as fake:
        process = BotProcess(fake, tmp_path).start()
        fake.reset_peak_connections()
        asked: dict[int, list[int]] = {}

        def push(rounds: range) -> None:
            for n in rounds:
                for user in range(users):
                    text = f"{questions[(n + user) % len(questions)]} #{n}"
                    message = fake.user_message(text, user_id=60_000 + user)["message"]
                    asked.setdefault(60_000 + user, []).append(message["message_id"])

        def answered() -> list[Any]:
            return [c for c in fake.calls if c.method == "sendMessage" and c.fault is None]

        def wait_for_answers(count: int) -> None:
            deadline = time.monotonic() + 180
            while len(answered()) < count:
                assert time.monotonic() < deadline, f"{len(answered())} of {count} answered"
                time.sleep(0.2)

        push(range(2))
        wait_for_answers(2 * users)
        warm = _rss_mib(process.proc.pid)
        push(range(2, per_user))
        wait_for_answers(users * per_user)
        time.sleep(1)
        final = _rss_mib(process.proc.pid)
        calls = answered()
        connections = fake.peak_connections
        code, _ = process.stop()
    assert len(calls) == users * per_user
    for user, ids in asked.items():
        replies = [
            c.params["reply_parameters"]["message_id"] for c in calls if c.params["chat_id"] == user
        ]
        assert replies == ids, user  # exactly once each, in the order asked
    assert final - warm < 40, (warm, final)
    assert connections <= BOT_API_CONNECTIONS + 1  # and getUpdates' own
    assert code == 0 and "ERROR" not in process.log
