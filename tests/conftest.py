"""Shared fixtures: the bundled knowledge base and its engine are loaded once per session, on an
index built once per run; every storage test runs on SQLite and on PostgreSQL; the fake Bot API."""

from __future__ import annotations

import asyncio
import compileall
import fcntl
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from chat.render import answer_length
from chat.settings import Settings
from knowledge.answer import Engine
from knowledge.loader import KnowledgeBase
from knowledge.saved_index import index_key, load_index
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


# Tests that take a minute or more of one worker's time, started first: the other workers share
# the rest of the suite meanwhile, instead of waiting at the end for the one that drew it last.
FIRST = ("test_shipped_scoring_is_what_the_calibration_fit_gives",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: getattr(item, "originalname", item.name) not in FIRST)


@pytest.fixture(scope="session", autouse=True)
def worker_database() -> None:
    """Under pytest-xdist, this worker's own PostgreSQL database (testkit/databases.py)."""
    asyncio.run(create_worker_database())


@pytest.fixture(scope="session")
def base() -> KnowledgeBase:
    return load_base(measure=answer_length)


@pytest.fixture(scope="session")
def bundled_index(base: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding the bundled base's saved index, built once for the whole run: the
    first worker (pytest-xdist) to get here builds it, the others wait, then read it. Each of
    the 3 workers built it for itself before, and every test process and saved-index test did
    again (about 6 s of CPU each on this 2-core machine)."""
    root = tmp_path_factory.getbasetemp()
    shared = root.parent if "PYTEST_XDIST_WORKER" in os.environ else root
    directory = shared / "bundled-index"
    with (shared / "bundled-index.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        load_index(base, directory)
    return directory


@pytest.fixture(scope="session", autouse=True)
def index_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, base: KnowledgeBase, bundled_index: Path
) -> Iterator[Path]:
    """Saved search indexes go to the session's temporary directory, not the user's cache (worker
    subprocesses inherit it), which starts with the bundled base's."""
    directory = tmp_path_factory.mktemp("index-cache")
    key = index_key(base)
    shutil.copytree(bundled_index / key, directory / key)
    before = os.environ.get("INDEX_CACHE_DIR")
    os.environ["INDEX_CACHE_DIR"] = str(directory)
    yield directory
    if before is None:
        del os.environ["INDEX_CACHE_DIR"]
    else:
        os.environ["INDEX_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def engine(base: KnowledgeBase, bundled_index: Path) -> Engine:
    """The bundled base's engine on its saved index, as `briefing-bot run` starts it (a saved
    index answers exactly as a built one: tests/test_saved_index.py)."""
    return Engine(base, index=load_index(base, bundled_index))


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
