"""Storage that must survive a restart.

Chats, subscriptions, published versions, the outbox, questions.

SQLAlchemy 2 async; SQLite (WAL) by default, PostgreSQL through DATABASE_URL. The schema is owned
by the Alembic migrations in storage/migrations, applied on start and by `briefing-bot db upgrade`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import PoolResetState

from knowledge.versions import ChangeKind

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

logger = logging.getLogger(__name__)

T = TypeVar("T")
# One write of a group commit (Database.grouped): runs inside the group's transaction.
Work = Callable[[AsyncSession], Awaitable[Any]]
# Writes or reads many items of one kind in one statement (or a few), one result per item.
Batch = Callable[[AsyncSession, list[Any]], Awaitable[list[Any]]]
Batches = dict[Batch, list[tuple[Any, "asyncio.Future[Any]"]]]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class DigestMode(StrEnum):
    """How a chat gets its notifications (stored in chats.digest_mode as these strings)."""

    INSTANT = "instant"
    DAILY = "daily"
    OFF = "off"


class OutboxState(StrEnum):
    """Where one outbox row stands (stored in outbox.state as these strings)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"  # the chat blocked the bot or turned notifications off


class Chat(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_mode: Mapped[str] = mapped_column(
        String(8), default=DigestMode.INSTANT, server_default=DigestMode.INSTANT.value
    )
    digest_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM" in time_zone, daily
    silent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    time_zone: Mapped[str | None] = mapped_column(String(64))  # IANA name; None is UTC


NO_THREAD = 0  # subscriptions and outbox rows of a chat itself (or a forum's General topic)


@dataclass(frozen=True)
class DeliverySettings:
    """How and when a chat gets its notifications, as stored on its row."""

    mode: DigestMode = DigestMode.INSTANT
    at: str | None = None  # "HH:MM" of a daily digest, in time_zone
    time_zone: str | None = None  # IANA name; None is UTC
    silent: bool = False  # sent with disable_notification
    language: str | None = None


class OutboxEntry(BaseModel):
    """One line of a notification: an entry and what happened to it.

    Outbox.entries is a JSON list.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    change: ChangeKind


_ENTRY_LIST = TypeAdapter(list[OutboxEntry])


def dump_entries(entries: list[OutboxEntry]) -> str:
    return json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False)


def load_entries(stored: str) -> list[OutboxEntry]:
    return _ENTRY_LIST.validate_json(stored)


class Subscription(Base):
    """A chat wants to hear about changes in one topic (or EVERYTHING)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint(
            "chat_id", "thread_id", "topic", name="uq_subscriptions_chat_thread_topic"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # A forum topic's message_thread_id: its notifications go there; NO_THREAD otherwise.
    thread_id: Mapped[int] = mapped_column(BigInteger, default=NO_THREAD, server_default="0")
    topic: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KbVersion(Base):
    """A published knowledge base: the baseline the next publish is diffed against."""

    __tablename__ = "kb_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(32), index=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    entry_hashes: Mapped[str] = mapped_column(Text)  # JSON {entry id: hash}
    entry_meta: Mapped[str] = mapped_column(
        Text, default="{}"
    )  # JSON {entry id: [title, [topics]]}


class Outbox(Base):
    """One notification for one chat; rows are claimed, sent and marked one by one."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    thread_id: Mapped[int] = mapped_column(BigInteger, default=NO_THREAD, server_default="0")
    version: Mapped[str] = mapped_column(String(32))
    entries: Mapped[str] = mapped_column(Text)  # JSON [{"id", "title", "change"}]
    state: Mapped[str] = mapped_column(
        String(8), default=OutboxState.PENDING
    )  # pending/sent/failed/dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Unanswered(Base):
    """A question the base could not answer: no user id, by design."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    best_score: Mapped[float] = mapped_column(Float)
    asked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute(
        "PRAGMA synchronous=NORMAL"
    )  # WAL: commits survive a crash of the process, no fsync each
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_reset(dbapi_connection: Any, _record: object, state: PoolResetState) -> None:
    """A connection back in the pool is rolled back only if a transaction is open: after a
    read, or a write that committed, the pool's rollback was a thread round trip that did
    nothing, 2 of each question's 20 (SQLAlchemy's recipe for a custom reset, the check read
    from sqlite3 without a round trip)."""
    if state.terminate_only or not state.asyncio_safe:
        return  # the connection is closed instead (or garbage-collected)
    if dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


IMMEDIATE = "sqlite_begin_immediate"  # execution option of Database.write()'s engine


def _sqlite_begin(connection: Connection) -> None:
    """SQLAlchemy's documented recipe (ConnectionEvents.begin), for writes only: BEGIN IMMEDIATE
    takes the write lock at the start, so a transaction that reads before it writes waits its
    turn (busy_timeout) instead of failing with "database is locked" when it upgrades.

    Other transactions keep the driver's own deferred BEGIN, so readers never wait for writers.
    """
    if connection.get_execution_options().get(IMMEDIATE):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, connections: int = 10) -> AsyncEngine:
    """An async engine; for a SQLite file, its folder is created and WAL switched on.

    On PostgreSQL at most `connections` are open at once, kept open once opened.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Kept open up to `connections` (SQLAlchemy's default keeps 5): 10 users asking at once
        # opened and closed a connection every second question, each with its own thread and
        # 9 round trips to it (PRAGMAs, functions, close), 40% of the bot's SQLite round trips.
        engine = create_async_engine(url, pool_size=connections, pool_reset_on_return=None)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", _sqlite_reset)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # A fixed pool the size of the work that can need it at once: no overflow connections opened
    # and closed under every burst, and replicas x connections stays countable against
    # PostgreSQL's max_connections.
    return create_async_engine(url, pool_pre_ping=True, pool_size=connections, max_overflow=0)


# pg_advisory_lock key that serialises start-up across replicas (any fixed bigint; "BRIEFING").
STARTUP_LOCK_KEY = 0x4252_4945_4649_4E47

_startup_connection: ContextVar[AsyncConnection | None] = ContextVar(
    "startup_connection", default=None
)


def upgrade(url: str, revision: str = "head") -> None:
    """Applies the Alembic migrations up to `revision`, under the start-up lock.

    Blocking (`briefing-bot db upgrade`); async code calls Database.upgrade.
    """

    async def run() -> None:
        db = Database(url)
        try:
            await db.upgrade(revision)
        finally:
            await db.close()

    asyncio.run(run())


MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION_LINE = re.compile(
    r"""^(down_revision|revision)\s*=\s*(None|"([^"]*)"|'([^']*)')\s*$""", re.M
)


def head_revision() -> str | None:
    """The one head of storage/migrations/versions, read from the files' `revision` and
    `down_revision` lines without importing Alembic; None when that reading is not certain
    (a branch, a merge, a line it does not understand): then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {m[0]: m[2] or m[3] for m in _REVISION_LINE.findall(path.read_text("utf-8"))}
        if "revision" not in found or "down_revision" not in found or not found["revision"]:
            return None
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 and parents <= revisions else None


def _at_head(connection: Connection) -> bool:
    """Whether the database's one recorded revision is the head: every start after the first
    then skips importing and running Alembic (0.3 s and 9 MiB of a start, measured)."""
    head = head_revision()
    if head is None or not inspect(connection).has_table("alembic_version"):
        return False
    recorded = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return [row[0] for row in recorded] == [head]


def _migrate(connection: Connection, revision: str) -> None:
    if revision == "head" and _at_head(connection):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


class Database:
    """The bot's storage operations; one instance per process.

    `connections`: the most PostgreSQL connections open at once (DATABASE_POOL_SIZE); a query
    waits for a free one.
    """

    def __init__(self, url: str, connections: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, connections)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            self.engine.execution_options(**{IMMEDIATE: True}), expire_on_commit=False
        )
        # SQLite has one writer at a time and its busy wait sleeps in steps up to 100 ms, so
        # writers of one process queue here in order instead of polling the file lock (1,000
        # concurrent subscribes: 24 "database is locked" before, 0 with this).
        self._writes: asyncio.Lock | contextlib.nullcontext[None] = (
            asyncio.Lock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )
        self._grouped: list[tuple[Work, asyncio.Future[Any]]] = []  # waiting for the next group
        self._batched: Batches = {}  # items waiting for the next group, by how they are written
        self._reads: Batches = {}  # items waiting for the next read, by how they are read
        self._reading: dict[Batch, asyncio.Task[None]] = {}
        self._committing: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction; on SQLite one at a time, holding the write lock from BEGIN."""
        async with self._writes, self._writer.begin() as session:
            yield session

    async def grouped(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Runs `work` in a write transaction, committed before this returns, that on SQLite
        also holds the writes queued meanwhile (group commit).

        SQLite runs one write at a time and each transaction costs 8 thread round trips of
        aiosqlite's on the event loop, so the bot's two writes per question (the question's
        record, the follow-up context) queued behind each other: 1 s per write at 10 users
        (bench.bot_throughput). Grouped, a question's writes cost one statement each plus its
        share of one BEGIN/COMMIT. Should a group fail, each of its writes is tried again alone,
        so one bad write fails only its caller. `work` may run twice, then: it must not keep
        state across runs, and it must not wait for another grouped write (it would wait for
        itself). PostgreSQL writes in parallel and each write keeps its own transaction.
        """
        if self.engine.dialect.name != "sqlite":
            async with self.write() as session:
                return await work(session)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._grouped.append((work, future))
        self._commit_soon()
        return await future

    async def batched(self, write: Batch, item: Any) -> Any:
        """Writes `item` with every other item queued for the same `write` meanwhile, in one call
        of `write` (one multi-row statement) inside the next group commit; returns `write`'s
        result for it once committed.

        Per question the bot wrote its record (and its unanswered row) and its follow-up context
        with an ORM flush each, 6-8 thread round trips of aiosqlite's per question; batched, a
        group of questions costs one statement per kind. On PostgreSQL too: one INSERT of many
        rows instead of a transaction each. Should a batch fail, each item is written again
        alone, so one bad item fails only its caller; `write` must not keep state across calls.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._batched.setdefault(write, []).append((item, future))
        self._commit_soon()
        return await future

    async def read_batched(self, read: Batch, item: Any) -> Any:
        """`read`'s result for `item`, read in one call of `read` (one query) with every other
        item asked of the same `read` meanwhile: while one batch is being read, the next forms.

        A read on SQLite is 5 thread round trips of aiosqlite's on the event loop whatever it
        reads, so the questions arriving together read their context in one query. Should the
        query fail, every item of the batch fails with it.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._reads.setdefault(read, []).append((item, future))
        if read not in self._reading:
            self._reading[read] = asyncio.create_task(self._read_batches(read))
        return await future

    async def _read_batches(self, read: Batch) -> None:
        try:
            while items := self._reads.pop(read, []):
                try:
                    async with self.session() as session:
                        results = await read(session, [item for item, _ in items])
                except Exception as exc:
                    for _, future in items:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                except BaseException:
                    for _, future in items:
                        future.cancel()
                    raise
                for (_, future), result in zip(items, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            del self._reading[read]

    def _commit_soon(self) -> None:
        if self._committing is None:
            self._committing = asyncio.create_task(self._commit_groups())

    async def _commit_groups(self) -> None:
        """Commits what is queued, then what was queued meanwhile, until nothing is."""
        try:
            while self._grouped or self._batched:
                group, self._grouped = self._grouped, []
                batches, self._batched = self._batched, {}
                await self._commit_group(group, batches)
        finally:
            self._committing = None

    async def _commit_group(
        self, group: list[tuple[Work, asyncio.Future[Any]]], batches: Batches | None = None
    ) -> None:
        batches = batches or {}
        waiting = [future for _, future in group]
        waiting += [future for items in batches.values() for _, future in items]
        try:
            async with self.write() as session:
                results = [await work(session) for work, _ in group]
                written = [
                    (items, await write(session, [item for item, _ in items]))
                    for write, items in batches.items()
                ]
        except Exception as exc:
            if len(waiting) == 1:
                if not waiting[0].done():
                    waiting[0].set_exception(exc)
                return
            # Each alone: one bad write fails only its caller.
            for one in group:
                await self._commit_group([one])
            for write, items in batches.items():
                for item in items:
                    await self._commit_group([], {write: [item]})
            return
        except BaseException:  # cancelled (the loop is closing): nobody waits forever
            for future in waiting:
                future.cancel()
            raise
        for (_, future), result in zip(group, results, strict=True):
            if not future.done():  # else its caller was cancelled; the write stands
                future.set_result(result)
        for items, item_results in written:
            for (_, future), result in zip(items, item_results, strict=True):
                if not future.done():
                    future.set_result(result)

    @asynccontextmanager
    async def startup_lock(self) -> AsyncIterator[AsyncConnection]:
        """One replica at a time through start-up (migrations, the first baseline, setWebhook).

        On PostgreSQL a session advisory lock, held on the yielded connection until the block
        ends; replicas starting together wait here instead of racing on an empty database. A
        SQLite file serves one replica and takes no lock. Re-entered in the same task (an
        upgrade inside the start-up block), the held connection is reused.
        """
        held = _startup_connection.get()
        if held is not None:
            yield held
            return
        async with self.engine.connect() as connection:
            locking = connection.dialect.name == "postgresql"
            if locking:
                await connection.execute(
                    text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY}
                )
                await connection.commit()
            token = _startup_connection.set(connection)
            try:
                yield connection
            finally:
                _startup_connection.reset(token)
                if locking:
                    await connection.rollback()
                    await connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY}
                    )
                    await connection.commit()

    async def upgrade(self, revision: str = "head") -> None:
        """Applies the migrations on the start-up lock's connection."""
        async with self.startup_lock() as connection:
            await connection.run_sync(_migrate, revision)
            await connection.commit()

    async def ping(self) -> None:
        """Raises unless the database answers a trivial query."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()

    async def remember_chat(self, chat_id: int, chat_type: str) -> None:
        async with self.write() as session:
            await save_chat(session, chat_id, chat_type, blocked=False)

    async def set_language(self, chat_id: int, chat_type: str, language: str | None) -> None:
        async with self.write() as session:
            await save_chat(session, chat_id, chat_type, language=language)

    async def language_of(self, chat_id: int) -> str | None:
        async with self.session() as session:
            return await session.scalar(select(Chat.language).where(Chat.id == chat_id))

    async def record_unanswered(self, text: str, language: str, best_score: float) -> None:
        async with self.write() as session:
            session.add(Unanswered(text=text[:1000], language=language, best_score=best_score))

    async def unanswered(self, limit: int = 100) -> list[tuple[str, str, int, float, dt.datetime]]:
        """Most asked first: text, language, times asked, best score, last asked."""
        async with self.session() as session:
            rows = await session.execute(
                select(
                    Unanswered.text,
                    Unanswered.language,
                    func.count(),
                    func.max(Unanswered.best_score),
                    func.max(Unanswered.asked_at),
                )
                .group_by(Unanswered.text, Unanswered.language)
                .order_by(func.count().desc(), func.max(Unanswered.asked_at).desc())
                .limit(limit)
            )
            return [(text, language, count, best, at) for text, language, count, best, at in rows]

    # --- subscriptions ---------------------------------------------------------------------------

    async def topics_of(self, chat_id: int, thread_id: int = NO_THREAD) -> set[str]:
        """The chat's (or its forum thread's) subscribed topics (EVERYTHING included as is)."""
        async with self.session() as session:
            return await topics_of(session, chat_id, thread_id)

    async def subscribe(
        self, chat_id: int, chat_type: str, topics: set[str], thread_id: int = NO_THREAD
    ) -> set[str]:
        """Adds topics (existing ones are kept); returns the thread's topics afterwards."""
        async with self.write() as session:
            await save_chat(session, chat_id, chat_type, blocked=False)
            await add_topics(session, chat_id, topics, thread_id)
            return await topics_of(session, chat_id, thread_id)

    async def unsubscribe(
        self, chat_id: int, topics: set[str] | None = None, thread_id: int = NO_THREAD
    ) -> set[str]:
        """Removes the given topics (all when None) of the chat's thread; returns its topics
        afterwards."""
        async with self.write() as session:
            query = delete(Subscription).where(
                Subscription.chat_id == chat_id, Subscription.thread_id == thread_id
            )
            if topics is not None:
                query = query.where(Subscription.topic.in_(topics))
            await session.execute(query)
            return await topics_of(session, chat_id, thread_id)

    async def digest_of(self, chat_id: int) -> tuple[DigestMode, str | None]:
        """The chat's digest mode and daily time (instant when the chat is unknown)."""
        found = await self.delivery_of(chat_id)
        return found.mode, found.at

    async def delivery_of(self, chat_id: int) -> DeliverySettings:
        """How and when the chat gets its notifications (the defaults when it is unknown)."""
        async with self.session() as session:
            row = await session.get(Chat, chat_id)
            if row is None:
                return DeliverySettings()
            return DeliverySettings(
                mode=DigestMode(row.digest_mode),
                at=row.digest_time,
                time_zone=row.time_zone,
                silent=bool(row.silent),
                language=row.language,
            )

    async def set_digest(
        self,
        chat_id: int,
        chat_type: str,
        mode: DigestMode,
        at: str | None,
        due: dt.datetime,
        time_zone: str | None = None,
    ) -> None:
        """Stores the digest mode (and the time zone of `at`, unless None: kept) and re-times the
        chat's pending notifications to `due`."""
        changes: dict[str, Any] = {"digest_mode": mode.value, "digest_time": at}
        if time_zone is not None:
            changes["time_zone"] = time_zone
        async with self.write() as session:
            await save_chat(session, chat_id, chat_type, **changes)
            pending = update(Outbox).where(
                Outbox.chat_id == chat_id, Outbox.state == OutboxState.PENDING
            )
            if mode == DigestMode.OFF:
                await session.execute(
                    pending.values(state=OutboxState.DROPPED, last_error="digest off")
                )
            else:
                await session.execute(pending.values(next_attempt_at=due))

    async def set_silent(self, chat_id: int, chat_type: str, silent: bool) -> None:
        """Notifications arrive without sound (disable_notification) or with it."""
        async with self.write() as session:
            await save_chat(session, chat_id, chat_type, silent=silent)

    async def forget_chat(self, chat_id: int, reason: str) -> int:
        """Bot blocked or removed: mark the chat, drop its subscriptions and pending rows."""
        async with self.write() as session:
            return await forget_chat(session, chat_id, reason)

    async def move_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its subscriptions and pending notifications follow it."""
        async with self.write() as session:
            await move_chat(session, old_id, new_id)


def insert_for(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """INSERT in the session's dialect, the one that has ON CONFLICT."""
    return insert_into(session.bind.dialect.name if session.bind is not None else "", model)


def insert_into(dialect: str, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """INSERT with ON CONFLICT in `dialect` (PostgreSQL's, else SQLite's). The dialect's module
    is imported here, not at start: a bot on SQLite never loads PostgreSQL's (0.1 s of start)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model)


def upsert(
    session: AsyncSession,
    model: type[Base],
    rows: list[dict[str, Any]],
    keys: list[str],
    changes: dict[str, Any],
) -> postgresql.Insert | sqlite.Insert:
    """INSERT rows; where `keys` exist already, apply `changes` (nothing when empty) instead.

    One statement, so writers racing on the same key cannot collide.
    """
    statement = insert_for(session, model).values(rows)
    if not changes:
        return statement.on_conflict_do_nothing(index_elements=keys)
    return statement.on_conflict_do_update(index_elements=keys, set_=changes)


async def save_chat(session: AsyncSession, chat_id: int, chat_type: str, **changes: Any) -> None:
    """Inside a transaction: the chat's row, created on first contact, with `changes` applied."""
    new = {
        "id": chat_id,
        "type": chat_type,
        "joined_at": utcnow(),
        "blocked": False,
        "digest_mode": DigestMode.INSTANT.value,
        **changes,
    }
    await session.execute(upsert(session, Chat, [new], ["id"], changes))


async def add_topics(
    session: AsyncSession, chat_id: int, topics: Iterable[str], thread_id: int = NO_THREAD
) -> None:
    """Inside a transaction: subscribes the chat's thread to the topics it does not have yet."""
    now = utcnow()
    rows = [
        {"chat_id": chat_id, "thread_id": thread_id, "topic": t, "created_at": now}
        for t in sorted(topics)
    ]
    if rows:
        await session.execute(
            upsert(session, Subscription, rows, ["chat_id", "thread_id", "topic"], {})
        )


async def topics_of(session: AsyncSession, chat_id: int, thread_id: int = NO_THREAD) -> set[str]:
    """Inside a session: the chat's (thread's) subscribed topics."""
    return set(
        await session.scalars(
            select(Subscription.topic).where(
                Subscription.chat_id == chat_id, Subscription.thread_id == thread_id
            )
        )
    )


async def forget_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """Inside a transaction: the chat is blocked, unsubscribed, and its pending rows dropped."""
    await save_chat(session, chat_id, "private" if chat_id > 0 else "group", blocked=True)
    await session.execute(delete(Subscription).where(Subscription.chat_id == chat_id))
    dropped = await session.execute(
        update(Outbox)
        .where(Outbox.chat_id == chat_id, Outbox.state == OutboxState.PENDING)
        .values(
            state=OutboxState.DROPPED, last_error=reason[:500], claimed_by=None, claimed_at=None
        )
    )
    return int(dropped.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult


async def forget_thread(session: AsyncSession, chat_id: int, thread_id: int, reason: str) -> int:
    """Inside a transaction: a forum topic was deleted; its subscriptions and pending rows go."""
    await session.execute(
        delete(Subscription).where(
            Subscription.chat_id == chat_id, Subscription.thread_id == thread_id
        )
    )
    dropped = await session.execute(
        update(Outbox)
        .where(
            Outbox.chat_id == chat_id,
            Outbox.thread_id == thread_id,
            Outbox.state == OutboxState.PENDING,
        )
        .values(
            state=OutboxState.DROPPED, last_error=reason[:500], claimed_by=None, claimed_at=None
        )
    )
    return int(dropped.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult


async def move_chat(session: AsyncSession, old_id: int, new_id: int) -> None:
    """Inside a transaction: chat settings, subscriptions and pending rows move to the new id.

    Settings already stored for the new id win over the old chat's.
    """
    old = (
        await session.execute(
            select(
                Chat.language, Chat.digest_mode, Chat.digest_time, Chat.silent, Chat.time_zone
            ).where(Chat.id == old_id)
        )
    ).first()
    settings = (
        {
            "language": old.language,
            "digest_mode": old.digest_mode,
            "digest_time": old.digest_time,
            "silent": old.silent,
            "time_zone": old.time_zone,
        }
        if old
        else {}
    )
    new = {"id": new_id, "type": "supergroup", "joined_at": utcnow(), "blocked": False}
    await session.execute(upsert(session, Chat, [{**new, **settings}], ["id"], {}))
    await session.execute(update(Chat).where(Chat.id == old_id).values(blocked=True))
    threads = await session.execute(
        select(Subscription.thread_id, Subscription.topic).where(Subscription.chat_id == old_id)
    )
    for thread_id, topic in list(threads):
        await add_topics(session, new_id, [topic], thread_id)
    await session.execute(delete(Subscription).where(Subscription.chat_id == old_id))
    await session.execute(
        update(Outbox)
        .where(Outbox.chat_id == old_id, Outbox.state == OutboxState.PENDING)
        .values(chat_id=new_id)
    )
