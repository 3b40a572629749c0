"""Test databases: SQLite files by default, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database

PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_MISSING = (
    "TEST_DATABASE_URL is not set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
)


async def clean(url: str) -> None:
    """Every test starts from an empty schema: PostgreSQL's public schema is dropped and made anew
    (a SQLite URL is a fresh file per test and needs nothing)."""
    if not url.startswith("postgresql"):
        return
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await db.close()


async def database_url(kind: str, directory: Path) -> str:
    """An empty database of `kind` ("sqlite": a file in `directory`; "postgresql": PG_URL, cleaned;
    the test is skipped, saying why, when it is not set)."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory / 'store.sqlite3'}"
    if not PG_URL:
        pytest.skip(PG_MISSING)
    await clean(PG_URL)
    return PG_URL
