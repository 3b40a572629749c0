"""Idempotent writes and shared state: concurrent subscribes, double taps and a language set on
one replica, on SQLite and PostgreSQL, at the storage level and through the real Application."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.app import App
from chat.callbacks import ToggleSubscription
from chat.settings import Settings
from knowledge.schema import EVERYTHING
from storage.db import Chat, Database, DigestMode, Subscription, save_chat, utcnow
from testkit.fakes import Chat as Conversation
from testkit.fakes import FakeBotAPI, SentMessage
from testkit.harness import running_bot, settings_for
from testkit.kb_trees import entry, write_tree

TOPICS = [{"plan-20"}, {"russia"}, {EVERYTHING}, {"plan-20", "russia"}]  # each chat, at once
UNTHROTTLED = {"send_rate_per_second": 0, "notify_check_seconds": 60.0}


def tree(root: Path) -> Path:
    """A base with the topics plan-20 and russia."""
    return write_tree(
        root,
        entry("alpha-entry", "alpha")
        + entry("gamma-entry", "gamma").replace("topics: [plan-20]", "topics: [russia]"),
    )


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path, db_url: str) -> Settings:
    return settings_for(
        api, tmp_path, database_url=db_url, knowledge_dir=tree(tmp_path / "kb"), **UNTHROTTLED
    )


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[App]:
    async with running_bot(settings) as app:
        yield app


async def subscription_count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Subscription)) or 0)


# --- storage -------------------------------------------------------------------------------------


async def test_1000_concurrent_subscribes_and_chat_writes(db: Database) -> None:
    chats = range(1, 251)
    results = await asyncio.gather(
        *(db.subscribe(c, "private", topics) for c in chats for topics in TOPICS),
        *(db.remember_chat(c, "private") for c in chats),  # /start at the same moment
        return_exceptions=True,
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert all([await db.topics_of(c) == {"plan-20", "russia", EVERYTHING} for c in chats])
    assert await subscription_count(db) == 3 * len(chats)


async def test_3x150_same_topic_subscribes_from_one_chat(db: Database) -> None:
    results = await asyncio.gather(
        *(db.subscribe(-4001, "group", {"russia"}) for _ in range(450)),
        *(db.set_language(-4001, "group", "uk") for _ in range(10)),
        *(db.set_digest(-4001, "group", DigestMode.DAILY, "07:30", utcnow()) for _ in range(10)),
        return_exceptions=True,
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await db.topics_of(-4001) == {"russia"} and await subscription_count(db) == 1
    assert await db.language_of(-4001) == "uk"
    assert await db.digest_of(-4001) == (DigestMode.DAILY, "07:30")


async def test_moving_a_chat_keeps_the_new_ids_settings_and_merges_topics(db: Database) -> None:
    await db.subscribe(-5, "group", {"russia", "plan-20"})
    await db.set_language(-5, "group", "de")
    await db.subscribe(-100, "supergroup", {"russia"})
    await db.set_language(-100, "supergroup", "uk")
    await asyncio.gather(db.move_chat(-5, -100), db.move_chat(-5, -100))
    assert await db.topics_of(-100) == {"russia", "plan-20"} and await db.topics_of(-5) == set()
    assert await db.language_of(-100) == "uk"
    async with db.session() as session:
        assert (await session.get(Chat, -5)).blocked  # type: ignore[union-attr]  # -5 subscribed above


async def test_grouped_writes_all_commit_and_each_gets_its_own_result(db: Database) -> None:
    sessions = []

    async def add(chat_id: int) -> int:
        async def work(session: AsyncSession) -> int:
            sessions.append(session)
            await save_chat(session, chat_id, "private", language="de")
            return chat_id

        return await db.grouped(work)

    assert await asyncio.gather(*(add(9000 + i) for i in range(20))) == [
        9000 + i for i in range(20)
    ]
    for i in range(20):
        assert await db.language_of(9000 + i) == "de"
    # SQLite: the 20 writes queued at once share one transaction (group commit); PostgreSQL
    # gives each its own.
    assert len(set(map(id, sessions))) == (1 if db.engine.dialect.name == "sqlite" else 20)


async def test_a_failing_grouped_write_fails_only_its_caller(db: Database) -> None:
    async def good(session: AsyncSession) -> None:
        await save_chat(session, 9100, "private", language="uk")

    async def bad(session: AsyncSession) -> None:
        await save_chat(session, 9101, "private", language="ru")
        raise ValueError("refused")

    results = await asyncio.gather(
        db.grouped(good), db.grouped(bad), db.grouped(good), return_exceptions=True
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ValueError)
    assert await db.language_of(9100) == "uk"
    assert await db.language_of(9101) is None  # the failed write's rows are rolled back


# --- through the Application ---------------------------------------------------------------------


async def test_concurrent_subscribe_commands_all_answered(
    bot: App, api: FakeBotAPI, settings: Settings
) -> None:
    users = list(range(70_001, 70_101))
    started = len(api.calls)
    for user in users:
        api.private_message("/subscribe all", user_id=user)
        api.private_message("/subscribe russia", user_id=user)
    replies = await api.wait_for("sendMessage", count=2 * len(users), since=started, timeout=30)
    texts = Counter(call.sent.plain.split(":")[0] for call in replies if call.sent is not None)
    assert texts == {"Subscribed": 2 * len(users)}
    db = bot.bot_data.services.db
    assert all([await db.topics_of(u) == {EVERYTHING, "russia"} for u in users])


def buttons(message: SentMessage) -> dict[str, str | None]:
    return {label: data for row in message.buttons for label, data in row}


def buttons_now(chat: Conversation, message: SentMessage) -> dict[str, str]:
    """A message's buttons after any edits: label to callback data."""
    rows = chat.current(message).get("reply_markup", {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


async def test_double_tapped_toggles_end_as_intended(bot: App, api: FakeBotAPI) -> None:
    chats = [api.private_chat(user_id=user) for user in range(80_001, 80_021)]
    start = len(api.calls)
    for chat in chats:
        chat.post("/subscribe")
    menus = [c.sent for c in await api.wait_for("sendMessage", count=len(chats), since=start)]
    shown = [
        (chat, menu) for chat in chats for menu in menus if menu and menu.chat_id == chat.chat_id
    ]
    db = bot.bot_data.services.db

    async def double_tap(label: str) -> None:
        """Every chat presses `label` twice at once; waits until both presses were handled."""
        start = len(api.calls)
        pressed = {
            api.callback_query(data, menu)["callback_query"]["id"]
            for chat, menu in shown
            for data in [buttons_now(chat, menu)[label]] * 2
        }
        answered = await api.wait_for(
            "answerCallbackQuery",
            count=len(pressed),
            since=start,
            predicate=lambda c: c.params.get("callback_query_id") in pressed,
        )
        assert all(c.ok and not c.params.get("text") for c in answered)
        await api.wait_for("editMessageReplyMarkup", count=len(pressed), since=start)

    assert len(shown) == len(chats)
    await double_tap("▫️ Russia")
    assert all([await db.topics_of(int(chat.chat_id)) == {"russia"} for chat in chats])
    assert all("✅ Russia" in buttons_now(chat, menu) for chat, menu in shown)
    await double_tap("✅ Russia")
    assert all([await db.topics_of(int(chat.chat_id)) == set() for chat in chats])
    assert all("▫️ Russia" in buttons_now(chat, menu) for chat, menu in shown)
    assert not [c for c in api.calls_to("sendMessage") if "wrong" in str(c.params.get("text"))]


async def test_an_old_toggle_button_asks_to_reopen(bot: App, api: FakeBotAPI) -> None:
    chat = api.private_chat(user_id=80_100)
    menu = (await chat.send("/subscribe")).last
    assert menu is not None
    assert buttons(menu)["▫️ Russia"] == ToggleSubscription("russia", subscribe=True).encode()
    old = api.callback_query("1|sb|russia", menu)  # the data buttons carried before
    answer = await api.wait_for(
        "answerCallbackQuery",
        predicate=lambda c: c.params.get("callback_query_id") == old["callback_query"]["id"],
    )
    assert "/subscribe" in str(answer[0].params.get("text"))
    assert await bot.bot_data.services.db.topics_of(80_100) == set()


async def test_a_language_set_on_one_replica_is_used_by_another(
    api: FakeBotAPI, settings: Settings
) -> None:
    async def said(replica: App, text: str) -> str:
        update = api.private_message(text, user_id=90_001, queue=False)
        await replica.process_update(Update.de_json(update, replica.bot))
        return api.sent_messages(90_001)[-1].plain

    async with AsyncExitStack() as replicas:
        one = await replicas.enter_async_context(running_bot(settings, polling=False))
        two = await replicas.enter_async_context(running_bot(settings, polling=False))
        assert (await said(two, "/help")).startswith("Ask a question")
        assert "Deutsch" in await said(one, "/lang de")
        assert (await said(two, "/help")).startswith("Stellen Sie eine Frage")
        assert "English" in await said(two, "/lang en")
        assert (await said(one, "/help")).startswith("Ask a question")
