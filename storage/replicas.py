"""Running replicas and the published version each serves, so a notification waits until every
live replica serves what it announces.

Each replica re-stamps its row on every notifier tick (its heartbeat) and deletes it on a clean
stop; a row not stamped for `timeout` seconds (its replica died) is ignored and then pruned.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, ScalarSelect, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, Database, insert_into, utcnow


class Replica(Base):
    """One running bot."""

    __tablename__ = "replicas"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    serving: Mapped[int | None] = mapped_column(Integer)  # kb_versions.id; None: none of them
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


async def beat(db: Database, name: str, serving: int | None, timeout: float) -> None:
    """Records that `name` is alive and serves `serving`; prunes replicas gone silent."""
    now = utcnow()
    dialect = db.engine.dialect.name
    statement = insert_into(dialect, Replica).values(name=name, serving=serving, seen_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["name"], set_={"serving": serving, "seen_at": now}
    )
    async with db.write() as session:
        await session.execute(
            delete(Replica).where(Replica.seen_at < now - dt.timedelta(seconds=timeout))
        )
        await session.execute(statement)


async def leave(db: Database, name: str) -> None:
    """A clean stop: the replica no longer holds anything back."""
    async with db.write() as session:
        await session.execute(delete(Replica).where(Replica.name == name))


def oldest_served(timeout: float) -> ScalarSelect[int | None]:
    """A scalar subquery: the oldest version (kb_versions.id) a live replica serves, 0 when one
    serves none of them, NULL when no replica is live."""
    live = utcnow() - dt.timedelta(seconds=timeout)
    return (
        select(func.min(func.coalesce(Replica.serving, 0)))
        .where(Replica.seen_at >= live)
        .scalar_subquery()
    )
