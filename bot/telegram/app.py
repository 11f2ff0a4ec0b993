"""The Telegram Application: handlers registered, logging made safe, polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections import defaultdict
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlparse

from telegram import Bot, BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

import index
from bot.documents import open_index
from bot.errors import BotError
from bot.settings import Settings
from bot.telegram import handlers
from bot.telegram.retry import RetryingLimiter
from bot.telegram.state import Served

log = logging.getLogger("articlebot")

COMMANDS = [
    BotCommand("start", "소개와 예시 질문"),
    BotCommand("help", "사용법"),
    BotCommand("source", "불러온 기사 정보"),
    BotCommand("ask", "기사에 질문하기 (그룹에서)"),
]
# Updates handled at once. Answers take milliseconds; this bounds memory when a
# crowd arrives, while a slow chat (a rebuild, a retried send) blocks no other.
MAX_CONCURRENT_UPDATES = 64
# Connections to the Bot API for everything but getUpdates (python-telegram-bot opens up to
# 256). httpcore's pool looks at every connection it holds, with system calls for each idle
# one, whenever a request starts or ends, so each connection a burst opens costs CPU on every
# later request: 8 instead of one per busy chat take a fifth off the bot's CPU per answer
# with 20 chats asking at once. At Telegram's flood limit (about 30 messages a second) they
# are all busy only when a request takes over a quarter of a second; a request that then
# waits longer than PTB's pool timeout was not sent and is retried (retry.py).
BOT_API_CONNECTIONS = 8
BOOTSTRAP_RETRIES = 2


class PerChatOrder(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in order.

    PTB's concurrent processing alone could answer a chat's second question before
    its first; a lock per chat keeps each conversation in order.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._waiting: defaultdict[int, int] = defaultdict(int)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        self._waiting[key] += 1
        try:
            async with self._locks[key]:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats: memory stays flat
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _chat_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0


class RedactingFormatter(logging.Formatter):
    """Removes the bot token from every log line, tracebacks included.

    httpx logs each request URL at INFO, and the Bot API puts the token in the URL;
    exceptions can quote the URL too.
    """

    def __init__(self, fmt: str, secrets_to_hide: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = sorted({s for s in secrets_to_hide if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def redact(text: str, secrets_to_hide: list[str]) -> str:
    for secret in secrets_to_hide:
        text = text.replace(secret, "[TOKEN]")
    return text


def configure_logging(token: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s",
            [token, token.partition(":")[2]],
        )
    )
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # One line per request is noise, and it is where the token would leak first.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def build_application(settings: Settings, served: Served) -> Application:
    """The Application with every handler, as python-telegram-bot's examples build one."""
    assert settings.telegram_bot_token is not None
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .concurrent_updates(PerChatOrder(MAX_CONCURRENT_UPDATES))
        .connection_pool_size(BOT_API_CONNECTIONS)
        .post_init(_post_init)
    )
    application = builder.rate_limiter(RetryingLimiter(pace=settings.telegram_rate_limiter)).build()
    application.bot_data["served"] = served

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("source", handlers.source))
    application.add_handler(CommandHandler("ask", handlers.ask_command))
    application.add_handler(CommandHandler("reload", handlers.reload))
    application.add_handler(MessageHandler(filters.Document.ALL & private, handlers.upload))
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, handlers.private_question)
    )
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & groups, handlers.group_message)
    )
    application.add_handler(MessageHandler(filters.COMMAND & private, handlers.unknown_command))
    application.add_handler(CallbackQueryHandler(handlers.more, pattern=rf"^{handlers.MORE}:"))
    application.add_handler(CallbackQueryHandler(handlers.unknown_button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_error_handler(handlers.error_handler)
    return application


async def _post_init(application: Application) -> None:
    await application.bot.set_my_commands(COMMANDS)
    served: Served = application.bot_data["served"]
    log.info(
        "Serving %s (%d passages) as @%s",
        ", ".join(d.title for d in served.index.documents[:3]),
        served.index.passage_count,
        application.bot.username,
    )


async def _check_token(token: str, base_url: str) -> None:
    async with Bot(token, base_url=base_url):  # initializing calls getMe
        pass


def run(
    settings: Settings, webhook_url: str | None = None, listen: str = "0.0.0.0", port: int = 8443
) -> int:
    """Serve until SIGINT or SIGTERM; 0 on a clean stop."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        raise BotError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env"
        )
    token = settings.telegram_bot_token.get_secret_value()
    configure_logging(token)
    try:
        # Ask getMe once before PTB's start-up loop, which logs a traceback per failure:
        # a wrong token or an unreachable server is one line for the person starting it.
        asyncio.run(_check_token(token, settings.telegram_base_url))
        served = Served(index=open_index(settings.index_path), settings=settings)
        index.kiwi()  # load and warm the analyzer before the first question arrives
        application = build_application(settings, served)
        if webhook_url:
            secret = settings.telegram_webhook_secret
            application.run_webhook(
                listen=listen,
                port=port,
                url_path=urlparse(webhook_url).path.lstrip("/"),
                webhook_url=webhook_url,
                secret_token=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
                allowed_updates=Update.ALL_TYPES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            application.run_polling(
                allowed_updates=Update.ALL_TYPES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        raise BotError(
            "Telegram rejected TELEGRAM_BOT_TOKEN (Unauthorized): check the token @BotFather gave"
        ) from None
    except NetworkError as exc:
        raise BotError(
            f"cannot reach the Bot API at {settings.telegram_base_url}: {redact(str(exc), [token])}"
        ) from None
    except TelegramError as exc:
        raise BotError(f"Telegram error at start: {redact(str(exc), [token])}") from None
    log.info("Stopped")
    return 0
