"""Real `briefing-bot run --webhook` processes behind a round-robin proxy, with Telegram played.

Shared by `bench/replicas.py` and `tests/test_replicas.py`. A `Cluster` owns the fake Bot API
(in this process), the proxy (testkit/proxy.py) and any number of replica OS processes, each on its
own webhook port, all on one database. Updates are built by the fake's factories (so it knows the
messages the bot replies to) and POSTed the way Telegram does: with the secret token header, and
again after a failed POST or a non-2xx answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy import func, select

from chat.notifications import publish
from chat.render import answer_length
from chat.settings import Settings
from knowledge.validate import load_base
from storage.db import Database, KbVersion
from testkit.databases import clean
from testkit.fakes import FakeBotAPI
from testkit.fakes.records import JSONDict
from testkit.harness import TOKEN, free_port
from testkit.proxy import RoundRobinProxy

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent  # the checkout whose code the replicas run
SECRET = "replica-secret-token"
WEBHOOK_PATH = "telegram"
BOT_MENTION = "@briefing_test_bot"  # FakeBotAPI's default username
# Telegram re-sends an update for a long time; a few seconds of tries is enough on 127.0.0.1.
DELIVERY_ATTEMPTS = 12
RETRY_DELAY = 0.1  # seconds, doubled after each failed try, at most MAX_RETRY_DELAY
MAX_RETRY_DELAY = 1.0
SETTINGS = frozenset(name.upper() for name in Settings.model_fields)


def bot_environment(database_url: str, **settings: object) -> dict[str, str]:
    """The environment of a `briefing-bot` process: ours, not whatever the shell had set (but
    where saved indexes go: a test session keeps them in its temporary directory)."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS or k == "INDEX_CACHE_DIR"}
    env["PYTHONPATH"] = str(ROOT)
    env["TELEGRAM_BOT_TOKEN"] = TOKEN
    env["DATABASE_URL"] = database_url
    env.update({name.upper(): str(value) for name, value in settings.items()})
    return env


async def run_cli(args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """One `briefing-bot ARGS` command to its end: exit code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode(errors="replace")


@dataclass
class Replica:
    """One `briefing-bot run --webhook` OS process on its own port."""

    index: int
    port: int
    env: dict[str, str]
    work: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/{WEBHOOK_PATH}"

    @property
    def log(self) -> Path:
        return self.work / f"replica-{self.index}.log"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        self.starts += 1
        with self.log.open("a") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--webhook",
                env=self.env,
                cwd=self.work,  # no stray .env is read
                stdout=log,
                stderr=log,
            )

    async def ready(self, timeout: float) -> bool:
        """True once the webhook port accepts connections (PTB opens it after post_init);
        False when the process died or the time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                return False
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            await writer.wait_closed()
            return True
        return False

    async def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as when a container is killed."""
        if self.process is not None and self.alive:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self, grace: float = 10.0) -> None:
        if self.process is None or not self.alive:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), grace)
        except TimeoutError:
            await self.kill()

    def last_error(self, width: int = 160) -> str:
        """The last exception line of its log (or its last line), cut to `width`."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        lines = text.strip().splitlines()
        errors = [line for line in lines if "Error" in line.split(":", 1)[0]]
        found = errors[-1] if errors else lines[-1] if lines else ""
        return found[:width]


@dataclass
class Delivery:
    """What became of one update Telegram delivered."""

    update: JSONDict
    status: int = 0  # of the last try; 0 = no HTTP answer
    attempts: int = 0

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Cluster:
    """The fake Bot API, the proxy and the replicas, on one database."""

    api: FakeBotAPI
    proxy: RoundRobinProxy
    session: ClientSession
    work: Path
    database_url: str
    settings: dict[str, object]
    replicas: list[Replica] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    def env(self, **settings: object) -> dict[str, str]:
        return bot_environment(
            self.database_url,
            telegram_api_url=self.api.root_url,
            webhook_url=self.proxy.url,
            webhook_secret=SECRET,
            webhook_path=WEBHOOK_PATH,
            **{**self.settings, **settings},
        )

    async def add(self, count: int, **settings: object) -> list[Replica]:
        """Starts `count` more replicas at once (not waiting for them) behind the proxy."""
        added = []
        for _ in range(count):
            port = free_port()
            env = self.env(webhook_port=port, health_port=free_port(), **settings)
            replica = Replica(len(self.replicas), port, env, self.work)
            self.replicas.append(replica)
            self.proxy.upstreams.append(replica.url)
            added.append(replica)
        await asyncio.gather(*(r.start() for r in added))
        return added

    async def ready(self, replicas: Iterable[Replica], timeout: float = 30.0) -> list[bool]:
        return list(await asyncio.gather(*(r.ready(timeout) for r in replicas)))

    async def stop(self) -> None:
        await asyncio.gather(*(r.stop() for r in self.replicas))

    async def deliver(self, update: JSONDict, to: Replica | None = None) -> Delivery:
        """POSTs an update as Telegram does (to the proxy unless `to`), retrying until a 2xx."""
        delivery = Delivery(update)
        self.deliveries.append(delivery)
        url = to.webhook if to is not None else f"{self.proxy.url}/{WEBHOOK_PATH}"
        delay = RETRY_DELAY
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        while delivery.attempts < DELIVERY_ATTEMPTS:
            delivery.attempts += 1
            try:
                async with self.session.post(url, json=update, headers=headers) as response:
                    await response.read()
                    delivery.status = response.status
            except (ClientError, TimeoutError):
                delivery.status = 0
            if delivery.accepted:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY)
        return delivery

    def question(self, user: int, text: str, group: bool = False) -> JSONDict:
        """A private message from `user`, or (group) one addressed to the bot in the user's own
        group, which the bot answers quoting it: each answer names its question."""
        if group:
            return self.api.make_update(
                "group_message", f"{BOT_MENTION} {text}", chat_id=-user, user_id=user
            )
        return self.api.make_update("private_message", text, user_id=user)

    def sends(self, since: float = 0.0) -> list[float]:
        """Arrival times of every message the replicas sent (or tried to) since `since`."""
        return self.api.send_times(since)

    def answers(self) -> Counter[tuple[int, int]]:
        """(chat, message id) -> messages the bot sent quoting that message."""
        counts: Counter[tuple[int, int]] = Counter()
        for call in self.api.calls_to("sendMessage"):
            if call.ok and call.sent is not None and call.sent.reply_to is not None:
                counts[(int(str(call.chat_id)), call.sent.reply_to)] += 1
        return counts


@asynccontextmanager
async def cluster(work: Path, database_url: str, **settings: object) -> AsyncIterator[Cluster]:
    """An empty cluster: add replicas with `await cluster.add(n)`; all are stopped at the end."""
    work.mkdir(parents=True, exist_ok=True)
    async with (
        FakeBotAPI(token=TOKEN) as api,
        RoundRobinProxy([]) as proxy,
        ClientSession(timeout=ClientTimeout(total=30)) as session,
    ):
        running = Cluster(api, proxy, session, work, database_url, dict(settings))
        try:
            yield running
        finally:
            await running.stop()


async def prepare_database(url: str, tree: Path | None) -> None:
    """An empty schema; with a tree, migrated and with that tree published as the baseline."""
    await clean(url)
    if tree is None:
        return
    db = Database(url)
    try:
        await db.upgrade()
        await publish(db, load_base(tree, measure=answer_length))
    finally:
        await db.close()


async def published_versions(url: str) -> int:
    db = Database(url)
    try:
        async with db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(KbVersion)) or 0)
    finally:
        await db.close()


@dataclass
class KillOutcome:
    """Questions under load while one replica was SIGKILLed (and restarted, as an orchestrator
    would)."""

    posted: int
    accepted: int
    answered: int
    lost: int  # accepted, never answered
    doubled: int  # answered more than once
    retried: int  # deliveries that needed more than one POST
    seconds: float


async def questions_with_a_kill(
    running: Cluster,
    victim: Replica,
    users: int,
    questions: int,
    rate: float,
    text: str,
    settle: float = 4.0,
    restart_after: float = 1.0,
) -> KillOutcome:
    """`questions` group questions from `users` users at `rate` per second through the proxy;
    `victim` is SIGKILLed once half of them were accepted and started again `restart_after` s
    later. Waits until every accepted question is answered or none was for `settle` s."""
    first_user = 7_000_001
    started = time.monotonic()
    updates = [
        running.question(first_user + n % users, text, group=True) for n in range(questions)
    ]
    tasks: list[asyncio.Task[Delivery]] = []

    async def kill_at_half() -> None:
        while sum(1 for t in tasks if t.done() and t.result().accepted) < questions // 2:
            await asyncio.sleep(0.005)
        await victim.kill()
        logger.info("killed replica %d", victim.index)
        await asyncio.sleep(restart_after)
        await victim.start()

    killer = asyncio.create_task(kill_at_half())
    for n, update in enumerate(updates):
        tasks.append(asyncio.create_task(running.deliver(update)))
        await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.monotonic()))
    deliveries = await asyncio.gather(*tasks)
    await killer
    accepted = {
        (d.update["message"]["chat"]["id"], d.update["message"]["message_id"])
        for d in deliveries
        if d.accepted
    }
    answers = running.answers()
    last_change, seen = time.monotonic(), -1
    while time.monotonic() - last_change < settle:
        answers = running.answers()
        done = sum(1 for key in accepted if answers[key])
        if done == len(accepted):
            break
        if done != seen:
            last_change, seen = time.monotonic(), done
        await asyncio.sleep(0.2)
    return KillOutcome(
        posted=questions,
        accepted=len(accepted),
        answered=sum(1 for key in accepted if answers[key]),
        lost=sum(1 for key in accepted if not answers[key]),
        doubled=sum(1 for key in accepted if answers[key] > 1),
        retried=sum(1 for d in deliveries if d.attempts > 1),
        seconds=time.monotonic() - started,
    )
