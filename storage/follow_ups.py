"""The last answer each user got in each chat, for a short while: what a follow-up ("and
russia?", "sources?") refers to (knowledge.followup).

One row per conversation (a chat and a user), overwritten by every question and ignored once older
than the follow-up window; rows past the window are deleted when anyone asks (at most once a minute
per process), so nothing of a conversation stays much longer than that window while the bot runs.
Kept in the database, not in a replica's memory: the next message of a conversation may reach
another replica. A row names no user: its key is an HMAC of the chat and user ids under a secret
every replica shares (the bot token), so the table alone cannot tell whose conversation it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    DateTime,
    Select,
    String,
    Text,
    delete,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.followup import Previous
from storage.db import Base, Chat, Database, insert_for, utcnow

PRUNE_EVERY = 60.0  # seconds between sweeps of rows past the window (per process and database)
_swept: dict[str, float] = {}


class LastAnswer(Base):
    """What one user was last answered in one chat (deleted after the follow-up window)."""

    __tablename__ = "last_answers"

    talk: Mapped[str] = mapped_column(String(64), primary_key=True)  # talk_of(chat, user)
    entry_id: Mapped[str | None] = mapped_column(String(64))  # None: the question got no answer
    question: Mapped[str] = mapped_column(Text)  # what it was about, as resolved
    language: Mapped[str | None] = mapped_column(String(8))  # the answer's language
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


def talk_of(secret: str, chat_id: int, user_id: int) -> str:
    """The key of one user's conversation in one chat: the same on every replica that knows the
    secret, and no user id in it."""
    message = f"{chat_id}:{user_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def remember(db: Database, talk: str, previous: Previous, window: float) -> None:
    """Keeps `previous` as the user's last answer in the chat; forgets every older one."""
    now = utcnow()
    row = {
        "talk": talk,
        "entry_id": previous.entry_id,
        "question": previous.question,
        "language": previous.language,
        "answered_at": now,
    }
    await db.batched(_write_last_answers, row)
    # Older rows go in a transaction of their own (one upsert holds one row lock: no deadlock
    # with another replica's sweep), at most once a minute per process.
    if time.monotonic() - _swept.get(db.url, -PRUNE_EVERY) >= PRUNE_EVERY:
        _swept[db.url] = time.monotonic()
        async with db.write() as session:
            await session.execute(
                delete(LastAnswer).where(
                    LastAnswer.answered_at < now - dt.timedelta(seconds=window)
                )
            )


async def _write_last_answers(session: AsyncSession, rows: list[dict[str, Any]]) -> list[None]:
    """The last answers of many conversations as one upsert (the latest of a conversation's)."""
    latest = {row["talk"]: row for row in rows}  # one row per key: PostgreSQL refuses two
    statement = insert_for(session, LastAnswer).values(list(latest.values()))
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["talk"],
            set_={
                "entry_id": excluded.entry_id,
                "question": excluded.question,
                "language": excluded.language,
                "answered_at": excluded.answered_at,
            },
        )
    )
    return [None] * len(rows)


async def recall_in_chat(
    db: Database, chat_id: int, talk: str, window: float
) -> tuple[str | None, Previous | None]:
    """The chat's /lang choice (as Database.language_of) and the user's last answer in the chat
    if it is at most `window` seconds old, in one query: a question read both, and on SQLite each
    query is 5 thread round trips of the event loop's (bench.bot_throughput: 17.6 -> 12.6 per
    question)."""
    chosen = select(literal("chat"), Chat.language, null(), null()).where(Chat.id == chat_id)
    async with db.session() as session:
        both: CompoundSelect[str, str | None, str, str | None] = union_all(
            chosen, _last_answer(talk, window)
        )
        rows = (await session.execute(both)).all()
    language, previous = None, None
    for kind, first, question, answer_language in rows:
        if kind == "chat":
            language = first
        else:
            previous = Previous(first, question, answer_language)
    return language, previous


def _last_answer(talk: str, window: float) -> Select[str, str | None, str, str | None]:
    since = utcnow() - dt.timedelta(seconds=window)
    return select(
        literal("talk"), LastAnswer.entry_id, LastAnswer.question, LastAnswer.language
    ).where(LastAnswer.talk == talk, LastAnswer.answered_at >= since)


async def choose(
    db: Database, talk: str, entry_id: str, offered: list[str], window: float
) -> bool:
    """A "did you mean" choice (or a related entry opened from an answer): the follow-up context
    moves to the chosen entry, keeping what the question was about, when the user's last answer
    is recent and was one of the entries `offered` by the pressed message. Whether it moved."""
    if not offered:
        return False
    now = utcnow()
    statement = (
        update(LastAnswer)
        .where(
            LastAnswer.talk == talk,
            LastAnswer.answered_at >= now - dt.timedelta(seconds=window),
            LastAnswer.entry_id.in_(offered),
        )
        .values(entry_id=entry_id, answered_at=now)
    )
    async with db.write() as session:
        result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))
