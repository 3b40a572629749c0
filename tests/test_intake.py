"""Webhook intake and shared start-up: the real bot behind its own webhook server.

Updates are POSTed over real HTTP (by the fake Bot API, as Telegram does, or by the test), on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import App, build_application
from chat.notifications.publishing import published_version
from chat.settings import Settings
from knowledge.answer import Engine
from storage.db import Database, KbVersion
from storage.inbox import InboxRow
from testkit.databases import PG_MISSING, PG_URL, clean
from testkit.fakes import FakeBotAPI
from testkit.harness import free_port, running, settings_for
from testkit.kb_trees import write_tree

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-token"
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(PG_URL is None, reason=PG_MISSING)),
]


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.sqlite3'}"
    assert PG_URL is not None
    await clean(PG_URL)
    return PG_URL


def webhook_settings(api: FakeBotAPI, tmp_path: Path, database_url: str, **more: Any) -> Settings:
    port = free_port()
    values: dict[str, Any] = {
        "database_url": database_url,
        "webhook_url": f"http://127.0.0.1:{port}",
        "webhook_port": port,
        "webhook_secret": SECRET,
        "intake_poll_seconds": 0.2,
        "intake_claim_seconds": 2.0,
    }
    values.update(more)
    return settings_for(api, tmp_path, **values)


@pytest.fixture
async def replica(
    api: FakeBotAPI, tmp_path: Path, database_url: str, engine: Engine
) -> AsyncIterator[App]:
    settings = webhook_settings(api, tmp_path, database_url, health_port=free_port())
    async with running(build_application(settings, engine=engine, webhook=True), False) as app:
        yield app


def hook_url(app: App) -> str:
    settings = app.bot_data.services.settings
    return f"http://127.0.0.1:{settings.webhook_port}/{settings.webhook_path}"


def health_url(app: App, path: str) -> str:
    return f"http://127.0.0.1:{app.bot_data.services.settings.health_port}/{path}"


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def post(session: aiohttp.ClientSession, app: App, update: dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with session.post(hook_url(app), json=update, headers=headers) as response:
        return response.status


# --- intake --------------------------------------------------------------------------------------


async def test_the_webhook_is_set_once_and_answers_through_the_inbox(
    api: FakeBotAPI, replica: App
) -> None:
    assert len(api.calls_to("setWebhook")) == 1
    info = api.calls_to("setWebhook")[0].params
    assert info["url"] == hook_url(replica) and info["secret_token"] == SECRET
    # Telegram (the fake) POSTs the update; the reply comes from the stored copy.
    replies = await api.private_chat().send("what does putin want")
    assert "Sources:" in replies.last.plain
    assert api.webhook_deliveries[-1].status == 200
    # Another replica (same public URL, its own port) starting later leaves the webhook alone.
    settings = replica.bot_data.services.settings.model_copy(
        update={"webhook_port": free_port(), "health_port": 0}
    )
    second = build_application(settings, engine=replica.bot_data.services.engine, webhook=True)
    async with running(second, False):
        assert len(api.calls_to("getWebhookInfo")) == 2
    assert len(api.calls_to("setWebhook")) == 1


async def test_wrong_secret_or_body_is_refused_and_stores_nothing(
    api: FakeBotAPI, replica: App
) -> None:
    update = api.make_update("private_message", "what does putin want")
    async with aiohttp.ClientSession() as session:
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        async with session.post(hook_url(replica), json=update, headers=wrong) as r:
            assert r.status == 403
        async with session.post(hook_url(replica), json=update) as r:
            assert r.status == 403
        assert await post(session, replica, {"no": "update_id"}) == 400
    await asyncio.sleep(0.3)
    assert api.calls_to("sendMessage") == []
    async with replica.bot_data.services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(InboxRow)) == 0


async def test_a_redelivered_update_is_answered_once(api: FakeBotAPI, replica: App) -> None:
    update = api.make_update("private_message", "what does putin want", user_id=501)
    async with aiohttp.ClientSession() as session:
        statuses = await asyncio.gather(*(post(session, replica, update) for _ in range(3)))
        assert statuses == [200, 200, 200]
        await api.wait_for("sendMessage", chat_id=501)
        await asyncio.sleep(0.5)
        assert await post(session, replica, update) == 200  # after processing, too
    await asyncio.sleep(0.5)
    assert len(api.calls_to("sendMessage", chat_id=501)) == 1


async def test_updates_of_one_chat_are_answered_in_order(
    api: FakeBotAPI, replica: App, engine: Engine
) -> None:
    questions = ["what does putin want", "zaporizhzhia npp", "frozen russian assets"]
    titles = [engine.ask(q).title for q in questions]
    assert len(set(titles)) == 3 and all(titles)

    # The first question is held up a second before the handlers see it: processing out of
    # order would answer the later questions in that second.
    async def slow_first(update: Update, context: object) -> None:
        if update.effective_message and update.effective_message.text == questions[0]:
            await asyncio.sleep(1.0)

    replica.add_handler(TypeHandler(Update, slow_first), group=-10)
    updates = [api.make_update("private_message", q, user_id=502) for q in questions]
    async with aiohttp.ClientSession() as session:
        for update in updates:  # accepted one after another, without waiting for answers
            assert await post(session, replica, update) == 200
    sent = await api.wait_for("sendMessage", 3, timeout=8, chat_id=502, ok=True)
    assert all(call.sent.plain.startswith(t) for call, t in zip(sent, titles, strict=True))  # type: ignore[union-attr]  # ok sendMessage calls record what was sent
    # Another chat is not held up behind the waiting one.
    other = await api.private_chat(user_id=503).send("zaporizhzhia npp")
    assert other.last.plain.startswith(titles[1])


async def test_updates_held_by_a_dead_replica_are_taken_over(
    api: FakeBotAPI, replica: App
) -> None:
    db = replica.bot_data.services.db
    now = dt.datetime.now(dt.UTC)
    # Two updates as two other replicas left them, written claimed in one transaction (added free
    # and then claimed, the running replica could take one in between: a flake under load); the
    # dead replica's heartbeat stopped a minute ago.
    held = (("dead-replica", 601, now - dt.timedelta(minutes=1)), ("live-replica", 602, now))
    async with db.session.begin() as session:
        for holder, user_id, claimed_at in held:
            stored = api.make_update("private_message", "what does putin want", user_id=user_id)
            session.add(
                InboxRow(
                    update_id=stored["update_id"],
                    chat_key=user_id,
                    payload=json.dumps(stored),
                    received_at=now,
                    claimed_by=holder,
                    claimed_at=claimed_at,
                )
            )
    await api.wait_for("sendMessage", chat_id=601, timeout=3)
    assert api.calls_to("sendMessage", chat_id=602) == []  # a fresh claim is respected ...
    await api.wait_for("sendMessage", chat_id=602, timeout=5)  # ... until it goes stale
    await asyncio.sleep(0.5)
    assert len(api.calls_to("sendMessage", chat_id=601)) == 1
    async with db.session() as session:
        undone = select(func.count()).select_from(InboxRow).where(InboxRow.done_at.is_(None))
        assert await session.scalar(undone) == 0


# --- shared start-up -----------------------------------------------------------------------------

START_UP = """
import asyncio, sys
from pathlib import Path
from bot.app import prepare_database
from chat.notifications import Notifier
from chat.settings import Settings
from knowledge.validate import load_base
from storage.db import Database

async def main(url, tree):
    db = Database(url)
    notifier = Notifier(db, Settings(_env_file=None), str, lambda: None, lambda new: None)
    try:
        await prepare_database(db, lambda: notifier.ensure_baseline(load_base(Path(tree))))
    finally:
        await db.close()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


@pytest.mark.skipif(PG_URL is None, reason=PG_MISSING)
async def test_three_replicas_starting_at_once_on_an_empty_database_all_come_up(
    tmp_path: Path,
) -> None:
    assert PG_URL is not None
    await clean(PG_URL)
    tree = write_tree(tmp_path / "kb")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            START_UP,
            PG_URL,
            str(tree),
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    results = await asyncio.gather(*(p.communicate() for p in processes))
    assert [p.returncode for p in processes] == [0, 0, 0], [err.decode() for _, err in results]
    db = Database(PG_URL)
    try:
        async with db.session() as session:
            assert await session.scalar(select(func.count()).select_from(KbVersion)) == 1
        assert await published_version(db) is not None
    finally:
        await db.close()


def test_db_upgrade_command_takes_the_same_path(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stderr
