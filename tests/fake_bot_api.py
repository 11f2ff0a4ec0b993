"""A fake Telegram Bot API server for end-to-end tests.

Telegram's servers are unreachable from the test environment, and mocking PTB's ``Bot`` methods
would skip exactly the code that breaks in production: request encoding, httpx, timeouts, error
mapping and the Updater's long-polling loop. ``FakeBotAPI`` is a small HTTP server on 127.0.0.1
that speaks the Bot API wire protocol for the subset of methods articlebot uses, so the real bot
runs against it through PTB's ``base_url`` / ``base_file_url``. It reproduces the server-side
validation that bites real bots (HTML entity parsing, the 4096 UTF-16 code unit limit,
callback_data and inline-result limits), records every call for assertions, and lets tests inject
updates (served by long polling) and faults.

Not modelled: webhook delivery (setWebhook is only stored), inline-message editing, uploads,
Markdown parse modes.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units, after entity parsing
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # bots cannot getFile anything larger

# Form and multipart fields are strings on the wire; PTB JSON-encodes every non-string value.
# These parameters are strings in the Bot API and are never JSON-decoded ("123" stays a str).
_STRING_PARAMS = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "description",
        "file_id",
        "inline_message_id",
        "inline_query_id",
        "ip_address",
        "language_code",
        "message_effect_id",
        "next_offset",
        "parse_mode",
        "secret_token",
        "short_description",
        "text",
        "url",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_PRIVATE_KEYS = ("parse_mode", "html")  # kept in recorded messages, never sent to the bot
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


# --- HTML parse mode -------------------------------------------------------------------------

_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN = re.compile(r"[^<&]+")
_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_ATTRIBUTE = re.compile(r"""\s+([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_TAG_END = re.compile(r"\s*>")
_END_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")


class EntityParseError(ValueError):
    """The reason Telegram gives after "can't parse entities: "."""


def _entity_char(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not 0 < code <= sys.maxunicode or 0xD800 <= code <= 0xDFFF:
        raise EntityParseError(f"invalid character code {code}")
    return chr(code)


def _attribute_value(raw: str | None) -> str:
    if raw is None:
        return ""
    if raw[:1] in "\"'":
        raw = raw[1:-1]
    return _HTML_ENTITY.sub(_entity_char, raw)


@dataclass
class _OpenTag:
    name: str
    entity: dict[str, Any] | None
    offset: int  # UTF-16 offset in the visible text where the tag opened


class _HtmlParser:
    """Telegram's HTML parse mode: visible text plus MessageEntity dicts (UTF-16 offsets)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.chunks: list[str] = []
        self.length = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        while self.pos < len(self.source):
            if plain := _PLAIN.match(self.source, self.pos):
                self._emit(plain.group())
                self.pos = plain.end()
            elif self.source.startswith("</", self.pos):
                self._end_tag()
            elif self.source[self.pos] == "<":
                self._start_tag()
            else:
                self._entity()
        if self.stack:
            name = self.stack[-1].name
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.chunks), self.entities

    def _emit(self, text: str) -> None:
        self.chunks.append(text)
        self.length += utf16_len(text)

    def _at(self) -> str:
        return f"at byte offset {len(self.source[: self.pos].encode())}"

    def _entity(self) -> None:
        match = _HTML_ENTITY.match(self.source, self.pos)
        if match is None:
            raise EntityParseError(f'Character "&" must be escaped as "&amp;" {self._at()}')
        self._emit(_entity_char(match))
        self.pos = match.end()

    def _start_tag(self) -> None:
        at = self._at()
        match = _START_TAG.match(self.source, self.pos)
        if match is None:
            raise EntityParseError(f'Unsupported start tag "" {at}')
        name = match.group(1).lower()
        attributes: dict[str, str] = {}
        end = match.end()
        while attribute := _ATTRIBUTE.match(self.source, end):
            attributes[attribute.group(1).lower()] = _attribute_value(attribute.group(2))
            end = attribute.end()
        closing = _TAG_END.match(self.source, end)
        if closing is None:
            raise EntityParseError(f"Unclosed start tag {at}")
        if name not in _HTML_ENTITY_TYPES:
            raise EntityParseError(f'Unsupported start tag "{name}" {at}')
        self.pos = closing.end()
        self.stack.append(_OpenTag(name, self._open_entity(name, attributes, at), self.length))

    def _open_entity(self, name: str, attributes: dict[str, str], at: str) -> dict[str, Any] | None:
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.name == "code":
            raise EntityParseError(f'Tag "{name}" can\'t be nested in "code" {at}')
        if parent is not None and parent.name == "pre":
            # Only <pre><code class="language-x">...</code></pre> is allowed inside pre.
            if name != "code" or self.length != parent.offset:
                raise EntityParseError(f'Tag "{name}" can\'t be nested in "pre" {at}')
            language = attributes.get("class", "").removeprefix("language-")
            if language and parent.entity is not None:
                parent.entity["language"] = language
            return None
        if name == "blockquote" and any(tag.name == "blockquote" for tag in self.stack):
            raise EntityParseError(f"Blockquote entities can't be nested {at}")
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {at}')
        if name == "a":
            href = attributes.get("href")
            return {"type": "text_link", "url": href} if href else None
        if name == "tg-emoji":
            if not attributes.get("emoji-id"):
                raise EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" {at}')
            return {"type": "custom_emoji", "custom_emoji_id": attributes["emoji-id"]}
        if name == "blockquote" and "expandable" in attributes:
            return {"type": "expandable_blockquote"}
        return {"type": _HTML_ENTITY_TYPES[name]}

    def _end_tag(self) -> None:
        at = self._at()
        match = _END_TAG.match(self.source, self.pos)
        if match is None:
            raise EntityParseError(f"Unclosed end tag {at}")
        name = match.group(1).lower()
        if not self.stack:
            raise EntityParseError(f'Unexpected end tag "{name}" {at}')
        tag = self.stack.pop()
        if tag.name != name:
            raise EntityParseError(
                f'Unmatched end tag {at}, expected "</{tag.name}>", found "</{name}>"'
            )
        self.pos = match.end()
        if tag.entity is not None and self.length > tag.offset:
            span = {"offset": tag.offset, "length": self.length - tag.offset}
            self.entities.append({"type": tag.entity["type"], **span, **tag.entity})


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Bot API HTML into (visible text, entities); raises EntityParseError like Telegram."""
    return _HtmlParser(source).parse()


# --- Errors, calls, faults -------------------------------------------------------------------


class ApiError(Exception):
    """An unsuccessful Bot API answer."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class Call:
    """One request the bot made. ``fault`` names the injected fault it got, if any."""

    method: str
    params: dict[str, Any]
    time: float
    fault: str | None = None


@dataclass(frozen=True)
class _Fault:
    error: ApiError | None
    drop_connection: bool
    delay: float

    @property
    def label(self) -> str:
        parts = [f"delay {self.delay}s"] if self.delay > 0 else []
        if self.drop_connection:
            parts.append("dropped connection")
        elif self.error is not None:
            parts.append(f"HTTP {self.error.status}")
        return ", ".join(parts)


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    content_type: str = "application/json"


def _json_response(status: int, payload: dict[str, Any]) -> _Response:
    return _Response(status, json.dumps(payload, ensure_ascii=False).encode())


@dataclass
class _StoredFile:
    content: bytes
    file_path: str
    file_unique_id: str
    file_size: int


@dataclass
class _Pending:
    """Updates not yet confirmed by a getUpdates offset, and the next update_id to assign."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1


# --- Request decoding ------------------------------------------------------------------------


def _form_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("malformed multipart body")
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            raise ValueError("malformed multipart part")
        is_file = part.get_filename() is not None
        params[name] = payload if is_file else _form_value(name, payload.decode())
    return params


def decode_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Request parameters from the query string and a JSON, form or multipart body."""
    params = {name: _form_value(name, value) for name, value in parse_qsl(query)}
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" and body:
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ValueError("JSON body must be an object")
        params.update(decoded)
    elif media_type == "application/x-www-form-urlencoded":
        form = parse_qsl(body.decode(), keep_blank_values=True)
        params.update((name, _form_value(name, value)) for name, value in form)
    elif media_type == "multipart/form-data":
        params.update(_multipart(content_type, body))
    return params


def _json_field(value: Any) -> Any:
    """A JSON-typed parameter, whether it arrived decoded (JSON body) or as a string."""
    return json.loads(value) if isinstance(value, str) else value


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a stored message as Telegram would send it (no private keys)."""
    public = {key: value for key, value in message.items() if key not in _PRIVATE_KEYS}
    if "reply_to_message" in public:
        replied = public["reply_to_message"]
        public["reply_to_message"] = {
            key: value
            for key, value in replied.items()
            if key not in _PRIVATE_KEYS and key != "reply_to_message"
        }
    return copy.deepcopy(public)


def _render_text(raw: Any, parse_mode: Any, entities: Any) -> dict[str, Any]:
    """Validate message text like Telegram; returns the message fields it produces."""
    if raw is None or raw == "":
        raise _bad_request("message text is empty")
    source = str(raw)
    extra: dict[str, Any] = {}
    if not parse_mode:
        text, parsed = source, list(_json_field(entities) or [])
    elif str(parse_mode).lower() == "html":
        try:
            text, parsed = parse_html(source)
        except EntityParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from None
        extra = {"parse_mode": "HTML", "html": source}
    else:
        raise _bad_request("unsupported parse_mode")
    if not text.strip():
        raise _bad_request("message text is empty")
    if utf16_len(text) > MAX_MESSAGE_LENGTH:
        raise _bad_request("message is too long")
    return {"text": text} | ({"entities": parsed} if parsed else {}) | extra


def _inline_markup(raw: Any) -> dict[str, Any] | None:
    """Validate reply_markup; returns it if it is an inline keyboard (the only kind Telegram
    echoes back in the Message), else None."""
    if raw is None:
        return None
    markup = _json_field(raw)
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise _bad_request("BUTTON_TEXT_INVALID")
            if not _BUTTON_ACTIONS.intersection(button):
                raise _bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad_request("BUTTON_DATA_INVALID")
    return markup


# --- The server ------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeBotAPI) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.peak_connections = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client going away is not an error
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)
            self.server.peak_connections = max(
                self.server.peak_connections, len(self.server.connections)
            )

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = self.headers.get("Content-Type", "")
        response = self.server.fake.respond(url.path, url.query, content_type, body)
        if response is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log."""


class FakeBotAPI:
    """An in-process fake of api.telegram.org; see the module docstring."""

    def __init__(
        self,
        token: str = "123456:TEST-token-abcdef",
        bot_id: int = 123456,
        username: str = "articlebot_test_bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.calls: list[Call] = []
        self.webhook_url = ""
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._token_valid = True
        self._faults: dict[str, deque[_Fault]] = {}
        self._pending = _Pending()
        self._poll_generation = 0
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._last_message_id: dict[int, int] = {}
        self._sent: list[dict[str, Any]] = []
        self._files: dict[str, _StoredFile] = {}
        self._open_queries: set[str] = set()
        self._query_ids = itertools.count(4_000_000_001)
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._handlers: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyDescription": self._set_my_description,
                "getMyDescription": self._get_my_description,
                "setMyShortDescription": self._set_my_short_description,
                "getMyShortDescription": self._get_my_short_description,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "answerInlineQuery": self._answer_inline_query,
                "sendChatAction": self._send_chat_action,
                "getFile": self._get_file,
                "downloadFile": self._download_file,
            }.items()
        }

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeBotAPI:
        if self._server is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="FakeBotAPI", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        with self._cond:
            self._stopping.set()
            self._cond.notify_all()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotAPI is not running")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def peak_connections(self) -> int:
        """The most client connections open at once since start or reset_peak_connections()."""
        if self._server is None:
            raise RuntimeError("FakeBotAPI is not running")
        with self._server.connections_lock:
            return self._server.peak_connections

    def reset_peak_connections(self) -> None:
        """Count the peak afresh from the connections open now."""
        if self._server is None:
            raise RuntimeError("FakeBotAPI is not running")
        with self._server.connections_lock:
            self._server.peak_connections = len(self._server.connections)

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The commands set for the default scope with no language_code."""
        with self._cond:
            return copy.deepcopy(self._commands.get(('{"type": "default"}', ""), []))

    @property
    def description(self) -> str:
        with self._cond:
            return self._descriptions.get(("description", ""), "")

    @property
    def short_description(self) -> str:
        with self._cond:
            return self._descriptions.get(("short_description", ""), "")

    # --- injecting updates -------------------------------------------------------------------

    def user_message(
        self,
        text: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Tester",
        reply_to: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        forward_from: int | None = None,
    ) -> dict[str, Any]:
        with self._cond:
            user = _user(user_id, first_name)
            chat = self._user_chat(user, chat_id, chat_type)
            fields: dict[str, Any] = {"text": text}
            entities = self._auto_entities(text) if entities is None else entities
            if entities:
                fields["entities"] = entities
            if reply_to is not None:
                fields["reply_to_message"] = self._current(reply_to)
            if forward_from is not None:
                sender = _user(forward_from, "Forwarded")
                origin = {"type": "user", "sender_user": sender, "date": int(time.time())}
                fields["forward_origin"] = origin
            message = self._store_message(chat, user, fields)
            return self.push_update({"message": _public(message)})

    def user_document(
        self,
        content: bytes,
        file_name: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        mime_type: str = "text/plain",
        caption: str | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        with self._cond:
            number = len(self._files) + 1
            file_id = f"BQACAgUAAxkBAAIFake{number:06d}"
            stored = _StoredFile(
                content=content,
                file_path=f"documents/file_{number}{PurePosixPath(file_name).suffix}",
                file_unique_id=f"AgADFake{number:04d}",
                file_size=len(content) if file_size is None else file_size,
            )
            self._files[file_id] = stored
            document = {
                "file_name": file_name,
                "mime_type": mime_type,
                "file_id": file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size,
            }
            fields: dict[str, Any] = {"document": document}
            if caption is not None:
                fields["caption"] = caption
            user = _user(user_id, "Tester")
            message = self._store_message(self._user_chat(user, chat_id, chat_type), user, fields)
            return self.push_update({"message": _public(message)})

    def callback_query(
        self, data: str, *, message: dict[str, Any], user_id: int = 1001
    ) -> dict[str, Any]:
        with self._cond:
            query_id = str(next(self._query_ids))
            self._open_queries.add(query_id)
            current = self._current(message)
            query = {
                "id": query_id,
                "from": _user(user_id, "Tester"),
                "message": current,
                "chat_instance": str(current["chat"]["id"]),
                "data": data,
            }
            return self.push_update({"callback_query": query})

    def inline_query(self, query: str, *, user_id: int = 1001) -> dict[str, Any]:
        with self._cond:
            query_id = str(next(self._query_ids))
            self._open_queries.add(query_id)
            inline = {
                "id": query_id,
                "from": _user(user_id, "Tester"),
                "query": query,
                "offset": "",
                "chat_type": "sender",
            }
            return self.push_update({"inline_query": inline})

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (assigning update_id if missing); returns a copy of it."""
        with self._cond:
            update = copy.deepcopy(update)
            if "update_id" not in update:
                update = {"update_id": self._pending.next_id} | update
            self._pending.next_id = max(self._pending.next_id, update["update_id"] + 1)
            self._pending.updates.append(update)
            self._cond.notify_all()
            return copy.deepcopy(update)

    # --- observing ---------------------------------------------------------------------------

    def mark(self) -> int:
        with self._cond:
            return len(self.calls)

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        timeout: float = 15.0,
        after: int = 0,
    ) -> Call:
        """The first call of ``method`` at index >= ``after`` satisfying ``predicate``."""
        deadline = time.monotonic() + timeout
        scanned = after
        with self._cond:
            while True:
                while scanned < len(self.calls):
                    call = self.calls[scanned]
                    scanned += 1
                    if call.method == method and predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no matching {method} call at index >= {after} within {timeout}s;"
                        f" recent calls:\n{self._summary()}"
                    )
                self._cond.wait(remaining)

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Snapshots of the messages the bot sent or edited (editMessageText), in order."""
        with self._cond:
            return [
                copy.deepcopy(message)
                for message in self._sent
                if chat_id is None or message["chat"]["id"] == chat_id
            ]

    # --- fault injection ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        count: int = 1,
        description: str | None = None,
        retry_after: int | None = None,
        drop_connection: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail.

        They get a Bot API error (status defaults to 500, or 429 when ``retry_after`` is given),
        or lose the connection without a response (``drop_connection``), after ``delay`` seconds.
        A ``delay`` alone, with no status/description/retry_after, only delays the real answer.
        ``method`` may also be "downloadFile" for file downloads.
        """
        if count < 1:
            raise ValueError("count must be >= 1")
        error = None
        if status is not None or description is not None or retry_after is not None:
            status = status or (429 if retry_after is not None else 500)
        elif not drop_connection and delay <= 0:
            status = 500
        if status is not None:
            if description is None and status == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            error = ApiError(status, description or HTTPStatus(status).phrase, retry_after)
        fault = _Fault(error, drop_connection, delay)
        with self._cond:
            self._faults.setdefault(method, deque()).extend([fault] * count)

    def set_token_valid(self, valid: bool) -> None:
        with self._cond:
            self._token_valid = valid

    # --- request handling --------------------------------------------------------------------

    def respond(self, path: str, query: str, content_type: str, body: bytes) -> _Response | None:
        """Answer one HTTP request; None means: drop the connection without a response."""
        if path.startswith("/file/bot"):  # PTB percent-encodes the whole path, token included
            token, _, file_path = unquote(path).removeprefix("/file/bot").partition("/")
            return self._call("downloadFile", token, {"file_path": file_path})
        if not path.startswith("/bot"):
            return _json_response(404, ApiError(404, "Not Found").payload())
        token, _, method = path.removeprefix("/bot").partition("/")
        try:
            params = decode_params(query, content_type, body)
        except (ValueError, UnicodeDecodeError):
            return _json_response(400, _bad_request("can't parse request body").payload())
        return self._call(method, token, params)

    def _call(self, method: str, token: str, params: dict[str, Any]) -> _Response | None:
        name, handler = self._handlers.get(method.lower(), (method, None))
        with self._cond:
            queue = self._faults.get(name)
            fault = queue.popleft() if queue else None
            self.calls.append(Call(name, params, time.time(), fault.label if fault else None))
            self._cond.notify_all()
            authorized = token == self.token and self._token_valid
        if fault is not None:
            self._stopping.wait(fault.delay)
            if fault.drop_connection:
                return None
            if fault.error is not None:
                return _json_response(fault.error.status, fault.error.payload())
        try:
            if not authorized:
                if name == "downloadFile":
                    raise ApiError(404, "Not Found")
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            with self._cond:
                result = handler(params)
        except ApiError as error:
            return _json_response(error.status, error.payload())
        except (KeyError, TypeError, ValueError) as error:
            return _json_response(400, _bad_request(f"invalid parameters: {error!r}").payload())
        if isinstance(result, bytes):
            return _Response(200, result, "application/octet-stream")
        return _json_response(200, {"ok": True, "result": result})

    # --- state helpers (called with self._cond held) -----------------------------------------

    def _summary(self, last: int = 20) -> str:
        start = max(0, len(self.calls) - last)
        lines = []
        for index, call in enumerate(self.calls[start:], start):
            params = json.dumps(call.params, ensure_ascii=False, default=repr)
            fault = f" [{call.fault}]" if call.fault else ""
            lines.append(f"  #{index} {call.method}{fault} {params[:300]}")
        return "\n".join(lines) or "  (none)"

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "ArticleBot Test",
            "username": self.username,
        }

    def _user_chat(self, user: dict[str, Any], chat_id: int | None, chat_type: str) -> dict:
        if chat_type == "private":
            chat = {
                "id": chat_id or user["id"],
                "type": "private",
                "first_name": user["first_name"],
            }
        elif chat_id is None:
            raise ValueError(f"chat_id is required for {chat_type} chats")
        else:
            chat = {"id": chat_id, "type": chat_type, "title": "Test group"}
        self._chats[chat["id"]] = chat
        return chat

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        try:
            return self._chats[int(chat_id)]
        except (KeyError, ValueError):
            raise _bad_request("chat not found") from None

    def _auto_entities(self, text: str) -> list[dict[str, Any]]:
        entities = []
        start = 0
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
            start = len(command)
        mention = f"@{self.username}"
        while (found := text.find(mention, start)) != -1:
            offset = utf16_len(text[:found])
            entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention)})
            start = found + len(mention)
        return entities

    def _store_message(
        self, chat: dict[str, Any], sender: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        message_id = self._last_message_id.get(chat["id"], 0) + 1
        self._last_message_id[chat["id"]] = message_id
        message = {
            "message_id": message_id,
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
        } | fields
        self._messages[chat["id"], message_id] = message
        return message

    def _current(self, message: dict[str, Any]) -> dict[str, Any]:
        """The stored state of a (possibly stale) message dict, as sent to the bot."""
        key = (message["chat"]["id"], message["message_id"])
        return _public(self._messages.get(key, message))

    def _reply_target(self, chat: dict[str, Any], params: dict[str, Any]) -> dict | None:
        reply = _json_field(params.get("reply_parameters"))
        if reply:
            message_id = reply.get("message_id")
            chat_id = int(reply.get("chat_id", chat["id"]))
            allow_missing = reply.get("allow_sending_without_reply", False)
        elif params.get("reply_to_message_id") is not None:
            message_id = params["reply_to_message_id"]
            chat_id = chat["id"]
            allow_missing = params.get("allow_sending_without_reply", False)
        else:
            return None
        target = self._messages.get((chat_id, int(message_id)))
        if target is None:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        return _public(target)

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise _bad_request("inline message editing is not supported by FakeBotAPI")
        chat = self._chat(params.get("chat_id"))
        message = self._messages.get((chat["id"], int(params["message_id"])))
        if message is None:
            raise _bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise _bad_request("message can't be edited")
        return message

    # --- Bot API methods (called with self._cond held) ---------------------------------------

    def _true(self, params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()  # a newer getUpdates terminates older ones, as on Telegram
        while True:
            pending = self._pending.updates
            if offset > 0:
                pending[:] = [update for update in pending if update["update_id"] >= offset]
                batch = pending[:limit]
            else:
                batch = pending[offset:][:limit] if offset < 0 else pending[:limit]
            if batch or self._stopping.is_set():
                return copy.deepcopy(batch)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request;"
                    " make sure that only one bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._cond.wait(remaining)

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._pending.updates.clear()
        self.webhook_url = url
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.updates.clear()
        self.webhook_url = ""
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending.updates),
        }

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = _json_field(params.get("scope")) or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = _json_field(params.get("commands"))
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("commands are invalid")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = copy.deepcopy(commands)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _set_description(self, kind: str, limit: int, params: dict[str, Any]) -> bool:
        text = str(params.get(kind) or "")
        if len(text) > limit:
            raise _bad_request(f"{kind} is too long")
        self._descriptions[kind, str(params.get("language_code") or "")] = text
        return True

    def _get_description(self, kind: str, params: dict[str, Any]) -> dict[str, str]:
        language = str(params.get("language_code") or "")
        return {kind: self._descriptions.get((kind, language), "")}

    def _set_my_description(self, params: dict[str, Any]) -> bool:
        return self._set_description("description", 512, params)

    def _get_my_description(self, params: dict[str, Any]) -> dict[str, str]:
        return self._get_description("description", params)

    def _set_my_short_description(self, params: dict[str, Any]) -> bool:
        return self._set_description("short_description", 120, params)

    def _get_my_short_description(self, params: dict[str, Any]) -> dict[str, str]:
        return self._get_description("short_description", params)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        fields = _render_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        if markup := _inline_markup(params.get("reply_markup")):
            fields["reply_markup"] = markup
        if replied := self._reply_target(chat, params):
            fields["reply_to_message"] = replied
        message = self._store_message(chat, self._bot_user(), fields)
        self._sent.append(copy.deepcopy(message))
        return _public(message)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        fields = _render_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup = _inline_markup(params.get("reply_markup"))
        if (fields["text"], fields.get("entities"), markup) == (
            message["text"],
            message.get("entities"),
            message.get("reply_markup"),
        ):
            raise _bad_request(_NOT_MODIFIED)
        for key in ("text", "entities", "reply_markup", *_PRIVATE_KEYS):
            message.pop(key, None)
        message.update(fields)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        self._sent.append(copy.deepcopy(message))
        return _public(message)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        markup = _inline_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED)
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return _public(message)

    def _close_query(self, params: dict[str, Any], name: str) -> None:
        query_id = str(params.get(name) or "")
        if query_id not in self._open_queries:
            raise _bad_request(_QUERY_INVALID)
        self._open_queries.discard(query_id)

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if len(str(params.get("text") or "")) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._close_query(params, "callback_query_id")
        return True

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        results = _json_field(params.get("results"))
        if not isinstance(results, list):
            raise _bad_request("results are invalid")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = str(result.get("id") or "")
            if not 1 <= len(result_id.encode()) <= MAX_INLINE_RESULT_ID_BYTES:
                raise _bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            _inline_markup(result.get("reply_markup"))
            if result.get("type") == "article":
                if not result.get("title"):
                    raise _bad_request("RESULT_TITLE_EMPTY")
                content = result.get("input_message_content") or {}
                if "message_text" not in content:
                    raise _bad_request("MESSAGE_EMPTY")
                _render_text(
                    content["message_text"], content.get("parse_mode"), content.get("entities")
                )
        self._close_query(params, "inline_query_id")
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat(params.get("chat_id"))
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    def _download_file(self, params: dict[str, Any]) -> bytes:
        for stored in self._files.values():
            if stored.file_path == params["file_path"]:
                return stored.content
        raise ApiError(404, "Not Found")


def _user(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name}
