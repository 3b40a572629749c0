"""The running bot's side of notifications: notice a new published version, load it from the
database, deliver only what the served version announces."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Bot

from chat.notifications.claims import replica_timeout, worker_name
from chat.notifications.delivery import DeliveryReport, deliver_pending
from chat.notifications.pacing import Pacer
from chat.notifications.publishing import publish, published_version
from chat.settings import Settings
from knowledge.answer import Engine
from knowledge.loader import Files, KnowledgeBase
from storage.bundles import bundle_of, unpack
from storage.db import Database, utcnow
from storage.replicas import beat, leave

logger = logging.getLogger(__name__)


@dataclass
class Notifier:
    """Runs in the bot: notices a newly published version, loads its bundle from the database,
    records the version it serves (its heartbeat), and delivers the outbox rows of versions every
    live replica serves.

    `reload` builds an engine from a bundle's files (or raises); `swap` installs it. A bundle that
    fails to load leaves the old base serving, and the rows of its version wait.
    """

    db: Database
    settings: Settings
    current_version: Callable[[], str]
    reload: Callable[[Files], Engine]
    swap: Callable[[Engine], None]
    worker: str = field(default_factory=worker_name)
    seen: int | None = None  # id of the last published row acted on
    served: int | None = None  # id of the published row being served; None: nothing published
    task: asyncio.Task[DeliveryReport] | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    pacer: Pacer | None = None
    clock: Callable[[], dt.datetime] = utcnow  # decides which daily digests are due

    async def ensure_baseline(self, base: KnowledgeBase) -> None:
        """On a fresh database, records the running base as the baseline.

        Later publishes are diffed against it.
        """
        if await published_version(self.db) is None:
            await publish(self.db, base, note="baseline recorded at bot start")

    async def refresh_knowledge(self) -> None:
        """Serves the latest published version, loaded from its bundle in the database (never
        from the local knowledge directory)."""
        latest = await published_version(self.db)
        if latest is None or latest[0] == self.seen:
            return
        self.seen, version = latest  # a bundle that fails is not retried every check
        if version == self.current_version():
            self.served = latest[0]
            return
        stored = await bundle_of(self.db, latest[0])
        if stored is None:
            logger.error(
                "Version %s was published without its files (by an older release); the old base"
                " keeps serving until it is published again",
                version,
            )
            return
        content, format_ = stored
        try:
            engine = await asyncio.to_thread(lambda: self.reload(unpack(content, format_)))
        except Exception as exc:  # a broken bundle must never take the bot down
            logger.error(
                "Published version %s could not be loaded; the old base keeps serving: %s: %s",
                version,
                type(exc).__name__,
                exc,
            )
            return
        loaded = engine.version
        if loaded != version:
            logger.error(
                "The bundle of version %s holds version %s; the old base keeps serving",
                version,
                loaded,
            )
            return
        self.swap(engine)
        self.served = latest[0]
        logger.info("Knowledge base reloaded from the database: version %s", version)

    async def tick(self, bot: Bot) -> None:
        """One check: called every notify_check_seconds by the JobQueue."""
        if self.stop.is_set():
            return
        try:
            await self.refresh_knowledge()
            # The heartbeat says what this replica now serves: the other replicas' notifications
            # of a version wait for it.
            await beat(self.db, self.worker, self.served, replica_timeout(self.settings))
        except Exception:  # the database may be briefly unreachable
            logger.exception("Looking for a new published version (or recording ours) failed")
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
                    served=lambda: self.served,
                    clock=self.clock,
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
        try:
            await leave(self.db, self.worker)
        except Exception as exc:  # our row goes stale and is pruned
            logger.warning("Could not remove this replica's heartbeat: %s", type(exc).__name__)


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
