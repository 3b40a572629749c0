"""A fake Telegram Bot API server (aiohttp, 127.0.0.1) for end-to-end bot tests and benchmarks.

The server speaks the real HTTP protocol, so a real python-telegram-bot ``Application`` can
long-poll it, while tests push updates, inspect every call, inject failures and enforce
Telegram's validation rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import itertools
import json
import logging
import math
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self

from aiohttp import ClientSession, ClientTimeout, web

from .telegram_html import (
    HTMLParseError,
    normalize_text_url,
    parse_telegram_html,
    trim_formatted_text,
    utf16_len,
)

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
ChatId = int | str
Handler = Callable[["_Ctx"], Awaitable[Any]]

__all__ = [
    "ALL_UPDATE_TYPES",
    "ApiError",
    "BadRequest",
    "Call",
    "Chat",
    "Conflict",
    "FakeBotAPI",
    "Forbidden",
    "Migrated",
    "NotFound",
    "Replies",
    "SentMessage",
    "ServerError",
    "TooManyRequests",
    "Unauthorized",
    "WebhookDelivery",
]

MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_CALLBACK_DATA_BYTES = 64
MAX_KEYBOARD_BUTTONS = 100

ALL_UPDATE_TYPES: tuple[str, ...] = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# Telegram only delivers these when a bot opts in explicitly through allowed_updates.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
_SENT_MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText"})
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
_BUTTON_ACTION_FIELDS = (
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
)
_MEMBER_STATUSES = frozenset(
    {"creator", "administrator", "member", "restricted", "left", "kicked"}
)
_STATUS_ALIASES = {"owner": "creator", "admin": "administrator", "banned": "kicked"}
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "message_text",
        "query",
        "data",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "description",
        "short_description",
        "name",
        "title",
        "parse_mode",
        "action",
        "language_code",
        "next_offset",
        "ip_address",
        "emoji",
        "custom_emoji_id",
        "business_connection_id",
        "message_effect_id",
        "switch_pm_text",
        "switch_pm_parameter",
        "file_id",
        "status",
    }
)
_INT_RE = re.compile(r"^-?\d{1,20}$")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
_URL_RE = re.compile(r"(?<!\S)https?://[^\s<>]+", re.IGNORECASE)
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_BUTTON_URL_RE = re.compile(r"^(https?|tg)://\S+$", re.IGNORECASE)

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


# -----------------------------------------------------------------------------------------------
# Errors the fake answers with (also usable by tests for fail_next()).
# -----------------------------------------------------------------------------------------------


def _prefixed(prefix: str, description: str) -> str:
    """Add Telegram's error-class prefix once, so callers may pass either form."""
    return description if description.startswith(prefix) else f"{prefix}{description}"


class ApiError(Exception):
    """A Bot API error answer; raising it in a handler becomes the matching HTTP response."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        """Keep status, description and ResponseParameters exactly as they go on the wire."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        """Build the JSON body Telegram sends for failed requests."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body

    def __repr__(self) -> str:
        """Show status and description so injected failures are readable in logs."""
        return f"{type(self).__name__}({self.status}, {self.description!r})"


class TooManyRequests(ApiError):
    """Flood-control answer (429) that clients must honour via retry_after."""

    def __init__(self, retry_after: int = 1) -> None:
        """Build the 429 answer with ResponseParameters.retry_after like Telegram."""
        retry_after = max(1, int(retry_after))
        super().__init__(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )
        self.retry_after = retry_after


class Forbidden(ApiError):
    """403 answer, e.g. when the user blocked the bot."""

    def __init__(self, description: str = "bot was blocked by the user") -> None:
        """Prefix the description with "Forbidden: " as Telegram does."""
        super().__init__(403, _prefixed("Forbidden: ", description))


class BadRequest(ApiError):
    """400 answer for invalid parameters."""

    def __init__(self, description: str, parameters: JSONDict | None = None) -> None:
        """Prefix the description with "Bad Request: " as Telegram does."""
        super().__init__(400, _prefixed("Bad Request: ", description), parameters)


class ServerError(ApiError):
    """5xx answer, simulating Telegram outages and proxies failing."""

    def __init__(self, status: int = 502, description: str | None = None) -> None:
        """Use the standard HTTP reason phrase unless a custom description is given."""
        if description is None:
            try:
                description = HTTPStatus(status).phrase
            except ValueError:
                description = "Internal Server Error"
        super().__init__(status, description)


class Migrated(ApiError):
    """400 answer telling the client that a group became a supergroup with a new id."""

    def __init__(self, new_chat_id: int) -> None:
        """Carry migrate_to_chat_id in ResponseParameters like Telegram."""
        super().__init__(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": int(new_chat_id)},
        )
        self.new_chat_id = int(new_chat_id)


class Unauthorized(ApiError):
    """401 answer for a wrong bot token."""

    def __init__(self) -> None:
        """Use Telegram's exact wording."""
        super().__init__(401, "Unauthorized")


class NotFound(ApiError):
    """404 answer for unknown methods."""

    def __init__(self) -> None:
        """Use Telegram's exact wording."""
        super().__init__(404, "Not Found")


class Conflict(ApiError):
    """409 answer for competing getUpdates requests or polling while a webhook is set."""

    def __init__(self, description: str) -> None:
        """Prefix the description with "Conflict: " as Telegram does."""
        super().__init__(409, _prefixed("Conflict: ", description))


# -----------------------------------------------------------------------------------------------
# Records exposed to tests.
# -----------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One HTTP request the bot made, kept so tests can assert on traffic."""

    method: str
    params: JSONDict
    chat_id: ChatId | None
    time: float
    status: int = 200
    response: JSONDict = field(default_factory=dict)
    duration: float = 0.0
    sent: SentMessage | None = None

    @property
    def ok(self) -> bool:
        """Tell whether Telegram would have accepted the call."""
        return self.status == 200

    @property
    def result(self) -> Any:
        """Return the ``result`` field of a successful answer."""
        return self.response.get("result")

    @property
    def error(self) -> str | None:
        """Return the error description of a failed answer."""
        return None if self.ok else self.response.get("description")

    @property
    def finished(self) -> float:
        """Return the monotonic completion time used for quiet-period detection."""
        return self.time + self.duration


@dataclass
class SentMessage:
    """A message the bot sent or edited, as the user would see it."""

    method: str
    chat_id: ChatId | None
    message_id: int | None
    text: str
    plain: str
    entities: list[JSONDict]
    parse_mode: str | None
    reply_markup: JSONDict | None
    reply_to: int | None
    reply_parameters: JSONDict | None
    message: JSONDict
    call: Call | None = None

    @property
    def is_edit(self) -> bool:
        """Tell edits apart from new messages."""
        return self.method != "sendMessage"

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """List inline keyboard rows as (text, callback_data or url) for compact assertions."""
        markup = self.reply_markup or {}
        rows: list[list[tuple[str, str | None]]] = []
        for row in markup.get("inline_keyboard") or []:
            cells: list[tuple[str, str | None]] = []
            for button in row:
                value = next((button[key] for key in _BUTTON_ACTION_FIELDS if key in button), None)
                cells.append((button.get("text", ""), value if isinstance(value, str) else None))
            rows.append(cells)
        return rows

    def __repr__(self) -> str:
        """Keep reprs short because assertion output often lists several messages."""
        return (
            f"SentMessage({self.method}, chat={self.chat_id}, id={self.message_id}, "
            f"text={self.text[:60]!r})"
        )


class Replies(list):  # list[SentMessage]
    """Messages the bot produced for one user action, plus raw calls and any callback answer."""

    def __init__(
        self,
        items: Iterable[SentMessage] = (),
        calls: list[Call] | None = None,
        callback_answer: JSONDict | None = None,
    ) -> None:
        """Bundle replies with context so a test can inspect toasts and failed calls too."""
        super().__init__(items)
        self.calls: list[Call] = calls or []
        self.callback_answer = callback_answer

    @property
    def texts(self) -> list[str]:
        """Return the plain texts, the most common thing to assert on."""
        return [item.plain for item in self]

    @property
    def last(self) -> SentMessage:
        """Return the final state the user ends up seeing."""
        return self[-1]


@dataclass
class WebhookDelivery:
    """One POST of an update to the bot's webhook, for webhook-mode assertions."""

    update: JSONDict
    status: int
    error: str | None = None


@dataclass
class _StoredMessage:
    """Current server-side state of a message, needed for edits, replies and button presses."""

    message: JSONDict
    raw_text: str | None
    parse_mode: str | None
    from_bot: bool


@dataclass
class _Injection:
    """A queued failure from fail_next()."""

    method: str
    error: ApiError
    remaining: int
    chat_id: ChatId | None


@dataclass
class _Limits:
    """Flood limits, mirroring Telegram's documented broadcast limits."""

    global_per_second: int | None
    per_chat_per_second: int | None
    per_group_per_minute: int | None
    methods: frozenset[str]


@dataclass
class _Ctx:
    """Per-request state passed to method handlers."""

    method: str
    params: JSONDict
    chat_id: ChatId | None
    sent: SentMessage | None = None


class _Notifier:
    """Broadcast wake-ups to any number of waiters without lost notifications."""

    def __init__(self) -> None:
        """Start with a fresh, unset event."""
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter and arm a new event for later ones."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """Sleep until notified or timeout, returning whether a notification happened."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), max(timeout, 0.0))
        except TimeoutError:
            return False
        return True


def _norm_chat_id(value: Any) -> ChatId | None:
    """Normalize chat ids so "123" and 123 address the same chat, as in Telegram."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if _INT_RE.match(text):
        return int(text)
    return text


def _chat_key(value: Any) -> ChatId:
    """Normalize a chat id given by test code, where a missing id is a programming error."""
    chat_id = _norm_chat_id(value)
    if chat_id is None:
        raise ValueError(f"invalid chat id {value!r}")
    return chat_id


def _coerce_param(key: str, value: Any) -> Any:
    """Decode form-encoded values, because PTB sends numbers, booleans and objects as strings."""
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    stripped = value.strip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped)
        except ValueError as exc:
            if key == "reply_markup":
                raise BadRequest("can't parse reply keyboard markup JSON object") from exc
            raise BadRequest(f"can't parse {key} JSON object") from exc
    if stripped in ("true", "false"):
        return stripped == "true"
    if _INT_RE.match(stripped):
        return int(stripped)
    return value


def _update_type(update: JSONDict) -> str:
    """Return the payload key of an Update, used for allowed_updates filtering."""
    return next((key for key in update if key != "update_id"), "unknown")


def _detect_entities(text: str) -> list[JSONDict]:
    """Mark /commands, @mentions and URLs like Telegram clients do, so PTB filters match."""
    entities: list[JSONDict] = []
    taken: list[tuple[int, int]] = []
    for kind, regex in (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("url", _URL_RE)):
        for match in regex.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            entities.append(
                {
                    "offset": utf16_len(text[:start]),
                    "length": utf16_len(match.group(0)),
                    "type": kind,
                }
            )
    entities.sort(key=lambda e: e["offset"])
    return entities


def _member_dict(user: JSONDict, status: str) -> JSONDict:
    """Build a ChatMember with every field PTB requires for that status."""
    member: JSONDict = {"user": dict(user), "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
            can_manage_topics=False,
        )
    elif status == "restricted":
        member.update(
            is_member=True,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_send_messages=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_manage_topics=False,
            until_date=0,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_edit_tag=False,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _normalize_status(status: str) -> str:
    """Accept friendly aliases but store Telegram's status names."""
    status = _STATUS_ALIASES.get(status, status)
    if status not in _MEMBER_STATUSES:
        raise ValueError(
            f"unknown chat member status {status!r}; use one of {sorted(_MEMBER_STATUSES)}"
        )
    return status


# -----------------------------------------------------------------------------------------------
# The server.
# -----------------------------------------------------------------------------------------------


class FakeBotAPI:
    """In-process imitation of api.telegram.org for driving a real bot over HTTP in tests."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        username: str = "briefing_test_bot",
        first_name: str = "Briefing Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        strict_chats: bool = False,
        strict_html_entities: bool = True,
        query_ttl: float = 15.0,
        quiet_period: float = 0.2,
        shutdown_timeout: float = 0.5,
    ) -> None:
        """Configure the fake; nothing listens until start() or ``async with``."""
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1
        self.username = username
        self.first_name = first_name
        self.host = host
        self.port = port
        self.strict_chats = strict_chats
        self.strict_html_entities = strict_html_entities
        self.query_ttl = query_ttl
        self.quiet_period = quiet_period
        self.shutdown_timeout = shutdown_timeout

        self.calls: list[Call] = []
        self.callback_queries: dict[str, JSONDict] = {}
        self.callback_answers: dict[str, JSONDict] = {}
        self.inline_queries: dict[str, JSONDict] = {}
        self.inline_answers: dict[str, JSONDict] = {}
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.limit_violations = 0
        self.injected_faults = 0

        self._updates: list[JSONDict] = []
        self._update_seq = itertools.count(700_000_001)
        self._query_seq = itertools.count(4_390_000_000_000_001)
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._chats: dict[ChatId, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._message_seq: dict[ChatId, int] = {}
        self._messages: dict[tuple[ChatId, int], _StoredMessage] = {}
        self._member_status: dict[tuple[ChatId, int], str] = {}
        self._blocked: dict[ChatId, str] = {}
        self._migrations: dict[ChatId, int] = {}
        self._injections: list[_Injection] = []
        self._query_created: dict[str, float] = {}
        self._rng: random.Random | None = None
        self._rate_429 = 0.0
        self._rate_5xx = 0.0
        self._random_retry_after = 1
        self._random_status = 502
        self._random_methods: frozenset[str] = frozenset({"sendMessage"})
        self._limits: _Limits | None = None
        self._window_global: deque[float] = deque()
        self._window_chat: dict[ChatId, deque[float]] = {}
        self._window_group: dict[ChatId, deque[float]] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._menu_buttons: dict[ChatId | None, JSONDict] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._webhook: JSONDict | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._custom: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {}

        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._webhook_queue: asyncio.Queue[JSONDict] | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._updates_event: _Notifier | None = None
        self._calls_event: _Notifier | None = None

        self._handlers: dict[str, tuple[str, Handler]] = {}
        for name, handler in {
            "getMe": self._api_get_me,
            "getUpdates": self._api_get_updates,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "getWebhookInfo": self._api_get_webhook_info,
            "sendMessage": self._api_send_message,
            "editMessageText": self._api_edit_message_text,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
            "deleteMessage": self._api_delete_message,
            "answerCallbackQuery": self._api_answer_callback_query,
            "answerInlineQuery": self._api_answer_inline_query,
            "setMyCommands": self._api_set_my_commands,
            "getMyCommands": self._api_get_my_commands,
            "deleteMyCommands": self._api_delete_my_commands,
            "setChatMenuButton": self._api_set_chat_menu_button,
            "getChatMenuButton": self._api_get_chat_menu_button,
            "sendChatAction": self._api_send_chat_action,
            "getChat": self._api_get_chat,
            "getChatMember": self._api_get_chat_member,
            "getChatAdministrators": self._api_get_chat_administrators,
            "setMyDescription": self._api_set_bot_text("description"),
            "getMyDescription": self._api_get_bot_text("description"),
            "setMyShortDescription": self._api_set_bot_text("short_description"),
            "getMyShortDescription": self._api_get_bot_text("short_description"),
            "setMyName": self._api_set_bot_text("name"),
            "getMyName": self._api_get_bot_text("name"),
            "close": self._api_true,
            "logOut": self._api_true,
        }.items():
            self._handlers[name.lower()] = (name, handler)

    # ---------------------------------------------------------------- lifecycle & URLs

    async def __aenter__(self) -> Self:
        """Start listening so the bot under test can connect."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop listening and release pending long polls."""
        await self.stop()

    async def start(self) -> None:
        """Bind to a free port on the loopback interface and start serving."""
        self._closing = False
        self._updates_event = _Notifier()
        self._calls_event = _Notifier()
        self._webhook_queue = asyncio.Queue()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=self.shutdown_timeout
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        logger.info("FakeBotAPI listening on %s", self.root_url)

    async def stop(self) -> None:
        """Wake long polls, stop webhook delivery and close the server."""
        self._closing = True
        if self._updates_event is not None:
            self._updates_event.notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # shutting down anyway
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logger.info("FakeBotAPI stopped")

    @property
    def root_url(self) -> str:
        """Server root, for settings that build ``{root}/bot{token}/{method}`` themselves."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url()``; PTB appends the token and method."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url()``."""
        return f"{self.root_url}/file/bot"

    @property
    def bot_user(self) -> JSONDict:
        """The bot's User object, used as ``from`` of its messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    # ---------------------------------------------------------------- HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        """Dispatch one Bot API request, recording it whatever the outcome."""
        started = time.monotonic()
        raw_method = request.match_info["method"]
        entry = self._handlers.get(raw_method.lower()) or self._custom_entry(raw_method)
        method = entry[0] if entry else raw_method
        params: JSONDict = {}
        ctx = _Ctx(method=method, params=params, chat_id=None)
        try:
            if request.match_info["token"] != self.token:
                raise Unauthorized()
            params.update(await self._read_params(request))
            ctx.chat_id = _norm_chat_id(params.get("chat_id"))
            if entry is None:
                raise NotFound()
            injected = self._take_injection(method, ctx.chat_id) or self._random_fault(method)
            if injected is not None:
                raise injected
            result = await entry[1](ctx)
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, payload = exc.status, exc.payload()
        except Exception as exc:  # a fake must answer, not drop the connection
            logger.exception("FakeBotAPI internal error in %s", method)
            status, payload = 500, ServerError(500, f"Internal Server Error: {exc!r}").payload()
        call = Call(
            method=method,
            params=params,
            chat_id=ctx.chat_id,
            time=started,
            status=status,
            response=payload,
            duration=time.monotonic() - started,
            sent=ctx.sent,
        )
        if call.sent is not None:
            call.sent.call = call
        self.calls.append(call)
        if status != 200 or method != "getUpdates":
            logger.debug(
                "%s chat=%s -> %s %s", method, ctx.chat_id, status, payload.get("description", "")
            )
        if self._calls_event is not None:
            self._calls_event.notify()
        return web.json_response(
            payload, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False)
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Answer file downloads with 404 because the fake stores no files."""
        if request.match_info["token"] != self.token:
            return web.json_response(Unauthorized().payload(), status=401)
        return web.json_response(NotFound().payload(), status=404)

    async def _read_params(self, request: web.Request) -> JSONDict:
        """Merge query string, JSON and form/multipart bodies the way the Bot API accepts them."""
        params: JSONDict = dict(request.query)
        if request.method == "POST" and request.body_exists:
            if request.content_type == "application/json":
                raw = await request.read()
                if raw.strip():
                    try:
                        body = json.loads(raw)
                    except ValueError as exc:
                        raise BadRequest("can't parse JSON object") from exc
                    if not isinstance(body, dict):
                        raise BadRequest("JSON object expected")
                    params.update(body)
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        content = value.file.read()
                        params[key] = {
                            "filename": value.filename,
                            "content_type": value.content_type,
                            "size": len(content),
                        }
                    else:
                        params[key] = value
        return {key: _coerce_param(key, value) for key, value in params.items()}

    def _custom_entry(self, raw_method: str) -> tuple[str, Handler] | None:
        """Wrap a test-registered method so it goes through the normal dispatch path."""
        custom = self._custom.get(raw_method.lower())
        if custom is None:
            return None
        name, func = custom

        async def run(ctx: _Ctx) -> Any:
            """Call the user function, awaiting it if needed."""
            result = func(ctx.params)
            return await result if inspect.isawaitable(result) else result

        return name, run

    def add_method(self, name: str, func: Callable[[JSONDict], Any]) -> None:
        """Serve an extra Bot API method the fake does not implement (result = func(params))."""
        self._custom[name.lower()] = (name, func)

    # ---------------------------------------------------------------- failure injection

    def fail_next(
        self, method: str, error: ApiError, times: int = 1, chat_id: ChatId | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any) with ``error``."""
        self._injections.append(_Injection(method, error, times, _norm_chat_id(chat_id)))

    def _take_injection(self, method: str, chat_id: ChatId | None) -> ApiError | None:
        """Consume the first queued failure matching this call."""
        for injection in self._injections:
            if (
                injection.method not in ("*", method)
                and injection.method.lower() != method.lower()
            ):
                continue
            if injection.chat_id is not None and injection.chat_id != chat_id:
                continue
            injection.remaining -= 1
            if injection.remaining <= 0:
                self._injections.remove(injection)
            self.injected_faults += 1
            return injection.error
        return None

    def random_faults(
        self,
        seed: int | None,
        rate_429: float = 0.0,
        rate_5xx: float = 0.0,
        retry_after: int = 1,
        *,
        status_5xx: int = 502,
        methods: Sequence[str] = ("sendMessage",),
    ) -> None:
        """Fail a seeded random share of calls so retry logic can be soak-tested reproducibly."""
        if not 0.0 <= rate_429 + rate_5xx <= 1.0:
            raise ValueError("rate_429 + rate_5xx must be within [0, 1]")
        self._rng = random.Random(seed) if (rate_429 or rate_5xx) else None
        self._rate_429 = rate_429
        self._rate_5xx = rate_5xx
        self._random_retry_after = retry_after
        self._random_status = status_5xx
        self._random_methods = frozenset(methods)

    def _random_fault(self, method: str) -> ApiError | None:
        """Draw a random failure for eligible methods."""
        if self._rng is None or method not in self._random_methods:
            return None
        roll = self._rng.random()
        if roll < self._rate_429:
            self.injected_faults += 1
            return TooManyRequests(self._random_retry_after)
        if roll < self._rate_429 + self._rate_5xx:
            self.injected_faults += 1
            return ServerError(self._random_status)
        return None

    def block_chat(self, chat_id: ChatId, description: str | None = None) -> None:
        """Make every send to this chat fail with 403, as after the user blocks the bot."""
        chat_id = _chat_key(chat_id)
        if description is None:
            chat = self._chats.get(chat_id) or self._auto_chat(chat_id)
            description = {
                "private": "bot was blocked by the user",
                "group": "bot was kicked from the group chat",
                "supergroup": "bot was kicked from the supergroup chat",
                "channel": "bot is not a member of the channel chat",
            }.get(chat["type"], "bot was blocked by the user")
        self._blocked[chat_id] = Forbidden(description).description

    def unblock_chat(self, chat_id: ChatId) -> None:
        """Undo block_chat(), as when the user restarts the bot."""
        self._blocked.pop(_chat_key(chat_id), None)

    def migrate_chat(self, old_chat_id: ChatId, new_chat_id: int) -> None:
        """Answer every call for the old group id with the supergroup migration error."""
        old = _chat_key(old_chat_id)
        self._migrations[old] = int(new_chat_id)
        old_chat = self._chats.get(old)
        title = (
            old_chat.get("title", f"Group {new_chat_id}") if old_chat else f"Group {new_chat_id}"
        )
        self.register_chat(new_chat_id, chat_type="supergroup", title=title)

    def enforce_limits(
        self,
        global_per_second: int | None = 30,
        per_chat_per_second: int | None = 1,
        per_group_per_minute: int | None = 20,
        *,
        methods: Sequence[str] = ("sendMessage",),
    ) -> None:
        """Answer 429 like Telegram's flood control when sends exceed these sliding windows."""
        self._limits = _Limits(
            global_per_second, per_chat_per_second, per_group_per_minute, frozenset(methods)
        )
        self._window_global.clear()
        self._window_chat.clear()
        self._window_group.clear()

    def disable_limits(self) -> None:
        """Turn flood-control enforcement off again."""
        self._limits = None

    def _check_rate_limits(self, ctx: _Ctx, chat: JSONDict) -> None:
        """Admit or reject a send using sliding windows on the monotonic clock."""
        limits = self._limits
        if limits is None or ctx.method not in limits.methods:
            return
        now = time.monotonic()
        chat_id = chat["id"]
        windows: list[tuple[deque[float], int | None, float]] = [
            (self._window_global, limits.global_per_second, 1.0),
            (self._window_chat.setdefault(chat_id, deque()), limits.per_chat_per_second, 1.0),
        ]
        if chat["type"] in ("group", "supergroup"):
            windows.append(
                (
                    self._window_group.setdefault(chat_id, deque()),
                    limits.per_group_per_minute,
                    60.0,
                )
            )
        wait = 0.0
        for window, limit, span in windows:
            while window and window[0] <= now - span:
                window.popleft()
            if limit is not None and len(window) >= limit:
                wait = max(wait, window[0] + span - now)
        if wait > 0:
            self.limit_violations += 1
            raise TooManyRequests(max(1, math.ceil(wait)))
        for window, _limit, _span in windows:
            window.append(now)

    # ---------------------------------------------------------------- chats, users and messages

    def register_chat(
        self,
        chat_id: ChatId,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> JSONDict:
        """Create or update a chat so the fake answers with the right Chat object."""
        chat_id = _chat_key(chat_id)
        if chat_type is None:
            chat_type = self._chats.get(chat_id, {}).get("type") or self._guess_chat_type(chat_id)
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        existing = self._chats.get(chat_id, {})
        if chat_type == "private":
            chat["first_name"] = first_name or existing.get("first_name") or f"User {chat_id}"
            if last_name or existing.get("last_name"):
                chat["last_name"] = last_name or existing.get("last_name")
        else:
            chat["title"] = title or existing.get("title") or f"Group {chat_id}"
        if username or existing.get("username"):
            chat["username"] = username or existing.get("username")
        self._chats[chat_id] = chat
        return chat

    @staticmethod
    def _guess_chat_type(chat_id: ChatId | None) -> str:
        """Infer the chat type from the id layout Telegram uses."""
        if isinstance(chat_id, int) and chat_id > 0:
            return "private"
        if isinstance(chat_id, int) and str(chat_id).startswith("-100"):
            return "supergroup"
        if isinstance(chat_id, int):
            return "group"
        return "channel"

    def _auto_chat(self, chat_id: ChatId | None) -> JSONDict:
        """Invent a plausible chat for ids the test never introduced."""
        return (
            self.register_chat(chat_id) if chat_id is not None else {"id": None, "type": "private"}
        )

    def _register_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """Create or update a user so repeated messages carry consistent User objects."""
        existing = self._users.get(user_id, {})
        user: JSONDict = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or existing.get("first_name") or f"User {user_id}",
        }
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value or existing.get(key):
                user[key] = value or existing[key]
        self._users[user_id] = user
        return user

    def _user(self, user_id: int) -> JSONDict:
        """Return the known user (or the bot itself), inventing one if needed."""
        if user_id == self.bot_id:
            return self.bot_user
        return self._users.get(user_id) or self._register_user(user_id)

    def _next_message_id(self, chat_id: ChatId) -> int:
        """Hand out increasing message ids per chat, as Telegram does."""
        self._message_seq[chat_id] = self._message_seq.get(chat_id, 0) + 1
        return self._message_seq[chat_id]

    def get_message(self, chat_id: ChatId, message_id: int) -> JSONDict | None:
        """Return the current state of a message (after edits), or None if deleted/unknown."""
        stored = self._messages.get((_chat_key(chat_id), int(message_id)))
        return copy.deepcopy(stored.message) if stored else None

    def set_member_status(self, chat_id: ChatId, user_id: int, status: str) -> None:
        """Configure what getChatMember answers, e.g. "administrator" for admin-only commands."""
        self._member_status[(_chat_key(chat_id), int(user_id))] = _normalize_status(status)

    def _member_status_of(self, chat: JSONDict, user_id: int) -> str:
        """Look up a member status; private chats always report "member"."""
        if chat["type"] == "private":
            return "member"
        return self._member_status.get((chat["id"], user_id), "member")

    def _chat_gate(self, ctx: _Ctx, *, sending: bool) -> JSONDict:
        """Apply chat-level rules (missing, migrated, unknown, blocked) before any method logic."""
        chat_id = ctx.chat_id
        if chat_id is None:
            raise BadRequest("chat_id is empty")
        if chat_id in self._migrations:
            raise Migrated(self._migrations[chat_id])
        chat = self._chats.get(chat_id)
        if chat is None and isinstance(chat_id, str):
            chat = next(
                (c for c in self._chats.values() if "@" + str(c.get("username", "")) == chat_id),
                None,
            )
            if chat is not None:
                ctx.chat_id = chat["id"]
        if chat is None:
            if self.strict_chats or isinstance(chat_id, str):
                raise BadRequest("chat not found")
            chat = self._auto_chat(chat_id)
        if chat["id"] in self._blocked and (sending or chat["type"] != "private"):
            raise ApiError(403, self._blocked[chat["id"]])
        return chat

    # ---------------------------------------------------------------- validation helpers

    def _format_text(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        limit: int,
        too_long: str,
        empty: str,
    ) -> tuple[str, list[JSONDict]]:
        """Parse and validate message text exactly where Telegram would reject it."""
        if text is None or text == "":
            raise BadRequest(empty)
        text = str(text)
        mode = str(parse_mode).lower() if parse_mode else ""
        if mode == "html":
            try:
                plain, parsed = parse_telegram_html(
                    text, strict_entities=self.strict_html_entities
                )
            except HTMLParseError as exc:
                raise BadRequest(exc.description) from exc
        elif mode in ("", "none"):
            plain = text
            parsed = [dict(e) for e in entities] if isinstance(entities, list) else []
        elif mode in ("markdown", "markdownv2"):
            logger.warning(
                "FakeBotAPI does not parse %s; text is passed through unformatted", parse_mode
            )
            plain, parsed = text, []
        else:
            raise BadRequest("unsupported parse_mode")
        plain, parsed = trim_formatted_text(plain, parsed)
        if not plain:
            raise BadRequest(empty)
        if utf16_len(plain) > limit:
            raise BadRequest(too_long)
        return plain, parsed

    def _validate_reply_markup(self, markup: Any) -> JSONDict | None:
        """Reject keyboards Telegram would reject, returning the normalized markup."""
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise BadRequest("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            keyboard = markup["inline_keyboard"]
            if not isinstance(keyboard, list) or not all(
                isinstance(row, list) for row in keyboard
            ):
                raise BadRequest(
                    'field "inline_keyboard" of the InlineKeyboardMarkup '
                    "should be an Array of Arrays"
                )
            total = 0
            for row in keyboard:
                for button in row:
                    total += 1
                    self._validate_inline_button(button)
            if total > MAX_KEYBOARD_BUTTONS:
                raise BadRequest("reply markup is too long")
            return {"inline_keyboard": [[dict(button) for button in row] for row in keyboard]}
        if "keyboard" in markup:
            keyboard = markup["keyboard"]
            if not isinstance(keyboard, list) or not all(
                isinstance(row, list) for row in keyboard
            ):
                raise BadRequest(
                    'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
                )
            for row in keyboard:
                for button in row:
                    text = button if isinstance(button, str) else (button or {}).get("text")
                    if not isinstance(text, str) or not text:
                        raise BadRequest("can't parse keyboard button: Text must be non-empty")
            return dict(markup)
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return dict(markup)
        raise BadRequest("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _validate_inline_button(button: Any) -> None:
        """Check one InlineKeyboardButton: text, exactly one action, valid callback_data/url."""
        if not isinstance(button, dict):
            raise BadRequest(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        text = button.get("text")
        if not isinstance(text, str):
            raise BadRequest(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        if not text.strip():
            raise BadRequest("BUTTON_TEXT_INVALID")
        actions = [key for key in _BUTTON_ACTION_FIELDS if button.get(key) is not None]
        if not actions:
            raise BadRequest(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if len(actions) > 1:
            # Telegram silently picks one; the fake is stricter to surface ambiguous buttons.
            raise BadRequest(
                "can't parse inline keyboard button: "
                f"more than one action field: {', '.join(actions)}"
            )
        if "callback_data" in actions:
            data = button["callback_data"]
            if (
                not isinstance(data, str)
                or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise BadRequest("BUTTON_DATA_INVALID")
        if "url" in actions:
            url = button["url"]
            if not isinstance(url, str) or not (
                _BUTTON_URL_RE.match(url) or normalize_text_url(url)
            ):
                raise BadRequest("BUTTON_URL_INVALID")

    def _resolve_reply(self, chat_id: ChatId, params: JSONDict) -> JSONDict | None:
        """Find the message being replied to, failing like Telegram when it does not exist."""
        reply_parameters = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        target_chat = chat_id
        quote = None
        if isinstance(reply_parameters, dict):
            reply_id = reply_parameters.get("message_id")
            allow_missing = allow_missing or bool(
                reply_parameters.get("allow_sending_without_reply")
            )
            target_chat = _norm_chat_id(reply_parameters.get("chat_id")) or chat_id
            quote = reply_parameters.get("quote")
        else:
            reply_id = params.get("reply_to_message_id")
        if reply_id in (None, ""):
            return None
        stored = self._messages.get((target_chat, int(reply_id)))
        if stored is None:
            if allow_missing:
                return None
            raise BadRequest("message to be replied not found")
        if quote and quote not in str(stored.message.get("text", "")):
            raise BadRequest("QUOTE_TEXT_INVALID")
        snapshot = copy.deepcopy(stored.message)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def _stored_bot_message(self, ctx: _Ctx, chat: JSONDict, *, action: str) -> _StoredMessage:
        """Fetch a message the bot may edit or fail with Telegram's error."""
        message_id = ctx.params.get("message_id")
        if message_id in (None, ""):
            raise BadRequest("message identifier is not specified")
        stored = self._messages.get((chat["id"], int(message_id)))
        if stored is None:
            raise BadRequest(f"message to {action} not found")
        if not stored.from_bot:
            raise BadRequest("message can't be edited")
        return stored

    # ---------------------------------------------------------------- Bot API methods

    async def _api_true(self, ctx: _Ctx) -> bool:
        """Serve methods whose only effect is success (close, logOut)."""
        return True

    async def _api_get_me(self, ctx: _Ctx) -> JSONDict:
        """Describe the bot like Telegram's getMe."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_get_updates(self, ctx: _Ctx) -> list[JSONDict]:
        """Long-poll for updates honouring offset, limit, timeout and allowed_updates."""
        if self._webhook is not None:
            raise Conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        params = ctx.params
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._confirm_updates(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        assert self._updates_event is not None
        self._updates_event.notify()  # wake (and terminate) an older competing poll
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise Conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
            self._drop_disallowed_updates()
            remaining = deadline - time.monotonic()
            if self._updates or self._closing or remaining <= 0:
                break
            await self._updates_event.wait(remaining)
        return copy.deepcopy(self._updates[:limit])

    def _confirm_updates(self, offset: int) -> None:
        """Forget confirmed updates: below a positive offset, or all but the last -offset ones."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _drop_disallowed_updates(self) -> None:
        """Discard update kinds the bot did not subscribe to, as Telegram never sends them."""
        allowed = set(self._allowed_updates or (set(ALL_UPDATE_TYPES) - _OPT_IN_UPDATE_TYPES))
        kept = []
        for update in self._updates:
            if _update_type(update) in allowed:
                kept.append(update)
            else:
                logger.debug(
                    "dropping update %s of unsubscribed type %s",
                    update["update_id"],
                    _update_type(update),
                )
        self._updates = kept

    async def _api_set_webhook(self, ctx: _Ctx) -> bool:
        """Switch to webhook mode; queued and future updates are POSTed to the url."""
        params = ctx.params
        url = params.get("url") or ""
        if not url:
            self._webhook = None
            return True
        if not re.match(r"^https?://", str(url)):
            raise BadRequest("bad webhook: Webhook must be set to a valid HTTP(S) URL")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise BadRequest("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._webhook = {
            "url": str(url),
            "secret_token": secret,
            "max_connections": int(params.get("max_connections") or 40),
        }
        self._webhook_error = None
        self._ensure_webhook_worker()
        pending, self._updates = self._updates, []
        for update in pending:
            self._enqueue(update)
        return True

    async def _api_delete_webhook(self, ctx: _Ctx) -> bool:
        """Return to getUpdates mode, optionally dropping pending updates."""
        self._webhook = None
        if ctx.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_get_webhook_info(self, ctx: _Ctx) -> JSONDict:
        """Report webhook state like Telegram, including pending_update_count."""
        pending = len(self._updates) + (self._webhook_queue.qsize() if self._webhook_queue else 0)
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if self._webhook is not None:
            info["url"] = self._webhook["url"]
            info["max_connections"] = self._webhook["max_connections"]
            if self._webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _api_send_message(self, ctx: _Ctx) -> JSONDict:
        """Send a text message after Telegram's validation and flood-control checks."""
        params = ctx.params
        chat = self._chat_gate(ctx, sending=True)
        plain, entities = self._format_text(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
            empty="message text is empty",
        )
        markup = self._validate_reply_markup(params.get("reply_markup"))
        reply = self._resolve_reply(chat["id"], params)
        self._check_rate_limits(ctx, chat)
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": dict(chat),
            "date": int(time.time()),
            "text": plain,
        }
        if entities:
            message["entities"] = entities
        if params.get("message_thread_id"):
            message["message_thread_id"] = int(params["message_thread_id"])
        if reply is not None:
            message["reply_to_message"] = reply
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = _StoredMessage(
            copy.deepcopy(message), str(params["text"]), params.get("parse_mode"), True
        )
        reply_parameters = (
            params.get("reply_parameters")
            if isinstance(params.get("reply_parameters"), dict)
            else None
        )
        ctx.sent = SentMessage(
            method=ctx.method,
            chat_id=chat["id"],
            message_id=message["message_id"],
            text=str(params["text"]),
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            reply_to=reply["message_id"] if reply else None,
            reply_parameters=reply_parameters,
            message=copy.deepcopy(message),
        )
        return message

    async def _api_edit_message_text(self, ctx: _Ctx) -> JSONDict | bool:
        """Edit a bot message's text, enforcing "message is not modified" like Telegram."""
        params = ctx.params
        format_args: dict[str, Any] = {
            "limit": MAX_MESSAGE_LENGTH,
            "too_long": "MESSAGE_TOO_LONG",
            "empty": "message text is empty",
        }
        if params.get("inline_message_id"):
            self._format_text(
                params.get("text"), params.get("parse_mode"), params.get("entities"), **format_args
            )
            self._validate_reply_markup(params.get("reply_markup"))
            return True
        chat = self._chat_gate(ctx, sending=True)
        stored = self._stored_bot_message(ctx, chat, action="edit")
        if "text" not in stored.message:
            raise BadRequest("there is no text in the message to edit")
        plain, entities = self._format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), **format_args
        )
        markup = self._validate_reply_markup(params.get("reply_markup"))
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        old = stored.message
        if (
            plain == old.get("text")
            and entities == old.get("entities", [])
            and inline == old.get("reply_markup")
        ):
            raise BadRequest(_NOT_MODIFIED)
        self._check_rate_limits(ctx, chat)
        old["text"] = plain
        self._set_optional(old, "entities", entities or None)
        self._set_optional(old, "reply_markup", inline)
        old["edit_date"] = int(time.time())
        stored.raw_text, stored.parse_mode = str(params["text"]), params.get("parse_mode")
        ctx.sent = self._sent_from_stored(ctx.method, chat["id"], stored)
        return copy.deepcopy(old)

    async def _api_edit_message_reply_markup(self, ctx: _Ctx) -> JSONDict | bool:
        """Replace (or remove) a bot message's inline keyboard."""
        params = ctx.params
        markup = self._validate_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        chat = self._chat_gate(ctx, sending=True)
        stored = self._stored_bot_message(ctx, chat, action="edit")
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        if inline == stored.message.get("reply_markup"):
            raise BadRequest(_NOT_MODIFIED)
        self._set_optional(stored.message, "reply_markup", inline)
        stored.message["edit_date"] = int(time.time())
        ctx.sent = self._sent_from_stored(ctx.method, chat["id"], stored)
        return copy.deepcopy(stored.message)

    @staticmethod
    def _set_optional(target: JSONDict, key: str, value: Any) -> None:
        """Set or remove an optional field, since Telegram omits empty ones."""
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value

    @staticmethod
    def _sent_from_stored(method: str, chat_id: ChatId, stored: _StoredMessage) -> SentMessage:
        """Snapshot a stored message after an edit so tests see each intermediate state."""
        message = copy.deepcopy(stored.message)
        return SentMessage(
            method=method,
            chat_id=chat_id,
            message_id=message["message_id"],
            text=stored.raw_text if stored.raw_text is not None else message.get("text", ""),
            plain=message.get("text", ""),
            entities=message.get("entities", []),
            parse_mode=stored.parse_mode,
            reply_markup=message.get("reply_markup"),
            reply_to=None,
            reply_parameters=None,
            message=message,
        )

    async def _api_delete_message(self, ctx: _Ctx) -> bool:
        """Delete a message, refusing others' group messages unless the bot is an admin."""
        chat = self._chat_gate(ctx, sending=True)
        message_id = ctx.params.get("message_id")
        if message_id in (None, ""):
            raise BadRequest("message identifier is not specified")
        key = (chat["id"], int(message_id))
        stored = self._messages.get(key)
        if stored is None:
            raise BadRequest("message to delete not found")
        if (
            not stored.from_bot
            and chat["type"] != "private"
            and self._member_status_of(chat, self.bot_id) not in ("administrator", "creator")
        ):
            raise BadRequest("message can't be deleted")
        del self._messages[key]
        return True

    def _check_query(
        self, query_id: str, queries: dict[str, JSONDict], answers: dict[str, JSONDict]
    ) -> JSONDict:
        """Reject unknown, already answered or expired queries like Telegram."""
        query = queries.get(query_id)
        expired = time.monotonic() - self._query_created.get(query_id, 0.0) > self.query_ttl
        if query is None or query_id in answers or expired:
            raise BadRequest(_QUERY_TOO_OLD)
        return query

    async def _api_answer_callback_query(self, ctx: _Ctx) -> bool:
        """Answer a button press; remembered so tests can assert on toasts and alerts."""
        params = ctx.params
        query_id = str(params.get("callback_query_id") or "")
        query = self._check_query(query_id, self.callback_queries, self.callback_answers)
        if "message" in query:
            ctx.chat_id = query["message"]["chat"]["id"]
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise BadRequest("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": int(params.get("cache_time") or 0),
        }
        return True

    async def _api_answer_inline_query(self, ctx: _Ctx) -> bool:
        """Validate and store inline results (count, ids, message texts, keyboards)."""
        params = ctx.params
        query_id = str(params.get("inline_query_id") or "")
        self._check_query(query_id, self.inline_queries, self.inline_answers)
        results = params.get("results")
        if not isinstance(results, list):
            raise BadRequest("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise BadRequest("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._validate_inline_result(result, seen)
        self.inline_answers[query_id] = {
            "results": results,
            "cache_time": int(params.get("cache_time") or 300),
            "is_personal": bool(params.get("is_personal")),
            "next_offset": params.get("next_offset") or "",
            "button": params.get("button"),
        }
        return True

    def _validate_inline_result(self, result: Any, seen: set[str]) -> None:
        """Check one InlineQueryResult the way Telegram does before showing it."""
        if not isinstance(result, dict):
            raise BadRequest("can't parse InlineQueryResult: InlineQueryResult must be an Object")
        kind = result.get("type")
        if not isinstance(kind, str) or not kind:
            raise BadRequest('can\'t parse InlineQueryResult: Field "type" must be of type String')
        result_id = result.get("id")
        if (
            not isinstance(result_id, str)
            or not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES
        ):
            raise BadRequest("RESULT_ID_INVALID")
        if result_id in seen:
            raise BadRequest("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        content = result.get("input_message_content")
        if kind == "article":
            if not isinstance(result.get("title"), str) or not result["title"]:
                raise BadRequest(
                    'can\'t parse InlineQueryResultArticle: Field "title" must be of type String'
                )
            if not isinstance(content, dict):
                raise BadRequest(
                    "can't parse InlineQueryResultArticle: "
                    'Field "input_message_content" must be of type Object'
                )
        if isinstance(content, dict) and "message_text" in content:
            self._format_text(
                content.get("message_text"),
                content.get("parse_mode"),
                content.get("entities"),
                limit=MAX_MESSAGE_LENGTH,
                too_long="MESSAGE_TOO_LONG",
                empty="MESSAGE_EMPTY",
            )
        markup = self._validate_reply_markup(result.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise BadRequest("REPLY_MARKUP_INVALID")

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        """Key command lists by scope and language, matching Telegram's lookup."""
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _api_set_my_commands(self, ctx: _Ctx) -> bool:
        """Store the command menu after Telegram's format checks."""
        commands = ctx.params.get("commands")
        if not isinstance(commands, list):
            raise BadRequest("can't parse commands JSON object")
        if len(commands) > 100:
            raise BadRequest("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND_NAME_RE.match(
                str(command.get("command", ""))
            ):
                raise BadRequest("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise BadRequest("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(ctx.params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _api_get_my_commands(self, ctx: _Ctx) -> list[JSONDict]:
        """Return the stored command menu for a scope/language."""
        return copy.deepcopy(self._commands.get(self._commands_key(ctx.params), []))

    async def _api_delete_my_commands(self, ctx: _Ctx) -> bool:
        """Forget the command menu for a scope/language."""
        self._commands.pop(self._commands_key(ctx.params), None)
        return True

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Return what setMyCommands stored, for assertions."""
        return copy.deepcopy(
            self._commands.get(
                self._commands_key({"scope": scope, "language_code": language_code}), []
            )
        )

    async def _api_set_chat_menu_button(self, ctx: _Ctx) -> bool:
        """Store a chat's (or the default) menu button."""
        button = ctx.params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise BadRequest("can't parse menu button JSON object")
        self._menu_buttons[ctx.chat_id] = dict(button)
        return True

    async def _api_get_chat_menu_button(self, ctx: _Ctx) -> JSONDict:
        """Return the stored menu button, defaulting like Telegram."""
        return dict(
            self._menu_buttons.get(ctx.chat_id)
            or self._menu_buttons.get(None)
            or {"type": "default"}
        )

    async def _api_send_chat_action(self, ctx: _Ctx) -> bool:
        """Accept typing indicators for valid actions."""
        self._chat_gate(ctx, sending=True)
        if ctx.params.get("action") not in _CHAT_ACTIONS:
            raise BadRequest("wrong parameter action in request")
        return True

    async def _api_get_chat(self, ctx: _Ctx) -> JSONDict:
        """Return a ChatFullInfo with all fields PTB requires."""
        chat = self._chat_gate(ctx, sending=False)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _api_get_chat_member(self, ctx: _Ctx) -> JSONDict:
        """Answer membership from set_member_status(), "member" by default."""
        chat = self._chat_gate(ctx, sending=False)
        user_id = ctx.params.get("user_id")
        if not isinstance(user_id, int):
            raise BadRequest("invalid user_id specified")
        return _member_dict(self._user(user_id), self._member_status_of(chat, user_id))

    async def _api_get_chat_administrators(self, ctx: _Ctx) -> list[JSONDict]:
        """List members configured as administrator or creator."""
        chat = self._chat_gate(ctx, sending=False)
        if chat["type"] == "private":
            raise BadRequest("there are no administrators in the private chat")
        return [
            _member_dict(self._user(user_id), status)
            for (chat_id, user_id), status in self._member_status.items()
            if chat_id == chat["id"] and status in ("creator", "administrator")
        ]

    def _api_set_bot_text(self, field_name: str) -> Handler:
        """Build setMyName/Description handlers storing text per language."""

        async def handler(ctx: _Ctx) -> bool:
            """Store the text for the given language."""
            self._bot_texts[(field_name, str(ctx.params.get("language_code") or ""))] = str(
                ctx.params.get(field_name) or ""
            )
            return True

        return handler

    def _api_get_bot_text(self, field_name: str) -> Handler:
        """Build getMyName/Description handlers."""

        async def handler(ctx: _Ctx) -> JSONDict:
            """Return the stored text for the given language."""
            value = self._bot_texts.get((field_name, str(ctx.params.get("language_code") or "")))
            if value is None and field_name == "name":
                value = self.first_name
            return {field_name: value or ""}

        return handler

    # ------------------------------------------------------------- update queue & webhook delivery

    def _enqueue(self, update: JSONDict) -> None:
        """Make an update available to getUpdates, or POST it when a webhook is set."""
        if self._webhook is not None and self._webhook_queue is not None:
            self._ensure_webhook_worker()
            self._webhook_queue.put_nowait(update)
        else:
            self._updates.append(update)
            if self._updates_event is not None:
                self._updates_event.notify()

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue a hand-made Update dict, assigning an update_id if missing."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_seq))
        self._enqueue(update)
        return update

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued but not yet confirmed by the bot."""
        return copy.deepcopy(self._updates)

    def _ensure_webhook_worker(self) -> None:
        """Start the background task that delivers updates in order to the webhook."""
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_worker())

    async def _webhook_worker(self) -> None:
        """POST queued updates one at a time, like Telegram with max_connections=1."""
        assert self._webhook_queue is not None
        if self._session is None:
            self._session = ClientSession(timeout=ClientTimeout(total=30))
        while True:
            update = await self._webhook_queue.get()
            webhook = self._webhook
            if webhook is None:
                self._updates.append(update)
                if self._updates_event is not None:
                    self._updates_event.notify()
                continue
            headers = {}
            if webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
            status, error = 0, None
            try:
                async with self._session.post(
                    webhook["url"], json=update, headers=headers
                ) as response:
                    status = response.status
                    await response.read()
            except Exception as exc:  # noqa: BLE001 - delivery failures are data, not crashes
                error = repr(exc)
            if not 200 <= status < 300:
                error = error or f"Wrong response from the webhook: {status}"
                self._webhook_error = (int(time.time()), error)
                logger.warning(
                    "webhook delivery of update %s failed: %s", update.get("update_id"), error
                )
            self.webhook_deliveries.append(WebhookDelivery(update, status, error))
            if self._calls_event is not None:
                self._calls_event.notify()

    # ---------------------------------------------------------------- update factories

    def _reply_snapshot(self, chat_id: ChatId, reply_to: SentMessage | JSONDict | int) -> JSONDict:
        """Resolve a reply target into the nested reply_to_message dict."""
        if isinstance(reply_to, SentMessage):
            message_id = reply_to.message_id
        elif isinstance(reply_to, dict):
            message_id = reply_to["message_id"]
        else:
            message_id = int(reply_to)
        stored = self._messages.get((chat_id, int(message_id or 0)))
        if stored is None:
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": dict(self._chats[chat_id]),
            }
        snapshot = copy.deepcopy(stored.message)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def _user_message(
        self,
        chat: JSONDict,
        user: JSONDict,
        text: str,
        *,
        reply_to: SentMessage | JSONDict | int | None,
        entities: list[JSONDict] | None,
        message_thread_id: int | None = None,
    ) -> JSONDict:
        """Build and remember a user's text message so the bot can reply to it."""
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": dict(user),
            "chat": dict(chat),
            "date": int(time.time()),
            "text": text,
        }
        detected = _detect_entities(text) if entities is None else entities
        if detected:
            message["entities"] = detected
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
        if reply_to is not None:
            message["reply_to_message"] = self._reply_snapshot(chat["id"], reply_to)
        self._messages[(chat["id"], message["message_id"])] = _StoredMessage(
            copy.deepcopy(message), text, None, False
        )
        return message

    def _finish(self, payload_key: str, payload: JSONDict, queue: bool) -> JSONDict:
        """Wrap a payload into an Update with a fresh id and queue it if requested."""
        update = {"update_id": next(self._update_seq), payload_key: payload}
        if queue:
            self._enqueue(update)
        return update

    def private_message(
        self,
        text: str,
        *,
        user_id: int = 1001,
        first_name: str = "Tester",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "en",
        reply_to: SentMessage | JSONDict | int | None = None,
        entities: list[JSONDict] | None = None,
        queue: bool = True,
    ) -> JSONDict:
        """Build (and by default queue) a private-chat message Update from a user."""
        user = self._register_user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        chat = self.register_chat(
            user_id,
            chat_type="private",
            first_name=first_name,
            last_name=last_name,
            username=username,
        )
        message = self._user_message(chat, user, text, reply_to=reply_to, entities=entities)
        return self._finish("message", message, queue)

    def group_message(
        self,
        text: str,
        *,
        chat_id: int = -1001234567890,
        user_id: int = 1001,
        first_name: str = "Tester",
        username: str | None = None,
        language_code: str = "en",
        title: str | None = None,
        reply_to_bot: bool = False,
        reply_to: SentMessage | JSONDict | int | None = None,
        entities: list[JSONDict] | None = None,
        message_thread_id: int | None = None,
        queue: bool = True,
    ) -> JSONDict:
        """Build (and by default queue) a group message; reply_to_bot quotes the bot's last one."""
        user = self._register_user(
            user_id, first_name, username=username, language_code=language_code
        )
        chat_id = int(chat_id)
        chat = self._chats.get(chat_id) if title is None else None
        if chat is None:
            chat = self.register_chat(chat_id, title=title)
        if reply_to is None and reply_to_bot:
            reply_to = self._last_bot_message(chat_id)
            if reply_to is None:
                reply_to = self._synthetic_bot_message(chat)
        message = self._user_message(
            chat,
            user,
            text,
            reply_to=reply_to,
            entities=entities,
            message_thread_id=message_thread_id,
        )
        return self._finish("message", message, queue)

    def _last_bot_message(self, chat_id: ChatId) -> JSONDict | None:
        """Find the newest message the bot sent to a chat."""
        candidates = [
            s.message for (cid, _mid), s in self._messages.items() if cid == chat_id and s.from_bot
        ]
        return max(candidates, key=lambda m: m["message_id"]) if candidates else None

    def _synthetic_bot_message(self, chat: JSONDict) -> JSONDict:
        """Invent an earlier bot message so reply_to_bot works before the bot spoke."""
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": dict(chat),
            "date": int(time.time()) - 60,
            "text": "(earlier bot message)",
        }
        self._messages[(chat["id"], message["message_id"])] = _StoredMessage(
            message, message["text"], None, True
        )
        return message

    def _resolve_message(self, message: SentMessage | JSONDict) -> JSONDict:
        """Return the current server-side state of a message given a snapshot of it."""
        if isinstance(message, SentMessage):
            chat_id, message_id, fallback = message.chat_id, message.message_id, message.message
        else:
            chat_id, message_id, fallback = message["chat"]["id"], message["message_id"], message
        if chat_id is None:
            return copy.deepcopy(fallback)
        stored = self._messages.get((chat_id, int(message_id or 0)))
        return copy.deepcopy(stored.message if stored else fallback)

    def callback_query(
        self,
        data: str,
        message: SentMessage | JSONDict,
        *,
        user_id: int | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
        queue: bool = True,
    ) -> JSONDict:
        """Build (and by default queue) a button press on a bot message."""
        current = self._resolve_message(message)
        chat = current["chat"]
        if user_id is None:
            user_id = chat["id"] if chat.get("type") == "private" else 1001
        user = self._register_user(user_id, first_name, language_code=language_code)
        query_id = str(next(self._query_seq))
        query: JSONDict = {
            "id": query_id,
            "from": user,
            "message": current,
            "chat_instance": str(abs(hash(("chat_instance", chat["id"]))) % 10**18),
            "data": data,
        }
        self.callback_queries[query_id] = query
        self._query_created[query_id] = time.monotonic()
        return self._finish("callback_query", query, queue)

    def inline_query(
        self,
        query: str,
        *,
        user_id: int = 1001,
        first_name: str = "Tester",
        language_code: str = "en",
        offset: str = "",
        chat_type: str | None = "private",
        queue: bool = True,
    ) -> JSONDict:
        """Build (and by default queue) an inline query typed by a user."""
        user = self._register_user(user_id, first_name, language_code=language_code)
        query_id = str(next(self._query_seq))
        payload: JSONDict = {"id": query_id, "from": user, "query": query, "offset": offset}
        if chat_type:
            payload["chat_type"] = chat_type
        self.inline_queries[query_id] = payload
        self._query_created[query_id] = time.monotonic()
        return self._finish("inline_query", payload, queue)

    def my_chat_member(
        self,
        chat_id: ChatId,
        new_status: str = "kicked",
        *,
        old_status: str | None = None,
        user_id: int | None = None,
        apply: bool = True,
        queue: bool = True,
    ) -> JSONDict:
        """Build (and queue) the bot's membership change; ``apply`` also (un)blocks the chat."""
        chat = self._chats.get(_chat_key(chat_id)) or self._auto_chat(_chat_key(chat_id))
        new_status = _normalize_status(new_status)
        if old_status is None:
            old_status = "member" if new_status in ("kicked", "left") else "left"
        old_status = _normalize_status(old_status)
        actor_id = (
            user_id if user_id is not None else (chat["id"] if chat["type"] == "private" else 1001)
        )
        payload = {
            "chat": dict(chat),
            "from": self._user(int(actor_id)),
            "date": int(time.time()),
            "old_chat_member": _member_dict(self.bot_user, old_status),
            "new_chat_member": _member_dict(self.bot_user, new_status),
        }
        if apply:
            if new_status in ("kicked", "left"):
                self.block_chat(chat["id"])
            else:
                self.unblock_chat(chat["id"])
            if chat["type"] != "private":
                self._member_status[(chat["id"], self.bot_id)] = new_status
        return self._finish("my_chat_member", payload, queue)

    def make_update(self, kind: str, *args: Any, **kwargs: Any) -> JSONDict:
        """Build an Update without queueing it (for webhook tests that POST it themselves)."""
        factories: dict[str, Callable[..., JSONDict]] = {
            "private_message": self.private_message,
            "group_message": self.group_message,
            "callback_query": self.callback_query,
            "inline_query": self.inline_query,
            "my_chat_member": self.my_chat_member,
        }
        if kind not in factories:
            raise ValueError(f"unknown update kind {kind!r}; use one of {sorted(factories)}")
        kwargs["queue"] = False
        if kind == "my_chat_member":
            kwargs.setdefault("apply", False)
        return factories[kind](*args, **kwargs)

    # ---------------------------------------------------------------- inspection helpers

    def calls_to(self, method: str, chat_id: ChatId | None = None) -> list[Call]:
        """List recorded calls of one method (optionally for one chat)."""
        chat_id = _norm_chat_id(chat_id)
        return [
            c
            for c in self.calls
            if c.method.lower() == method.lower() and (chat_id is None or c.chat_id == chat_id)
        ]

    def sent_messages(self, chat_id: ChatId | None = None) -> list[SentMessage]:
        """List successful sendMessage/editMessageText results in order."""
        chat_id = _norm_chat_id(chat_id)
        return [
            c.sent
            for c in self.calls
            if c.ok
            and c.sent is not None
            and c.method in _SENT_MESSAGE_METHODS
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def clear_calls(self) -> None:
        """Forget recorded calls, e.g. between benchmark phases."""
        self.calls.clear()

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[Call], bool] | None = None,
        *,
        chat_id: ChatId | None = None,
        ok: bool | None = None,
        since: int = 0,
    ) -> list[Call]:
        """Wait until ``count`` matching calls (from index ``since``) exist, else TimeoutError."""
        chat_id = _norm_chat_id(chat_id)
        deadline = time.monotonic() + timeout
        assert self._calls_event is not None, "FakeBotAPI is not started"
        while True:
            matches = [
                c
                for c in self.calls[since:]
                if c.method.lower() == method.lower()
                and (chat_id is None or c.chat_id == chat_id)
                and (ok is None or c.ok == ok)
                and (predicate is None or predicate(c))
            ]
            if len(matches) >= count:
                return matches
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"expected {count} call(s) to {method}, saw {len(matches)} within {timeout}s; "
                    f"recent calls: {self._summary(self.calls[since:])}"
                )
            await self._calls_event.wait(remaining)

    @staticmethod
    def _summary(calls: Sequence[Call], limit: int = 12) -> str:
        """Render recent non-polling calls compactly for timeout messages."""
        relevant = [c for c in calls if c.method != "getUpdates"][-limit:]
        return (
            ", ".join(
                f"{c.method}[{c.status}{': ' + str(c.error) if c.error else ''}]" for c in relevant
            )
            or "none"
        )

    async def _await_replies(
        self,
        chat_id: ChatId,
        start: int,
        *,
        timeout: float,
        quiet: float | None,
        query_id: str | None = None,
        expect_message: bool = True,
    ) -> Replies:
        """Wait until the bot answered in a chat and then stayed quiet, collecting what it sent."""
        quiet = self.quiet_period if quiet is None else quiet
        deadline = time.monotonic() + timeout
        assert self._calls_event is not None, "FakeBotAPI is not started"

        def related(call: Call) -> bool:
            """Select calls that belong to this exchange."""
            if call.chat_id == chat_id:
                return True
            return (
                query_id is not None
                and call.method == "answerCallbackQuery"
                and str(call.params.get("callback_query_id")) == query_id
            )

        while True:
            relevant = [c for c in self.calls[start:] if related(c)]
            answered = any(
                c.ok and c.method in REPLY_METHODS and c.chat_id == chat_id for c in relevant
            )
            if not answered and not expect_message and query_id is not None:
                answered = any(c.ok and c.method == "answerCallbackQuery" for c in relevant)
            now = time.monotonic()
            if answered:
                wait = max(c.finished for c in relevant) + quiet - now
                if wait <= 0 or now >= deadline:
                    break
                wait = min(wait, deadline - now)
            else:
                if now >= deadline:
                    raise TimeoutError(
                        f"bot did not answer in chat {chat_id} within {timeout}s; "
                        f"calls for this chat: {self._summary(relevant)}"
                    )
                wait = deadline - now
            await self._calls_event.wait(wait)
        sent = [c.sent for c in relevant if c.ok and c.sent is not None and c.chat_id == chat_id]
        answer = self.callback_answers.get(query_id) if query_id else None
        return Replies(sent, relevant, answer)

    # ---------------------------------------------------------------- conversation helpers

    def private_chat(
        self,
        user_id: int = 1001,
        *,
        first_name: str = "Tester",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "en",
    ) -> Chat:
        """Open a private conversation with the bot as a given user."""
        self._register_user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.register_chat(
            user_id,
            chat_type="private",
            first_name=first_name,
            last_name=last_name,
            username=username,
        )
        return Chat(
            self,
            user_id,
            "private",
            user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
        )

    def group_chat(
        self,
        chat_id: int = -1001234567890,
        *,
        title: str = "Test Group",
        user_id: int = 1001,
        first_name: str = "Tester",
        username: str | None = None,
        language_code: str = "en",
        chat_type: str | None = None,
    ) -> Chat:
        """Open a group conversation; send() may speak as different users."""
        self.register_chat(chat_id, chat_type=chat_type, title=title)
        self._register_user(user_id, first_name, username=username, language_code=language_code)
        return Chat(
            self,
            int(chat_id),
            self._chats[int(chat_id)]["type"],
            user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
        )

    async def inline(
        self,
        query: str,
        user_id: int = 1001,
        *,
        timeout: float = 5.0,
        offset: str = "",
        chat_type: str | None = "private",
    ) -> list[JSONDict]:
        """Type an inline query and return the results the bot answered with."""
        update = self.inline_query(query, user_id=user_id, offset=offset, chat_type=chat_type)
        query_id = update["inline_query"]["id"]
        calls = await self.wait_for(
            "answerInlineQuery",
            timeout=timeout,
            predicate=lambda c: str(c.params.get("inline_query_id")) == query_id,
        )
        if not calls[0].ok:
            raise RuntimeError(f"answerInlineQuery was rejected: {calls[0].error}")
        return copy.deepcopy(calls[0].params["results"])


class Chat:
    """A conversation handle so tests read like a chat transcript."""

    def __init__(
        self,
        api: FakeBotAPI,
        chat_id: ChatId,
        chat_type: str,
        user_id: int,
        *,
        first_name: str = "Tester",
        language_code: str = "en",
        username: str | None = None,
    ) -> None:
        """Remember who speaks in which chat."""
        self.api = api
        self.chat_id = chat_id
        self.type = chat_type
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username

    def __repr__(self) -> str:
        """Identify the chat in assertion output."""
        return f"Chat({self.type}, id={self.chat_id})"

    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent or edited in this chat, in order."""
        return self.api.sent_messages(self.chat_id)

    @property
    def last(self) -> SentMessage | None:
        """The bot's latest message or edit in this chat."""
        messages = self.messages
        return messages[-1] if messages else None

    def current(self, message: SentMessage | JSONDict) -> JSONDict:
        """Return the latest state of a message after any edits."""
        return self.api._resolve_message(message)

    def post(
        self,
        text: str,
        *,
        user_id: int | None = None,
        reply_to: SentMessage | JSONDict | int | None = None,
        first_name: str | None = None,
    ) -> JSONDict:
        """Queue a user message without waiting, e.g. to test bursts."""
        if self.type == "private":
            return self.api.private_message(
                text,
                user_id=self.chat_id if isinstance(self.chat_id, int) else self.user_id,
                first_name=first_name or self.first_name,
                username=self.username,
                language_code=self.language_code,
                reply_to=reply_to,
            )
        speaker = user_id if user_id is not None else self.user_id
        return self.api.group_message(
            text,
            chat_id=int(self.chat_id),
            user_id=speaker,
            first_name=first_name
            or (self.first_name if speaker == self.user_id else f"User {speaker}"),
            language_code=self.language_code,
            reply_to=reply_to,
        )

    async def send(
        self,
        text: str,
        *,
        user_id: int | None = None,
        reply_to: SentMessage | JSONDict | int | None = None,
        timeout: float = 5.0,
        quiet: float | None = None,
    ) -> Replies:
        """Send a user message and return what the bot answered once it went quiet."""
        start = len(self.api.calls)
        self.post(text, user_id=user_id, reply_to=reply_to)
        return await self.api._await_replies(self.chat_id, start, timeout=timeout, quiet=quiet)

    async def press(
        self,
        message: SentMessage | JSONDict,
        button: str,
        *,
        user_id: int | None = None,
        timeout: float = 5.0,
        quiet: float | None = None,
        expect_message: bool = True,
    ) -> Replies:
        """Press an inline button (by text or callback_data) and return the replies/edits."""
        current = self.current(message)
        rows = (current.get("reply_markup") or {}).get("inline_keyboard") or []
        found = next(
            (b for row in rows for b in row if b.get("text") == button),
            None,
        ) or next((b for row in rows for b in row if b.get("callback_data") == button), None)
        if found is None:
            available = [(b.get("text"), b.get("callback_data")) for row in rows for b in row]
            raise ValueError(
                f"no button {button!r} on message {current.get('message_id')}; "
                f"available: {available}"
            )
        if "callback_data" not in found:
            raise ValueError(f"button {button!r} is not a callback button: {found}")
        start = len(self.api.calls)
        speaker = user_id if user_id is not None else self.user_id
        update = self.api.callback_query(found["callback_data"], current, user_id=speaker)
        return await self.api._await_replies(
            self.chat_id,
            start,
            timeout=timeout,
            quiet=quiet,
            query_id=update["callback_query"]["id"],
            expect_message=expect_message,
        )
