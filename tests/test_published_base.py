"""One published base: every replica serves the version in the database, never its own directory,
and no chat hears of content before it is served (SQLite and PostgreSQL, a running bot over HTTP).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import logging
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update
from telegram import Bot

import bot.app
from bot.cli import main
from chat.notifications import (
    Notifier,
    deliver_pending,
    outbox_counts,
    publish,
    published_version,
)
from chat.notifications.claims import replica_timeout
from chat.render import answer_length
from chat.settings import Settings
from knowledge.answer import Engine
from knowledge.loader import Files
from knowledge.schema import EVERYTHING
from knowledge.validate import load_base
from knowledge.versions import content_version
from storage.bundles import bundle_of, pack, unpack
from storage.db import Database, KbVersion, utcnow
from storage.replicas import Replica
from testkit.fakes import Call, FakeBotAPI
from testkit.harness import TOKEN, running_bot, settings_for
from testkit.kb_trees import entry, write_tree
from testkit.subscribers import add_chats

ROOT = Path(__file__).resolve().parent.parent
CHECK = {"notify_check_seconds": 0.2, "notify_global_rate": 400.0}  # the default checks every 2 s
SUBSCRIBER = 503

load = functools.partial(load_base, measure=answer_length)


def old_tree(root: Path) -> Path:
    return write_tree(root, entry("alpha-entry", "alpha") + entry("beta-entry", "beta"))


def new_tree(root: Path, more: str = "") -> Path:
    """alpha and beta kept, gamma added in topic russia (what the subscriber follows)."""
    russia = entry("gamma-entry", "gamma").replace("topics: [plan-20]", "topics: [russia]")
    return write_tree(
        root, entry("alpha-entry", "alpha") + entry("beta-entry", "beta") + russia + more
    )


def unpublished(root: Path) -> Path:
    """The old tree with an entry nobody published."""
    return write_tree(
        root,
        entry("alpha-entry", "alpha")
        + entry("beta-entry", "beta")
        + entry("delta-entry", "delta"),
    )


def is_gamma_news(call: Call) -> bool:
    return "New: About gamma" in str(call.params.get("text"))


def gamma_news(api: FakeBotAPI) -> list[Call]:
    return [c for c in api.calls_to("sendMessage", SUBSCRIBER) if is_gamma_news(c)]


async def version_ids(db: Database) -> list[int]:
    async with db.session() as session:
        return list(await session.scalars(select(KbVersion.id).order_by(KbVersion.id)))


async def test_a_publish_from_another_directory_is_served_before_it_is_announced(
    api: FakeBotAPI,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    loaded_at: list[float] = []

    def slow_load(settings: Settings, files: Files | None = None) -> Engine:
        # A slow reload (0.3 s more) gives a notification every chance to overtake it.
        engine = load_engine(settings, files)
        if files is not None:
            time.sleep(0.3)
            loaded_at.append(time.monotonic())
        return engine

    load_engine = bot.app.load_engine
    monkeypatch.setattr(bot.app, "load_engine", slow_load)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    caplog.set_level(logging.INFO, logger="chat.notifications.notifier")
    local = old_tree(tmp_path / "local")
    settings = settings_for(api, tmp_path, database_url=db_url, knowledge_dir=local, **CHECK)
    async with running_bot(settings) as app:
        services = app.bot_data.services
        reader = api.private_chat(user_id=SUBSCRIBER)
        await reader.send("/subscribe russia")
        assert "About gamma" not in (await reader.send("gamma one")).last.plain

        elsewhere = new_tree(tmp_path / "curators" / "checkout")
        published = time.monotonic()
        assert await asyncio.to_thread(main, ["kb", "publish", str(elsewhere)]) == 0
        calls = await api.wait_for(
            "sendMessage", chat_id=SUBSCRIBER, timeout=10, predicate=is_gamma_news
        )
        assert loaded_at and calls[0].time > loaded_at[0]  # announced only once served
        assert calls[0].time - published < 5.0
        assert services.knowledge_version == content_version(load(elsewhere))
        assert (await reader.send("gamma one")).last.plain.startswith("About gamma")
        assert len(gamma_news(api)) == 1
    assert "reloaded from the database" in caplog.text


async def test_a_replica_with_a_stale_directory_serves_the_published_version(
    api: FakeBotAPI, db: Database, tmp_path: Path
) -> None:
    await publish(db, load(old_tree(tmp_path / "first")), note="baseline")
    await publish(db, load(new_tree(tmp_path / "second")))
    stale = unpublished(tmp_path / "stale")  # older than the published base, and edited
    settings = settings_for(api, tmp_path, database_url=db.url, knowledge_dir=stale, **CHECK)
    async with running_bot(settings) as app:
        services = app.bot_data.services
        assert services.knowledge_version == content_version(load(tmp_path / "second"))
        reader = api.private_chat(user_id=SUBSCRIBER)
        assert (await reader.send("gamma one")).last.plain.startswith("About gamma")
        assert "About delta" not in (await reader.send("delta one")).last.plain

        # An edit of the local directory while running is not served either.
        new_tree(stale, entry("epsilon-entry", "epsilon"))
        await asyncio.sleep(0.6)  # three checks
        assert "About epsilon" not in (await reader.send("epsilon one")).last.plain
    assert len(await version_ids(db)) == 2  # the stale directory recorded nothing


def broken_yaml(files: Files) -> dict[str, str]:
    return {**files, "entries.yaml": "entries: [broken"}


def other_version(files: Files) -> dict[str, str]:
    """Valid files, but not those of the version they are stored under."""
    return {name: text.replace("gamma", "epsilon") for name, text in files.items()}


@pytest.mark.parametrize("damage", [broken_yaml, other_version])
async def test_a_broken_bundle_leaves_the_old_base_serving_and_its_news_unsent(
    api: FakeBotAPI,
    db: Database,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[Files], Files],
) -> None:
    settings = settings_for(
        api, tmp_path, database_url=db.url, knowledge_dir=old_tree(tmp_path / "local"), **CHECK
    )
    old_version = content_version(load(tmp_path / "local"))
    async with running_bot(settings) as app:
        services = app.bot_data.services
        reader = api.private_chat(user_id=SUBSCRIBER)
        await reader.send("/subscribe russia")
        good = load(new_tree(tmp_path / "new"))
        result = await publish(db, dataclasses.replace(good, files=damage(good.files)))
        assert result.enqueued == 1
        # The notification check runs every 0.2 s; on a loaded machine one can take longer (the
        # scheduler then skips the next): wait for it rather than for a fixed time.
        for _ in range(100):
            if "the old base keeps serving" in caplog.text:
                break
            await asyncio.sleep(0.1)
        assert "the old base keeps serving" in caplog.text
        assert services.knowledge_version == old_version
        assert "About gamma" not in (await reader.send("gamma one")).last.plain
        assert not gamma_news(api) and await outbox_counts(db) == {"pending": 1}

        # The next good version is served, and then the waiting news goes out too.
        fixed = load(new_tree(tmp_path / "fixed", entry("delta-entry", "delta")))
        await publish(db, fixed)
        await api.wait_for("sendMessage", chat_id=SUBSCRIBER, timeout=10, predicate=is_gamma_news)
        assert services.knowledge_version == content_version(fixed)
        for _ in range(50):  # the row is marked sent just after the message went out
            if await outbox_counts(db) == {"sent": 1}:
                break
            await asyncio.sleep(0.1)
        assert await outbox_counts(db) == {"sent": 1} and len(gamma_news(api)) == 1


def serving(version: int | None) -> Callable[[], int | None]:
    return lambda: version


async def test_a_worker_claims_only_rows_of_versions_it_serves(
    api: FakeBotAPI, db: Database, tmp_path: Path
) -> None:
    await publish(db, load(old_tree(tmp_path / "a")))
    await add_chats(db, {c: {EVERYTHING} for c in (31, 32, 33)})
    await publish(db, load(new_tree(tmp_path / "b")))
    first, second = await version_ids(db)
    settings = settings_for(api, tmp_path, database_url=db.url, **CHECK)
    async with Bot(TOKEN, base_url=f"{api.root_url}/bot") as sender:
        for served in (None, first):  # nothing published served yet; the older version
            report = await deliver_pending(db, sender, settings, served=serving(served))
            assert report.sent == 0
        assert await outbox_counts(db) == {"pending": 3}
        report = await deliver_pending(db, sender, settings, served=serving(second))
    assert report.sent == 3 and await outbox_counts(db) == {"sent": 3}


def replica(db: Database, settings: Settings) -> Notifier:
    """A replica's notifier, serving the settings' knowledge directory until it reloads."""
    serving = [bot.app.load_engine(settings)]
    return Notifier(
        db=db,
        settings=settings,
        current_version=lambda: content_version(serving[-1].base),
        reload=lambda files: bot.app.load_engine(settings, files),
        swap=serving.append,
    )


async def old_version_with_a_subscriber(api: FakeBotAPI, db: Database, tmp_path: Path) -> Settings:
    """The old tree published, one chat subscribed to everything; the replicas' settings."""
    settings = settings_for(
        api, tmp_path, database_url=db.url, knowledge_dir=old_tree(tmp_path / "old"), **CHECK
    )
    await publish(db, load(tmp_path / "old"))
    await add_chats(db, {SUBSCRIBER: {EVERYTHING}})
    return settings


async def tick(notifier: Notifier, sender: Bot) -> None:
    """One check, its deliveries included."""
    await notifier.tick(sender)
    assert notifier.task is not None
    await notifier.task


async def replicas(db: Database) -> dict[str, int | None]:
    async with db.session() as session:
        rows = await session.execute(select(Replica.name, Replica.serving))
        return {name: serving for name, serving in rows}


async def test_news_waits_until_every_replica_serves_its_version(
    api: FakeBotAPI, db: Database, tmp_path: Path
) -> None:
    settings = await old_version_with_a_subscriber(api, db, tmp_path)
    other_db = Database(db.url)
    first, second = replica(db, settings), replica(other_db, settings)
    async with Bot(TOKEN, base_url=f"{api.root_url}/bot") as sender:
        await tick(second, sender)  # its heartbeat: the old version
        await publish(db, load(new_tree(tmp_path / "new")))
        new_id = (await version_ids(db))[-1]
        for _ in range(3):
            await tick(first, sender)
        assert first.served == new_id and second.served == new_id - 1
        assert not gamma_news(api) and await outbox_counts(db) == {"pending": 1}

        await tick(second, sender)  # now both serve it: the second delivers
        assert len(gamma_news(api)) == 1 and await outbox_counts(db) == {"sent": 1}
        assert await replicas(db) == {first.worker: new_id, second.worker: new_id}
        await second.close()  # a clean stop removes its heartbeat
        assert await replicas(db) == {first.worker: new_id}
        await first.close()
    await other_db.close()
    assert await replicas(db) == {}


async def test_a_silent_replica_holds_news_back_only_until_its_heartbeat_is_stale(
    api: FakeBotAPI, db: Database, tmp_path: Path
) -> None:
    settings = await old_version_with_a_subscriber(api, db, tmp_path)
    other_db = Database(db.url)
    alive, silent = replica(db, settings), replica(other_db, settings)
    async with Bot(TOKEN, base_url=f"{api.root_url}/bot") as sender:
        await tick(silent, sender)  # then it dies without a clean stop
        await publish(db, load(new_tree(tmp_path / "new")))
        await tick(alive, sender)
        assert not gamma_news(api)

        # Its last heartbeat one second less than the timeout ago: still held back; one more: sent.
        for late, sent in ((-1, 0), (1, 1)):
            async with db.session.begin() as session:
                await session.execute(
                    update(Replica)
                    .where(Replica.name == silent.worker)
                    .values(
                        seen_at=utcnow() - dt.timedelta(seconds=replica_timeout(settings) + late)
                    )
                )
            await tick(alive, sender)
            assert len(gamma_news(api)) == sent
        assert set(await replicas(db)) == {alive.worker}  # the silent one was pruned
        await alive.close()
    await other_db.close()


async def test_a_bundle_is_the_files_as_published(db: Database, tmp_path: Path) -> None:
    base = load(new_tree(tmp_path / "kb"))
    shuffled = dict(reversed(list(base.files.items())))
    assert pack(base.files) == pack(shuffled)  # same files, same bytes
    await publish(db, base)
    latest = await published_version(db)
    assert latest is not None
    stored = await bundle_of(db, latest[0])
    assert stored is not None and unpack(*stored) == base.files
    assert content_version(load(unpack(*stored))) == content_version(base)
    with pytest.raises(ValueError, match="unknown bundle format"):
        unpack(stored[0], "tar")


def test_ask_stays_offline_without_sqlalchemy(tmp_path: Path) -> None:
    kb = old_tree(tmp_path / "kb")
    probe = (
        "import sys; from bot.cli import main;"
        f" code = main(['ask', '--knowledge-dir', {str(kb)!r}, 'alpha one']);"
        " print('sqlalchemy' in sys.modules, code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "", "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"},
    )
    assert done.stdout.splitlines()[-1] == "False 0", done.stderr
    assert "About alpha" in done.stdout
