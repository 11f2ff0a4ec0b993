"""The bot's handlers: one typed coroutine per concern, as in python-telegram-bot's examples."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import PurePath

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType, InlineQueryLimit, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

import index
from bot.answer import Answer, QuestionError, Quote, answer
from bot.documents import TEXT_SUFFIXES, document_from_bytes
from bot.telegram.messages import plain_text, telegram_html, telegram_inline_html
from bot.telegram.state import Served

log = logging.getLogger(__name__)

MORE = "more"
INLINE_CACHE_SECONDS = 30
TYPING_EVERY_SECONDS = 4.0
INLINE_TITLE_CHARS = 64
INLINE_DESCRIPTION_CHARS = 120

HELP = (
    "이 봇은 기사 한 편에 대한 질문에 <b>기사 원문을 인용해서</b> 답합니다. "
    "지어낸 말은 하지 않습니다.\n\n"
    "• 개인 대화: 질문을 그냥 보내세요.\n"
    "• 그룹: <code>/ask 질문</code>, 봇을 @멘션하거나 봇의 답장에 답글로 물어보세요.\n"
    "• 어느 대화에서나: <code>@{username} 질문</code> (인라인 모드)\n"
    "• /source — 불러온 기사 정보\n\n"
    "관리자는 .txt / .md 파일을 보내 기사를 바꾸거나, /reload 로 저장된 색인을 다시 읽을 수 "
    "있습니다."
)
ASK_USAGE = "질문을 함께 적어 주세요. 예: <code>/ask {example}</code>"
ERROR_REPLY = "죄송합니다. 답을 만드는 중에 문제가 생겼습니다. 잠시 뒤에 다시 물어봐 주세요."
NOT_ADMIN = "기사를 바꾸거나 다시 읽는 일은 이 봇의 관리자만 할 수 있습니다."
STALE_BUTTON = "그사이 기사가 새로 색인되었습니다. 질문을 다시 보내 주세요."
NO_QUESTION = "원래 질문을 찾을 수 없습니다. 질문을 다시 보내 주세요."


def served(context: ContextTypes.DEFAULT_TYPE) -> Served:
    return context.bot_data["served"]


# --- commands ---------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, say which document is loaded, and suggest questions it can answer."""
    state = served(context)
    titles = ", ".join(f"《{html.escape(d.title)}》" for d in state.index.documents[:3])
    examples = "\n".join(f"• {html.escape(q)}" for q in state.examples())
    await update.effective_message.reply_html(
        f"안녕하세요! 기사 {titles}에 대해 물어보시면 기사 원문을 인용해서 답해 드립니다.\n\n"
        f"예를 들면:\n{examples}\n\n사용법은 /help 를 보세요."
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_html(HELP.format(username=context.bot.username))


async def source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Title, source line, size and build time of what is being served."""
    idx = served(context).index
    lines = []
    for d in idx.documents[:10]:
        lines.append(f"《{html.escape(d.title)}》")
        if d.source:
            lines.append(f"<i>{html.escape(d.source.replace(chr(10), ' / '))}</i>")
    if len(idx.documents) > 10:
        lines.append(f"… 외 {len(idx.documents) - 10}건")
    built = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(idx.info.created))
    lines.append(
        f"\n문서 {len(idx.documents):,}개 · 단락 {idx.passage_count:,}개 · "
        f"{idx.characters:,}자 · 색인 {built}"
    )
    await update.effective_message.reply_html("\n".join(lines))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/ask question``: how groups ask without mentioning the bot."""
    question = " ".join(context.args or [])
    if not question.strip():
        example = served(context).examples()[:1] or ["젠슨 황은 한국을 어떻게 평가했나?"]
        await update.effective_message.reply_html(ASK_USAGE.format(example=html.escape(example[0])))
        return
    await reply_with_answer(update.effective_message, question, context)


# --- questions --------------------------------------------------------------------------


async def private_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a private chat every text message is a question."""
    await reply_with_answer(update.effective_message, update.effective_message.text, context)


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only a mention of the bot or a reply to the bot; else stay silent."""
    message = update.effective_message
    question = addressed_question(message, context.bot.username, context.bot.id)
    if question is not None:
        await reply_with_answer(message, question, context)


def addressed_question(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message meant for the bot, or None if it is not for it."""
    text = message.text or ""
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)
    replied = message.reply_to_message
    if mention.search(text) or (replied and replied.from_user and replied.from_user.id == bot_id):
        return mention.sub(" ", text).strip()
    return None


async def reply_with_answer(
    message: Message, question: str, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """Answer a question as a reply to the message that asked it."""
    state = served(context)
    try:  # milliseconds: no "typing…" first, which would double the requests per answer
        reply = answer(state.index, question)
    except QuestionError as exc:
        await message.reply_text(str(exc), do_quote=True)
        return
    markup = None
    if len(reply.quotes) > 1:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton("더 보기", callback_data=f"{MORE}:{state.generation}")]]
        )
    await send_html(message, telegram_html(reply), markup)


async def send_html(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Reply with HTML; if Telegram still rejects the entities, the same words as plain text."""
    try:
        return await message.reply_html(
            text, do_quote=True, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
    except BadRequest as exc:
        if "entit" not in str(exc).lower():
            raise
        log.warning("Telegram rejected the HTML (%s); resending as plain text", exc)
        return await message.reply_text(plain_text(text), do_quote=True, reply_markup=markup)


NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "더 보기" button: show the further quotes in the same message."""
    query = update.callback_query
    state = served(context)
    _, _, generation = (query.data or "").partition(":")
    if generation != str(state.generation):
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    asked = message.reply_to_message if message else None
    question = _question_of(asked, context) if asked else None
    if not question:
        await query.answer(NO_QUESTION, show_alert=True)
        return
    try:
        reply = answer(state.index, question)
    except QuestionError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer()
    text = telegram_html(reply, quotes=len(reply.quotes))
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        if "entit" not in str(exc).lower():
            raise
        await query.edit_message_text(plain_text(text))


def _question_of(message: Message, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The question a message asked: its text without the /ask command or a mention."""
    text = message.text or ""
    if text.startswith("/"):
        command, _, rest = text.partition(" ")
        return rest.strip() if command.split("@")[0] == "/ask" else None
    if message.chat.type == ChatType.PRIVATE:
        return text
    return addressed_question(message, context.bot.username, context.bot.id) or text


# --- inline mode ------------------------------------------------------------------------


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``@bot question`` in any chat: the top quotes as results; starters when empty."""
    query = update.inline_query
    state = served(context)
    idx, generation = state.index, state.generation
    starter = not query.query.strip()
    if not starter:
        try:
            answers = [answer(idx, query.query)]
        except QuestionError:
            answers = []
    else:
        answers = [answer(idx, q, top=1) for q in state.examples()]
    pairs = [(reply, quote) for reply in answers for quote in reply.quotes]
    results = [
        _inline_result(f"{generation}:{n}", reply, quote, starter)
        for n, (reply, quote) in enumerate(pairs[: InlineQueryLimit.RESULTS])
    ]
    button = None
    if not results:
        button = InlineQueryResultsButton(
            "기사에서 답을 찾지 못했습니다 — 사용법", start_parameter="help"
        )
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, button=button)


def _inline_result(
    result_id: str, reply: Answer, quote: Quote, starter: bool
) -> InlineQueryResultArticle:
    """A starter shows its question as the title; an answer shows the matching sentence."""
    sentence = quote.text[quote.sentence[0] : quote.sentence[1]]
    return InlineQueryResultArticle(
        id=result_id,
        title=reply.question if starter else _shorten(sentence, INLINE_TITLE_CHARS),
        description=_shorten(sentence if starter else quote.text, INLINE_DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(
            telegram_inline_html(reply, quote),
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        ),
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- administration ---------------------------------------------------------------------


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in served(context).settings.admin_user_ids


async def upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin sends a .txt / .md file: rebuild from it and serve it without a restart."""
    message = update.effective_message
    if not is_admin(update, context):
        await message.reply_text(NOT_ADMIN, do_quote=True)
        return
    state = served(context)
    document = message.document
    name = document.file_name or "document.txt"
    limit = state.settings.upload_max_bytes
    if PurePath(name).suffix.lower() not in TEXT_SUFFIXES:
        await message.reply_text(
            f"{name}: .txt 또는 .md 텍스트 파일만 색인할 수 있습니다. 지금 기사로 계속 답합니다.",
            do_quote=True,
        )
        return
    if document.file_size and document.file_size > limit:
        await message.reply_text(
            f"{name}: 파일이 너무 큽니다 ({document.file_size:,}바이트, 최대 {limit:,}바이트). "
            "지금 기사로 계속 답합니다.",
            do_quote=True,
        )
        return
    async with state.rebuild_lock, typing(context, message.chat_id):
        try:
            data = bytes(await (await document.get_file()).download_as_bytearray())
            if len(data) > limit:
                raise index.DocumentError(f"{name}: larger than {limit:,} bytes")
            started = time.perf_counter()
            built = await asyncio.to_thread(_build, data, name)
            await asyncio.to_thread(index.save, built, state.settings.index_path)
        except (index.IndexingError, OSError) as exc:
            log.warning("Rebuild from %s failed: %s", name, exc)
            await message.reply_text(
                f"새 기사를 색인하지 못했습니다: {exc}\n지금 기사로 계속 답합니다.", do_quote=True
            )
            return
        state.swap(built)
    log.info("Rebuilt from %s: %d passages", name, built.passage_count)
    await message.reply_html(
        f"새 기사로 바꿨습니다: 《{html.escape(built.documents[0].title)}》\n"
        f"단락 {built.passage_count:,}개 · {built.characters:,}자 · "
        f"{time.perf_counter() - started:.1f}초",
        do_quote=True,
    )


def _build(data: bytes, name: str) -> index.Index:
    return index.build([document_from_bytes(data, name)])


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/reload``: serve INDEX_PATH again after `articlebot build`; keep the old on failure."""
    message = update.effective_message
    if not is_admin(update, context):
        await message.reply_text(NOT_ADMIN, do_quote=True)
        return
    state = served(context)
    async with state.rebuild_lock:
        try:
            loaded = await asyncio.to_thread(index.load, state.settings.index_path)
        except index.IndexingError as exc:
            await message.reply_text(
                f"색인을 다시 읽지 못했습니다: {exc}\n지금 기사로 계속 답합니다.", do_quote=True
            )
            return
        state.swap(loaded)
    await message.reply_html(
        f"색인을 다시 읽었습니다: 《{html.escape(loaded.documents[0].title)}》 · "
        f"단락 {loaded.passage_count:,}개",
        do_quote=True,
    )


@contextlib.asynccontextmanager
async def typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat for as long as the block runs."""

    async def keep_typing() -> None:
        while True:
            with contextlib.suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback data this bot never sent (an old client, or crafted by hand): say so, do nothing."""
    await update.callback_query.answer(STALE_BUTTON, show_alert=True)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("모르는 명령입니다. /help 를 보세요.")


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with the traceback, tell the person briefly, and keep running."""
    log.error("Error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text(ERROR_REPLY)
    elif isinstance(update, Update) and update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(ERROR_REPLY, show_alert=True)
