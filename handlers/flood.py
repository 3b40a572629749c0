"""Per-user flood control: one polite notice when a user goes over the limit, then quiet."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from bot.texts import t
from handlers.context import ui_language


@dataclass
class FloodGate:
    """Sliding window of each user's recent questions."""

    limit: int
    window: float
    seen: dict[int, deque[float]] = field(default_factory=dict)
    warned: dict[int, float] = field(default_factory=dict)  # user -> when the window frees up

    def admit(self, user_id: int, now: float) -> tuple[bool, bool, float]:
        """(allowed, warn now, seconds to wait)."""
        times = self.seen.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self.warned.pop(user_id, None)
            return True, False, 0.0
        wait = self.window - (now - times[0])
        first_warning = user_id not in self.warned
        self.warned[user_id] = now + wait
        if len(self.seen) > 10_000:  # forget idle users so memory stays bounded
            for uid in [u for u, ts in self.seen.items() if not ts or now - ts[-1] >= self.window][
                :5000
            ]:
                self.seen.pop(uid, None)
        return False, first_warning, wait


async def flood_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler (group -1); stops the update when the user is over the limit."""
    user = update.effective_user
    if user is None:
        return
    gate: FloodGate = context.bot_data["flood"]
    allowed, warn, wait = gate.admit(user.id, time.monotonic())
    if allowed:
        return
    if warn and update.effective_message is not None:
        language = await ui_language(update, context)
        await update.effective_message.reply_text(
            t(language, "flood", seconds=max(1, round(wait)))
        )
    raise ApplicationHandlerStop


HANDLERS = [MessageHandler(filters.TEXT | filters.COMMAND, flood_check)]
