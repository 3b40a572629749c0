"""The send budget of one bot token: Telegram's limits, shared by replies, notifications and
every replica.

Every message books a slot on each limit it falls under (storage/rates.py): the whole bot
(SEND_RATE_PER_SECOND), the chat (one a second), the group (20 a minute) and, for notifications,
NOTIFY_GLOBAL_RATE. A reply books the bot-wide slot first and waits its turn however long the
queue; a notification books its own slot first and takes a bot-wide one only if that is free
within STEP_SLACK of it, so replies never queue behind a broadcast.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from chat.settings import Settings
from storage.rates import PEEK, Limit, Rates

logger = logging.getLogger(__name__)

# A send leaves between its slots and TOLERANCE after the earliest of them: later, and it books
# again. Every limit is booked with that much margin (see spaced and windowed), so the sends seen
# by Telegram keep the limit in any window even when they leave late. 15 ms covers STEP_SLACK, a
# booking's round trip (0.3 ms to PostgreSQL or Redis on localhost) and the event loop waking late
# (no send woke later in `bench.broadcast`, also with the test suite running beside it), and
# costs 1.5% of the rate: the 300-chat broadcast at 25/s reached 96% of it (95% at 25 ms).
TOLERANCE = 0.015
# Slots are booked this far ahead, so a send's later bookings are made before its first slot.
LEAD = 0.010
# A send books its later limits this long before its first slot, with no lead of their own: at
# the first slot when free. Booked LEAD before it with LEAD's lead, a wake-up a few ms late (the
# machine loaded) put the send's bot-wide slot as late, which made the send late and refused the
# next send's. 600 chats at 25/s beside 2 CPU-bound processes (load 8.2-8.6): 57-61% of the rate,
# 195-227 late and 125-156 refused, then with no lead 79-80%, 47-52 late and 44-63 refused;
# beside 4 (load 7-7.4), 10 ms ahead: 65-77%, 43-100 refused, 40 ms ahead: 75-77%, 3-17 refused.
# A reply may wait that much more behind a notification's bot-wide slot.
STEP_AHEAD = 0.040
# A send's later limits (chat, group; the bot-wide one for a notification) must be free within
# this of its first slot, or it books again when they are.
STEP_SLACK = 0.005
GROUP_WINDOW = 60.0  # Telegram counts group messages per minute
# What Telegram counts is when a request arrives, and requests leaving on their slots arrive
# spread by the network and the sender's load. The bot-wide limit, the one with no slack in it,
# keeps 5% of a second more: with TOLERANCE alone, 3 replicas on one loaded machine put 31 sends
# into one second at the (fake) Bot API (bench.replicas rate); 30/s becomes 28.2/s.
ARRIVAL_SPREAD = 0.05


def spaced(rate: float, spread: float = 0.0) -> Limit:
    """`rate` a second as one slot every (1 + TOLERANCE + spread) / rate seconds.

    A send leaving up to TOLERANCE after its slot (and arriving up to `spread` later than the
    others), any 1-second window holds the sends of at most 1 + TOLERANCE + spread seconds of
    slots: `rate` of them. A rate of 0 is no limit (holds still apply).
    """
    return Limit(1, (1 + TOLERANCE + spread) / rate if rate > 0 else 0.0)


def windowed(count: float, seconds: float) -> Limit:
    """`count` in any `seconds`, with the margin for late sends."""
    return Limit(max(1, int(count)), seconds + TOLERANCE)


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@dataclass
class SendBudget:
    """The limits of one bot token, booked in a shared store."""

    rates: Rates
    prefix: str  # "bot<id>:", so bots sharing a store keep apart
    overall: Limit
    chat: Limit
    group: Limit
    notify: Limit
    notify_chat: Limit
    notify_overall: bool = True  # False when notifications are paid broadcasts (own limit)
    late: int = 0  # sends booked again because they woke up too late
    refused: int = 0  # bookings refused because a later limit was not free in time

    @classmethod
    def for_bot(cls, rates: Rates, settings: Settings) -> SendBudget:
        bot_id = settings.token().split(":", 1)[0]  # the public half of the token
        rate = settings.send_rate_per_second
        notify_rate = settings.notify_global_rate
        paid = settings.notify_allow_paid_broadcast
        if rate > 0 and not paid:
            # Faster notifications could only be refused by the bot-wide limit, again and again.
            notify_rate = min(notify_rate, rate)
        per_group = min(settings.group_messages_per_minute, settings.notify_group_per_minute)
        return cls(
            rates=rates,
            prefix=f"bot{bot_id}:",
            overall=spaced(rate, ARRIVAL_SPREAD),
            chat=windowed(1, settings.send_chat_interval_seconds),
            group=windowed(per_group, GROUP_WINDOW),
            notify=spaced(notify_rate),
            notify_chat=windowed(
                1,
                max(settings.send_chat_interval_seconds, settings.notify_chat_interval_seconds),
            ),
            notify_overall=not paid,
        )

    async def acquire(
        self,
        chat_id: int | str,
        *,
        group: bool,
        notification: bool = False,
        new_message: bool = True,
    ) -> None:
        """Waits until a message to `chat_id` may leave, having booked it on every limit.

        `new_message` False (an edit, a chat action) skips the one-a-second spacing of the chat,
        which Telegram applies to messages sent: a button tap's edit follows the answer at once.
        """
        steps: list[tuple[str, Limit]] = []
        if notification:
            steps.append(("notify", self.notify))
        if self.notify_overall or not notification:
            steps.append(("overall", self.overall))
        if new_message:
            steps.append((f"chat:{chat_id}", self.notify_chat if notification else self.chat))
        if group:
            steps.append((f"group:{chat_id}", self.group))
        await self._book([(self.prefix + key, limit) for key, limit in steps])

    async def pause(self, seconds: float) -> None:
        """After a 429: no message of this bot leaves, on any replica, for `seconds`."""
        await self.rates.hold(self.prefix + "overall", seconds)
        await self.rates.hold(self.prefix + "notify", seconds)

    async def _book(self, steps: list[tuple[str, Limit]]) -> None:
        clock = time.monotonic
        (first_key, first_limit), later = steps[0], steps[1:]
        # The slots this send booked and has not used, by key. Booking again, it moves them
        # (storage/rates.py): a slot still among its key's latest moves later and the limit
        # holds in every window, so a late wake-up or a refusal spends no second slot of a
        # chat's second or a group's minute; one that others booked after is left unused. Booked
        # again whole, each late wake-up on a loaded machine spent one of a group's 20 slots a
        # minute, until the group's next message waited the minute out (test_delivery's forum
        # test failed 4 of 8 runs beside test_bot at load 4-5), and waited a chat's second.
        unused: dict[str, float] = {}
        while True:
            # A later limit that is not free yet (the chat still busy with its last message, the
            # bot-wide queue long for a notification) would refuse a slot already booked on the
            # first one and waste it: wait until they are free before booking anything.
            free = await asyncio.gather(
                *(
                    self.rates.take(key, limit, lead=LEAD, max_delay=PEEK, replace=unused.get(key))
                    for key, limit in later
                )
            )
            await asyncio.sleep(max((b.wait - LEAD for b in free), default=0.0))
            started = clock()
            first = await self.rates.take(
                first_key, first_limit, lead=LEAD, replace=unused.get(first_key)
            )
            unused[first_key] = first.at
            # The store read its clock between `started` and now: on ours, the first slot lies
            # at least at `earliest` and at most at `due`.
            earliest = started + first.wait
            due = clock() + first.wait
            refusal = None
            for key, limit in later:
                await _sleep_until(earliest - STEP_AHEAD)
                booking = await self.rates.take(
                    key,
                    limit,
                    after=first.at,
                    lead=0.0,
                    max_delay=STEP_SLACK,
                    replace=unused.get(key),
                )
                if not booking.granted:  # nothing booked, nothing moved
                    refusal = booking
                    break
                unused[key] = booking.at
                due = max(due, clock() + booking.wait)
            if refusal is not None:  # another send took it in the meantime
                self.refused += 1
                await asyncio.sleep(refusal.wait)
                continue
            await _sleep_until(due)
            if clock() - earliest <= TOLERANCE:
                return
            self.late += 1  # slots it could not move stay unused: safe, a little throughput lost
            logger.debug("A send woke %.0f ms late: booking again", 1000 * (clock() - earliest))


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


def is_group(chat_id: int | str) -> bool:
    """Negative ids and @channel names are groups and channels; positive ids private chats."""
    if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit():
        return True
    return int(chat_id) < 0


# Requests to a chat that put no new message in it: bot-wide and group limits only.
NOT_NEW_MESSAGES = frozenset(
    {
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "deleteMessage",
        "sendChatAction",
    }
)


# Requests that read about a chat (an admin check, a channel looked up by @name): no message, so
# they book nothing; booked, each held the reply behind it a per-chat interval (1 s).
READS = frozenset({"getChat", "getChatMember", "getChatAdministrators", "getChatMemberCount"})


class BudgetRateLimiter(BaseRateLimiter[int]):
    """PTB's rate limiter hook for replies: every request to a chat books the send budget, and a
    429 pauses the whole budget (every replica) before the request is tried again."""

    def __init__(self, budget: SendBudget, max_retries: int = 3) -> None:
        self.budget = budget
        self.max_retries = max_retries

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if chat_id is None or endpoint in READS:  # no message to a chat: no slot booked
            return await callback(*args, **kwargs)
        group = is_group(chat_id)
        new_message = endpoint not in NOT_NEW_MESSAGES
        for _retry in range(rate_limit_args or self.max_retries):
            await self.budget.acquire(chat_id, group=group, new_message=new_message)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                logger.info("429 on %s: every send of the bot waits %.1f s", endpoint, seconds)
                await self.budget.pause(seconds)
        await self.budget.acquire(chat_id, group=group, new_message=new_message)
        return await callback(*args, **kwargs)
