"""Per-question writes in batches (Database.batched): the questions of the moment as one INSERT
(and their unanswered rows as another), the follow-up contexts as one upsert, each caller getting
its own result and a bad item failing only its caller; and the contexts of the questions arriving
together read in one query (Database.read_batched), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, select

from knowledge.followup import Previous
from storage.db import Database, Unanswered
from storage.feedback import QuestionRow, record_question
from storage.follow_ups import LastAnswer, recall_in_chat, remember, talk_of

WINDOW = 600.0


# --- batched writes ------------------------------------------------------------------------------


async def test_questions_written_together_each_get_their_own_id(db: Database) -> None:
    texts = [f"question number {i}" for i in range(30)]
    inserts: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO QUESTIONS"):
            inserts.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    ids = await asyncio.gather(
        *(
            record_question(db, text, "en", "none", 0.1, unanswered=i % 3 == 0)
            for i, text in enumerate(texts)
        )
    )
    event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert len(inserts) == 1  # the 30 questions queued at once: one statement
    assert len(set(ids)) == len(texts)
    async with db.session() as session:
        stored = dict((await session.execute(select(QuestionRow.id, QuestionRow.text))).all())
        unanswered = await session.scalars(select(Unanswered.text))
        assert sorted(unanswered) == sorted(texts[::3])
    assert [stored[i] for i in ids] == texts
    # A later batch continues after them.
    later = await asyncio.gather(*(record_question(db, "later", "en", "none", 0.1) for _ in "ab"))
    assert min(later) > max(ids)


async def test_a_bad_question_in_a_batch_fails_only_its_caller(db: Database) -> None:
    first = await record_question(db, "the first", "en", "none", 0.1)
    results = await asyncio.gather(
        record_question(db, "good one", "en", "none", 0.1),
        record_question(db, "rephrases nothing", "en", "none", 0.1, rephrase_of=10**9),
        record_question(db, "good two", "en", "none", 0.1, rephrase_of=first),
        return_exceptions=True,
    )
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert isinstance(results[1], Exception)  # the foreign key refused it
    async with db.session() as session:
        texts = set(await session.scalars(select(QuestionRow.text)))
    assert texts == {"the first", "good one", "good two"}


async def test_last_answers_written_together_keep_the_latest_of_each_conversation(
    db: Database,
) -> None:
    talks = [talk_of("secret", 70, user) for user in range(5)]
    await asyncio.gather(
        *(remember(db, talk, Previous("alpha-entry", "first", "en"), WINDOW) for talk in talks),
        remember(db, talks[0], Previous("beta-entry", "second", "de"), WINDOW),
    )
    async with db.session() as session:
        rows = {
            row.talk: (row.entry_id, row.question, row.language)
            for row in await session.scalars(select(LastAnswer))
        }
    assert rows[talks[0]] == ("beta-entry", "second", "de")
    assert all(rows[talk] == ("alpha-entry", "first", "en") for talk in talks[1:])


async def test_contexts_read_together_each_get_their_own(db: Database) -> None:
    talks = [talk_of("secret", 80 + i, 800 + i) for i in range(10)]
    for i in range(0, 10, 2):  # every other conversation has a last answer, every third chat /lang
        await remember(db, talks[i], Previous(f"entry-{i}", f"question {i}", "en"), WINDOW)
    for i in range(0, 10, 3):
        await db.set_language(80 + i, "private", "de")
    selects: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "last_answers" in statement:
            selects.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    recalled = await asyncio.gather(
        *(recall_in_chat(db, 80 + i, talk, WINDOW) for i, talk in enumerate(talks)),
        recall_in_chat(db, 80, talks[0], 0),  # the same conversation past a shorter window
    )
    event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert len(selects) == 1  # the 11 asked at once: one query
    assert recalled == [
        (
            "de" if i % 3 == 0 else None,
            Previous(f"entry-{i}", f"question {i}", "en") if i % 2 == 0 else None,
        )
        for i in range(10)
    ] + [("de", None)]
