"""Runs the real Application against the fake Bot API over real HTTP.

Used by tests and benchmarks.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, App, build_application
from chat.settings import Settings
from knowledge.answer import Engine
from storage.db import utcnow
from testkit.fakes import FakeBotAPI

AnyApp = TypeVar("AnyApp", bound=Application[Any, Any, Any, Any, Any, Any])

TOKEN = "123456789:" + "A1b2C3d4E5" * 4


def settings_for(api: FakeBotAPI, data_dir: Path, **overrides: Any) -> Settings:
    overrides.setdefault("database_url", f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}")
    return settings_for_url(api.root_url, overrides.pop("database_url"), **overrides)


def settings_for_url(api_root: str, database_url: str, **overrides: Any) -> Settings:
    """Settings against a fake server by URL (also used by worker subprocesses)."""
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_url": api_root,
        "database_url": database_url,
        "flood_limit": 1000,
        "health_port": 0,  # off: many bots run on one machine; a test that wants it sets a port
        # Conversations in tests go faster than Telegram's one message a second per chat;
        # tests/test_rates.py runs the bot with it.
        "send_chat_interval_seconds": 0.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]  # pydantic-settings' init option


@asynccontextmanager
async def running(app: AnyApp, polling: bool = True) -> AsyncIterator[AnyApp]:
    """Any Application as `run_polling` starts it (post_init included), stopped cleanly after."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    updater = app.updater
    if polling and updater is not None:
        await updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    try:
        yield app
    finally:
        if updater is not None and updater.running:
            await updater.stop()
        await app.stop()
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()


@asynccontextmanager
async def running_bot(
    settings: Settings,
    engine: Engine | None = None,
    polling: bool = True,
    clock: Callable[[], dt.datetime] | None = None,
) -> AsyncIterator[App]:
    """The briefing bot as `briefing-bot run` starts it; `clock` replaces the real time."""
    app = build_application(settings, engine=engine, clock=clock or utcnow)
    async with running(app, polling) as started:
        yield started


class Clock:
    """A clock a test sets and moves: the bot's notion of now, for daily digests."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, now: dt.datetime) -> None:
        self.now = now


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
