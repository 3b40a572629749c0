"""Update notifications: publish a knowledge version into the outbox, and deliver the outbox safely.

Publishing diffs the base against the last published version and, in one transaction, records the
version and enqueues one outbox row per subscribed chat whose topics changed. Delivery claims due rows
atomically (FOR UPDATE SKIP LOCKED on PostgreSQL, a claim token on SQLite), sends them paced to
Telegram's limits, and marks each row sent right after its message went out, so a crash re-sends at
most the messages that were in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import math
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.db import (
    EVERYTHING,
    Chat,
    Database,
    KbVersion,
    Outbox,
    Subscription,
    forget_chat,
    move_chat,
    utcnow,
)
from bot.render import escape
from bot.settings import Settings
from bot.texts import t
from knowledge.loader import KnowledgeBase
from knowledge.versions import Diff, content_version, describe, diff_hashes, entry_hashes

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) during long work, for the command line."""

MAX_LISTED = 30  # lines of changes in one message; the rest is summed up as "and N more"
MAX_BUTTONS = 20  # entry buttons under one message
BUTTON_TEXT = 60
INSERT_CHUNK = 1000


# --- publishing ----------------------------------------------------------------------------------


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


def next_digest_at(at: str | None, now: dt.datetime) -> dt.datetime:
    """The next HH:MM (UTC) after `now`; a daily digest is held until then."""
    hour, minute = (int(part) for part in (at or "09:00").split(":"))
    candidate = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + dt.timedelta(days=1)


def _entries_for(diff: Diff, topics: set[str]) -> list[dict[str, str]]:
    everything = EVERYTHING in topics
    out = []
    for change, items in (
        ("added", diff.added),
        ("changed", diff.changed),
        ("removed", diff.removed),
    ):
        out += [
            {"id": c.entry_id, "title": c.title, "change": change}
            for c in items
            if everything or topics.intersection(c.topics)
        ]
    return out


async def latest_version(session: AsyncSession, lock: bool = False) -> KbVersion | None:
    query = select(KbVersion).order_by(KbVersion.id.desc()).limit(1)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def publish(
    db: Database, base: KnowledgeBase, note: str | None = None, progress: Progress | None = None
) -> PublishResult:
    """Records `base` as the published version and enqueues its notifications, all or nothing.

    The first publish only records a baseline; an unchanged base records and enqueues nothing.
    """
    version = content_version(base)
    hashes = entry_hashes(base)
    meta = describe(base)
    now = utcnow()
    postgres = db.engine.dialect.name == "postgresql"
    async with db.session.begin() as session:
        last = await latest_version(session, lock=postgres)  # PostgreSQL: publishers queue up here
        if last is not None and last.version == version:
            return PublishResult(version, last.version, Diff([], [], []), 0, recorded=False)
        session.add(
            KbVersion(
                version=version,
                published_at=now,
                note=note,
                entry_hashes=json.dumps(hashes, sort_keys=True),
                entry_meta=json.dumps(meta, sort_keys=True, ensure_ascii=False),
            )
        )
        if last is None:
            return PublishResult(version, None, Diff([], [], []), 0, recorded=True)
        old_meta = {k: (v[0], tuple(v[1])) for k, v in json.loads(last.entry_meta or "{}").items()}
        diff = diff_hashes(json.loads(last.entry_hashes), hashes, {**old_meta, **meta})
        if diff.empty:
            return PublishResult(version, last.version, diff, 0, recorded=True)
        wanted = diff.topics() | {EVERYTHING}
        rows = await session.execute(
            select(Subscription.chat_id, Subscription.topic, Chat.digest_mode, Chat.digest_time)
            .join(Chat, Chat.id == Subscription.chat_id)
            .where(
                Subscription.topic.in_(wanted), Chat.blocked.is_(False), Chat.digest_mode != "off"
            )
        )
        chats: dict[int, tuple[set[str], str, str | None]] = {}
        for chat_id, topic, mode, at in rows:
            chats.setdefault(chat_id, (set(), mode, at))[0].add(topic)
        outbox: list[dict[str, Any]] = []
        for chat_id, (topics, mode, at) in sorted(chats.items()):
            entries = _entries_for(diff, topics)
            if entries:
                due = next_digest_at(at, now) if mode == "daily" else now
                outbox.append(
                    {
                        "chat_id": chat_id,
                        "version": version,
                        "state": "pending",
                        "attempts": 0,
                        "entries": json.dumps(entries, ensure_ascii=False),
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


# --- the message ---------------------------------------------------------------------------------


def merge_entries(batches: Iterable[list[dict[str, str]]]) -> list[dict[str, str]]:
    """Changes from several versions (a daily digest) as one list, one line per entry."""
    merged: dict[str, dict[str, str]] = {}
    for entries in batches:
        for entry in entries:
            before = merged.get(entry["id"])
            change = entry["change"]
            if before is not None:
                if before["change"] == "added" and change == "changed":
                    change = "added"
                elif before["change"] == "added" and change == "removed":
                    merged.pop(entry["id"])
                    continue
                elif before["change"] == "removed" and change == "added":
                    change = "changed"
                merged.pop(entry["id"])
            merged[entry["id"]] = {**entry, "change": change}
    order = {"added": 0, "changed": 1, "removed": 2}
    return sorted(merged.values(), key=lambda e: order.get(e["change"], 3))


def render_notification(
    language: str, entries: Sequence[dict[str, str]], digest: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message and its entry buttons: what changed, one line each, in the chat's language."""
    from handlers.callbacks import encode  # here: handlers import this module for /publish

    lines = [t(language, "notify_digest_title" if digest else "notify_title"), ""]
    labels = {"added": "notify_added", "changed": "notify_changed", "removed": "notify_removed"}
    for entry in entries[:MAX_LISTED]:
        lines.append(
            t(
                language,
                labels.get(entry["change"], "notify_changed"),
                title=escape(entry["title"]),
            )
        )
    if len(entries) > MAX_LISTED:
        lines.append(t(language, "notify_more", count=len(entries) - MAX_LISTED))
    lines += ["", t(language, "notify_footer")]
    buttons = [
        [
            InlineKeyboardButton(
                entry["title"][:BUTTON_TEXT], callback_data=encode("e", entry["id"])
            )
        ]
        for entry in entries
        if entry["change"] != "removed"
    ][:MAX_BUTTONS]
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


# --- pacing --------------------------------------------------------------------------------------


class Pacer:
    """Telegram's limits for one sender: a global rate, one message a second per chat, N a minute per group.

    PTB's AIORateLimiter paces groups and the global rate but not private chats; this adds the rest.
    Slots are handed out strictly spaced, so the rate never bursts above the configured one.
    """

    GROUP_WINDOW = 60.0
    MARGIN = 0.25  # seconds of slack on the group window, for clock and network jitter

    def __init__(self, rate: float, chat_interval: float, group_per_minute: int) -> None:
        self.interval = 1.0 / rate
        self.chat_interval = chat_interval
        self.group_per_minute = group_per_minute
        self.next_free = 0.0
        self.per_second = max(1, math.floor(rate))
        self.sent: deque[float] = deque()  # when the sends of the last second went out
        self.chat_next: dict[int, float] = {}
        self.group_sends: dict[int, deque[float]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Pacer:
        return cls(
            settings.notify_global_rate,
            settings.notify_chat_interval_seconds,
            settings.notify_group_per_minute,
        )

    def _chat_ready_at(self, chat_id: int, group: bool, now: float) -> float:
        ready = self.chat_next.get(chat_id, 0.0)
        if group:
            window = self.group_sends.setdefault(chat_id, deque())
            while window and window[0] <= now - self.GROUP_WINDOW - self.MARGIN:
                window.popleft()
            if len(window) >= self.group_per_minute:
                ready = max(
                    ready, window[-self.group_per_minute] + self.GROUP_WINDOW + self.MARGIN
                )
        return ready

    async def acquire(self, chat_id: int, group: bool) -> None:
        """Waits until a message to `chat_id` is allowed, and books it."""
        while True:
            now = time.monotonic()
            ready = self._chat_ready_at(chat_id, group, now)
            if ready <= now:
                break
            await asyncio.sleep(ready - now)
        slot = max(now, self.next_free)
        self.next_free = slot + self.interval
        self.chat_next[chat_id] = slot + self.chat_interval
        if group:
            self.group_sends[chat_id].append(slot)
        if len(self.chat_next) > 20_000:  # forget chats whose interval has passed
            self.chat_next = {c: at for c, at in self.chat_next.items() if at > now}
        if slot > now:
            await asyncio.sleep(slot - now)
        # Slots are spaced, but tasks that wake late (a busy event loop) could still leave together:
        # the sends of the last second, counted as they really go out, never exceed the rate.
        while True:
            now = time.monotonic()
            while self.sent and self.sent[0] <= now - 1.0:
                self.sent.popleft()
            if len(self.sent) < self.per_second:
                break
            await asyncio.sleep(self.sent[0] + 1.0 - now)
        self.sent.append(now)

    def pause(self, seconds: float) -> None:
        """After a 429: nobody sends before `seconds` from now (as AIORateLimiter does)."""
        self.next_free = max(self.next_free, time.monotonic() + seconds)


# --- delivery ------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """Counts of one deliver_pending run."""

    sent: int = 0  # messages (a digest of several rows is one message)
    rows_sent: int = 0
    rate_limited: int = 0  # 429s received
    blocked: int = 0
    migrated: int = 0
    failed: int = 0
    backed_off: int = 0
    lost_claims: int = (
        0  # rows another worker re-claimed before we marked them: possible duplicates
    )

    def __iadd__(self, other: DeliveryReport) -> DeliveryReport:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


@dataclass
class _Claimed:
    chat_id: int
    ids: list[int]
    entries: list[dict[str, str]]
    attempts: int
    language: str
    group: bool
    digest: bool


def worker_name() -> str:
    """Unique per process: host, pid and a random part, so claims never collide."""
    return f"{socket.gethostname()[:24]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _seconds(value: int | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@dataclass
class Delivery:
    """One worker delivering the outbox; `deliver_pending` is the way in."""

    db: Database
    bot: Bot
    settings: Settings
    worker: str = field(default_factory=worker_name)
    pacer: Pacer | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    batches: int = 0
    _marks: dict[str, list[int]] = field(default_factory=dict)
    _marks_done: asyncio.Future[set[int]] | None = None
    _flusher: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        if self.pacer is None:
            self.pacer = Pacer.from_settings(self.settings)
        # SQLite has one writer at a time and its busy wait sleeps in steps up to 100 ms: taking
        # turns here keeps dozens of concurrent sends from stalling each other on the file lock.
        self.writes: asyncio.Lock | contextlib.nullcontext[None] = (
            asyncio.Lock() if self.db.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction, one at a time on SQLite."""
        async with self.writes, self.db.session.begin() as session:
            yield session

    async def claim(self) -> tuple[str, list[Outbox]]:
        """Claims up to a batch of due rows for this worker: atomically, so no row has two owners."""
        self.batches += 1
        token = f"{self.worker}:{self.batches}"
        now = utcnow()
        stale = now - dt.timedelta(seconds=self.settings.notify_claim_timeout_seconds)
        due = (
            Outbox.state == "pending",
            Outbox.next_attempt_at <= now,
            or_(Outbox.claimed_at.is_(None), Outbox.claimed_at < stale),
        )
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
                    .where(Outbox.claimed_by == token, Outbox.state == "pending")
                    .order_by(Outbox.id)
                )
            )
        return token, rows

    async def _group(self, rows: list[Outbox]) -> list[_Claimed]:
        chat_ids = sorted({r.chat_id for r in rows})
        async with self.db.session() as session:
            info = {
                c.id: c for c in await session.scalars(select(Chat).where(Chat.id.in_(chat_ids)))
            }
        out = []
        for chat_id in chat_ids:
            mine = [r for r in rows if r.chat_id == chat_id]
            chat = info.get(chat_id)
            out.append(
                _Claimed(
                    chat_id=chat_id,
                    ids=[r.id for r in mine],
                    entries=merge_entries(json.loads(r.entries) for r in mine),
                    attempts=max(r.attempts for r in mine),
                    language=(chat.language if chat and chat.language else "en"),
                    group=chat_id < 0,
                    digest=bool(chat and chat.digest_mode == "daily"),
                )
            )
        return out

    async def _mark_sent(self, token: str, item: _Claimed, report: DeliveryReport) -> None:
        """Marks the rows sent before this chat's task goes on; concurrent marks share one commit."""
        marked = await self._commit_sent(token, item.ids)
        report.sent += 1
        report.rows_sent += len(marked)
        if len(marked) < len(item.ids):
            report.lost_claims += len(item.ids) - len(marked)
            logger.warning("Outbox rows of chat %s were re-claimed while being sent", item.chat_id)

    async def _commit_sent(self, token: str, ids: list[int]) -> set[int]:
        """Group commit: every send finished meanwhile is marked in the same transaction."""
        self._marks.setdefault(token, []).extend(ids)
        if self._marks_done is None:
            self._marks_done = asyncio.get_running_loop().create_future()
        done = self._marks_done
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_marks())
        return set(ids) & await asyncio.shield(done)

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
                                state="sent",
                                sent_at=utcnow(),
                                claimed_by=None,
                                claimed_at=None,
                                last_error=None,
                            )
                            .returning(Outbox.id)
                            .execution_options(synchronize_session=False)
                        )
                        marked.update(result.scalars())
            except Exception as exc:  # noqa: BLE001 - handed to every waiter
                if done is not None:
                    done.set_exception(exc)
            else:
                if done is not None:
                    done.set_result(marked)

    async def _release(
        self,
        token: str,
        item: _Claimed,
        error: str,
        *,
        limit: int | None,
        report: DeliveryReport,
        count: bool = True,
    ) -> None:
        """Gives the rows back: retried after an exponential back-off, or failed after `limit` attempts."""
        attempts = item.attempts + 1 if count else item.attempts
        s = self.settings
        delay = min(
            s.notify_backoff_cap_seconds, s.notify_backoff_seconds * 2 ** max(0, attempts - 1)
        )
        failed = limit is not None and attempts >= limit
        async with self.write() as session:
            await session.execute(
                update(Outbox)
                .where(Outbox.id.in_(item.ids), Outbox.claimed_by == token)
                .values(
                    attempts=attempts,
                    last_error=error[:500],
                    claimed_by=None,
                    claimed_at=None,
                    state="failed" if failed else "pending",
                    next_attempt_at=utcnow() + dt.timedelta(seconds=0 if not count else delay),
                )
                .execution_options(synchronize_session=False)
            )
        if failed:
            report.failed += 1
            logger.warning(
                "Notification to chat %s failed after %d attempts: %s",
                item.chat_id,
                attempts,
                error,
            )
        elif count:
            report.backed_off += 1

    async def _send(self, token: str, item: _Claimed, report: DeliveryReport) -> None:
        """Sends one chat its message, handling every answer Telegram may give."""
        assert self.pacer is not None
        text, keyboard = render_notification(item.language, item.entries, item.digest)
        target = item.chat_id
        for _hop in range(4):
            if self.stop.is_set():
                await self._release(
                    token, item, "worker stopped", limit=None, report=report, count=False
                )
                return
            await self.pacer.acquire(target, item.group or target < 0)
            try:
                await self.bot.send_message(
                    target,
                    text,
                    reply_markup=keyboard,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    allow_paid_broadcast=True
                    if self.settings.notify_allow_paid_broadcast
                    else None,
                )
            except RetryAfter as exc:
                report.rate_limited += 1
                wait = _seconds(exc.retry_after)
                logger.info("429 from Telegram: pausing notifications for %.1f s", wait)
                self.pacer.pause(wait)
                continue
            except Forbidden as exc:
                async with self.write() as session:
                    await forget_chat(session, target, f"forbidden: {exc.message}")
                report.blocked += 1
                logger.info(
                    "Chat %s blocked or removed the bot: its subscriptions are dropped", target
                )
                return
            except ChatMigrated as exc:
                new_id = int(exc.new_chat_id)
                async with self.write() as session:
                    await move_chat(session, target, new_id)
                report.migrated += 1
                logger.info("Chat %s migrated to %s: notifications follow it", target, new_id)
                target = new_id
                continue
            except BadRequest as exc:
                await self._release(
                    token,
                    item,
                    f"bad request: {exc.message}",
                    limit=self.settings.notify_bad_request_attempts,
                    report=report,
                )
                return
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                await self._release(
                    token,
                    item,
                    f"network: {type(exc).__name__}: {exc.message}",
                    limit=self.settings.notify_max_attempts,
                    report=report,
                )
                return
            except TelegramError as exc:
                await self._release(
                    token,
                    item,
                    f"{type(exc).__name__}: {exc.message}",
                    limit=self.settings.notify_bad_request_attempts,
                    report=report,
                )
                return
            else:
                await self._mark_sent(token, item, report)
                return
        await self._release(
            token,
            item,
            "chat migrated too many times",
            limit=self.settings.notify_bad_request_attempts,
            report=report,
        )

    async def run(self) -> DeliveryReport:
        """Delivers every due row, batch by batch, until none is left or `stop` is set."""
        report = DeliveryReport()
        limit = asyncio.Semaphore(self.settings.notify_concurrency)

        async def one(token: str, item: _Claimed) -> None:
            async with limit:
                try:
                    await self._send(token, item, report)
                except Exception:  # noqa: BLE001 - one chat's surprise must not stop the broadcast
                    logger.exception("Delivering to chat %s failed unexpectedly", item.chat_id)
                    try:
                        await self._release(
                            token,
                            item,
                            "unexpected error",
                            limit=self.settings.notify_max_attempts,
                            report=report,
                        )
                    except Exception:  # noqa: BLE001 - the claim then simply goes stale
                        logger.exception(
                            "Could not release the outbox rows of chat %s", item.chat_id
                        )

        while not self.stop.is_set():
            token, rows = await self.claim()
            if not rows:
                break
            items = await self._group(rows)
            await asyncio.gather(*(one(token, item) for item in items))
        return report


async def deliver_pending(
    db: Database,
    bot: Bot,
    settings: Settings,
    *,
    worker: str | None = None,
    pacer: Pacer | None = None,
    stop: asyncio.Event | None = None,
) -> DeliveryReport:
    """Sends every due notification once, paced; returns what happened."""
    delivery = Delivery(
        db,
        bot,
        settings,
        worker=worker or worker_name(),
        pacer=pacer,
        stop=stop or asyncio.Event(),
    )
    return await delivery.run()


async def outbox_counts(db: Database) -> dict[str, int]:
    """Rows per state, for reports and tests."""
    async with db.session() as session:
        rows = await session.execute(select(Outbox.state, func.count()).group_by(Outbox.state))
        return {state: int(count) for state, count in rows}


# --- the running bot -----------------------------------------------------------------------------


@dataclass
class Notifier:
    """Runs in the bot: notices a newly published version, reloads the base, then delivers the outbox.

    `reload` returns a new engine-like object (or raises); `swap` installs it. A base that fails to
    load leaves the old one serving.
    """

    db: Database
    settings: Settings
    current_version: Callable[[], str]
    reload: Callable[[], Any]
    swap: Callable[[Any], None]
    worker: str = field(default_factory=worker_name)
    seen: int | None = None  # id of the last published row acted on
    task: asyncio.Task[DeliveryReport] | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    pacer: Pacer | None = None

    async def ensure_baseline(self, base: KnowledgeBase) -> None:
        """On a fresh database the running base becomes the baseline later publishes are diffed against."""
        if await published_version(self.db) is None:
            await publish(self.db, base, note="baseline recorded at bot start")

    async def refresh_knowledge(self) -> None:
        latest = await published_version(self.db)
        if latest is None or latest[0] == self.seen:
            return
        self.seen, version = latest
        if version == self.current_version():
            return
        try:
            engine = await asyncio.to_thread(self.reload)
        except Exception as exc:  # noqa: BLE001 - a broken base must never take the bot down
            logger.error(
                "Published version %s could not be loaded; the old base keeps serving: %s",
                version,
                type(exc).__name__,
            )
            return
        self.swap(engine)
        if self.current_version() != version:
            logger.warning(
                "Version %s was published but the knowledge directory holds %s",
                version,
                self.current_version(),
            )
        else:
            logger.info("Knowledge base reloaded: version %s", version)

    async def tick(self, bot: Bot) -> None:
        """One check: called every notify_check_seconds by the JobQueue."""
        if self.stop.is_set():
            return
        try:
            await self.refresh_knowledge()
        except Exception:  # noqa: BLE001 - the database may be briefly unreachable
            logger.exception("Looking for a new published version failed")
        if self.task is None or self.task.done():
            if self.pacer is None:
                self.pacer = Pacer.from_settings(self.settings)
            self.task = asyncio.create_task(
                deliver_pending(
                    self.db,
                    bot,
                    self.settings,
                    worker=self.worker,
                    pacer=self.pacer,
                    stop=self.stop,
                )
            )
            self.task.add_done_callback(_log_report)

    async def close(self, grace: float = 5.0) -> None:
        """Lets in-flight messages finish and gives unsent claims back, so a restart resumes at once."""
        self.stop.set()
        if self.task is not None and not self.task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self.task), grace)
            except (TimeoutError, Exception):  # noqa: BLE001 - shutting down anyway
                self.task.cancel()


def _log_report(task: asyncio.Task[DeliveryReport]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        logger.error("Delivering notifications failed: %s", type(error).__name__, exc_info=error)
        return
    report = task.result()
    if report.sent or report.failed or report.blocked or report.backed_off:
        logger.info(
            "Notifications: %d sent, %d blocked, %d migrated, %d backed off, %d failed, %d 429s",
            report.sent,
            report.blocked,
            report.migrated,
            report.backed_off,
            report.failed,
            report.rate_limited,
        )
