"""Update factories: user messages, button presses, inline queries and membership changes.

Each factory builds the Update a real Telegram client would cause, remembers what the fake
needs to answer follow-up calls (messages, queries), and queues it unless ``queue=False``.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from typing import Any

from .faults import FaultInjection
from .members import member_dict, normalize_status
from .records import ChatId, JSONDict, SentMessage
from .state import StoredMessage, chat_key
from .telegram_text import utf16_len
from .updates import UpdateQueue

__all__ = ["UpdateFactories", "detect_entities"]

_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
_URL_RE = re.compile(r"(?<!\S)https?://[^\s<>]+", re.IGNORECASE)


def detect_entities(text: str) -> list[JSONDict]:
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


class UpdateFactories(UpdateQueue, FaultInjection):
    """Build (and by default queue) the Updates users cause.

    Membership changes can also (un)block the chat, hence the failure-injection base.
    """

    # ---------------------------------------------------------------- messages

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
        detected = detect_entities(text) if entities is None else entities
        if detected:
            message["entities"] = detected
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
            if chat.get("is_forum"):
                message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = self._reply_snapshot(chat["id"], reply_to)
        self._messages[(chat["id"], message["message_id"])] = StoredMessage(
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

    def channel_post(
        self, text: str, *, chat_id: int = -1005555555555, queue: bool = True
    ) -> JSONDict:
        """Build (and by default queue) a post an administrator made in a channel: it comes from
        the channel itself (sender_chat), with no user."""
        chat = self._chats.get(chat_id) or self.register_chat(chat_id, chat_type="channel")
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "sender_chat": dict(chat),
            "chat": dict(chat),
            "date": int(time.time()),
            "text": text,
        }
        if detected := detect_entities(text):
            message["entities"] = detected
        self._messages[(chat["id"], message["message_id"])] = StoredMessage(
            copy.deepcopy(message), text, None, False
        )
        return self._finish("channel_post", message, queue)

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
        self._messages[(chat["id"], message["message_id"])] = StoredMessage(
            message, message["text"], None, True
        )
        return message

    # ---------------------------------------------------------------- queries

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

    def chosen_inline_result(
        self,
        result_id: str,
        query: str,
        *,
        user_id: int = 1001,
        first_name: str = "Tester",
        language_code: str = "en",
        queue: bool = True,
    ) -> JSONDict:
        """Build (and by default queue) the report that a user picked an inline result; Telegram
        sends it only to bots whose inline feedback is on at @BotFather."""
        user = self._register_user(user_id, first_name, language_code=language_code)
        payload: JSONDict = {"result_id": str(result_id), "from": user, "query": query}
        return self._finish("chosen_inline_result", payload, queue)

    # ---------------------------------------------------------------- membership and any kind

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
        chat = self._chats.get(chat_key(chat_id)) or self._auto_chat(chat_key(chat_id))
        new_status = normalize_status(new_status)
        if old_status is None:
            old_status = "member" if new_status in ("kicked", "left") else "left"
        old_status = normalize_status(old_status)
        actor_id = (
            user_id if user_id is not None else (chat["id"] if chat["type"] == "private" else 1001)
        )
        payload = {
            "chat": dict(chat),
            "from": self._user(int(actor_id)),
            "date": int(time.time()),
            "old_chat_member": member_dict(self.bot_user, old_status),
            "new_chat_member": member_dict(self.bot_user, new_status),
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
            "channel_post": self.channel_post,
            "callback_query": self.callback_query,
            "inline_query": self.inline_query,
            "chosen_inline_result": self.chosen_inline_result,
            "my_chat_member": self.my_chat_member,
        }
        if kind not in factories:
            raise ValueError(f"unknown update kind {kind!r}; use one of {sorted(factories)}")
        kwargs["queue"] = False
        if kind == "my_chat_member":
            kwargs.setdefault("apply", False)
        return factories[kind](*args, **kwargs)
