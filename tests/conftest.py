"""Shared fixtures: the bundled knowledge base and its engine are loaded once per session; every
storage test runs on SQLite and on PostgreSQL; the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chat.render import answer_length
from knowledge.answer import Engine
from knowledge.loader import KnowledgeBase
from knowledge.validate import load_base
from storage.db import Database
from testkit.databases import PG_MISSING, PG_URL, clean, create_worker_database
from testkit.fakes import FakeBotAPI
from testkit.harness import TOKEN


@pytest.fixture(scope="session", autouse=True)
def worker_database() -> None:
    """Under pytest-xdist, this worker's own PostgreSQL database (testkit/databases.py)."""
    asyncio.run(create_worker_database())


@pytest.fixture(scope="session")
def base() -> KnowledgeBase:
    return load_base(measure=answer_length)


@pytest.fixture(scope="session")
def engine(base: KnowledgeBase) -> Engine:
    return Engine(base)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_MISSING)
        await clean(PG_URL)
        return PG_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.upgrade()
    yield database
    await database.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server
