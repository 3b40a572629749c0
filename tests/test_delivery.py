"""Notifications where and when people want them: a forum topic's own thread, silently, a daily
digest at a time of the chat's time zone, /settings, and channels. Conversations with the real
Application over HTTP to the fake Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import select, text

from chat.budget import BudgetRateLimiter, SendBudget
from chat.notifications import publish
from chat.render import answer_length
from chat.settings import Settings
from chat.timezones import next_digest_at
from knowledge.validate import load_base
from storage.db import (
    MIGRATIONS,
    Database,
    DeliverySettings,
    DigestMode,
    Outbox,
    head_revision,
)
from testkit.fakes import Call, FakeBotAPI, SentMessage
from testkit.harness import Clock, running_bot, settings_for
from testkit.kb_trees import entry, write_tree

FAST = {
    "notify_check_seconds": 0.2,
    "notify_global_rate": 400.0,
    "send_rate_per_second": 400.0,
    "notify_chat_interval_seconds": 0.0,
    "notify_backoff_seconds": 0.05,
    "notify_backoff_cap_seconds": 0.4,
}

TOPICS = """\
topics:
  - id: plan-20
    title: {en: "20-point plan", de: "20-Punkte-Plan"}
  - id: russia
    title: {en: "Russia"}
  - id: nato
    title: {en: "NATO membership", de: "NATO-Mitgliedschaft", uk: "Членство в НАТО",
            ru: "Членство в НАТО"}
"""


def on_topic(text: str, topic: str) -> str:
    return text.replace("topics: [plan-20]", f"topics: [{topic}]")


def first_tree(root: Path) -> Path:
    """alpha (plan-20), gamma (russia), delta (nato)."""
    return write_tree(
        root,
        entry("alpha-entry", "alpha")
        + on_topic(entry("gamma-entry", "gamma"), "russia")
        + on_topic(entry("delta-entry", "delta"), "nato"),
        topics_yaml=TOPICS,
    )


def every_topic_changed(root: Path, round_: int = 1) -> Path:
    """Each of the three entries answers anew: every topic has a change to tell."""
    return write_tree(
        root,
        entry("alpha-entry", "alpha", answer=f"Alpha, take {round_}.")
        + on_topic(entry("gamma-entry", "gamma", answer=f"Gamma, take {round_}."), "russia")
        + on_topic(entry("delta-entry", "delta", answer=f"Delta, take {round_}."), "nato"),
        topics_yaml=TOPICS,
    )


@dataclass
class Setup:
    api: FakeBotAPI
    settings: Settings
    db: Database
    tmp: Path

    async def publish(self, round_: int = 1, now: dt.datetime | None = None) -> int:
        """Publishes a base where every topic changed (as `kb publish` from another machine)."""
        tree = every_topic_changed(self.tmp / f"round-{round_}", round_)
        return (await publish(self.db, load_base(tree, measure=answer_length), now=now)).enqueued

    def notifications(self) -> list[Call]:
        """The notifications sent so far (replies to commands have no such footer)."""
        return [c for c in self.api.calls_to("sendMessage") if c.ok and is_notification(c)]

    async def wait_notifications(self, count: int, timeout: float = 30.0) -> list[SentMessage]:
        await self.api.wait_for(
            "sendMessage", count=count, timeout=timeout, ok=True, predicate=is_notification
        )
        await asyncio.sleep(0.5)  # and nothing more arrives
        return [c.sent for c in self.notifications() if c.sent is not None]


def is_notification(call: Call) -> bool:
    return "/subscriptions shows what you get" in str(call.params.get("text"))


def labels(message: SentMessage) -> list[str]:
    return [label for row in message.buttons for label, _ in row]


async def forged_press(api: FakeBotAPI, data: str, message: SentMessage, user_id: int) -> str:
    """Presses a button the message does not have (forged or of an older release): the toast."""
    update = api.callback_query(data, message, user_id=user_id)
    query_id = update["callback_query"]["id"]
    await api.wait_for(
        "answerCallbackQuery",
        predicate=lambda c: str(c.params.get("callback_query_id")) == query_id,
    )
    return str((api.callback_answers.get(query_id) or {}).get("text", ""))


@pytest.fixture
async def setup(api: FakeBotAPI, tmp_path: Path, chat_db_url: str) -> AsyncIterator[Setup]:
    settings = settings_for(
        api, tmp_path, database_url=chat_db_url, knowledge_dir=first_tree(tmp_path / "kb"), **FAST
    )
    db = Database(chat_db_url)
    try:
        yield Setup(api, settings, db, tmp_path)
    finally:
        await db.close()


# --- forum topics --------------------------------------------------------------------------------


async def test_a_forum_topic_is_notified_in_its_own_thread(setup: Setup) -> None:
    api = setup.api
    forum = -1007000000001
    api.set_member_status(forum, 1001, "administrator")
    russia_topic = api.forum_topic(forum, thread_id=7, title="Newsroom")
    plan_topic = api.forum_topic(forum, thread_id=9)
    async with running_bot(setup.settings):
        done = await russia_topic.send("/subscribe russia")
        assert "Subscribed: Russia" in done.last.plain and done.last.message_thread_id == 7
        await plan_topic.send("/subscribe plan-20")
        listing = await plan_topic.send("/subscriptions")
        assert "20-point plan" in listing.last.plain and "Russia" not in listing.last.plain
        assert listing.last.message_thread_id == 9
        menu = await russia_topic.send("/subscribe")  # the buttons toggle this thread's topics
        labels = [label for row in menu.last.buttons for label, _ in row]
        assert "✅ Russia" in labels and "▫️ 20-point plan" in labels

        assert await setup.publish() == 2  # one notification per thread, not per chat
        sent = await setup.wait_notifications(2)
        by_thread = {m.message_thread_id: m.plain for m in sent}
        assert set(by_thread) == {7, 9} and all(m.chat_id == forum for m in sent)
        assert "About gamma" in by_thread[7] and "About alpha" not in by_thread[7]
        assert "About alpha" in by_thread[9] and "About gamma" not in by_thread[9]

        # Unsubscribing in one thread leaves the other as it was.
        assert "no more" in (await russia_topic.send("/unsubscribe all")).last.plain
        assert await setup.db.topics_of(forum, 7) == set()
        assert await setup.db.topics_of(forum, 9) == {"plan-20"}

        # A deleted topic: its subscriptions go, nothing is retried, the rest is delivered.
        await russia_topic.send("/subscribe russia")
        api.delete_forum_topic(forum, 9)
        before = len(setup.notifications())
        assert await setup.publish(round_=2) == 2
        sent = await setup.wait_notifications(before + 1)
        assert [m.message_thread_id for m in sent[before:]] == [7]
        # The forum is a group: its 20 messages a minute may hold the send that finds the thread
        # gone for a few seconds behind the one to thread 7.
        for _ in range(200):
            if not await setup.db.topics_of(forum, 9):
                break
            await asyncio.sleep(0.1)
        assert await setup.db.topics_of(forum, 9) == set()
        assert await setup.db.topics_of(forum, 7) == {"russia"}


# --- silent delivery -----------------------------------------------------------------------------


async def test_a_silent_chat_is_notified_with_disable_notification(setup: Setup) -> None:
    api = setup.api
    async with running_bot(setup.settings):
        quiet, loud = api.private_chat(user_id=611), api.private_chat(user_id=612)
        for chat in (quiet, loud):
            await chat.send("/subscribe nato")
        menu = await quiet.send("/settings")
        assert "Sound: on" in menu.last.plain
        pressed = await quiet.press(menu.last, "🔕 Silent")
        assert "Sound: off (silent notifications)" in pressed.last.plain
        assert "✅ 🔕 Silent" in labels(pressed.last) and "🔔 Sound" in labels(pressed.last)

        assert await setup.publish() == 2
        sent = {m.chat_id: m for m in await setup.wait_notifications(2)}
        assert sent[611].disable_notification and not sent[612].disable_notification
        assert "About delta" in sent[611].plain

        # Sound back on: the next one rings again.
        await quiet.press(pressed.last, "🔔 Sound")
        assert await setup.publish(round_=2) == 2
        sent = {m.chat_id: m for m in (await setup.wait_notifications(4))[2:]}
        assert not sent[611].disable_notification


# --- time zones ----------------------------------------------------------------------------------


def test_a_digest_at_8_in_kyiv_follows_daylight_saving() -> None:
    kyiv = "Europe/Kyiv"
    winter = next_digest_at("08:00", dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC), kyiv)
    assert winter == dt.datetime(2026, 1, 16, 6, 0, tzinfo=dt.UTC)  # EET, UTC+2
    spring = next_digest_at("08:00", dt.datetime(2026, 3, 28, 12, 0, tzinfo=dt.UTC), kyiv)
    assert spring == dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)  # the night clocks go forward
    early = next_digest_at("08:00", dt.datetime(2026, 7, 15, 4, 59, tzinfo=dt.UTC), kyiv)
    assert early == dt.datetime(2026, 7, 15, 5, 0, tzinfo=dt.UTC)  # later the same day
    assert next_digest_at("08:00", winter, kyiv) == winter + dt.timedelta(days=1)


async def test_a_digest_at_8_kyiv_time_is_delivered_at_6_utc(setup: Setup) -> None:
    api = setup.api
    clock = Clock(dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC))
    async with running_bot(setup.settings, clock=clock):
        chat = api.private_chat(user_id=621)
        await chat.send("/subscribe everything")
        typo = (await chat.send("/digest daily 08:00 Europe/Kyyiv")).last.plain
        assert "Europe/Kyyiv is not a time zone I know" in typo
        assert "Did you mean Europe/Kyiv" in typo and "Nothing was changed" in typo
        unknown = (await chat.send("/digest daily 8:00 Mars/Olympus")).last.plain
        assert "Mars/Olympus is not a time zone" in unknown and "Did you mean" not in unknown
        bad_time = (await chat.send("/digest daily 25:00 Europe/Kyiv")).last.plain
        assert "25:00 is not a time of day" in bad_time
        assert (
            await setup.db.delivery_of(621) == DeliverySettings()
        )  # none of them changed anything

        done = (await chat.send("/digest daily 08:00 Europe/Kyiv")).last.plain
        assert "one daily digest at 08:00 Europe/Kyiv" in done
        assert "Next digest: 2026-01-16 08:00 Europe/Kyiv" in done
        assert "08:00 Europe/Kyiv" in (await chat.send("/subscriptions")).last.plain

        assert await setup.publish(now=clock()) == 1
        async with setup.db.session() as session:
            row = await session.scalar(select(Outbox).where(Outbox.chat_id == 621))
        assert row is not None
        assert row.next_attempt_at.astimezone(dt.UTC) == dt.datetime(
            2026, 1, 16, 6, 0, tzinfo=dt.UTC
        )

        clock.set(dt.datetime(2026, 1, 16, 5, 59, 59, tzinfo=dt.UTC))  # 07:59:59 in Kyiv
        await asyncio.sleep(5 * setup.settings.notify_check_seconds)  # five ticks of the job
        assert setup.notifications() == []
        clock.set(dt.datetime(2026, 1, 16, 6, 0, tzinfo=dt.UTC))
        sent = await setup.wait_notifications(1)
        assert sent[0].chat_id == 621 and "Daily digest" in sent[0].plain
        assert "About alpha" in sent[0].plain and "About delta" in sent[0].plain


# --- /settings -----------------------------------------------------------------------------------


async def test_settings_buttons_change_language_delivery_time_zone_and_sound(
    setup: Setup,
) -> None:
    api = setup.api
    clock = Clock(dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC))
    async with running_bot(setup.settings, clock=clock):
        chat = api.private_chat(user_id=631)
        stale = (await chat.send("/settings")).last  # pressed again at the end
        first = (await chat.send("/settings")).last
        assert "Language: English" in first.plain and "instant notifications" in first.plain
        assert labels(first)[:4] == ["✅ English", "Deutsch", "Українська", "Русский"]

        german = (await chat.press(first, "Deutsch")).last
        assert german.is_edit and "Sprache: Deutsch" in german.plain
        assert "✅ Deutsch" in labels(german) and "Sofort" in " ".join(labels(german))
        daily = (await chat.press(german, "Täglich")).last
        assert "eine tägliche Zusammenfassung um 09:00 UTC" in daily.plain
        hours = (await chat.press(daily, "🕗 Um 09:00")).last
        assert "✅ 09:00" in labels(hours) and len(labels(hours)) == 25  # 24 hours and « Back
        seven = (await chat.press(hours, "07:00")).last
        assert "um 07:00 UTC" in seven.plain
        zones = (await chat.press(seven, "🌍 UTC")).last
        assert "Europe/Kyiv" in labels(zones) and "/digest daily 08:00" in zones.plain
        kyiv = (await chat.press(zones, "Europe/Kyiv")).last
        assert "um 07:00 Europe/Kyiv" in kyiv.plain
        silent = (await chat.press(kyiv, "🔕 Lautlos")).last
        assert "Ton: aus" in silent.plain
        assert await setup.db.delivery_of(631) == DeliverySettings(
            mode=DigestMode.DAILY,
            at="07:00",
            time_zone="Europe/Kyiv",
            silent=True,
            language="de",
        )

        # The same button twice is pressed once; a stale /settings message still works.
        again = await chat.press(silent, "✅ 🔕 Lautlos", expect_message=False)
        assert (again.callback_answer or {}).get("text") == "Gespeichert."
        old = await chat.press(stale, "✅ 🔔 Sound")
        assert "Ton: an" in old.last.plain

        # Forged or out-of-date data: answered, nothing changed.
        before = await setup.db.delivery_of(631)
        for data in ("1|st|zone|99", "1|st|hour|24", "1|st|lang|xx", "1|st|evil|1", "1|st|"):
            toast = await forged_press(api, data, old.last, user_id=631)
            assert "abgelaufen" in toast, data
        assert await setup.db.delivery_of(631) == before

        # In a group, only administrators change the settings.
        group = api.group_chat(chat_id=-4101, user_id=641)
        menu = (await group.send("/settings")).last
        refused = await group.press(menu, "🔕 Silent", user_id=642, expect_message=False)
        assert "administrators" in (refused.callback_answer or {}).get("text", "")
        assert not (await setup.db.delivery_of(-4101)).silent
        api.set_member_status(-4101, 642, "administrator")
        await group.press(menu, "🔕 Silent", user_id=642)
        assert (await setup.db.delivery_of(-4101)).silent


# --- channels ------------------------------------------------------------------------------------


async def test_channels_subscribe_in_the_channel_or_from_an_admins_private_chat(
    setup: Setup,
) -> None:
    api = setup.api
    async with running_bot(setup.settings):
        # In the channel: only its administrators can post, so its post is enough.
        news = api.channel(-1005000000001, username="kyiv_briefs")
        done = await news.send("/subscribe nato")
        assert "Subscribed: NATO membership" in done.last.plain
        assert await setup.db.topics_of(-1005000000001) == {"nato"}
        news.post("What does Putin want? (a post, not a question to the bot)")
        in_channel = (await news.send("/settings")).last
        assert "Settings" in in_channel.plain and "🔕 Silent" in labels(in_channel)

        # From a private chat, for a channel the user administers and the bot may post in.
        api.channel(-1005000000002, username="war_desk")
        admin = api.private_chat(user_id=651)
        api.set_member_status(-1005000000002, 651, "administrator")
        done = await admin.send("/subscribe @war_desk russia nato")
        assert (
            done.last.plain
            == "@war_desk: Subscribed: Russia, NATO membership. I'll tell you when they change."
        )
        assert await setup.db.topics_of(-1005000000002) == {"russia", "nato"}
        assert await setup.db.topics_of(651) == set()  # not the private chat
        listing = (await admin.send("/subscriptions @war_desk")).last.plain
        assert listing.startswith("@war_desk: ") and "Russia" in listing
        quiet = (await admin.send("/digest @war_desk daily 08:00 Europe/Kyiv")).last.plain
        assert "@war_desk: Done: one daily digest at 08:00 Europe/Kyiv" in quiet
        await admin.send("/digest @war_desk instant")
        menu = (await admin.send("/settings @war_desk")).last
        assert menu.plain.startswith("@war_desk: Settings") and "Sound: on" in menu.plain
        silent = (await admin.press(menu, "🔕 Silent")).last
        assert "Sound: off" in silent.plain and (await setup.db.delivery_of(-1005000000002)).silent
        assert not (await setup.db.delivery_of(651)).silent  # not the private chat's

        # Politely refused: not an administrator, no such channel, a group, a bot that can't post.
        reader = api.private_chat(user_id=652)
        refused_msg = (await reader.send("/subscribe @war_desk nato")).last
        refused = refused_msg.plain
        assert (
            refused == "Sorry, only the administrators of @war_desk can change its subscriptions."
        )
        assert (
            "can't find @no_such_channel"
            in (await admin.send("/subscribe @no_such_channel nato")).last.plain
        )
        api.register_chat(-1005000000003, chat_type="supergroup", username="some_group")
        assert "is not a channel" in (await admin.send("/unsubscribe @some_group")).last.plain
        api.channel(-1005000000004, username="not_ours", bot_admin=False)
        api.set_member_status(-1005000000004, 651, "creator")
        closed = (await admin.send("/subscribe @not_ours nato")).last.plain
        assert "I can't post in @not_ours yet" in closed
        assert await setup.db.topics_of(-1005000000002) == {"russia", "nato"}
        assert await setup.db.topics_of(-1005000000004) == set()
        assert len(api.sent_messages(-1005000000001)) == 2  # the post was left alone
        # A channel's settings button forged by someone who does not administer it.
        toast = await forged_press(api, "1|st|sound|0|-1005000000002", refused_msg, user_id=652)
        assert toast == "Sorry, only the administrators of @war_desk can change its subscriptions."
        assert (await setup.db.delivery_of(-1005000000002)).silent

        assert await setup.publish() == 2
        notes = {m.chat_id: m for m in await setup.wait_notifications(2)}
        sent = {chat_id: m.plain for chat_id, m in notes.items()}
        assert set(sent) == {-1005000000001, -1005000000002}
        assert notes[-1005000000002].disable_notification  # set silent from the private chat
        assert not notes[-1005000000001].disable_notification
        assert "About delta" in sent[-1005000000001] and "About gamma" not in sent[-1005000000001]
        # In a channel any reader could press a button: they open the entry in a private chat.
        assert notes[-1005000000001].buttons == [
            [("About delta", "https://t.me/briefing_test_bot?start=delta-entry")]
        ]
        assert "About gamma" in sent[-1005000000002] and "About delta" in sent[-1005000000002]

        # And off again, from the private chat.
        off = (await admin.send("/unsubscribe @war_desk all")).last.plain
        assert off == "@war_desk: Done: no more update notifications."
        assert await setup.db.topics_of(-1005000000002) == set()


async def test_reading_about_a_chat_books_no_message_slot() -> None:
    """getChat/getChatMember (admin checks, a channel by @name) are no messages: they do not
    wait for, nor use up, a chat's or group's sending slot; sendMessage does."""
    booked: list[object] = []

    class Budget:
        async def acquire(self, chat_id: object, **_kinds: object) -> None:
            booked.append(chat_id)

    async def request(*_args: object, **_kwargs: object) -> bool:
        return True

    limiter = BudgetRateLimiter(cast(SendBudget, Budget()))
    for endpoint in ("getChat", "getChatMember", "getChatAdministrators", "sendMessage"):
        await limiter.process_request(request, (), {}, endpoint, {"chat_id": -100123}, None)
    assert booked == [-100123]  # the message alone


async def test_migration_0007_keeps_subscriptions_outbox_and_digest_times(db_url: str) -> None:
    """Subscriptions, pending rows and digest settings from before threads and time zones are
    the chat's own (thread 0), UTC, and with sound."""
    db = Database(db_url)
    await db.upgrade("0006_replicas")
    async with db.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO chats (id, type, joined_at, blocked, digest_mode, digest_time)"
                " VALUES (-4001, 'group', :now, false, 'daily', '07:30')"
            ),
            {"now": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
        )
        await connection.execute(
            text(
                "INSERT INTO subscriptions (chat_id, topic, created_at)"
                " VALUES (-4001, 'nato', :now), (-4001, 'russia', :now)"
            ),
            {"now": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
        )
    await db.upgrade()
    assert await db.topics_of(-4001) == {"nato", "russia"}
    assert await db.delivery_of(-4001) == DeliverySettings(
        mode=DigestMode.DAILY, at="07:30", time_zone=None, silent=False
    )
    # The key is (chat, thread, topic) now: a forum thread subscribes on its own.
    assert await db.subscribe(-4001, "supergroup", {"nato"}, thread_id=5) == {"nato"}
    assert await db.subscribe(-4001, "supergroup", {"nato"}) == {"nato", "russia"}
    await db.close()


def test_head_revision_is_alembics_head() -> None:
    """The head read from the migration files without Alembic is the one Alembic finds."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


async def test_upgrade_at_head_skips_alembic(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database at the head is left alone without running Alembic; one behind is upgraded."""
    from alembic import command

    db = Database(db_url)
    await db.upgrade("0008_feedback")
    ran: list[str] = []
    upgrade = command.upgrade

    def counted(config: object, revision: str) -> None:
        ran.append(revision)
        upgrade(config, revision)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "upgrade", counted)
    await db.upgrade()
    assert ran == ["head"]
    await db.upgrade()  # now at the head
    assert ran == ["head"]
    async with db.engine.connect() as connection:
        recorded = (
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        ).all()
    assert [row[0] for row in recorded] == [head_revision()]
    await db.close()
