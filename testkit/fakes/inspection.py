"""Inspection of the bot's traffic: recorded calls, sent messages and waiting for replies."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from .records import Call, ChatId, Replies, SentMessage
from .state import ApiState, norm_chat_id

__all__ = ["REPLY_METHODS", "SEND_METHODS", "SENT_MESSAGE_METHODS", "Inspection", "most_in_window"]

# Calls that count as the bot answering in a chat (Chat.send() and Chat.press() wait for one).
REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
# Calls whose result is a message the user sees (sent_messages() lists them).
SENT_MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText"})
# Calls that count against Telegram's messages-per-second limit of a bot (send_times() lists them).
SEND_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


def most_in_window(times: Sequence[float], window: float = 1.0) -> int:
    """The largest number of `times` inside any sliding window of `window` seconds."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


class Inspection(ApiState):
    """Let tests look at, and wait for, what the bot did over HTTP."""

    def calls_to(self, method: str, chat_id: ChatId | None = None) -> list[Call]:
        """List recorded calls of one method (optionally for one chat)."""
        chat_id = norm_chat_id(chat_id)
        return [
            c
            for c in self.calls
            if c.method.lower() == method.lower() and (chat_id is None or c.chat_id == chat_id)
        ]

    def sent_messages(self, chat_id: ChatId | None = None) -> list[SentMessage]:
        """List successful sendMessage/editMessageText results in order."""
        chat_id = norm_chat_id(chat_id)
        return [
            c.sent
            for c in self.calls
            if c.ok
            and c.sent is not None
            and c.method in SENT_MESSAGE_METHODS
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def send_times(self, since: float = 0.0) -> list[float]:
        """Arrival times (time.monotonic) of every message sent or edited since `since`, answered
        200 or not: what counts against the bot's rate limit."""
        return [c.time for c in self.calls if c.method in SEND_METHODS and c.time >= since]

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
        chat_id = norm_chat_id(chat_id)
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
                    f"recent calls: {_summary(self.calls[since:])}"
                )
            await self._calls_event.wait(remaining)

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
                        f"calls for this chat: {_summary(relevant)}"
                    )
                wait = deadline - now
            await self._calls_event.wait(wait)
        sent = [c.sent for c in relevant if c.ok and c.sent is not None and c.chat_id == chat_id]
        answer = self.callback_answers.get(query_id) if query_id else None
        return Replies(sent, relevant, answer)


def _summary(calls: Sequence[Call], limit: int = 12) -> str:
    """Render recent non-polling calls compactly for timeout messages."""
    relevant = [c for c in calls if c.method != "getUpdates"][-limit:]
    return (
        ", ".join(
            f"{c.method}[{c.status}{': ' + str(c.error) if c.error else ''}]" for c in relevant
        )
        or "none"
    )
