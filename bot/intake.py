"""Durable webhook intake: an update is stored before Telegram gets its 200, then processed by
PTB's own `Application.process_update`, by this replica at once or by another if this one dies.

PTB's `run_webhook` answers 200 before processing and keeps updates in memory, so a replica
killed under load lost the updates it had accepted (104 of 2,990 in the issue's test). Here:

- the POST handler (tornado, as PTB's webhook server; same path and secret-token check) stores
  the update in the inbox (storage/inbox.py) and answers 200 only once it is committed; an
  update_id already there is answered 200 and not stored twice;
- the receiving replica claims and processes it at once; when done, the same task claims the
  chat's next update, so one chat's updates run in order and different chats in parallel;
- every `intake_poll_seconds` the worker renews the claims it is processing (its heartbeat) and
  claims updates nobody live holds: left waiting behind an older update of their chat, or
  claimed by a replica that stopped renewing for `intake_claim_seconds`;
- processed rows are marked done and pruned after a day.

A replica that dies after sending a reply but before marking the update done has it processed
again by another: at least once, never lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import signal
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import ExtBot

from bot.health import age_seconds
from chat.metrics import Metrics
from chat.notifications.claims import worker_name
from chat.settings import Settings
from storage.db import Database
from storage.inbox import Claimed, Inbox

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)

# Updates one poll claims at most; the rest wait for the next poll (about a second).
POLL_BATCH = 100
# Telegram re-delivers an unacknowledged update for about a day; done rows are kept that long.
KEEP_DONE = dt.timedelta(days=1)
PRUNE_EVERY_SECONDS = 600.0
# How long a clean stop waits for updates being processed before handing them back.
STOP_GRACE_SECONDS = 10.0


def chat_key(update: Update) -> int | None:
    """What orders updates: their chat, else their user (inline queries); None: no order."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class Intake:
    """The webhook server and the inbox worker of one replica."""

    def __init__(
        self,
        app: App,
        database: Database,
        settings: Settings,
        metrics: Metrics,
    ) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.inbox = Inbox(database, worker_name(), settings.intake_claim_seconds)
        self.database = database
        self.secret = (
            settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        )
        self.server: tornado.httpserver.HTTPServer | None = None
        self.worker: asyncio.Task[None] | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.processing: set[int] = set()  # update_ids whose claims this replica renews
        self.closing = False

    @property
    def webhook_url(self) -> str:
        if not self.settings.webhook_url:
            raise ValueError("webhook mode needs WEBHOOK_URL (the public HTTPS address)")
        return f"{self.settings.webhook_url.rstrip('/')}/{self.settings.webhook_path}"

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listens, starts the worker, and sets the webhook unless it is set already."""
        routes = [
            (f"/{self.settings.webhook_path}", WebhookHandler, {"intake": self}),
        ]
        web = tornado.web.Application(routes)  # type: ignore[arg-type]  # tornado's rule type is too narrow for kwargs dicts
        self.server = web.listen(self.settings.webhook_port, address=self.settings.webhook_listen)
        self.worker = asyncio.create_task(self.poll(), name="intake-worker")
        await self.set_webhook()
        logger.info(
            "Webhook intake on %s:%s/%s (replica %s)",
            self.settings.webhook_listen,
            self.settings.webhook_port,
            self.settings.webhook_path,
            self.inbox.replica,
        )

    async def set_webhook(self) -> None:
        """setWebhook once for all replicas: under the start-up lock, only when Telegram has
        another URL (replicas starting together otherwise each reset it)."""
        bot = self.app.bot
        async with self.database.startup_lock():
            info = await bot.get_webhook_info()
            if info.url == self.webhook_url:
                return
            await bot.set_webhook(
                url=self.webhook_url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
            )

    async def stop(self) -> None:
        """Stops accepting, lets updates in progress finish, hands back what is left."""
        self.closing = True
        if self.server is not None:
            self.server.stop()
            await self.server.close_all_connections()
            self.server = None
        if self.worker is not None:
            self.worker.cancel()
            await asyncio.gather(self.worker, return_exceptions=True)
            self.worker = None
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=STOP_GRACE_SECONDS)
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
        try:
            await self.inbox.release()
        except Exception as exc:  # the database is gone: the claims go stale and are taken over
            logger.warning("Could not hand back inbox claims: %s", type(exc).__name__)

    def problem(self) -> str | None:
        """Why this replica cannot take updates in, or None."""
        if self.server is None:
            return "webhook server not listening"
        if self.worker is None or self.worker.done():
            return "inbox worker stopped"
        return None

    # --- receiving -------------------------------------------------------------------------------

    async def receive(self, data: dict[str, Any]) -> bool:
        """Stores one update (raises when it cannot); False when it was a re-delivery."""
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # PTB's handler answers such a body 400 too
            raise ValueError("not an update") from exc
        stored = await self.inbox.add(
            update.update_id, chat_key(update), json.dumps(data, ensure_ascii=False)
        )
        if stored:
            self.spawn(self.run_chat(update_id=update.update_id))
        return stored

    def spawn(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- processing ------------------------------------------------------------------------------

    async def run_chat(
        self, *, update_id: int | None = None, first: Claimed | None = None
    ) -> None:
        """Processes an update, then the next ones of its chat, until none is free."""
        try:
            if first is None:
                claimed = await self.inbox.claim(update_id=update_id)
                if not claimed:  # an older update of the chat runs first; it will chain here
                    return
                first = claimed[0]
            current: Claimed | None = first
            while current is not None:
                await self.process(current)
                if current.chat_key is None:
                    return
                following = await self.inbox.claim(chat_key=current.chat_key)
                current = following[0] if following else None
        except Exception:
            # The database failed: what is claimed goes stale and is taken over by a poll.
            logger.exception("Inbox processing stopped")

    async def process(self, claimed: Claimed) -> None:
        """One update through PTB (its concurrency limit included), then marked done."""
        self.processing.add(claimed.update_id)
        try:
            while not self.app.running:  # post_init starts the intake just before app.start()
                if self.closing:  # the claim is handed back by stop()
                    return
                await asyncio.sleep(0.05)
            bot = self.app.bot
            update = Update.de_json(json.loads(claimed.payload), bot)
            if isinstance(bot, ExtBot):
                bot.insert_callback_data(update)  # what PTB's own webhook handler does
            # Handler errors go to the error handler inside process_update; anything raised
            # here is ours, and an update that always raised would otherwise loop forever.
            try:
                await self.app.update_processor.process_update(
                    update, self.app.process_update(update)
                )
            except Exception:
                logger.exception("Update %s could not be processed", claimed.update_id)
            await self.inbox.done(claimed.update_id)
        finally:
            self.processing.discard(claimed.update_id)

    async def poll(self) -> None:
        """The heartbeat and the safety net: renew, pick up orphans, prune."""
        pruned_at = 0.0
        while True:
            await asyncio.sleep(self.settings.intake_poll_seconds)
            try:
                await self.inbox.renew(set(self.processing))
                for claimed in await self.inbox.claim(limit=POLL_BATCH):
                    self.spawn(self.run_chat(first=claimed))
                if time.monotonic() - pruned_at > PRUNE_EVERY_SECONDS:
                    pruned_at = time.monotonic()
                    await self.inbox.prune(KEEP_DONE)
            except Exception as exc:  # the database is away; keep trying, /healthz reports it
                logger.warning("Inbox poll failed: %s", type(exc).__name__)

    async def refresh_gauges(self) -> None:
        """The inbox backlog gauges, at scrape time."""
        count, oldest = await self.inbox.backlog()
        self.metrics.inbox_pending.set(count)
        self.metrics.inbox_oldest_seconds.set(age_seconds(oldest))


class WebhookHandler(tornado.web.RequestHandler):
    """POST /{WEBHOOK_PATH}: PTB's checks (JSON, secret token), then stored before the 200."""

    def initialize(self, intake: Intake) -> None:
        self.intake = intake

    async def post(self) -> None:
        metrics = self.intake.metrics
        if self.request.headers.get("Content-Type") != "application/json":
            metrics.webhook_updates.labels("rejected").inc()
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        secret = self.intake.secret
        if secret is not None and self.request.headers.get("X-Telegram-Bot-Api-Secret-Token") != (
            secret
        ):
            metrics.webhook_updates.labels("rejected").inc()
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN, reason="Wrong or no secret token")
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            # A database failure raises here: 500, and Telegram delivers the update again.
            stored = await self.intake.receive(data)
        except ValueError as exc:
            metrics.webhook_updates.labels("rejected").inc()
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST, reason="Not an update") from exc
        metrics.webhook_updates.labels("accepted" if stored else "duplicate").inc()
        self.set_status(HTTPStatus.OK)


async def serve(app: App) -> None:
    """Runs an Application built for webhook mode until SIGINT or SIGTERM: PTB's lifecycle
    (initialize, post_init, start, stop, post_shutdown, shutdown) without PTB's updater, whose
    webhook server would answer before storing."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await stopping.wait()
    finally:
        if app.running:
            await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()
