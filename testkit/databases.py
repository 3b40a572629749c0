"""Test databases: SQLite files by default, PostgreSQL when TEST_DATABASE_URL is set, Redis when
TEST_REDIS_URL is set.

Under pytest-xdist each worker has its own: PostgreSQL database `<name>_gw<n>` (created on first
use) and Redis database `<index> - n`, since tests drop schemas and flush Redis.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database

WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def _postgres_of_this_worker(url: str | None) -> str | None:
    if not url or "PYTEST_XDIST_WORKER" not in os.environ:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_gw{WORKER}").render_as_string(False)


def _redis_of_this_worker(url: str | None) -> str | None:
    if not url or WORKER == 0:
        return url
    root, _, index = url.rpartition("/")
    return f"{root}/{int(index or 0) - WORKER}"


PG_URL = _postgres_of_this_worker(os.environ.get("TEST_DATABASE_URL"))
PG_MISSING = (
    "TEST_DATABASE_URL is not set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
)
REDIS_URL = _redis_of_this_worker(os.environ.get("TEST_REDIS_URL"))
REDIS_MISSING = "TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15; the tests flush it)"


async def create_worker_database() -> None:
    """Creates this xdist worker's PostgreSQL database if it is missing."""
    shared = os.environ.get("TEST_DATABASE_URL")
    if not shared or PG_URL is None or PG_URL == shared:
        return
    name = make_url(PG_URL).database
    engine = create_async_engine(shared, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not found:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


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
