"""Start-up and memory of the bot as a process, next to a bare python-telegram-bot echo bot.

    python -m bench.bot_footprint [--questions 40]

Each bot is an OS process of its own, long-polling a fake Bot API server (testkit.fakes) in this
process over real HTTP on 127.0.0.1:

* real, first start: `briefing-bot run` on an empty SQLite database and an empty INDEX_CACHE_DIR
  (it builds the search index and saves it);
* real, next start: the same, with the index saved (what every later start and replica does);
* echo: ApplicationBuilder with one MessageHandler replying the text.

The bot's own modules are compiled to bytecode first, as `pip install .` (and so the image) does
for the installed bot and did for the echo bot's libraries: where PYTHONDONTWRITEBYTECODE is set,
as on this machine, a checkout never gets any, and every start compiled its 66 modules from source
(0.16 s of CPU profiled; 1.85 s to the first reply, 3.2x the echo bot's, in the run that found it).

A question is waiting when each process starts. Reported per bot: seconds from starting the
process to its first reply, and the CPU seconds the process had used by then (steadier than the
wall time on a shared machine), then, after `--questions` more questions answered one after the
other, its resident memory (VmRSS) and peak resident memory (VmHWM) from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.evalset import load_questions
from testkit.fakes import FakeBotAPI
from testkit.harness import TOKEN
from testkit.replicas import ROOT, bot_environment

REPLY_TIMEOUT = 180.0  # seconds: a first start on a loaded machine builds the index
USER_ID = 7_000_001

ECHO_BOT = """
import sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text)

app = ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling()
"""


@dataclass(frozen=True)
class Footprint:
    name: str
    first_reply_s: float
    first_reply_cpu_s: float
    rss_mib: float
    peak_mib: float


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM of a process, in MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


async def answered(api: FakeBotAPI, text: str, timeout: float) -> None:
    """Queues a question and waits for the bot's reply."""
    before = len(api.sent_messages(USER_ID))
    api.private_message(text, user_id=USER_ID)
    deadline = time.monotonic() + timeout
    while len(api.sent_messages(USER_ID)) <= before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no reply to {text!r} within {timeout:.0f} s")
        await asyncio.sleep(0.01)


async def footprint(
    name: str, command: list[str], env: dict[str, str], work: Path, questions: list[str]
) -> Footprint:
    async with FakeBotAPI(token=TOKEN) as api:
        env = {**env, "TELEGRAM_API_URL": api.root_url}
        command = [a.replace("{base_url}", api.base_url) for a in command]
        with (work / f"{name.split()[0]}.log").open("a") as log:
            start = time.monotonic()
            api.private_message(questions[0], user_id=USER_ID)
            process = await asyncio.create_subprocess_exec(
                *command, env=env, cwd=work, stdout=log, stderr=log
            )
            try:
                deadline = start + REPLY_TIMEOUT
                while not api.sent_messages(USER_ID):
                    if process.returncode is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{name}: no first reply; see {log.name}")
                    await asyncio.sleep(0.01)
                first = time.monotonic() - start
                first_cpu = cpu_seconds(process.pid)
                for question in questions[1:]:
                    await answered(api, question, REPLY_TIMEOUT)
                rss, peak = memory(process.pid)
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGINT)
                    try:
                        await asyncio.wait_for(process.wait(), 20)
                    except TimeoutError:
                        process.kill()
                        await process.wait()
    return Footprint(name, first, first_cpu, rss, peak)


# The packages `briefing-bot run` imports: pyproject.toml's.
BOT_PACKAGES = ("bot", "chat", "handlers", "knowledge", "storage")


async def run(count: int) -> int:
    for package in BOT_PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)
    questions = [q.text for q in load_questions()][: count + 1]
    with tempfile.TemporaryDirectory(prefix="bot-footprint-") as tmp:
        work = Path(tmp)
        env = bot_environment(
            f"sqlite+aiosqlite:///{work / 'bot.sqlite3'}",
            index_cache_dir=work / "index-cache",
            health_port=0,
            flood_limit=1000,
            send_chat_interval_seconds=0,
        )
        real = [sys.executable, "-m", "bot.cli", "run"]
        echo = [sys.executable, "-c", ECHO_BOT, TOKEN, "{base_url}"]
        results = []
        for name, command in (
            ("real bot, first start (builds the index)", real),
            ("real bot, next start (index saved)", real),
            ("echo bot", echo),
        ):
            print(f"{name} ...", file=sys.stderr, flush=True)
            results.append(await footprint(name, command, env, work, questions))
    echo_result = results[-1]
    print(f"\n{count} questions after the first, answered one after the other; {ROOT}\n")
    print(
        "| bot | start to first reply s | x echo | CPU s by then | x echo "
        "| RSS MiB | x echo | peak RSS MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        start_ratio = r.first_reply_s / echo_result.first_reply_s
        cpu_ratio = r.first_reply_cpu_s / echo_result.first_reply_cpu_s
        print(
            f"| {r.name} | {r.first_reply_s:.2f} | {start_ratio:.1f} "
            f"| {r.first_reply_cpu_s:.2f} | {cpu_ratio:.1f} "
            f"| {r.rss_mib:.0f} | {r.rss_mib / echo_result.rss_mib:.1f} | {r.peak_mib:.0f} |"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args()
    return asyncio.run(run(args.questions))


if __name__ == "__main__":
    sys.exit(main())
