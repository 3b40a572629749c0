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
from testkit.databases import create_worker_database, database_url
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
    return await database_url(request.param, tmp_path)


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
