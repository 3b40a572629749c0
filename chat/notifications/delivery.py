"""Delivery of claimed notifications.

Each claimed chat is sent its message, paced, and every answer Telegram may give is handled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from chat.notifications.claims import Claimed, Claims, worker_name
from chat.notifications.message import render_notification
from chat.notifications.pacing import Pacer
from chat.settings import Settings
from storage.db import Database, forget_chat, forget_thread, move_chat

logger = logging.getLogger(__name__)

MAX_MIGRATIONS = 4  # a chat migrating this many times in one send gives up for now
THREAD_GONE = "message thread not found"  # Telegram's 400 for a deleted forum topic


@dataclass
class DeliveryReport:
    """Counts of one deliver_pending run."""

    sent: int = 0  # messages (a digest of several rows is one message)
    rows_sent: int = 0
    rate_limited: int = 0  # 429s received
    blocked: int = 0
    migrated: int = 0
    failed: int = 0
    backed_off: int = 0
    lost_claims: int = 0  # rows another worker re-claimed before we marked them: maybe doubled

    def __iadd__(self, other: DeliveryReport) -> DeliveryReport:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


def _seconds(value: int | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@dataclass
class Delivery:
    """One worker delivering the outbox; `deliver_pending` is the way in."""

    bot: Bot
    claims: Claims
    settings: Settings
    pacer: Pacer
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def _mark_sent(self, item: Claimed, report: DeliveryReport) -> None:
        marked = await self.claims.mark_sent(item)
        report.sent += 1
        report.rows_sent += marked
        if marked < len(item.ids):
            report.lost_claims += len(item.ids) - marked
            logger.warning("Outbox rows of chat %s were re-claimed while being sent", item.chat_id)

    async def _release(
        self, item: Claimed, error: str, *, limit: int | None, report: DeliveryReport
    ) -> None:
        attempts = await self.claims.release(item, error, limit=limit, count=True)
        if limit is not None and attempts >= limit:
            report.failed += 1
            logger.warning(
                "Notification to chat %s failed after %d attempts: %s",
                item.chat_id,
                attempts,
                error,
            )
        else:
            report.backed_off += 1

    async def _send(self, item: Claimed, report: DeliveryReport) -> None:
        """Sends one chat its message, handling every answer Telegram may give.

        A 429 is neither an attempt nor a migration, and never a reason to give up: the message
        waits out retry_after (the claim is renewed meanwhile) and goes again.
        """
        link_bot = self.bot.username if item.channel else None
        text, keyboard = render_notification(item.language, item.entries, item.digest, link_bot)
        target = item.chat_id
        migrations = 0
        while migrations < MAX_MIGRATIONS:
            if self.stop.is_set():
                await self.claims.release(item, None, limit=None, count=False)
                return
            await self.pacer.acquire(target, item.group or target < 0)
            try:
                await self.bot.send_message(
                    target,
                    text,
                    message_thread_id=item.thread_id or None,
                    disable_notification=item.silent or None,
                    reply_markup=keyboard,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    allow_paid_broadcast=True
                    if self.settings.notify_allow_paid_broadcast
                    else None,
                )
            except RetryAfter as exc:
                report.rate_limited += 1
                wait = _seconds(exc.retry_after)
                logger.info("429 from Telegram: pausing notifications for %.1f s", wait)
                await self.pacer.pause(wait)
                await self.claims.note(item, f"{type(exc).__name__}: {exc.message}")
                continue
            except Forbidden as exc:
                async with self.claims.write() as session:
                    await forget_chat(session, target, f"forbidden: {exc.message}")
                report.blocked += 1
                logger.info(
                    "Chat %s blocked or removed the bot: its subscriptions are dropped", target
                )
                return
            except ChatMigrated as exc:
                new_id = int(exc.new_chat_id)
                async with self.claims.write() as session:
                    await move_chat(session, target, new_id)
                report.migrated += 1
                logger.info("Chat %s migrated to %s: notifications follow it", target, new_id)
                target = new_id
                migrations += 1
                continue
            except BadRequest as exc:
                if item.thread_id and THREAD_GONE in exc.message.lower():
                    async with self.claims.write() as session:
                        await forget_thread(session, target, item.thread_id, exc.message)
                    report.blocked += 1
                    logger.info(
                        "Forum topic %s of chat %s is gone: its subscriptions are dropped",
                        item.thread_id,
                        target,
                    )
                    return
                await self._release(
                    item,
                    f"bad request: {exc.message}",
                    limit=self.settings.notify_bad_request_attempts,
                    report=report,
                )
                return
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                await self._release(
                    item,
                    f"network: {type(exc).__name__}: {exc.message}",
                    limit=self.settings.notify_max_attempts,
                    report=report,
                )
                return
            except TelegramError as exc:
                await self._release(
                    item,
                    f"{type(exc).__name__}: {exc.message}",
                    limit=self.settings.notify_bad_request_attempts,
                    report=report,
                )
                return
            else:
                await self._mark_sent(item, report)
                return
        await self._release(
            item,
            f"chat {item.chat_id} migrated {migrations} times in one send, last to {target}",
            limit=self.settings.notify_bad_request_attempts,
            report=report,
        )

    async def run(self) -> DeliveryReport:
        """Delivers every due row, batch by batch, until none is left or `stop` is set."""
        report = DeliveryReport()
        limit = asyncio.Semaphore(self.settings.notify_concurrency)

        async def one(item: Claimed) -> None:
            async with limit:
                try:
                    await self._send(item, report)
                except Exception as exc:  # one chat's surprise must not stop the broadcast
                    logger.exception("Delivering to chat %s failed unexpectedly", item.chat_id)
                    try:
                        await self._release(
                            item,
                            f"unexpected: {type(exc).__name__}: {exc}",
                            limit=self.settings.notify_max_attempts,
                            report=report,
                        )
                    except Exception:  # the claim then simply goes stale
                        logger.exception(
                            "Could not release the outbox rows of chat %s", item.chat_id
                        )

        while not self.stop.is_set():
            async with self.claims.holding() as items:
                if not items:
                    break
                await asyncio.gather(*(one(item) for item in items))
        return report


async def deliver_pending(
    db: Database,
    bot: Bot,
    settings: Settings,
    *,
    worker: str | None = None,
    pacer: Pacer | None = None,
    stop: asyncio.Event | None = None,
    served: Callable[[], int | None] | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> DeliveryReport:
    """Sends every due notification once, paced; returns what happened.

    `served` gives the published version being served (see Claims.served); `clock` what time it
    is (real time by default), which decides the daily digests that are due.
    """
    claims = Claims(db, settings, worker=worker or worker_name(), served=served)
    if clock is not None:
        claims.clock = clock
    delivery = Delivery(
        bot,
        claims,
        settings,
        pacer=pacer or Pacer.from_settings(settings),
        stop=stop or asyncio.Event(),
    )
    return await delivery.run()
