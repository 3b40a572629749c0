"""Subscriptions, publishing and the notification outbox: on SQLite and PostgreSQL, end to end."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, update
from telegram import Bot

from chat.notifications import (
    DeliveryReport,
    deliver_pending,
    outbox_counts,
    publish,
    render_notification,
)
from chat.notifications.pacing import Pacer
from chat.render import answer_length
from chat.settings import Settings
from knowledge.schema import EVERYTHING
from knowledge.validate import load_base
from knowledge.versions import ChangeKind, content_version
from storage.db import (
    Chat,
    Database,
    DigestMode,
    KbVersion,
    Outbox,
    OutboxEntry,
    Subscription,
    utcnow,
)
from testkit.databases import PG_MISSING, PG_URL, clean
from testkit.fakes import ApiError, FakeBotAPI, TooManyRequests
from testkit.harness import TOKEN, running_bot, settings_for, settings_for_url
from testkit.kb_trees import entry, write_tree
from testkit.subscribers import add_chats

ROOT = Path(__file__).resolve().parent.parent
FAST = {
    "notify_check_seconds": 0.2,
    "notify_global_rate": 400.0,
    "send_rate_per_second": 400.0,  # notifications book the bot-wide budget too
    "notify_backoff_seconds": 0.05,
    "notify_backoff_cap_seconds": 0.4,
    "notify_concurrency": 32,
}


def russia(entry_text: str) -> str:
    return entry_text.replace("topics: [plan-20]", "topics: [russia]")


def tree_a(root: Path) -> Path:
    return write_tree(root, entry("alpha-entry", "alpha") + entry("beta-entry", "beta"))


def tree_b(root: Path) -> Path:
    """alpha changed (plan-20), beta kept, gamma added (russia)."""
    return write_tree(
        root,
        entry("alpha-entry", "alpha", answer="A new answer about alpha.")
        + entry("beta-entry", "beta")
        + russia(entry("gamma-entry", "gamma")),
    )


load = functools.partial(load_base, measure=answer_length)


async def outbox_rows(db: Database) -> list[Outbox]:
    async with db.session() as session:
        return list(await session.scalars(select(Outbox).order_by(Outbox.chat_id)))


def delivered(api: FakeBotAPI) -> Counter[int]:
    return Counter(int(c.chat_id) for c in api.calls_to("sendMessage") if c.ok)  # type: ignore[arg-type]  # chat_id is int | str | None; all chats here are numbers


async def wait_drained(db: Database, timeout: float) -> dict[str, int]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        counts = await outbox_counts(db)
        if not counts.get("pending"):
            return counts
        if asyncio.get_running_loop().time() > deadline:
            stuck = [
                (r.chat_id, r.attempts, r.claimed_by, r.last_error, r.next_attempt_at)
                for r in await outbox_rows(db)
                if r.state == "pending"
            ][:5]
            raise TimeoutError(f"outbox not drained: {counts}; e.g. {stuck}")
        await asyncio.sleep(0.2)


# --- conversations -------------------------------------------------------------------------------


async def test_subscribe_toggle_commands_and_group_admins(api: FakeBotAPI, tmp_path: Path) -> None:
    settings = settings_for(api, tmp_path, knowledge_dir=tree_a(tmp_path / "kb"), **FAST)
    async with running_bot(settings):
        chat = api.private_chat(user_id=501)
        menu = await chat.send("/subscribe")
        labels = [label for row in menu.last.buttons for label, _ in row]
        assert labels == ["▫️ 20-point plan", "▫️ Russia", "▫️ Everything"]
        toggled = await chat.press(menu.last, "▫️ Russia")
        assert toggled.last.is_edit and "✅ Russia" in [
            x for row in toggled.last.buttons for x, _ in row
        ]
        assert "Russia" in (await chat.send("/subscriptions")).last.plain
        untoggled = await chat.press(toggled.last, "✅ Russia")
        assert "▫️ Russia" in [x for row in untoggled.last.buttons for x, _ in row]

        assert (
            "Subscribed: 20-point plan, Russia"
            in (await chat.send("/subscribe plan-20 russia")).last.plain
        )
        assert "don't know" in (await chat.send("/subscribe football")).last.plain
        flood = await chat.send("/subscribe " + "abcdefg " * 500)  # ~4,000 characters, as allowed
        assert "don't know" in flood.last.plain and len(flood.last.plain) < 600
        assert "Unsubscribed: Russia" in (await chat.send("/unsubscribe russia")).last.plain
        digest = await chat.send("/digest daily 7:30")
        assert "daily digest at 07:30 UTC" in digest.last.plain
        listing = (await chat.send("/subscriptions")).last.plain
        assert "20-point plan" in listing and "Russia" not in listing and "07:30" in listing
        assert "/digest instant" in (await chat.send("/digest sometimes")).last.plain
        wrong = (await chat.send("/digest daily 25:99")).last.plain
        assert "25:99 is not a time of day" in wrong and "07:30" in wrong
        assert "07:30" in (await chat.send("/subscriptions")).last.plain  # unchanged
        await chat.send("/unsubscribe all")
        assert "No subscriptions" in (await chat.send("/subscriptions")).last.plain

        group = api.group_chat(chat_id=-4001, user_id=601)
        refused = await group.send("/subscribe russia")
        assert "only the group's administrators" in refused.last.plain
        api.set_member_status(-4001, 601, "administrator")
        assert "Subscribed: Russia" in (await group.send("/subscribe russia")).last.plain
        menu = await group.send("/subscribe")
        pressed = await group.press(menu.last, "▫️ Everything", user_id=602, expect_message=False)
        assert "administrators" in (pressed.callback_answer or {}).get("text", "")
        db = Database(settings.database_url)
        assert await db.topics_of(-4001) == {"russia"}
        await db.close()


async def test_bot_removed_drops_subscriptions_at_once(api: FakeBotAPI, tmp_path: Path) -> None:
    settings = settings_for(api, tmp_path, knowledge_dir=tree_a(tmp_path / "kb"), **FAST)
    async with running_bot(settings):
        chat = api.private_chat(user_id=502)
        await chat.send("/subscribe everything")
        db = Database(settings.database_url)
        assert await db.topics_of(502) == {EVERYTHING}
        api.my_chat_member(502, "kicked")
        for _ in range(50):
            if not await db.topics_of(502):
                break
            await asyncio.sleep(0.05)
        assert await db.topics_of(502) == set()
        async with db.session() as session:
            assert (await session.get(Chat, 502)).blocked  # type: ignore[union-attr]  # chat 502 exists: it subscribed above
        await db.close()


# --- publishing ----------------------------------------------------------------------------------


async def test_publish_unchanged_changed_and_targeting(db: Database, tmp_path: Path) -> None:
    first = await publish(db, load(tree_a(tmp_path / "a")))
    assert first.baseline and first.enqueued == 0
    await add_chats(
        db, {1: {"plan-20"}, 2: {"russia"}, 3: {EVERYTHING}, 4: {"plan-20"}, 5: {"plan-20"}}
    )
    async with db.session.begin() as session:
        await session.execute(update(Chat).where(Chat.id == 4).values(blocked=True))
        await session.execute(update(Chat).where(Chat.id == 5).values(digest_mode="off"))

    again = await publish(db, load(tree_a(tmp_path / "a2")))
    assert not again.recorded and again.enqueued == 0 and await outbox_rows(db) == []

    changed = await publish(
        db,
        load(
            write_tree(
                tmp_path / "b",
                entry("alpha-entry", "alpha", answer="New alpha.") + entry("beta-entry", "beta"),
            )
        ),
        note="alpha rewritten",
    )
    assert [c.entry_id for c in changed.diff.changed] == ["alpha-entry"] and changed.enqueued == 2
    rows = await outbox_rows(db)
    assert [r.chat_id for r in rows] == [1, 3] and all(r.state == "pending" for r in rows)
    assert '"change": "changed"' in rows[0].entries and "alpha-entry" in rows[0].entries

    removed = await publish(
        db, load(write_tree(tmp_path / "c", entry("alpha-entry", "alpha", answer="New alpha.")))
    )
    assert [c.entry_id for c in removed.diff.removed] == ["beta-entry"]
    async with db.session() as session:
        versions = list(await session.scalars(select(KbVersion.note).order_by(KbVersion.id)))
    assert len(versions) == 3 and versions[1] == "alpha rewritten"


def test_cli_publish_prints_and_a_broken_base_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert main(["kb", "publish", str(tree_a(tmp_path / "a")), "--note", "first"]) == 0
    assert "baseline" in capsys.readouterr().out
    assert main(["kb", "publish", str(tree_a(tmp_path / "a"))]) == 0
    assert "unchanged" in capsys.readouterr().out
    broken = write_tree(
        tmp_path / "broken",
        entry("alpha-entry", "alpha").replace("sources: [src-one]", "sources: []"),
    )
    assert main(["kb", "publish", str(broken)]) == 1
    assert main(["kb", "publish", str(tree_b(tmp_path / "b"))]) == 0
    out = capsys.readouterr().out
    assert (
        "changed\talpha-entry" in out
        and "added\tgamma-entry\trussia" in out
        and "enqueued 0" in out
    )

    async def versions() -> int:
        db = Database(url)
        async with db.session() as session:
            count = len(list(await session.scalars(select(KbVersion.id))))
        await db.close()
        return count

    assert asyncio.run(versions()) == 2


def test_notification_text_is_escaped_with_entry_buttons() -> None:
    entries = [
        OutboxEntry(id="alpha-entry", title="<b>Alpha</b> & co", change=ChangeKind.ADDED),
        OutboxEntry(id="beta-entry", title="Beta", change=ChangeKind.REMOVED),
    ]
    text_de, keyboard = render_notification("de", entries)
    assert (
        "&lt;b&gt;Alpha&lt;/b&gt; &amp; co" in text_de
        and "Neu:" in text_de
        and "Entfernt: Beta" in text_de
    )
    assert keyboard is not None
    assert [[b.callback_data for b in row] for row in keyboard.inline_keyboard] == [
        ["1|e|alpha-entry"]
    ]


# --- delivery ------------------------------------------------------------------------------------


async def test_publish_from_chat_reloads_and_notifies_with_buttons(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    kb = tree_a(tmp_path / "kb")
    settings = settings_for(api, tmp_path, knowledge_dir=kb, admin_ids=[777], **FAST)
    async with running_bot(settings) as app:
        reader = api.private_chat(user_id=503)
        await reader.send("/subscribe russia")
        assert "Only the bot's administrators" in (await reader.send("/publish")).last.plain
        tree_b(kb)
        admin = api.private_chat(user_id=777)
        done = await admin.send("/publish")
        assert "1 new, 1 updated, 0 removed; 1 chat(s)" in done.last.plain
        calls = await api.wait_for(
            "sendMessage",
            chat_id=503,
            timeout=10,
            predicate=lambda c: "updated" in str(c.params.get("text")),
        )
        note = calls[0].sent
        assert note is not None and "New: About gamma" in note.plain and "alpha" not in note.plain
        opened = await reader.press(note, "About gamma")
        assert opened.last.plain.startswith("About gamma")
        services = app.bot_data.services
        assert services.knowledge_version == content_version(load(kb))

        # A published version that fails to load leaves the old base serving.
        (kb / "entries.yaml").write_text("entries: [broken", encoding="utf-8")
        async with services.db.session.begin() as session:
            session.add(KbVersion(version="ffffffffffff", note="broken", entry_hashes="{}"))
        await asyncio.sleep(1.0)
        assert services.knowledge_version == content_version(load(tree_b(tmp_path / "same")))
        assert "About gamma" in (await reader.send("gamma one")).last.plain


async def test_broadcast_survives_429_403_migration_and_5xx(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    kb = tree_a(tmp_path / "kb")
    settings = settings_for(api, tmp_path, knowledge_dir=kb, **FAST)
    private = list(range(10_000, 10_425))
    groups = [-(5000 + i) for i in range(75)]
    blocked = set(private[::20]) | set(groups[::30])
    migrated = {old: -1_000_000_000_000 - i for i, old in enumerate(groups[1::25])}
    db = Database(settings.database_url)
    await db.upgrade()
    await publish(db, load(kb))
    await add_chats(db, {c: {"plan-20"} for c in private + groups})
    for chat_id in blocked:
        api.block_chat(chat_id)
    for old, new in migrated.items():
        api.migrate_chat(old, new)
    api.random_faults(seed=5, rate_429=0.002, rate_5xx=0.03, retry_after=1)
    result = await publish(db, load(tree_b(kb)))
    assert result.enqueued == 500
    async with running_bot(settings, polling=False):
        counts = await wait_drained(db, timeout=60)
    assert counts == {"sent": 500 - len(blocked), "dropped": len(blocked)}
    got = delivered(api)
    live = [c for c in private + groups if c not in blocked and c not in migrated]
    assert all(got[c] == 1 for c in live)
    assert all(got[c] == 0 for c in blocked)
    assert all(got[new] == 1 and got[old] == 0 for old, new in migrated.items())
    assert sum(got.values()) == 500 - len(blocked)
    async with db.session() as session:
        marked = set(await session.scalars(select(Chat.id).where(Chat.blocked.is_(True))))
        subscribed = set(await session.scalars(select(Subscription.chat_id)))
    assert blocked <= marked and not (blocked & subscribed)
    assert set(migrated.values()) <= subscribed and not (set(migrated) & subscribed)
    assert api.injected_faults > 0
    await db.close()


async def test_sigkill_mid_broadcast_then_restart(api: FakeBotAPI, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crash.sqlite3'}"
    db = Database(url)
    await db.upgrade()
    await publish(db, load(tree_a(tmp_path / "a")))
    chats = list(range(20_000, 20_300))
    await add_chats(db, {c: {EVERYTHING} for c in chats})
    await publish(db, load(tree_b(tmp_path / "b")))

    async def worker() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "testkit.outbox_worker",
            api.root_url,
            url,
            "100",
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    first = await worker()
    await api.wait_for("sendMessage", count=60, ok=True, timeout=30)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    killed_at = sum(delivered(api).values())
    assert 60 <= killed_at < len(chats)
    second = await worker()
    assert await asyncio.wait_for(second.wait(), 60) == 0
    got = delivered(api)
    assert set(got) == set(chats)
    assert sum(got.values()) - len(chats) <= 1  # at most the one message in flight
    assert await outbox_counts(db) == {"sent": len(chats)}
    await db.close()


async def test_daily_digest_is_held_then_sent_as_one_message(
    db: Database, api: FakeBotAPI, tmp_path: Path
) -> None:
    await publish(db, load(tree_a(tmp_path / "a")))
    await add_chats(db, {31: {EVERYTHING}, 32: {EVERYTHING}})
    await db.set_digest(31, "private", DigestMode.DAILY, "06:00", utcnow().replace(year=2100))
    await publish(db, load(tree_b(tmp_path / "b")))
    await publish(
        db,
        load(
            write_tree(
                tmp_path / "c",
                entry("alpha-entry", "alpha", answer="A new answer about alpha.")
                + russia(entry("gamma-entry", "gamma")),
            )
        ),
    )
    settings = settings_for_url(api.root_url, db.url, **FAST)
    async with Bot(TOKEN, base_url=f"{api.root_url}/bot") as bot:
        await deliver_pending(db, bot, settings)
        assert delivered(api) == Counter({32: 1})  # two pending versions, one combined message
        held = [r for r in await outbox_rows(db) if r.chat_id == 31]
        assert len(held) == 2 and all(r.state == "pending" for r in held)
        assert held[0].next_attempt_at.hour == 6 and held[0].next_attempt_at.minute == 0
        async with db.session.begin() as session:  # the clock reaches 06:00
            await session.execute(
                update(Outbox).where(Outbox.chat_id == 31).values(next_attempt_at=utcnow())
            )
        report = await deliver_pending(db, bot, settings)
    assert report.sent == 1 and report.rows_sent == 2 and delivered(api)[31] == 1
    digest = api.sent_messages(31)[0].plain
    assert (
        "Daily digest" in digest
        and "New: About gamma" in digest
        and "Removed: About beta" in digest
    )


async def test_two_workers_on_postgres_send_each_notification_once(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    if not PG_URL:
        pytest.skip(PG_MISSING)
    await clean(PG_URL)
    setup = Database(PG_URL)
    await setup.upgrade()
    await publish(setup, load(tree_a(tmp_path / "a")))
    chats = list(range(30_000, 30_200))
    await add_chats(setup, {c: {"plan-20"} for c in chats})
    await publish(setup, load(tree_b(tmp_path / "b")))
    settings: Settings = settings_for_url(
        api.root_url, PG_URL, **{**FAST, "notify_batch_size": 25}
    )
    dbs = [Database(PG_URL), Database(PG_URL)]
    bots = [Bot(TOKEN, base_url=f"{api.root_url}/bot") for _ in dbs]
    for bot in bots:
        await bot.initialize()
    reports = await asyncio.gather(
        *(
            deliver_pending(d, b, settings, worker=f"w{i}")
            for i, (d, b) in enumerate(zip(dbs, bots, strict=True))
        )
    )
    got = delivered(api)
    assert set(got) == set(chats) and set(got.values()) == {1}
    assert all(r.sent > 20 for r in reports) and sum(r.sent for r in reports) == len(chats)
    assert await outbox_counts(setup) == {"sent": len(chats)}
    for bot in bots:
        await bot.shutdown()
    for d in [*dbs, setup]:
        await d.close()


# --- 429s and claims -----------------------------------------------------------------------------


def flood_control(seconds: float) -> ApiError:
    """Telegram's 429 with a retry_after in tenths (Telegram's are whole seconds): a dozen waits
    then fit a fast test, and the bot only reads the number."""
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


async def test_a_chat_answering_429_twelve_times_gets_its_notification_once(
    db: Database, api: FakeBotAPI, tmp_path: Path
) -> None:
    await publish(db, load(tree_a(tmp_path / "a")))
    chats = list(range(40_000, 40_050))
    await add_chats(db, {c: {EVERYTHING} for c in chats})
    await publish(db, load(tree_b(tmp_path / "b")))
    api.fail_next("sendMessage", flood_control(0.1), times=12, chat_id=chats[0])
    # Retries to one chat are paced too: a tenth of a second apart, like the 429s.
    settings = settings_for_url(
        api.root_url, db.url, **{**FAST, "notify_chat_interval_seconds": 0.1}
    )
    async with Bot(TOKEN, base_url=f"{api.root_url}/bot") as bot:
        delivering = asyncio.create_task(deliver_pending(db, bot, settings))
        await api.wait_for("sendMessage", count=3, chat_id=chats[0], ok=False)
        waiting = next(r for r in await outbox_rows(db) if r.chat_id == chats[0])
        report = await delivering
    assert waiting.state == "pending" and waiting.claimed_by is not None
    assert (waiting.last_error or "").startswith("RetryAfter: Flood control exceeded")
    assert report.rate_limited == 12 and report.failed == report.backed_off == 0
    assert delivered(api) == Counter(dict.fromkeys(chats, 1))
    rows = await outbox_rows(db)
    assert all(r.state == "sent" and r.attempts == 0 for r in rows)


async def test_two_workers_and_a_429_longer_than_the_claim_timeout_send_each_once(
    db_url: str, api: FakeBotAPI, tmp_path: Path
) -> None:
    setup = Database(db_url)
    await setup.upgrade()
    await publish(setup, load(tree_a(tmp_path / "a")))
    chats = list(range(50_000, 50_300))
    await add_chats(setup, {c: {"plan-20"} for c in chats})
    await publish(setup, load(tree_b(tmp_path / "b")))
    api.fail_next("sendMessage", TooManyRequests(2), chat_id=chats[0])
    settings: Settings = settings_for_url(
        api.root_url,
        db_url,
        **{**FAST, "notify_batch_size": 25, "notify_claim_timeout_seconds": 1.0},
    )

    async def worker(name: str) -> DeliveryReport:
        """Delivers as the running bot's ticks do, until nothing is pending."""
        db, pacer, total = Database(db_url), Pacer.from_settings(settings), DeliveryReport()
        async with Bot(TOKEN, base_url=f"{api.root_url}/bot") as bot:
            while (await outbox_counts(db)).get("pending"):
                total += await deliver_pending(db, bot, settings, worker=name, pacer=pacer)
                await asyncio.sleep(0.1)
        await db.close()
        return total

    reports = await asyncio.gather(worker("w0"), worker("w1"))
    assert sum(r.rate_limited for r in reports) == 1 and max(r.sent for r in reports) < 300
    assert delivered(api) == Counter(dict.fromkeys(chats, 1))
    assert sum(r.lost_claims for r in reports) == 0
    assert await outbox_counts(setup) == {"sent": len(chats)}
    await setup.close()
