"""Conversation helpers: a ``Chat`` handle so tests read like a chat transcript."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, cast

from .factories import UpdateFactories
from .inspection import Inspection
from .records import ChatId, JSONDict, Replies, SentMessage
from .state import chat_key

if TYPE_CHECKING:
    from .bot_api import FakeBotAPI

__all__ = ["Chat", "Conversations"]


class Conversations(UpdateFactories, Inspection):
    """Open conversations with the bot and type inline queries, as a user would."""

    def _as_api(self) -> FakeBotAPI:
        """This mixin only exists composed into FakeBotAPI, which is what a Chat talks to."""
        return cast("FakeBotAPI", self)

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
            self._as_api(),
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
            self._as_api(),
            int(chat_id),
            self._chats[int(chat_id)]["type"],
            user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
        )

    def forum_topic(
        self,
        chat_id: int = -1009876543210,
        thread_id: int = 2,
        *,
        title: str = "Test Forum",
        user_id: int = 1001,
        first_name: str = "Tester",
        language_code: str = "en",
    ) -> Chat:
        """Open a topic of a forum supergroup; send() writes into that thread (1 is General)."""
        self.register_chat(chat_id, chat_type="supergroup", title=title, is_forum=True)
        self._forum_topics.setdefault(chat_key(chat_id), set()).add(int(thread_id))
        self._register_user(user_id, first_name, language_code=language_code)
        return Chat(
            self._as_api(),
            int(chat_id),
            "supergroup",
            user_id,
            first_name=first_name,
            language_code=language_code,
            thread_id=int(thread_id),
        )

    def channel(
        self,
        chat_id: int = -1005555555555,
        *,
        username: str = "briefing_news",
        title: str = "Briefing News",
        bot_admin: bool = True,
    ) -> Chat:
        """A channel (the bot one of its administrators unless told otherwise); send() posts in
        it as the channel does: from no user, with the channel as sender_chat."""
        self.register_chat(chat_id, chat_type="channel", title=title, username=username)
        if bot_admin:
            self.set_member_status(chat_id, self._as_api().bot_id, "administrator")
        return Chat(self._as_api(), int(chat_id), "channel", 0, username=username)

    def delete_forum_topic(self, chat_id: int, thread_id: int) -> None:
        """An admin deletes a forum topic: messages to it fail with "message thread not found"."""
        self._forum_topics.get(chat_key(chat_id), set()).discard(int(thread_id))

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

    def choose_inline(self, query: str, result_id: str, user_id: int = 1001) -> JSONDict:
        """Pick a result the bot offered for `query` as the user's client does; the bot sends
        nothing back. ValueError when the bot never offered that result for that query."""
        offered = {
            str(result["id"])
            for call in self.calls_to("answerInlineQuery")
            if call.ok
            and (asked := self.inline_queries.get(str(call.params.get("inline_query_id"))))
            and asked["query"] == query
            and asked["from"]["id"] == user_id
            for result in call.params.get("results") or []
        }
        if result_id not in offered:
            raise ValueError(f"result {result_id!r} was not offered for {query!r}: {offered}")
        return self.chosen_inline_result(result_id, query, user_id=user_id)


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
        thread_id: int | None = None,
    ) -> None:
        """Remember who speaks in which chat (and forum topic)."""
        self.api = api
        self.thread_id = thread_id
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
        if self.type == "channel":
            return self.api.channel_post(text, chat_id=int(self.chat_id))
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
            message_thread_id=self.thread_id,
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
