"""The webhook inbox: every accepted update, stored before Telegram gets its 200.

A row is claimed by the replica that processes it, marked done once processed, and pruned a day
later. The update_id primary key makes a re-delivery a no-op. Only the oldest unfinished update
of a chat can be claimed, so one chat's updates are processed in order; claims that stop being
renewed (their replica died) are taken over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    DateTime,
    Index,
    String,
    Text,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column

from storage.db import Base, Database, insert_into, utcnow


class InboxRow(Base):
    """One update as Telegram sent it."""

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_chat_update", "chat_key", "update_id"),
        Index("ix_inbox_done_at", "done_at"),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[int | None] = mapped_column(BigInteger)  # chat (else user) id; None: no order
    payload: Mapped[str] = mapped_column(Text)  # the update's JSON, as received
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Claimed:
    """An update this replica now owns."""

    update_id: int
    chat_key: int | None
    payload: str


class Inbox:
    """The inbox queries of one replica (`replica` names its claims)."""

    def __init__(self, db: Database, replica: str, claim_seconds: float) -> None:
        self.db = db
        self.replica = replica
        self.claim_seconds = claim_seconds

    async def add(self, update_id: int, chat_key: int | None, payload: str) -> bool:
        """Stores an update; False when that update_id is already there (a re-delivery)."""
        dialect = self.db.engine.dialect.name
        statement = (
            insert_into(dialect, InboxRow)
            .values(update_id=update_id, chat_key=chat_key, payload=payload, received_at=utcnow())
            .on_conflict_do_nothing(index_elements=["update_id"])
        )
        async with self.db.session.begin() as session:
            result = await session.execute(statement)
            return bool(result.rowcount)  # type: ignore[attr-defined]  # an INSERT gives a CursorResult

    async def claim(
        self, *, update_id: int | None = None, chat_key: int | None = None, limit: int = 1
    ) -> list[Claimed]:
        """Claims up to `limit` updates that are free and first in their chat, oldest first.

        `update_id` asks for that one update only, `chat_key` for the next one of that chat. Free
        means unclaimed or claimed by a replica that stopped renewing its claims.
        """
        now = utcnow()
        stale = now - dt.timedelta(seconds=self.claim_seconds)
        candidate = aliased(InboxRow)
        older = aliased(InboxRow)
        free = (candidate.claimed_by.is_(None)) | (candidate.claimed_at < stale)
        first_in_chat = ~exists().where(
            older.chat_key == candidate.chat_key,
            older.update_id < candidate.update_id,
            older.done_at.is_(None),
        )
        chosen = select(candidate.update_id).where(
            candidate.done_at.is_(None), free, first_in_chat
        )
        if update_id is not None:
            chosen = chosen.where(candidate.update_id == update_id)
        if chat_key is not None:
            chosen = chosen.where(candidate.chat_key == chat_key)
        # SKIP LOCKED: replicas polling at once take different rows instead of queueing on one
        # (SQLite has no row locks and ignores it; there a single statement is atomic anyway).
        chosen = (
            chosen.order_by(candidate.update_id).limit(limit).with_for_update(skip_locked=True)
        )
        statement = (
            update(InboxRow)
            .where(InboxRow.update_id.in_(chosen))
            .values(claimed_by=self.replica, claimed_at=now)
            .returning(InboxRow.update_id, InboxRow.chat_key, InboxRow.payload)
        )
        async with self.db.session.begin() as session:
            rows = (await session.execute(statement)).all()
        return sorted((Claimed(*row) for row in rows), key=lambda row: row.update_id)

    async def done(self, update_id: int) -> None:
        async with self.db.session.begin() as session:
            await session.execute(
                update(InboxRow).where(InboxRow.update_id == update_id).values(done_at=utcnow())
            )

    async def renew(self, update_ids: Collection[int]) -> None:
        """Keeps the claims on updates being processed fresh: the heartbeat others judge by.

        Only those: a claim whose processing ended without being marked done (the database
        failed at that moment) goes stale and is taken over, not held forever.
        """
        if not update_ids:
            return
        async with self.db.session.begin() as session:
            await session.execute(
                update(InboxRow)
                .where(
                    InboxRow.update_id.in_(list(update_ids)),
                    InboxRow.claimed_by == self.replica,
                    InboxRow.done_at.is_(None),
                )
                .values(claimed_at=utcnow())
            )

    async def release(self) -> None:
        """On a clean stop: unfinished claims are handed back at once, not after a timeout."""
        async with self.db.session.begin() as session:
            await session.execute(
                update(InboxRow)
                .where(InboxRow.claimed_by == self.replica, InboxRow.done_at.is_(None))
                .values(claimed_by=None, claimed_at=None)
            )

    async def prune(self, older_than: dt.timedelta) -> int:
        """Forgets processed updates; Telegram gives up re-delivering long before a day."""
        async with self.db.session.begin() as session:
            result = await session.execute(
                delete(InboxRow).where(InboxRow.done_at < utcnow() - older_than)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]  # a DELETE gives a CursorResult

    async def backlog(self) -> tuple[int, dt.datetime | None]:
        """Unfinished updates and when the oldest of them arrived."""
        async with self.db.session() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(InboxRow.received_at)).where(
                        InboxRow.done_at.is_(None)
                    )
                )
            ).one()
            return int(count), oldest
