"""Operability: /healthz and /metrics on their own small server, Bot API timing, update counting.

The server runs on tornado (installed by python-telegram-bot[webhooks]) inside the bot's event
loop, in polling and webhook mode alike. Gauges are computed when /metrics is scraped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
import time
from collections.abc import Awaitable, Callable, Coroutine
from functools import cache
from http import HTTPStatus
from typing import Any

import certifi
import tornado.httpserver
import tornado.web
from sqlalchemy import func, select
from telegram import Update
from telegram.request import HTTPXRequest

from chat.metrics import Metrics
from chat.settings import Settings
from handlers.context import Context
from storage.db import Database, Outbox, OutboxState, utcnow

logger = logging.getLogger(__name__)

# /healthz answers 503 when the database does not answer SELECT 1 within this long.
DATABASE_TIMEOUT_SECONDS = 2.0


@cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every HTTP client of the process, as httpx builds it by default:
    building one reads the CA bundle, 40 ms of CPU each (four per bot: 6.6 s of CPU in 168
    contexts over two test files, measured with cProfile)."""
    return ssl.create_default_context(cafile=certifi.where())


def plain_request(connection_pool_size: int = 1) -> HTTPXRequest:
    """PTB's request, on the shared TLS context (for getUpdates)."""
    return HTTPXRequest(connection_pool_size, httpx_kwargs={"verify": tls_context()})


class TimedRequest(HTTPXRequest):
    """HTTPXRequest that records each Bot API call's latency and every 429 answer."""

    def __init__(self, metrics: Metrics, connection_pool_size: int) -> None:
        super().__init__(
            connection_pool_size=connection_pool_size, httpx_kwargs={"verify": tls_context()}
        )
        self.metrics = metrics

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        bot_method = url.rsplit("/", 1)[-1]
        started = time.perf_counter()
        try:
            code, payload = await super().do_request(url, method, *args, **kwargs)
        finally:
            if bot_method != "getUpdates":
                self.metrics.api_seconds.labels(bot_method).observe(time.perf_counter() - started)
        if code == HTTPStatus.TOO_MANY_REQUESTS:
            self.metrics.api_429.inc()
        return code, payload


def update_counter(metrics: Metrics) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A callback for a TypeHandler in the first group: counts every update, stops none."""

    async def count(update: Update, context: Context) -> None:
        metrics.updates.inc()

    return count


def age_seconds(since: dt.datetime | None) -> float:
    """Seconds since a stored time (SQLite gives them back naive, in UTC); 0 when None."""
    if since is None:
        return 0.0
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return max(0.0, (utcnow() - since).total_seconds())


class HealthServer:
    """Serves /healthz and /metrics on HEALTH_LISTEN:HEALTH_PORT (not at all when the port is 0).

    `intake_problem` says why updates cannot come in (None when they can); `knowledge_version`
    is the version being served; `inbox_backlog`, when set (webhook mode), the inbox's backlog.
    """

    def __init__(
        self,
        settings: Settings,
        database: Database,
        metrics: Metrics,
        intake_problem: Callable[[], str | None],
        knowledge_version: Callable[[], str],
    ) -> None:
        self.settings = settings
        self.database = database
        self.metrics = metrics
        self.intake_problem = intake_problem
        self.knowledge_version = knowledge_version
        self.inbox_backlog: Callable[[], Awaitable[None]] | None = None
        self.server: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> None:
        if not self.settings.health_port:
            return
        routes = [
            (r"/healthz", HealthzHandler, {"health": self}),
            (r"/metrics", MetricsHandler, {"health": self}),
        ]
        app = tornado.web.Application(routes)  # type: ignore[arg-type]  # tornado's rule type is too narrow for kwargs dicts
        self.server = app.listen(
            self.settings.health_port, address=self.settings.health_listen, xheaders=False
        )
        logger.info(
            "Health and metrics on http://%s:%s/healthz and /metrics",
            self.settings.health_listen,
            self.settings.health_port,
        )

    async def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            await self.server.close_all_connections()
            self.server = None

    async def problem(self) -> str | None:
        """Why the bot is not healthy, in one line; None when it is."""
        intake = self.intake_problem()
        if intake is not None:
            return f"intake: {intake}"
        try:
            await asyncio.wait_for(self.database.ping(), DATABASE_TIMEOUT_SECONDS)
        except Exception as exc:  # any failure means unhealthy; the type is enough of a reason
            return f"database: {type(exc).__name__}"
        return None

    async def scrape(self) -> bytes:
        """The metrics text, gauges refreshed from the database first."""
        metrics = self.metrics
        metrics.knowledge.info({"version": self.knowledge_version()})
        try:
            async with self.database.session() as session:
                count, oldest = (
                    await session.execute(
                        select(func.count(), func.min(Outbox.created_at)).where(
                            Outbox.state == OutboxState.PENDING
                        )
                    )
                ).one()
            metrics.outbox_pending.set(count)
            metrics.outbox_oldest_seconds.set(age_seconds(oldest))
            if self.inbox_backlog is not None:
                await self.inbox_backlog()
        except Exception as exc:  # a scrape still answers, with the last known gauges
            logger.warning("metrics: database gauges not refreshed: %s", type(exc).__name__)
        from prometheus_client import generate_latest

        if metrics.registry is None:  # a bot built with HEALTH_PORT=0 keeps no metrics
            raise RuntimeError("these metrics are not kept (HEALTH_PORT=0)")
        return generate_latest(metrics.registry)


class HealthzHandler(tornado.web.RequestHandler):
    def initialize(self, health: HealthServer) -> None:
        self.health = health

    async def get(self) -> None:
        problem = await self.health.problem()
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        if problem is None:
            self.write("ok\n")
        else:
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            self.write(problem + "\n")


class MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, health: HealthServer) -> None:
        self.health = health

    async def get(self) -> None:
        from prometheus_client import CONTENT_TYPE_LATEST

        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.write(await self.health.scrape())
