"""Implicit feedback: what users asked and which entry they then chose, stored without the user.

A question is stored (storage/feedback.py) with its outcome; the bot keeps the last few questions
of each chat in memory only, so that a tap on a "did you mean" choice or a related entry, and a
question asked again in other words after a non-answer, can be tied to the question they follow.
Who asked is kept in that memory (a rephrasing is the same person asking again), never stored.
With several replicas, a tap reaching another replica than the question is not tied (and not
recorded): feedback is best effort, and a failed write never stops an answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from knowledge.answer import Answer, Outcome
from knowledge.curation import Via
from knowledge.normalize import normalize
from storage import feedback as store
from storage.db import Database

logger = logging.getLogger(__name__)

PER_CHAT = 5  # questions of one chat remembered
CHATS = 10_000  # chats remembered at once, the least recently active forgotten first
CHOICE_WINDOW_SECONDS = 3600.0  # a choice this long after its question is no longer tied to it
PRUNE_EVERY_SECONDS = 3600.0  # how often the retention job runs


@dataclass
class Asked:
    """A question of one chat, in memory."""

    stored: asyncio.Future[int | None]  # the question's id once written (None: not written)
    text: str
    language: str
    asker: int | None  # memory only: a rephrasing must come from the same person
    message_id: int  # the question's message: its answer comes after it
    at: float  # time.monotonic()
    non_answer: bool
    top: str | None  # what the bot put first
    offered: dict[str, Via]  # entry id -> how it was offered
    chosen: set[str] = field(default_factory=set)


class RecentQuestions:
    """The last few questions of each chat, for a while, in this process's memory."""

    def __init__(self, per_chat: int = PER_CHAT, chats: int = CHATS) -> None:
        self.per_chat = per_chat
        self.chats = chats
        self._by_chat: OrderedDict[int, deque[Asked]] = OrderedDict()

    def add(self, chat_id: int, asked: Asked) -> None:
        recent = self._by_chat.pop(chat_id, None) or deque(maxlen=self.per_chat)
        recent.append(asked)
        self._by_chat[chat_id] = recent
        while len(self._by_chat) > self.chats:
            self._by_chat.popitem(last=False)

    def _live(self, chat_id: int, now: float, window: float) -> list[Asked]:
        """The chat's questions of the last `window` seconds, newest first."""
        return [a for a in reversed(self._by_chat.get(chat_id, ())) if now - a.at <= window]

    def non_answer_before(
        self, chat_id: int, asker: int | None, now: float, window: float
    ) -> Asked | None:
        """The asker's last question in the chat, if it was a non-answer within `window`."""
        if window <= 0:
            return None
        for asked in self._live(chat_id, now, window):
            if asked.asker == asker:
                return asked if asked.non_answer else None
        return None

    def offering(
        self, chat_id: int, message_id: int, entry_id: str, shown: Collection[str], now: float
    ) -> tuple[Asked, Via] | None:
        """The question whose answer offered `entry_id` on the message pressed: the newest one
        before that message that offered it, where every entry the message's buttons open was
        offered by that question (so a topic list or a notification is never taken for it)."""
        for asked in self._live(chat_id, now, CHOICE_WINDOW_SECONDS):
            if asked.message_id >= message_id or entry_id not in asked.offered:
                continue
            if set(shown) <= set(asked.offered) | {asked.top}:
                return asked, asked.offered[entry_id]
        return None


class Feedback:
    """Records questions and choices (no user in them) and ties them together in memory."""

    def __init__(self, db: Database, rephrase_window: float) -> None:
        self.db = db
        self.rephrase_window = rephrase_window
        self.recent = RecentQuestions()
        self._writes: set[asyncio.Future[int | None]] = set()

    async def asked(
        self,
        chat_id: int,
        asker: int | None,
        message_id: int,
        answer: Answer,
        related: list[str],
    ) -> None:
        """Remembers a question for the chat and stores it with what it got, in the background:
        the answer does not wait for the write."""
        if answer.outcome is Outcome.empty:
            return
        now = time.monotonic()
        before = self.recent.non_answer_before(chat_id, asker, now, self.rephrase_window)
        if before is not None and normalize(before.text) == normalize(answer.question):
            before = None  # the same words again are no rephrasing
        offered_ids = [s.entry_id for s in answer.suggestions]
        offered: dict[str, Via] = {}
        if answer.outcome is Outcome.suggest:
            offered = {entry_id: Via.did_you_mean for entry_id in offered_ids}
        elif answer.outcome is Outcome.answer:
            offered = {entry_id: Via.related for entry_id in related}
        stored = asyncio.ensure_future(self._store(answer, before))
        self._writes.add(stored)
        stored.add_done_callback(self._writes.discard)
        self.recent.add(
            chat_id,
            Asked(
                stored,
                answer.question,
                answer.language,
                asker,
                message_id,
                now,
                answer.outcome is Outcome.suggest
                or (answer.outcome is Outcome.none and answer.note is None),
                answer.entry_id or (offered_ids[0] if offered_ids else None),
                offered,
            ),
        )

    async def _store(self, answer: Answer, rephrased: Asked | None) -> int | None:
        rephrase_of = await rephrased.stored if rephrased is not None else None
        try:
            return await store.record_question(
                self.db,
                answer.question,
                answer.language,
                answer.outcome.value,
                answer.confidence,
                entry_id=answer.entry_id or answer.note_entry_id,
                offered=[s.entry_id for s in answer.suggestions],
                rephrase_of=rephrase_of,
                unanswered=answer.outcome is Outcome.none and answer.note is None,
            )
        except Exception:  # a background write: logged here, never raised into a chat
            logger.warning("Could not record a question", exc_info=True)
            return None

    async def flush(self) -> None:
        """Waits for the questions still being written (at shutdown)."""
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    async def chose(
        self, chat_id: int, message_id: int, entry_id: str, shown: Collection[str]
    ) -> bool:
        """A tap that opened `entry_id` on message `message_id`, whose buttons open `shown`:
        recorded once when it answers a remembered question's offer."""
        found = self.recent.offering(chat_id, message_id, entry_id, shown, time.monotonic())
        if found is None:
            return False
        asked, via = found
        if entry_id in asked.chosen:
            return False
        asked.chosen.add(entry_id)
        question_id = await asked.stored
        try:
            await store.record_choice(
                self.db,
                asked.text,
                asked.language,
                entry_id,
                via,
                top_entry_id=asked.top,
                question_id=question_id,
            )
        except SQLAlchemyError:
            logger.warning("Could not record a choice", exc_info=True)
            return False
        return True

    async def chose_inline(
        self, query: str, language: str, entry_id: str, top_entry_id: str | None
    ) -> None:
        """An inline result chosen after typing `query`."""
        try:
            await store.record_choice(
                self.db, query, language, entry_id, Via.inline, top_entry_id=top_entry_id
            )
        except SQLAlchemyError:
            logger.warning("Could not record an inline choice", exc_info=True)

    async def prune(self, retention_days: float) -> int:
        """Deletes what is older than the retention period."""
        removed = await store.prune(self.db, store.retention_cutoff(retention_days))
        if removed:
            logger.info("Pruned %d question record(s) older than %s days", removed, retention_days)
        return removed
