"""Tests of the fake Bot API server itself, driven through PTB's real ``telegram.Bot``."""

from __future__ import annotations

import asyncio
import html
import io
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest
from fake_bot_api import Call, FakeBotAPI, parse_html
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MessageOriginUser,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application, CommandHandler, ContextTypes

T = TypeVar("T")
USER = 1001


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def make_bot(fake: FakeBotAPI, token: str | None = None) -> Bot:
    return Bot(token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


def call(fake: FakeBotAPI, action: Callable[[Bot], Awaitable[T]]) -> T:
    """Run one Bot coroutine against the fake with a fresh, initialized Bot."""

    async def main() -> T:
        async with make_bot(fake) as bot:
            return await action(bot)

    return asyncio.run(main())


def keyboard(callback_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data=callback_data)]])


# --- HTML parse mode, without HTTP ----------------------------------------------------------


@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    assert parse_html(html.escape(text)) == (text, [])


def test_parse_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '😀 <b>bold <i>both</i></b> <a href="https://x.test/?a=1&amp;b=2">link</a>'
        ' <pre><code class="language-python">x = 1</code></pre>'
        " <blockquote expandable>q</blockquote> &#x27;&#39;&lt;&gt;&quot;"
    )
    assert text == "😀 bold both link x = 1 q ''<>\""
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 13, "length": 4, "url": "https://x.test/?a=1&b=2"},
        {"type": "pre", "offset": 18, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 24, "length": 1},
    ]


# --- Bot API methods through PTB ------------------------------------------------------------


def test_get_me(fake: FakeBotAPI) -> None:
    me = call(fake, lambda bot: bot.get_me())
    assert (me.id, me.username, me.is_bot) == (fake.bot_id, fake.username, True)
    assert [c.method for c in fake.calls] == ["getMe", "getMe"]  # initialize() + get_me()


def test_send_message_is_recorded_with_decoded_params(fake: FakeBotAPI) -> None:
    incoming = fake.user_message("hello")["message"]
    message = call(
        fake,
        lambda bot: bot.send_message(
            USER,
            "<b>가 &quot;x&quot;</b> &amp; 123",
            parse_mode="HTML",
            reply_markup=keyboard("more:1"),
            reply_parameters=ReplyParameters(incoming["message_id"]),
        ),
    )
    assert message.text == '가 "x" & 123'
    assert message.entities[0].type == "bold"
    assert message.reply_to_message is not None
    assert message.reply_to_message.text == "hello"
    assert message.message_id == incoming["message_id"] + 1  # ids are per chat

    params = fake.wait_for("sendMessage").params
    assert params["chat_id"] == USER
    assert params["reply_markup"] == {
        "inline_keyboard": [[{"text": "go", "callback_data": "more:1"}]]
    }
    assert params["reply_parameters"] == {"message_id": incoming["message_id"]}

    [sent] = fake.sent(USER)
    assert sent["text"] == '가 "x" & 123'
    assert sent["html"] == "<b>가 &quot;x&quot;</b> &amp; 123"
    assert sent["parse_mode"] == "HTML"
    assert sent["from"]["id"] == fake.bot_id
    assert sent["reply_to_message"]["message_id"] == incoming["message_id"]
    assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more:1"
    assert fake.sent(chat_id=999) == []


def test_numeric_looking_text_stays_a_string(fake: FakeBotAPI) -> None:
    fake.user_message("hi")
    message = call(fake, lambda bot: bot.send_message(USER, "123", reply_to_message_id=1))
    assert message.text == "123"
    assert message.reply_to_message is not None
    # PTB v22 turns reply_to_message_id into reply_parameters
    expected = {"chat_id": USER, "text": "123", "reply_parameters": {"message_id": 1}}
    assert fake.calls[-1].params == expected


def test_unknown_chat_and_reply_target_are_rejected(fake: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        call(fake, lambda bot: bot.send_message(USER, "hi"))
    fake.user_message("hi")
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        call(fake, lambda bot: bot.send_message(USER, "hi", reply_to_message_id=99))


@pytest.mark.parametrize(
    "text",
    [
        "<b>unclosed",
        "a < b",
        "R&D",
        "&nbsp;",
        "<div>x</div>",
        "<b><i>x</b></i>",
        "x</b>",
        "<blockquote><blockquote>x</blockquote></blockquote>",
        '<span class="other">x</span>',
        "<code><b>x</b></code>",
        "<pre><b>x</b></pre>",
        "<tg-emoji>x</tg-emoji>",
    ],
)
def test_invalid_html_is_rejected(fake: FakeBotAPI, text: str) -> None:
    fake.user_message("hi")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        call(fake, lambda bot: bot.send_message(USER, text, parse_mode="HTML"))
    assert fake.sent() == []


def test_message_length_counts_utf16_code_units_after_parsing(fake: FakeBotAPI) -> None:
    fake.user_message("hi")

    async def send_all(bot: Bot) -> None:
        await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
        await bot.send_message(USER, "😀" * 2048)
        for too_long in ("x" * 4097, "😀" * 2049):
            with pytest.raises(BadRequest, match="Message is too long"):
                await bot.send_message(USER, too_long)
        for empty in ("<b></b>", "   "):
            with pytest.raises(BadRequest, match="Message text is empty"):
                await bot.send_message(USER, empty, parse_mode="HTML")

    call(fake, send_all)
    assert len(fake.sent()) == 2


@pytest.mark.parametrize("data", ["x" * 65, "가" * 22])
def test_callback_data_over_64_bytes_is_rejected(fake: FakeBotAPI, data: str) -> None:
    fake.user_message("hi")
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        call(fake, lambda bot: bot.send_message(USER, "hi", reply_markup=keyboard(data)))
    call(fake, lambda bot: bot.send_message(USER, "hi", reply_markup=keyboard("x" * 64)))


def test_edit_message_text_and_not_modified(fake: FakeBotAPI) -> None:
    fake.user_message("hi")

    async def edit(bot: Bot) -> None:
        sent = await bot.send_message(USER, "one", reply_markup=keyboard("a"))
        edited = await bot.edit_message_text("<i>two</i>", USER, sent.message_id, parse_mode="HTML")
        assert edited.text == "two"
        assert edited.reply_markup is None  # editing without reply_markup removes the keyboard
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("<i>two</i>", USER, sent.message_id, parse_mode="HTML")
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("b"))
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", USER, 99)
        with pytest.raises(BadRequest, match="Message can't be edited"):
            await bot.edit_message_text("x", USER, 1)  # the user's message

    call(fake, edit)
    first, second = fake.sent(USER)
    assert (first["text"], second["text"], second["html"]) == ("one", "two", "<i>two</i>")
    assert "edit_date" in second
    assert first["message_id"] == second["message_id"]


def test_get_updates_long_polls_and_honours_offset(fake: FakeBotAPI) -> None:
    first = fake.user_message("/ask@articlebot_test_bot 무엇? @articlebot_test_bot")
    second = fake.user_message("fwd", forward_from=77, reply_to=first["message"])

    async def poll(bot: Bot) -> None:
        updates = await bot.get_updates(timeout=5)
        assert [u.update_id for u in updates] == [1, 2]
        command, fwd = updates[0].message, updates[1].message
        assert command is not None
        assert fwd is not None
        assert [(e.type, e.offset, e.length) for e in command.entities] == [
            ("bot_command", 0, 24),
            ("mention", 29, 20),
        ]
        assert isinstance(fwd.forward_origin, MessageOriginUser)
        assert fwd.forward_origin.sender_user.id == 77
        assert fwd.reply_to_message is not None
        assert fwd.reply_to_message.message_id == first["message"]["message_id"]

        assert len(await bot.get_updates(offset=2, timeout=0)) == 1  # confirms update 1 only
        assert [u.update_id for u in await bot.get_updates(timeout=0)] == [2]

        started = time.monotonic()
        assert await bot.get_updates(offset=3, timeout=1) == ()
        assert time.monotonic() - started >= 0.9

        waiting = asyncio.create_task(bot.get_updates(offset=3, timeout=10))
        await asyncio.sleep(0.2)
        fake.user_message("wake up")
        started = time.monotonic()
        [woken] = await waiting
        assert time.monotonic() - started < 2
        assert woken.update_id == 3
        assert woken.message is not None
        assert woken.message.text == "wake up"

    call(fake, poll)
    assert second["update_id"] == 2


def test_a_newer_get_updates_terminates_the_older_one(fake: FakeBotAPI) -> None:
    async def two_instances() -> None:
        # PTB allows one getUpdates at a time per Bot, so this is two bot processes.
        async with make_bot(fake) as first, make_bot(fake) as second:
            older = asyncio.create_task(first.get_updates(timeout=10))
            await asyncio.sleep(0.2)
            newer = asyncio.create_task(second.get_updates(timeout=10))
            with pytest.raises(Conflict, match="terminated by other getUpdates"):
                await older
            fake.user_message("hi")
            assert len(await newer) == 1

    asyncio.run(two_instances())


def test_webhook_blocks_get_updates_until_deleted(fake: FakeBotAPI) -> None:
    fake.user_message("old")

    async def webhook(bot: Bot) -> None:
        with pytest.raises(BadRequest, match="https url must be provided"):
            await bot.set_webhook("http://example.test/hook")
        await bot.set_webhook("https://example.test/hook")
        assert (await bot.get_webhook_info()).url == "https://example.test/hook"
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates(timeout=0) == ()

    call(fake, webhook)


def test_get_file_and_download(fake: FakeBotAPI) -> None:
    content = "기사 본문\r\n".encode() + bytes(range(256))
    update = fake.user_document(content, "article.txt", caption="read this")
    document = update["message"]["document"]
    big = fake.user_document(b"tiny", "big.pdf", file_size=25 * 1024 * 1024)

    async def download(bot: Bot) -> None:
        file = await bot.get_file(document["file_id"])
        assert file.file_size == len(content)
        assert file.file_path == f"{fake.base_file_url}{fake.token}/documents/file_1.txt"
        buffer = io.BytesIO()
        await file.download_to_memory(buffer)
        assert buffer.getvalue() == content
        with pytest.raises(BadRequest, match="File is too big"):
            await bot.get_file(big["message"]["document"]["file_id"])
        with pytest.raises(BadRequest, match="Invalid file_id"):
            await bot.get_file("nope")

    call(fake, download)
    assert fake.wait_for("downloadFile").params == {"file_path": "documents/file_1.txt"}
    missing = httpx.get(f"{fake.base_file_url}{fake.token}/documents/none.txt")
    assert missing.status_code == 404
    wrong_token = httpx.get(f"{fake.base_file_url}1:wrong/documents/file_1.txt")
    assert wrong_token.status_code == 404


def test_callback_query_must_exist_and_is_answered_once(fake: FakeBotAPI) -> None:
    fake.user_message("hi")
    call(fake, lambda bot: bot.send_message(USER, "pick", reply_markup=keyboard("a")))
    [sent] = fake.sent()
    query = fake.callback_query("a", message=sent)["callback_query"]
    assert query["message"]["reply_markup"] == sent["reply_markup"]
    assert "html" not in query["message"]

    async def answer(bot: Bot) -> None:
        [update] = await bot.get_updates(offset=2, timeout=0)
        assert update.callback_query is not None
        assert update.callback_query.data == "a"
        await update.callback_query.answer("ok")
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(query["id"])

    call(fake, answer)


def article(result_id: str, text: str = "answer", parse_mode: str | None = None) -> Any:
    content = InputTextMessageContent(text, parse_mode=parse_mode)
    return InlineQueryResultArticle(result_id, "title", content)


@pytest.mark.parametrize(
    ("results", "error"),
    [
        ([article(str(i)) for i in range(51)], "Results_too_much"),
        ([article("x" * 65)], "Result_id_invalid"),
        ([article("1"), article("1")], "Result_id_duplicate"),
        ([article("1", "<b>oops", "HTML")], "Can't parse entities"),
        ([article("1", "x" * 4097)], "Message is too long"),
    ],
)
def test_answer_inline_query_validates_results(
    fake: FakeBotAPI, results: list[Any], error: str
) -> None:
    query_id = fake.inline_query("질문")["inline_query"]["id"]
    with pytest.raises(BadRequest, match=error):
        call(fake, lambda bot: bot.answer_inline_query(query_id, results))


def test_answer_inline_query_accepts_50_results(fake: FakeBotAPI) -> None:
    query_id = fake.inline_query("질문")["inline_query"]["id"]
    results = [article(str(i), "<b>답</b>", "HTML") for i in range(50)]
    assert call(fake, lambda bot: bot.answer_inline_query(query_id, results))
    recorded = fake.wait_for("answerInlineQuery").params["results"]
    assert recorded[0]["input_message_content"]["message_text"] == "<b>답</b>"


def test_commands_descriptions_and_chat_actions(fake: FakeBotAPI) -> None:
    fake.user_message("hi")

    async def configure(bot: Bot) -> None:
        await bot.set_my_commands([("ask", "질문하기"), ("help", "Help")])
        assert [c.command for c in await bot.get_my_commands()] == ["ask", "help"]
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await bot.set_my_commands([("Ask", "bad")])
        await bot.set_my_description("설명")
        await bot.set_my_short_description("short")
        await bot.send_chat_action(USER, "typing")
        assert await bot.log_out()
        assert await bot.close()

    call(fake, configure)
    assert fake.commands == [
        {"command": "ask", "description": "질문하기"},
        {"command": "help", "description": "Help"},
    ]
    assert (fake.description, fake.short_description) == ("설명", "short")


def test_unknown_method_and_tokens(fake: FakeBotAPI) -> None:
    with pytest.raises(EndPointNotFound):
        call(fake, lambda bot: bot.do_api_request("noSuchMethod"))
    with pytest.raises(InvalidToken, match="Unauthorized"):
        asyncio.run(make_bot(fake, "1:wrong").get_me())
    fake.set_token_valid(False)
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        call(fake, lambda bot: bot.get_me())  # initialize() calls getMe
    assert fake.calls[-1].method == "getMe"
    fake.set_token_valid(True)
    call(fake, lambda bot: bot.get_me())


def test_json_and_multipart_bodies_are_decoded(fake: FakeBotAPI) -> None:
    fake.user_message("hi")
    url = f"{fake.base_url}{fake.token}/sendMessage"
    as_json = httpx.post(url, json={"chat_id": USER, "text": "json", "reply_to_message_id": 1})
    assert as_json.json()["result"]["reply_to_message"]["text"] == "hi"
    multipart = httpx.post(
        url,
        data={"chat_id": str(USER), "text": "멀티", "reply_markup": keyboard("m").to_json()},
        files={"upload": ("a.bin", b"\r\n\x00binary\r\n")},
    )
    assert multipart.json()["result"]["text"] == "멀티"
    params = fake.calls[-1].params
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "m"
    assert params["upload"] == b"\r\n\x00binary\r\n"


def test_peak_connections_counts_connections_open_at_once(fake: FakeBotAPI) -> None:
    url = f"{fake.base_url}{fake.token}/getMe"
    with httpx.Client() as one, httpx.Client() as two:
        for client in (one, two, one, two):
            assert client.get(url).status_code == 200
        assert fake.peak_connections == 2  # keep-alive: one connection per client
        fake.reset_peak_connections()
        assert fake.peak_connections == 2  # both are still open


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter
def test_fault_injection(fake: FakeBotAPI) -> None:
    fake.user_message("hi")
    fake.fail_next("sendMessage", count=2)
    fake.fail_next("sendMessage", retry_after=3)
    fake.fail_next("sendMessage", drop_connection=True)
    fake.fail_next("sendMessage", delay=0.3)

    async def send(bot: Bot) -> None:
        for _ in range(2):
            with pytest.raises(NetworkError, match="Internal Server Error"):
                await bot.send_message(USER, "x")
        with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
            await bot.send_message(USER, "x")
        with pytest.raises(NetworkError, match="disconnected"):
            await bot.send_message(USER, "x")
        started = time.monotonic()
        await bot.send_message(USER, "delayed")
        assert time.monotonic() - started >= 0.3
        await bot.send_message(USER, "normal")

    call(fake, send)
    faults = [c.fault for c in fake.calls if c.method == "sendMessage"]
    assert faults == ["HTTP 500", "HTTP 500", "HTTP 429", "dropped connection", "delay 0.3s", None]
    assert [m["text"] for m in fake.sent()] == ["delayed", "normal"]


def test_wait_for_uses_mark_and_times_out_with_a_summary(fake: FakeBotAPI) -> None:
    call(fake, lambda bot: bot.get_me())
    mark = fake.mark()
    assert fake.wait_for("getMe").method == "getMe"
    with pytest.raises(AssertionError, match=r"recent calls:\n  #0 getMe"):
        fake.wait_for("getMe", after=mark, timeout=0.2)
    predicate: Callable[[Call], bool] = lambda c: c.params.get("text") == "b"  # noqa: E731
    with pytest.raises(AssertionError):
        fake.wait_for("sendMessage", predicate, timeout=0.1)


def test_ptb_application_polls_and_replies(fake: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        text = f"<b>hello</b> {update.effective_message.chat_id}"
        await update.effective_message.reply_html(text, do_quote=True)

    async def main() -> None:
        app = (
            Application.builder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        app.add_handler(CommandHandler("start", start))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=1)
            fake.user_message("/start")
            reply = await asyncio.to_thread(fake.wait_for, "sendMessage", timeout=10)
            await app.updater.stop()
            await app.stop()
        assert reply.params["text"] == f"<b>hello</b> {USER}"

    asyncio.run(main())
    [sent] = fake.sent(USER)
    assert sent["text"] == f"hello {USER}"
    assert sent["reply_to_message"]["text"] == "/start"
