"""Builds the whole Application from Settings; running it is the caller's business."""

from __future__ import annotations

import asyncio
import ctypes
import datetime as dt
import gc
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults, ExtBot, TypeHandler
from telegram.request import BaseRequest

import handlers
from bot.health import HealthServer, TimedRequest, plain_request, update_counter
from chat.budget import BudgetRateLimiter, SendBudget
from chat.feedback import PRUNE_EVERY_SECONDS
from chat.flood import FloodGate
from chat.metrics import Metrics
from chat.notifications import Notifier, Pacer
from chat.render import answer_length
from chat.settings import Settings
from handlers.commands import set_menus
from handlers.context import CONTEXT_TYPES, BotData, Context, Services
from knowledge import patterns
from knowledge.answer import Engine
from knowledge.loader import Files
from knowledge.saved_index import load_base_saved, load_index
from storage.db import Database, utcnow
from storage.rates import open_rates

if TYPE_CHECKING:  # imported in webhook mode only (its inbox tables with it)
    from bot.intake import Intake

logger = logging.getLogger(__name__)

App = Application[Any, Context, Any, Any, BotData, Any]


class RedactToken(logging.Filter):
    """Replaces the bot token wherever it would appear in a log line."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg = record.getMessage().replace(self.token, "[TOKEN]")
            record.args = None
        return True


def quiet_libraries() -> None:
    """httpx logs every request URL, and every Bot API URL contains the token; APScheduler logs
    each run of the notification job (925 of a bot's 943 log lines in a session)."""
    for name in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str, token: str | None) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_libraries()
    if token:
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactToken(token))


def load_engine(settings: Settings, files: Files | None = None) -> Engine:
    """Loads and indexes the knowledge base (KNOWLEDGE_DIR or the bundled one, or the files of a
    published bundle); raises KnowledgeError when it is broken."""
    base, version = load_base_saved(
        settings.knowledge_dir if files is None else files,
        settings.index_cache_dir,
        measure=answer_length,
    )
    index = load_index(base, settings.index_cache_dir, version=version)
    engine = Engine(
        base,
        answer=settings.answer_threshold,
        suggest=settings.suggest_threshold,
        index=index,
        version=version,
    )
    engine.prepare()  # here, not on a user's first question
    patterns.save()  # the compiled patterns, for the next start
    freeze_long_lived()
    release_freed_memory()
    return engine


def release_freed_memory() -> None:
    """Hands the heap pages freed while loading (the saved base's JSON, the tokenizer's parse, a
    replaced index) back to the system; glibc keeps them otherwise: 10 MiB of the running bot's
    resident memory, measured. Elsewhere than glibc, nothing."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


def freeze_long_lived() -> None:
    """Keeps the cyclic collector from rescanning what exists now (the index) during questions,
    where its full passes were the p99 at 100k phrasings; a reload's dropped index is still freed
    by reference counting."""
    gc.freeze()


async def prepare_database(
    database: Database, first_baseline: Callable[[], Awaitable[None]]
) -> None:
    """Start-up that replicas share: migrations and the first baseline, one replica at a time.

    Three replicas started together on an empty PostgreSQL database raced here (1-2 of 3 died in
    3 of 4 tries, once with two baselines); under the start-up lock the later ones find the
    work done.
    """
    async with database.startup_lock():
        await database.upgrade()
        await first_baseline()


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    engine: Engine | None = None,
    rate_limiter: bool = True,
    webhook: bool = False,
    clock: Callable[[], dt.datetime] = utcnow,
) -> App:
    """The real Application: handlers, defaults, lifecycle hooks.

    `request` lets tests swap the HTTP client; `webhook` takes updates through the durable
    webhook intake (bot/intake.py) instead of long polling; `clock` tells the time of daily
    digests (tests move it instead of waiting for the hour).
    """
    token = settings.token()
    quiet_libraries()
    database = Database(settings.database_url, connections=settings.database_pool_size)
    services = Services(
        settings=settings, engine=engine or load_engine(settings), db=database, clock=clock
    )
    services.knowledge_version = services.engine.version
    metrics = Metrics(served=bool(settings.health_port))  # /metrics is served on that port
    # Telegram's limits hold per bot token: replies, notifications and every replica book one
    # budget, kept in Redis or PostgreSQL when replicas share them (memory for one on SQLite).
    rates = open_rates(settings.database_url, settings.redis_url)
    budget = SendBudget.for_bot(rates, settings)

    def swap(new: Engine) -> None:
        services.engine = new
        services.knowledge_version = new.version

    notifier = Notifier(
        db=database,
        settings=settings,
        current_version=lambda: services.knowledge_version,
        reload=lambda files: load_engine(settings, files),
        swap=swap,
        pacer=Pacer(budget),
        clock=clock,
    )

    # Notifications go through their own Bot: the Pacer books them from the same budget at a
    # lower priority and delivery handles their 429s itself, where the replies' rate limiter
    # would retry them out of its sight.
    api = settings.telegram_api_url
    notify_bot = Bot(
        token,
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=TimedRequest(metrics, connection_pool_size=settings.notify_concurrency + 2),
        get_updates_request=plain_request(),
    )
    intake: Intake | None = None

    def intake_problem() -> str | None:
        if intake is not None:
            return intake.problem()
        updater = app.updater
        return None if updater is not None and updater.running else "updater not running"

    health = HealthServer(
        settings, database, metrics, intake_problem, lambda: services.knowledge_version
    )

    async def check_notifications(context: Context) -> None:
        await notifier.tick(notify_bot)

    async def prune_feedback(context: Context) -> None:
        await services.feedback.prune(settings.feedback_retention_days)

    async def start_database() -> None:
        await prepare_database(database, lambda: notifier.ensure_baseline(services.engine.base))
        # The local base is only the first baseline: before the first update, serve what the
        # database says is published.
        await notifier.refresh_knowledge()

    async def post_init(app: App) -> None:
        # The database's start-up and Telegram's round trips (menus, the notifying bot's getMe)
        # wait for each other no more.
        await asyncio.gather(start_database(), set_menus(app.bot), notify_bot.initialize())
        await health.start()
        if intake is not None:
            await intake.start()
        if app.job_queue is not None:
            app.job_queue.run_repeating(
                check_notifications,
                interval=settings.notify_check_seconds,
                first=min(1.0, settings.notify_check_seconds),
                name="notifications",
                job_kwargs={"max_instances": 1, "coalesce": True},
            )
            # Retention of the question records (FEEDBACK_RETENTION_DAYS): soon after start,
            # then every hour.
            app.job_queue.run_repeating(
                prune_feedback,
                interval=PRUNE_EVERY_SECONDS,
                first=1.0,
                name="feedback-retention",
                job_kwargs={"max_instances": 1, "coalesce": True},
            )
        else:
            logger.warning(
                "No JobQueue (install python-telegram-bot[job-queue]): "
                "notifications are not delivered"
            )

    async def post_shutdown(app: App) -> None:
        if intake is not None:
            await intake.stop()
        await health.stop()
        await notifier.close()
        await services.feedback.flush()
        await notify_bot.shutdown()
        await rates.close()
        await database.close()

    builder: ApplicationBuilder[ExtBot[Any], Context, Any, Any, BotData, Any] = (
        ApplicationBuilder()
        .context_types(CONTEXT_TYPES)
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(settings.concurrent_updates)
    )
    if rate_limiter:
        builder = builder.rate_limiter(BudgetRateLimiter(budget, max_retries=3))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:  # PTB's default pool size for concurrent updates, timed for /metrics
        builder = builder.request(TimedRequest(metrics, connection_pool_size=256))
        builder = builder.get_updates_request(plain_request())
    if webhook:
        builder = builder.updater(None)
    app = builder.build()
    if webhook:
        from bot.intake import Intake

        intake = Intake(app, database, settings, metrics)
        health.inbox_backlog = intake.refresh_gauges
    app.bot_data.services = services
    app.bot_data.metrics = metrics
    app.bot_data.flood = FloodGate(
        rates, settings.flood_limit, settings.flood_window_seconds, prefix=budget.prefix
    )
    handlers.register(app)
    # Before every group (flood control is -1): counts each update, stops none.
    app.add_handler(TypeHandler(Update, update_counter(metrics)), group=-1000)
    return app


ALLOWED_UPDATES = Update.ALL_TYPES
