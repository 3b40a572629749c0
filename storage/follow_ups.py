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
    DateTime,
    String,
    Text,
    cast,
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
    if it is at most `window` seconds old, in one query with the other questions' of the moment
    (Database.read_batched): a question read both, and on SQLite each query is 5 thread round
    trips of the event loop's (bench.bot_throughput: 17.6 -> 12.6 per question as one query)."""
    recalled: tuple[str | None, Previous | None] = await db.read_batched(
        _recall, (chat_id, talk, utcnow() - dt.timedelta(seconds=window))
    )
    return recalled


async def _recall(
    session: AsyncSession, asked: list[tuple[int, str, dt.datetime]]
) -> list[tuple[str | None, Previous | None]]:
    """recall_in_chat for many (chat, conversation, since) at once."""
    chats = {chat_id for chat_id, _, _ in asked}
    talks = {talk for _, talk, _ in asked}
    oldest = min(since for _, _, since in asked)
    chosen = select(
        literal("chat"), cast(Chat.id, String), Chat.language, null(), null(), null()
    ).where(Chat.id.in_(chats))
    last = select(
        literal("talk"),
        LastAnswer.talk,
        LastAnswer.entry_id,
        LastAnswer.question,
        LastAnswer.language,
        LastAnswer.answered_at,
    ).where(LastAnswer.talk.in_(talks), LastAnswer.answered_at >= oldest)
    languages: dict[str, str | None] = {}
    answers: dict[str, tuple[Previous, dt.datetime]] = {}
    # The last answers first: their columns' types decide how the union's rows are read (SQLite
    # gives a time back as text otherwise).
    rows: Any = await session.execute(union_all(last, chosen))
    for kind, key, first, question, language, answered_at in rows:
        if kind == "chat":
            languages[key] = first
        else:
            answers[key] = (Previous(first, question, language), _aware(answered_at))
    recalled: list[tuple[str | None, Previous | None]] = []
    for chat_id, talk, since in asked:
        found = answers.get(talk)
        previous = found[0] if found is not None and found[1] >= since else None
        recalled.append((languages.get(str(chat_id)), previous))
    return recalled


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back the stored UTC time without its zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


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
