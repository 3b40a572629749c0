"""Pacing: Telegram's limits for one sender, so a broadcast never draws a 429 of its own making."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque

from chat.settings import Settings


class Pacer:
    """Telegram's limits for one sender.

    A global rate, one message a second per chat, N a minute per group.

    PTB's AIORateLimiter paces groups and the global rate but not private chats; this adds the
    rest. Slots are handed out strictly spaced, so the rate never bursts above the configured one.
    """

    GROUP_WINDOW = 60.0
    MARGIN = 0.25  # seconds of slack on the group window, for clock and network jitter

    def __init__(self, rate: float, chat_interval: float, group_per_minute: int) -> None:
        self.interval = 1.0 / rate
        self.chat_interval = chat_interval
        self.group_per_minute = group_per_minute
        self.next_free = 0.0
        self.per_second = max(1, math.floor(rate))
        self.sent: deque[float] = deque()  # when the sends of the last second went out
        self.chat_next: dict[int, float] = {}
        self.group_sends: dict[int, deque[float]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Pacer:
        return cls(
            settings.notify_global_rate,
            settings.notify_chat_interval_seconds,
            settings.notify_group_per_minute,
        )

    def _chat_ready_at(self, chat_id: int, group: bool, now: float) -> float:
        ready = self.chat_next.get(chat_id, 0.0)
        if group:
            window = self.group_sends.setdefault(chat_id, deque())
            while window and window[0] <= now - self.GROUP_WINDOW - self.MARGIN:
                window.popleft()
            if len(window) >= self.group_per_minute:
                ready = max(
                    ready, window[-self.group_per_minute] + self.GROUP_WINDOW + self.MARGIN
                )
        return ready

    async def acquire(self, chat_id: int, group: bool) -> None:
        """Waits until a message to `chat_id` is allowed, and books it."""
        while True:
            now = time.monotonic()
            ready = self._chat_ready_at(chat_id, group, now)
            if ready <= now:
                break
            await asyncio.sleep(ready - now)
        slot = max(now, self.next_free)
        self.next_free = slot + self.interval
        self.chat_next[chat_id] = slot + self.chat_interval
        if group:
            self.group_sends[chat_id].append(slot)
        if len(self.chat_next) > 20_000:  # forget chats whose interval has passed
            self.chat_next = {c: at for c, at in self.chat_next.items() if at > now}
        if slot > now:
            await asyncio.sleep(slot - now)
        # Slots are spaced, but tasks that wake late (a busy event loop) could still leave
        # together: the sends of the last second, counted as they really go out, never exceed the
        # rate.
        while True:
            now = time.monotonic()
            while self.sent and self.sent[0] <= now - 1.0:
                self.sent.popleft()
            if len(self.sent) < self.per_second:
                break
            await asyncio.sleep(self.sent[0] + 1.0 - now)
        self.sent.append(now)

    def pause(self, seconds: float) -> None:
        """After a 429: nobody sends before `seconds` from now (as AIORateLimiter does)."""
        self.next_free = max(self.next_free, time.monotonic() + seconds)
