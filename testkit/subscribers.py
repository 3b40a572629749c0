"""Subscribed chats written straight into the database: thousands of conversations through the
fake Bot API would only slow tests and benchmarks down."""

from __future__ import annotations

from sqlalchemy import insert

from storage.db import Chat, Database, DigestMode, Subscription, utcnow


async def add_chats(db: Database, chats: dict[int, set[str]], **columns: object) -> None:
    """Each chat (negative ids are groups) subscribed to its topics; `columns` set chat fields."""
    async with db.session.begin() as session:
        now = utcnow()
        await session.execute(
            insert(Chat),
            [
                {
                    "id": c,
                    "type": "private" if c > 0 else "group",
                    "joined_at": now,
                    "blocked": False,
                    "digest_mode": DigestMode.INSTANT,
                    **columns,
                }
                for c in chats
            ],
        )
        await session.execute(
            insert(Subscription),
            [
                {"chat_id": c, "topic": topic, "created_at": now}
                for c, topics in chats.items()
                for topic in topics
            ],
        )
