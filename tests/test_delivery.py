"""Notifications where and when people want them: a forum topic's own thread, silently, a daily
digest at a time of the chat's time zone, /settings, and channels. Conversations with the real
Application over HTTP to the fake Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chat.notifications import publish
from chat.render import answer_length
from chat.settings import Settings
from knowledge.validate import load_base
from storage.db import Database
from testkit.fakes import Call, FakeBotAPI, SentMessage
from testkit.harness import running_bot, settings_for
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

    async def publish(self, round_: int = 1) -> int:
        """Publishes a base where every topic changed (as `kb publish` from another machine)."""
        base = load_base(
            every_topic_changed(self.tmp / f"round-{round_}", round_), measure=answer_length
        )
        return (await publish(self.db, base)).enqueued

    def notifications(self, since: int = 0) -> list[Call]:
        """The notifications sent so far (answers to commands are replies, these are not)."""
        return [
            c
            for c in self.api.calls_to("sendMessage")[since:]
            if c.ok and "knowledge base was updated" in str(c.params.get("text"))
        ]

    async def wait_notifications(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        await self.api.wait_for(
            "sendMessage",
            count=count,
            timeout=timeout,
            ok=True,
            predicate=lambda c: "knowledge base was updated" in str(c.params.get("text")),
        )
        await asyncio.sleep(0.5)  # and nothing more arrives
        return [c.sent for c in self.notifications() if c.sent is not None]


@pytest.fixture
async def setup(api: FakeBotAPI, tmp_path: Path, db_url: str) -> AsyncIterator[Setup]:
    settings = settings_for(
        api, tmp_path, database_url=db_url, knowledge_dir=first_tree(tmp_path / "kb"), **FAST
    )
    db = Database(db_url)
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
        for _ in range(50):
            if not await setup.db.topics_of(forum, 9):
                break
            await asyncio.sleep(0.1)
        assert await setup.db.topics_of(forum, 9) == set()
        assert await setup.db.topics_of(forum, 7) == {"russia"}
