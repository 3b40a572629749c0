"""What users asked and which entries they chose afterwards: the curator's raw material.

No record here identifies a user or a chat: a question is its text, language, outcome and time; a
choice is the question's text, the entry chosen, how (a "did you mean" button, a related entry, an
inline result) and when. Rows older than the retention period are pruned (`prune`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.curation import AskedQuestion, Choice, Via
from storage.db import Base, Database, Unanswered, utcnow

MAX_TEXT = 1000  # characters of a question kept, as for unanswered questions


class QuestionRow(Base):
    """One question and what the bot did with it."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(8))  # knowledge.answer.Outcome values
    entry_id: Mapped[str | None] = mapped_column(String(64))  # answered (or noted) entry
    offered: Mapped[str] = mapped_column(Text, default="[]")  # JSON ids of "did you mean"
    confidence: Mapped[float] = mapped_column(Float)
    # The non-answer this question asked again in other words (same chat, minutes before).
    rephrase_of: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("questions.id", ondelete="SET NULL")
    )
    asked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class ChoiceRow(Base):
    """An entry a user chose after a question."""

    __tablename__ = "choices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("questions.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    entry_id: Mapped[str] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(16))  # knowledge.curation.Via values
    top_entry_id: Mapped[str | None] = mapped_column(String(64))  # what the bot put first
    chosen_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


async def record_question(
    db: Database,
    text: str,
    language: str,
    outcome: str,
    confidence: float,
    entry_id: str | None = None,
    offered: Sequence[str] = (),
    rephrase_of: int | None = None,
    unanswered: bool = False,
) -> int:
    """Stores a question (and, when `unanswered`, its row for `report unanswered`, in the same
    transaction); returns its id. Written with the other questions of the moment in one
    statement (Database.batched)."""
    now = utcnow()
    row = {
        "text": text[:MAX_TEXT],
        "language": language,
        "outcome": outcome,
        "entry_id": entry_id,
        "offered": json.dumps(list(offered)),
        "confidence": confidence,
        "rephrase_of": rephrase_of,
        "asked_at": now,
    }
    unanswered_row = (
        {"text": text[:MAX_TEXT], "language": language, "best_score": confidence, "asked_at": now}
        if unanswered
        else None
    )
    question_id: int = await db.batched(_write_questions, (row, unanswered_row))
    return question_id


async def _write_questions(
    session: AsyncSession, items: list[tuple[dict[str, Any], dict[str, Any] | None]]
) -> list[int]:
    """Questions (and their unanswered rows) as one INSERT each; the questions' ids, in order.

    SQLite orders neither RETURNING nor a multi-row insert's ids by the rows (SQLAlchemy then
    inserts one row per statement to keep `sort_by_parameter_order`): under the write lock this
    transaction holds (BEGIN IMMEDIATE), the ids are the ones after the highest, given here.
    PostgreSQL writes in parallel, so there SQLAlchemy's ordered RETURNING gives them.
    """
    rows = [row for row, _ in items]
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        highest = await session.scalar(select(func.max(QuestionRow.id)))
        ids = list(range((highest or 0) + 1, (highest or 0) + 1 + len(rows)))
        await session.execute(
            insert(QuestionRow), [{**r, "id": i} for r, i in zip(rows, ids, strict=True)]
        )
    else:
        ids = list(
            await session.scalars(
                insert(QuestionRow).returning(QuestionRow.id, sort_by_parameter_order=True), rows
            )
        )
    unanswered = [extra for _, extra in items if extra is not None]
    if unanswered:
        await session.execute(insert(Unanswered), unanswered)
    return ids


async def record_choice(
    db: Database,
    text: str,
    language: str,
    entry_id: str,
    via: Via,
    top_entry_id: str | None = None,
    question_id: int | None = None,
) -> None:
    async with db.write() as session:
        session.add(
            ChoiceRow(
                question_id=question_id,
                text=text[:MAX_TEXT],
                language=language,
                entry_id=entry_id,
                via=via.value,
                top_entry_id=top_entry_id,
            )
        )


async def questions_since(db: Database, since: dt.datetime) -> list[AskedQuestion]:
    """Every question asked since `since`, oldest first."""
    async with db.session() as session:
        rows = await session.scalars(
            select(QuestionRow).where(QuestionRow.asked_at >= since).order_by(QuestionRow.id)
        )
        return [
            AskedQuestion(
                id=row.id,
                text=row.text,
                language=row.language,
                outcome=row.outcome,
                entry_id=row.entry_id,
                offered=tuple(json.loads(row.offered or "[]")),
                rephrase_of=row.rephrase_of,
            )
            for row in rows
        ]


async def choices_since(db: Database, since: dt.datetime) -> list[Choice]:
    """Every choice made since `since`, oldest first."""
    async with db.session() as session:
        rows = await session.scalars(
            select(ChoiceRow).where(ChoiceRow.chosen_at >= since).order_by(ChoiceRow.id)
        )
        return [
            Choice(
                text=row.text,
                language=row.language,
                entry_id=row.entry_id,
                via=Via(row.via),
                top_entry_id=row.top_entry_id,
                question_id=row.question_id,
            )
            for row in rows
        ]


async def reached_since(db: Database, since: dt.datetime) -> Counter[str]:
    """Per entry: questions answered with it and choices of it since `since`."""
    reached: Counter[str] = Counter()
    async with db.session() as session:
        answered = await session.execute(
            select(QuestionRow.entry_id, func.count())
            .where(QuestionRow.asked_at >= since, QuestionRow.entry_id.is_not(None))
            .group_by(QuestionRow.entry_id)
        )
        chosen = await session.execute(
            select(ChoiceRow.entry_id, func.count())
            .where(ChoiceRow.chosen_at >= since)
            .group_by(ChoiceRow.entry_id)
        )
        for entry_id, count in [*answered, *chosen]:
            if entry_id is not None:
                reached[entry_id] += int(count)
    return reached


async def prune(db: Database, before: dt.datetime) -> int:
    """Deletes the questions, choices and unanswered questions older than `before`; returns how
    many rows went."""
    removed = 0
    async with db.write() as session:
        for statement in (
            delete(ChoiceRow).where(ChoiceRow.chosen_at < before),
            delete(QuestionRow).where(QuestionRow.asked_at < before),
            delete(Unanswered).where(Unanswered.asked_at < before),
        ):
            result = await session.execute(statement)
            removed += int(result.rowcount or 0)  # type: ignore[attr-defined]  # a DELETE gives a CursorResult
    return removed


def retention_cutoff(days: float) -> dt.datetime:
    """The oldest time a record kept for `days` may have."""
    return utcnow() - dt.timedelta(days=days)
