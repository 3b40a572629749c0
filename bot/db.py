"""Storage that must survive a restart: chats and their language, and questions left unanswered.

SQLAlchemy 2 async; SQLite (WAL) by default, PostgreSQL through DATABASE_URL. The schema is owned
by the Alembic migrations in bot/migrations, applied on start and by `briefing-bot db upgrade`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Text, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

logger = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Chat(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class Unanswered(Base):
    """A question the base could not answer: no user id, by design."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    best_score: Mapped[float] = mapped_column(Float)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


@dataclass(frozen=True)
class UnansweredRow:
    text: str
    language: str
    best_score: float
    asked_at: dt.datetime


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> AsyncEngine:
    """An async engine; for a SQLite file, its folder is created and WAL switched on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def upgrade(url: str, revision: str = "head") -> None:
    """Applies the Alembic migrations up to `revision` (blocking; call from a thread in async code)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    config.attributes["database_url"] = url
    command.upgrade(config, revision)


class Database:
    """The bot's storage operations; one instance per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False)

    async def upgrade(self) -> None:
        await asyncio.to_thread(upgrade, self.url)

    async def close(self) -> None:
        await self.engine.dispose()

    async def remember_chat(self, chat_id: int, chat_type: str) -> None:
        async with self.session.begin() as session:
            chat = await session.get(Chat, chat_id)
            if chat is None:
                session.add(Chat(id=chat_id, type=chat_type))
            elif chat.blocked:
                chat.blocked = False

    async def set_language(self, chat_id: int, chat_type: str, language: str | None) -> None:
        async with self.session.begin() as session:
            chat = await session.get(Chat, chat_id)
            if chat is None:
                session.add(Chat(id=chat_id, type=chat_type, language=language))
            else:
                chat.language = language

    async def language_of(self, chat_id: int) -> str | None:
        async with self.session() as session:
            return await session.scalar(select(Chat.language).where(Chat.id == chat_id))

    async def record_unanswered(self, text: str, language: str, best_score: float) -> None:
        async with self.session.begin() as session:
            session.add(Unanswered(text=text[:1000], language=language, best_score=best_score))

    async def unanswered(self, limit: int = 100) -> list[tuple[str, str, int, float, dt.datetime]]:
        """Most asked first: text, language, times asked, best score, last asked."""
        async with self.session() as session:
            rows = await session.execute(
                select(
                    Unanswered.text, Unanswered.language, func.count(), func.max(Unanswered.best_score),
                    func.max(Unanswered.asked_at),
                )
                .group_by(Unanswered.text, Unanswered.language)
                .order_by(func.count().desc(), func.max(Unanswered.asked_at).desc())
                .limit(limit)
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
