"""The running bot's side of notifications: notice a new published version, reload, deliver."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot

from chat.notifications.claims import worker_name
from chat.notifications.delivery import DeliveryReport, deliver_pending
from chat.notifications.pacing import Pacer
from chat.notifications.publishing import publish, published_version
from chat.settings import Settings
from knowledge.loader import KnowledgeBase
from storage.db import Database

logger = logging.getLogger(__name__)


@dataclass
class Notifier:
    """Runs in the bot: notices a newly published version, reloads the base, delivers the outbox.

    `reload` returns a new engine-like object (or raises); `swap` installs it. A base that fails to
    load leaves the old one serving.
    """

    db: Database
    settings: Settings
    current_version: Callable[[], str]
    reload: Callable[[], Any]
    swap: Callable[[Any], None]
    worker: str = field(default_factory=worker_name)
    seen: int | None = None  # id of the last published row acted on
    task: asyncio.Task[DeliveryReport] | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    pacer: Pacer | None = None

    async def ensure_baseline(self, base: KnowledgeBase) -> None:
        """On a fresh database, records the running base as the baseline.

        Later publishes are diffed against it.
        """
        if await published_version(self.db) is None:
            await publish(self.db, base, note="baseline recorded at bot start")

    async def refresh_knowledge(self) -> None:
        latest = await published_version(self.db)
        if latest is None or latest[0] == self.seen:
            return
        self.seen, version = latest
        if version == self.current_version():
            return
        try:
            engine = await asyncio.to_thread(self.reload)
        except Exception as exc:  # a broken base must never take the bot down
            logger.error(
                "Published version %s could not be loaded; the old base keeps serving: %s",
                version,
                type(exc).__name__,
            )
            return
        self.swap(engine)
        if self.current_version() != version:
            logger.warning(
                "Version %s was published but the knowledge directory holds %s",
                version,
                self.current_version(),
            )
        else:
            logger.info("Knowledge base reloaded: version %s", version)

    async def tick(self, bot: Bot) -> None:
        """One check: called every notify_check_seconds by the JobQueue."""
        if self.stop.is_set():
            return
        try:
            await self.refresh_knowledge()
        except Exception:  # the database may be briefly unreachable
            logger.exception("Looking for a new published version failed")
        if self.task is None or self.task.done():
            if self.pacer is None:
                self.pacer = Pacer.from_settings(self.settings)
            self.task = asyncio.create_task(
                deliver_pending(
                    self.db,
                    bot,
                    self.settings,
                    worker=self.worker,
                    pacer=self.pacer,
                    stop=self.stop,
                )
            )
            self.task.add_done_callback(_log_report)

    async def close(self, grace: float = 5.0) -> None:
        """Lets in-flight messages finish and gives unsent claims back.

        A restart then resumes at once.
        """
        self.stop.set()
        if self.task is not None and not self.task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self.task), grace)
            except (TimeoutError, Exception):  # shutting down anyway
                self.task.cancel()


def _log_report(task: asyncio.Task[DeliveryReport]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        logger.error("Delivering notifications failed: %s", type(error).__name__, exc_info=error)
        return
    report = task.result()
    if report.sent or report.failed or report.blocked or report.backed_off or report.lost_claims:
        logger.info(
            "Notifications: %d sent, %d blocked, %d migrated, %d backed off, %d failed, %d 429s,"
            " %d rows re-claimed while sending",
            report.sent,
            report.blocked,
            report.migrated,
            report.backed_off,
            report.failed,
            report.rate_limited,
            report.lost_claims,
        )
