"""The fake's server-side world: configuration, chats, users, messages and every other store.

``ApiState`` declares all state the concern mixins (``faults``, ``updates``, ``methods_*``,
``factories``, ``inspection``, ``conversation``, ``server``) read and write, and holds the
chat/user/message registry they share.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import random
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, web

from .errors import ApiError, BadRequest, Migrated
from .members import normalize_status
from .records import Call, ChatId, Ctx, Handler, JSONDict, SentMessage, WebhookDelivery

# One logger for the whole fake, named as before the split so existing log filters still apply.
logger = logging.getLogger("testkit.fakes.bot_api")

INT_RE = re.compile(r"^-?\d{1,20}$")


@dataclass
class StoredMessage:
    """Current server-side state of a message, needed for edits, replies and button presses."""

    message: JSONDict
    raw_text: str | None
    parse_mode: str | None
    from_bot: bool


@dataclass
class Injection:
    """A queued failure from fail_next()."""

    method: str
    error: ApiError
    remaining: int
    chat_id: ChatId | None


@dataclass
class Limits:
    """Flood limits, mirroring Telegram's documented broadcast limits."""

    global_per_second: int | None
    per_chat_per_second: int | None
    per_group_per_minute: int | None
    methods: frozenset[str]


class Notifier:
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


def norm_chat_id(value: Any) -> ChatId | None:
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
    if INT_RE.match(text):
        return int(text)
    return text


def chat_key(value: Any) -> ChatId:
    """Normalize a chat id given by test code, where a missing id is a programming error."""
    chat_id = norm_chat_id(value)
    if chat_id is None:
        raise ValueError(f"invalid chat id {value!r}")
    return chat_id


def guess_chat_type(chat_id: ChatId | None) -> str:
    """Infer the chat type from the id layout Telegram uses."""
    if isinstance(chat_id, int) and chat_id > 0:
        return "private"
    if isinstance(chat_id, int) and str(chat_id).startswith("-100"):
        return "supergroup"
    if isinstance(chat_id, int):
        return "group"
    return "channel"


class ApiState:
    """Configuration and stores of the fake, plus the chat, user and message registry."""

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

        # What tests inspect.
        self.calls: list[Call] = []
        self.callback_queries: dict[str, JSONDict] = {}
        self.callback_answers: dict[str, JSONDict] = {}
        self.inline_queries: dict[str, JSONDict] = {}
        self.inline_answers: dict[str, JSONDict] = {}
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.limit_violations = 0
        self.injected_faults = 0

        # Updates queue and polling (updates.py).
        self._updates: list[JSONDict] = []
        self._update_seq = itertools.count(700_000_001)
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        # Chats, users, messages and memberships (this module).
        self._chats: dict[ChatId, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._message_seq: dict[ChatId, int] = {}
        self._messages: dict[tuple[ChatId, int], StoredMessage] = {}
        self._member_status: dict[tuple[ChatId, int], str] = {}
        self._forum_topics: dict[ChatId, set[int]] = {}  # open topics of forum supergroups
        # Callback and inline queries: made in factories.py, answered in methods_queries.py.
        self._query_seq = itertools.count(4_390_000_000_000_001)
        self._query_created: dict[str, float] = {}
        # Failures, blocks, migrations and flood control (faults.py).
        self._blocked: dict[ChatId, str] = {}
        self._migrations: dict[ChatId, int] = {}
        self._injections: list[Injection] = []
        self._rng: random.Random | None = None
        self._rate_429 = 0.0
        self._rate_5xx = 0.0
        self._random_retry_after = 1
        self._random_status = 502
        self._random_methods: frozenset[str] = frozenset({"sendMessage"})
        self._limits: Limits | None = None
        self._window_global: deque[float] = deque()
        self._window_chat: dict[ChatId, deque[float]] = {}
        self._window_group: dict[ChatId, deque[float]] = {}
        # Bot settings (methods_bot.py).
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._menu_buttons: dict[ChatId | None, JSONDict] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        # Webhook mode (updates.py) and test-registered methods (server.py).
        self._webhook: JSONDict | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._custom: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {}

        # Runtime of a started server (server.py, updates.py).
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._webhook_queue: asyncio.Queue[JSONDict] | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._updates_event: Notifier | None = None
        self._calls_event: Notifier | None = None

        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in self._api_methods().items()
        }

    def _api_methods(self) -> dict[str, Handler]:
        """Map Bot API method names to their handlers; the composed FakeBotAPI fills it in."""
        return {}

    @property
    def bot_user(self) -> JSONDict:
        """The bot's User object, used as ``from`` of its messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    # ---------------------------------------------------------------- chats

    def register_chat(
        self,
        chat_id: ChatId,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        is_forum: bool | None = None,
    ) -> JSONDict:
        """Create or update a chat so the fake answers with the right Chat object."""
        chat_id = chat_key(chat_id)
        if chat_type is None:
            chat_type = self._chats.get(chat_id, {}).get("type") or guess_chat_type(chat_id)
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
        if is_forum or (is_forum is None and existing.get("is_forum")):
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        return chat

    def _auto_chat(self, chat_id: ChatId | None) -> JSONDict:
        """Invent a plausible chat for ids the test never introduced."""
        return (
            self.register_chat(chat_id) if chat_id is not None else {"id": None, "type": "private"}
        )

    def _chat_gate(self, ctx: Ctx, *, sending: bool) -> JSONDict:
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

    # ---------------------------------------------------------------- users and memberships

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

    def set_member_status(self, chat_id: ChatId, user_id: int, status: str) -> None:
        """Configure what getChatMember answers, e.g. "administrator" for admin-only commands."""
        self._member_status[(chat_key(chat_id), int(user_id))] = normalize_status(status)

    def _member_status_of(self, chat: JSONDict, user_id: int) -> str:
        """Look up a member status; private chats always report "member"."""
        if chat["type"] == "private":
            return "member"
        return self._member_status.get((chat["id"], user_id), "member")

    # ---------------------------------------------------------------- messages

    def _next_message_id(self, chat_id: ChatId) -> int:
        """Hand out increasing message ids per chat, as Telegram does."""
        self._message_seq[chat_id] = self._message_seq.get(chat_id, 0) + 1
        return self._message_seq[chat_id]

    def get_message(self, chat_id: ChatId, message_id: int) -> JSONDict | None:
        """Return the current state of a message (after edits), or None if deleted/unknown."""
        stored = self._messages.get((chat_key(chat_id), int(message_id)))
        return copy.deepcopy(stored.message) if stored else None

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
