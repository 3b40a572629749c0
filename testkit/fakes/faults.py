"""Failure injection: queued and random errors, blocked and migrated chats, flood control."""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Sequence

from .errors import ApiError, Forbidden, ServerError, TooManyRequests
from .records import ChatId, Ctx, JSONDict
from .state import ApiState, Injection, Limits, chat_key, norm_chat_id

__all__ = ["FaultInjection"]


class FaultInjection(ApiState):
    """Make the fake fail like Telegram does: on demand, at random, per chat or over limits."""

    # ---------------------------------------------------------------- injected failures

    def fail_next(
        self, method: str, error: ApiError, times: int = 1, chat_id: ChatId | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any) with ``error``."""
        self._injections.append(Injection(method, error, times, norm_chat_id(chat_id)))

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

    # ---------------------------------------------------------------- blocked and migrated chats

    def block_chat(self, chat_id: ChatId, description: str | None = None) -> None:
        """Make every send to this chat fail with 403, as after the user blocks the bot."""
        chat_id = chat_key(chat_id)
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
        self._blocked.pop(chat_key(chat_id), None)

    def migrate_chat(self, old_chat_id: ChatId, new_chat_id: int) -> None:
        """Answer every call for the old group id with the supergroup migration error."""
        old = chat_key(old_chat_id)
        self._migrations[old] = int(new_chat_id)
        old_chat = self._chats.get(old)
        title = (
            old_chat.get("title", f"Group {new_chat_id}") if old_chat else f"Group {new_chat_id}"
        )
        self.register_chat(new_chat_id, chat_type="supergroup", title=title)

    # ---------------------------------------------------------------- flood control

    def enforce_limits(
        self,
        global_per_second: int | None = 30,
        per_chat_per_second: int | None = 1,
        per_group_per_minute: int | None = 20,
        *,
        methods: Sequence[str] = ("sendMessage",),
    ) -> None:
        """Answer 429 like Telegram's flood control when sends exceed these sliding windows."""
        self._limits = Limits(
            global_per_second, per_chat_per_second, per_group_per_minute, frozenset(methods)
        )
        self._window_global.clear()
        self._window_chat.clear()
        self._window_group.clear()

    def disable_limits(self) -> None:
        """Turn flood-control enforcement off again."""
        self._limits = None

    def _check_rate_limits(self, ctx: Ctx, chat: JSONDict) -> None:
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
