"""Pacing: notifications take their turn in the send budget (chat/budget.py) after replies."""

from __future__ import annotations

from dataclasses import dataclass

from chat.budget import SendBudget
from chat.settings import Settings
from storage.rates import MemoryRates


@dataclass
class Pacer:
    """The notifications' side of the send budget: Telegram's limits shared with replies and
    every replica, NOTIFY_GLOBAL_RATE on top, and a free bot-wide slot or none."""

    budget: SendBudget

    @classmethod
    def from_settings(cls, settings: Settings) -> Pacer:
        """A budget of this process alone (a one-off delivery run, a benchmark)."""
        return cls(SendBudget.for_bot(MemoryRates(), settings))

    async def acquire(self, chat_id: int, group: bool) -> None:
        """Waits until a message to `chat_id` is allowed, and books it."""
        await self.budget.acquire(chat_id, group=group, notification=True)

    async def pause(self, seconds: float) -> None:
        """After a 429: no message of the bot leaves, on any replica, for `seconds`."""
        await self.budget.pause(seconds)
