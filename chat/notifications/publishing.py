"""Publishing: record a knowledge version with its files and enqueue one outbox row per chat whose
topics changed.

All in one transaction: a version is recorded together with its bundle (what every replica will
serve) and its notifications, or not at all.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat.timezones import next_digest_at
from knowledge.loader import KnowledgeBase
from knowledge.schema import EVERYTHING
from knowledge.versions import Diff, content_version, describe, diff_hashes, entry_hashes
from storage.bundles import bundle_row, has_bundle, pack
from storage.db import (
    Chat,
    Database,
    DigestMode,
    KbVersion,
    Outbox,
    OutboxEntry,
    OutboxState,
    Subscription,
    dump_entries,
    utcnow,
)

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) during long work, for the command line."""

INSERT_CHUNK = 1000  # outbox rows per INSERT statement


@dataclass(frozen=True)
class PublishResult:
    """What one publish did, for the command line and /publish."""

    version: str
    previous: str | None
    diff: Diff
    enqueued: int
    recorded: bool  # a kb_versions row was written

    @property
    def baseline(self) -> bool:
        return self.previous is None and self.recorded


def _entries_for(diff: Diff, topics: set[str]) -> list[OutboxEntry]:
    everything = EVERYTHING in topics
    return [
        OutboxEntry(id=c.entry_id, title=c.title, change=kind)
        for kind, changes in diff.by_kind()
        for c in changes
        if everything or topics.intersection(c.topics)
    ]


async def latest_version(session: AsyncSession, lock: bool = False) -> KbVersion | None:
    query = select(KbVersion).order_by(KbVersion.id.desc()).limit(1)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def publish(
    db: Database,
    base: KnowledgeBase,
    note: str | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> PublishResult:
    """Records `base` with its files as the published version and enqueues its notifications,
    all or nothing; `now` (the clock's time by default) dates them and times daily digests.

    The first publish only records a baseline; an unchanged base records and enqueues nothing
    (it only stores the files of a version published before bundles were kept).
    """
    if not base.files:
        raise ValueError("a base without its source files cannot be published")
    bundle = await asyncio.to_thread(pack, base.files)  # 58 ms for the shipped base
    version = content_version(base)
    hashes = entry_hashes(base)
    meta = describe(base)
    now = now or utcnow()
    postgres = db.engine.dialect.name == "postgresql"
    async with db.session.begin() as session:
        last = await latest_version(session, lock=postgres)  # PostgreSQL: publishers queue up here
        if last is not None and last.version == version:
            if not await has_bundle(session, last.id):
                session.add(bundle_row(last.id, bundle))
            return PublishResult(version, last.version, Diff([], [], []), 0, recorded=False)
        row = KbVersion(
            version=version,
            published_at=now,
            note=note,
            entry_hashes=json.dumps(hashes, sort_keys=True),
            entry_meta=json.dumps(meta, sort_keys=True, ensure_ascii=False),
        )
        session.add(row)
        await session.flush()  # the row's id, for its bundle
        session.add(bundle_row(row.id, bundle))
        if last is None:
            return PublishResult(version, None, Diff([], [], []), 0, recorded=True)
        old_meta = {k: (v[0], tuple(v[1])) for k, v in json.loads(last.entry_meta or "{}").items()}
        diff = diff_hashes(json.loads(last.entry_hashes), hashes, {**old_meta, **meta})
        if diff.empty:
            return PublishResult(version, last.version, diff, 0, recorded=True)
        wanted = diff.topics() | {EVERYTHING}
        rows = await session.execute(
            select(
                Subscription.chat_id,
                Subscription.thread_id,
                Subscription.topic,
                Chat.digest_mode,
                Chat.digest_time,
                Chat.time_zone,
            )
            .join(Chat, Chat.id == Subscription.chat_id)
            .where(
                Subscription.topic.in_(wanted),
                Chat.blocked.is_(False),
                Chat.digest_mode != DigestMode.OFF,
            )
        )
        # One row per chat and forum thread: each thread is told what its own topics cover.
        chats: dict[tuple[int, int], tuple[set[str], str, str | None, str | None]] = {}
        for chat_id, thread_id, topic, mode, at, zone in rows:
            chats.setdefault((chat_id, thread_id), (set(), mode, at, zone))[0].add(topic)
        outbox: list[dict[str, Any]] = []
        for (chat_id, thread_id), (topics, mode, at, zone) in sorted(chats.items()):
            entries = _entries_for(diff, topics)
            if entries:
                due = next_digest_at(at, now, zone) if mode == DigestMode.DAILY else now
                outbox.append(
                    {
                        "chat_id": chat_id,
                        "thread_id": thread_id,
                        "version": version,
                        "state": OutboxState.PENDING,
                        "attempts": 0,
                        "entries": dump_entries(entries),
                        "next_attempt_at": due,
                        "created_at": now,
                    }
                )
        for start in range(0, len(outbox), INSERT_CHUNK):
            await session.execute(insert(Outbox), outbox[start : start + INSERT_CHUNK])
            if progress:
                progress("enqueue", min(start + INSERT_CHUNK, len(outbox)), len(outbox))
    logger.info("Published version %s: %d notification(s) enqueued", version, len(outbox))
    return PublishResult(version, last.version, diff, len(outbox), recorded=True)


async def published_version(db: Database) -> tuple[int, str] | None:
    """(row id, version) of the latest published knowledge base."""
    async with db.session() as session:
        last = await latest_version(session)
        return (last.id, last.version) if last else None
