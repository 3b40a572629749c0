"""The outbox from a worker's side: claim due rows atomically, hold them, mark them sent, give
them back.

Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL and by one UPDATE under the write lock
on SQLite, so no row has two owners; a held claim is renewed until the worker lets go of it, so
only a dead worker's claim goes stale; each row is marked sent right after its message went out,
so a crash re-sends at most the messages that were in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.constants import ChatType

from chat.notifications.message import merge_entries
from chat.settings import Settings
from storage.db import (
    Chat,
    Database,
    DigestMode,
    KbVersion,
    Outbox,
    OutboxEntry,
    OutboxState,
    load_entries,
    utcnow,
)
from storage.replicas import oldest_served

logger = logging.getLogger(__name__)

MAX_ERROR = 500  # characters of the last error kept on a row
RENEWALS_PER_TIMEOUT = 3  # a claim is renewed this often per claim timeout: two beats may fail


@dataclass
class Claimed:
    """The claimed rows of one chat, sent as one message (a digest merges several versions)."""

    token: str
    chat_id: int
    thread_id: int  # a forum topic's message_thread_id, or NO_THREAD
    ids: list[int]
    entries: list[OutboxEntry]
    attempts: int
    language: str
    group: bool  # groups and channels: at most N messages a minute
    digest: bool
    silent: bool = False  # sent without sound (disable_notification)
    channel: bool = False  # its buttons open the bot, never edit the post


def replica_timeout(settings: Settings) -> float:
    """Seconds after its last heartbeat (one per notifier tick) a replica counts as gone: three
    ticks, so two late ones are forgiven, and never under 10 s."""
    return max(3 * settings.notify_check_seconds, 10.0)


def worker_name() -> str:
    """Unique per process: host, pid and a random part, so claims never collide."""
    return f"{socket.gethostname()[:24]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def is_group(chat_id: int, chat_type: str | None) -> bool:
    """Whether Telegram's per-group limit applies; a chat we never stored goes by its id's sign."""
    return chat_type != ChatType.PRIVATE if chat_type else chat_id < 0


@dataclass
class Claims:
    """One worker's hold on the outbox."""

    db: Database
    settings: Settings
    worker: str = field(default_factory=worker_name)
    # The published row (kb_versions.id) this process serves: rows of later versions are left to
    # a replica that serves them, so no chat hears of content it would not be answered from.
    # None as a whole: no own filter (a worker that answers no questions). Either way rows wait
    # until every live replica (storage/replicas.py) serves their version.
    served: Callable[[], int | None] | None = None
    # What "now" is: when rows are due (a daily digest at its hour), claimed and retried.
    clock: Callable[[], dt.datetime] = utcnow
    batches: int = 0
    _marks: dict[str, list[int]] = field(default_factory=dict)
    _marks_done: asyncio.Future[set[int]] | None = None
    _flusher: asyncio.Task[None] | None = None

    def write(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        """A write transaction (one at a time on SQLite)."""
        return self.db.write()

    @contextlib.asynccontextmanager
    async def holding(self) -> AsyncIterator[list[Claimed]]:
        """Claims up to a batch of due rows, grouped by chat, and holds them for the block.

        The claim is renewed every claim timeout / RENEWALS_PER_TIMEOUT while the block runs: a
        worker waiting out a 429 keeps its rows, whatever the wait (Telegram's retry_after has no
        upper bound, so no claim timeout could be sized to outlast every wait), and a dead
        worker's rows are free again one claim timeout after its last beat.
        """
        token, rows = await self._claim_rows()
        items = await self._group(token, rows)
        if not items:
            yield items
            return
        heartbeat = asyncio.create_task(self._renew_every(token))
        try:
            yield items
        finally:
            heartbeat.cancel()
            await asyncio.wait([heartbeat])  # unlike awaiting it, keeps our own cancellation

    async def _renew_every(self, token: str) -> None:
        every = self.settings.notify_claim_timeout_seconds / RENEWALS_PER_TIMEOUT
        while True:
            await asyncio.sleep(every)
            try:
                await self.renew(token)
            except Exception:  # the next beat tries again
                logger.warning("Could not renew the claim %s", token, exc_info=True)

    async def renew(self, token: str) -> int:
        """Re-stamps the rows still held under `token`; returns how many."""
        async with self.write() as session:
            result = await session.execute(
                update(Outbox)
                .where(Outbox.claimed_by == token, Outbox.state == OutboxState.PENDING)
                .values(claimed_at=self.clock())
                .execution_options(synchronize_session=False)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult

    async def _claim_rows(self) -> tuple[str, list[Outbox]]:
        """Atomically, so no row has two owners."""
        self.batches += 1
        token = f"{self.worker}:{self.batches}"
        now = self.clock()
        stale = now - dt.timedelta(seconds=self.settings.notify_claim_timeout_seconds)
        due = [
            Outbox.state == OutboxState.PENDING,
            Outbox.next_attempt_at <= now,
            or_(Outbox.claimed_at.is_(None), Outbox.claimed_at < stale),
        ]
        # Not before every live replica serves the row's version (none live: no limit).
        beyond = [KbVersion.id > oldest_served(replica_timeout(self.settings))]
        if self.served is not None:
            served = self.served()
            if served is None:
                return token, []
            beyond.append(KbVersion.id > served)
        due.append(Outbox.version.not_in(select(KbVersion.version).where(or_(*beyond))))
        limit = self.settings.notify_batch_size
        async with self.write() as session:
            if self.db.engine.dialect.name == "postgresql":
                ids = list(
                    await session.scalars(
                        select(Outbox.id)
                        .where(*due)
                        .order_by(Outbox.id)
                        .limit(limit)
                        .with_for_update(skip_locked=True)
                    )
                )
                if not ids:
                    return token, []
                await session.execute(
                    update(Outbox)
                    .where(Outbox.id.in_(ids))
                    .values(claimed_by=token, claimed_at=now)
                )
            else:  # SQLite: one UPDATE statement runs under the database write lock
                chosen = (
                    select(Outbox.id)
                    .where(*due)
                    .order_by(Outbox.id)
                    .limit(limit)
                    .scalar_subquery()
                )
                await session.execute(
                    update(Outbox)
                    .where(Outbox.id.in_(chosen), *due)
                    .values(claimed_by=token, claimed_at=now)
                    .execution_options(synchronize_session=False)
                )
            rows = list(
                await session.scalars(
                    select(Outbox)
                    .where(Outbox.claimed_by == token, Outbox.state == OutboxState.PENDING)
                    .order_by(Outbox.id)
                )
            )
        return token, rows

    async def _group(self, token: str, rows: list[Outbox]) -> list[Claimed]:
        targets = sorted({(r.chat_id, r.thread_id) for r in rows})
        chat_ids = sorted({chat_id for chat_id, _thread in targets})
        async with self.db.session() as session:
            info = {
                c.id: c for c in await session.scalars(select(Chat).where(Chat.id.in_(chat_ids)))
            }
        out = []
        for chat_id, thread_id in targets:  # one message per chat and forum thread
            mine = [r for r in rows if (r.chat_id, r.thread_id) == (chat_id, thread_id)]
            chat = info.get(chat_id)
            out.append(
                Claimed(
                    token=token,
                    chat_id=chat_id,
                    thread_id=thread_id,
                    ids=[r.id for r in mine],
                    entries=merge_entries(load_entries(r.entries) for r in mine),
                    attempts=max(r.attempts for r in mine),
                    language=(chat.language if chat and chat.language else "en"),
                    group=is_group(chat_id, chat.type if chat else None),
                    digest=bool(chat and chat.digest_mode == DigestMode.DAILY),
                    silent=bool(chat and chat.silent),
                    channel=bool(chat and chat.type == ChatType.CHANNEL),
                )
            )
        return out

    async def mark_sent(self, item: Claimed) -> int:
        """Marks the rows sent; returns how many were still ours.

        Another worker may have re-claimed a stale one. Concurrent marks share one commit.
        """
        self._marks.setdefault(item.token, []).extend(item.ids)
        if self._marks_done is None:
            self._marks_done = asyncio.get_running_loop().create_future()
        done = self._marks_done
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_marks())
        return len(set(item.ids) & await asyncio.shield(done))

    async def _flush_marks(self) -> None:
        while self._marks:
            marks, done = self._marks, self._marks_done
            self._marks, self._marks_done = {}, None
            try:
                marked: set[int] = set()
                async with self.write() as session:
                    for token, ids in marks.items():
                        result = await session.execute(
                            update(Outbox)
                            .where(Outbox.id.in_(ids), Outbox.claimed_by == token)
                            .values(
                                state=OutboxState.SENT,
                                sent_at=self.clock(),
                                claimed_by=None,
                                claimed_at=None,
                                last_error=None,
                            )
                            .returning(Outbox.id)
                            .execution_options(synchronize_session=False)
                        )
                        marked.update(result.scalars())
            except Exception as exc:  # handed to every waiter
                if done is not None:
                    done.set_exception(exc)
            else:
                if done is not None:
                    done.set_result(marked)

    async def note(self, item: Claimed, error: str) -> None:
        """Records what just went wrong on rows we keep (a 429 being waited out)."""
        async with self.write() as session:
            await session.execute(
                update(Outbox)
                .where(Outbox.id.in_(item.ids), Outbox.claimed_by == item.token)
                .values(last_error=error[:MAX_ERROR])
                .execution_options(synchronize_session=False)
            )

    async def release(
        self, item: Claimed, error: str | None, *, limit: int | None, count: bool
    ) -> int:
        """Gives the rows back: retried after an exponential back-off, or failed once `limit`
        attempts are reached. Returns the attempts so far.

        `count=False` gives back without an attempt and due at once; `error=None` keeps the last
        error as it was (giving back is not an error).
        """
        attempts = item.attempts + 1 if count else item.attempts
        s = self.settings
        delay = min(
            s.notify_backoff_cap_seconds, s.notify_backoff_seconds * 2 ** max(0, attempts - 1)
        )
        failed = limit is not None and attempts >= limit
        values: dict[str, object] = {
            "attempts": attempts,
            "claimed_by": None,
            "claimed_at": None,
            "state": OutboxState.FAILED if failed else OutboxState.PENDING,
            "next_attempt_at": self.clock() + dt.timedelta(seconds=delay if count else 0),
        }
        if error is not None:
            values["last_error"] = error[:MAX_ERROR]
        async with self.write() as session:
            await session.execute(
                update(Outbox)
                .where(Outbox.id.in_(item.ids), Outbox.claimed_by == item.token)
                .values(values)
                .execution_options(synchronize_session=False)
            )
        return attempts


async def outbox_counts(db: Database) -> dict[str, int]:
    """Rows per state, for reports and tests."""
    async with db.session() as session:
        rows = await session.execute(select(Outbox.state, func.count()).group_by(Outbox.state))
        return {state: int(count) for state, count in rows}
