"""Shared fixtures: the bundled knowledge base and its engine are loaded once per session; every
storage test runs on SQLite and on PostgreSQL; the fake Bot API."""

from __future__ import annotations

import asyncio
import compileall
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from chat.render import answer_length
from chat.settings import Settings
from knowledge.answer import Engine
from knowledge.loader import KnowledgeBase
from knowledge.validate import load_base
from storage.db import Database
from testkit.databases import PG_URL, create_worker_database, database_url
from testkit.fakes import FakeBotAPI
from testkit.harness import TOKEN, running_bot

PACKAGES = ("bot", "chat", "handlers", "knowledge", "storage", "testkit")


def pytest_configure(config: pytest.Config) -> None:
    """Compiles the project's modules once, before any worker starts: the bots, replicas and
    commands the tests start as processes then read bytecode where PYTHONDONTWRITEBYTECODE (set
    on CI's machine) would have them compile every module anew (suite 4m11s -> 3m40s there)."""
    if not hasattr(config, "workerinput"):  # the xdist controller, or a run without workers
        root = Path(__file__).resolve().parent.parent
        for package in PACKAGES:
            compileall.compile_dir(root / package, quiet=1)


@pytest.fixture(scope="session", autouse=True)
def worker_database() -> None:
    """Under pytest-xdist, this worker's own PostgreSQL database (testkit/databases.py)."""
    asyncio.run(create_worker_database())


@pytest.fixture(scope="session", autouse=True)
def index_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Saved search indexes go to the session's temporary directory, not the user's cache (worker
    subprocesses inherit it)."""
    directory = tmp_path_factory.mktemp("index-cache")
    before = os.environ.get("INDEX_CACHE_DIR")
    os.environ["INDEX_CACHE_DIR"] = str(directory)
    yield directory
    if before is None:
        del os.environ["INDEX_CACHE_DIR"]
    else:
        os.environ["INDEX_CACHE_DIR"] = before


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
async def chat_db_url(tmp_path: Path) -> str:
    """The database of conversation tests: PostgreSQL when TEST_DATABASE_URL is set (as in CI),
    else SQLite. What the two databases do differently is held by the storage tests, which take
    `db_url` and run on both."""
    return await database_url("postgresql" if PG_URL else "sqlite", tmp_path)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.upgrade()
    yield database
    await database.close()


@pytest.fixture
async def bot(settings: Settings, engine: Engine) -> AsyncIterator[Application]:
    """The real application against the fake Bot API, with the test module's `settings`."""
    async with running_bot(settings, engine) as app:
        yield app


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server
