"""Bot throughput: the real bot against a bare python-telegram-bot echo bot, same load, same run.

    python -m bench.bot_throughput [--users 10] [--questions 30] [--warmup 3]

Both bots long-poll a fake Bot API server (testkit.fakes.FakeBotAPI) over real HTTP on 127.0.0.1,
each on its own fresh server, one after the other, in this one process and event loop:

* real: the Application exactly as `briefing-bot run` starts it (testkit.harness.running_bot, the
  bundled knowledge base, SQLite in a temporary directory, flood control effectively off);
* echo: ApplicationBuilder().concurrent_updates(True) with one MessageHandler replying the text.

Load is a closed loop: `--users` simulated users, each in its own private chat, send their next
question as soon as the bot's reply to the previous one has arrived, `--questions` questions each,
drawn round-robin from bench/eval_set.yaml. Every user first asks `--warmup` questions that are
not measured (so the measured run is the steady state of returning users).

Reported per bot: updates per second (answered updates / wall time from the first measured
question to the last reply) and reply latency p50/p99, from queuing the update to the bot's last
sendMessage to that chat finishing (the fake's Call.finished; both ends on time.monotonic), and
the real/echo throughput ratio (target >= 90%, issue #13).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.evalset import Question, load_questions
from bench.measure import pct
from chat.render import answer_length, render_answer, split_message
from knowledge.answer import Engine
from knowledge.validate import load_base
from testkit.fakes import FakeBotAPI
from testkit.harness import TOKEN, running, running_bot, settings_for

TARGET_RATIO = 0.9
REPLY_TIMEOUT = 30.0  # seconds one reply may take before the run is declared broken
FIRST_USER_ID = 5_000_001

# How many sendMessage calls a question is answered with (1 unless the answer is split).
Parts = Callable[[Question], int]


@dataclass
class Result:
    name: str
    answered: int
    wall: float  # seconds
    latencies: list[float]  # seconds

    @property
    def rate(self) -> float:
        return self.answered / self.wall if self.wall > 0 else 0.0


class ProblemCounter(logging.Handler):
    """Counts warnings and errors logged during the run: a failing bot's numbers mean nothing."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def user_loop(
    api: FakeBotAPI,
    user_id: int,
    questions: list[Question],
    parts: Parts,
    latencies: list[float],
) -> float:
    """Ask `questions` one after another, each as soon as the previous reply is complete.

    Returns the monotonic time the last reply finished.
    """
    done = time.monotonic()
    for question in questions:
        expected = parts(question)
        since = len(api.calls)
        queued = time.monotonic()
        api.private_message(
            question.text,
            user_id=user_id,
            first_name=f"User{user_id}",
            language_code=question.lang,
        )
        calls = await api.wait_for(
            "sendMessage", expected, timeout=REPLY_TIMEOUT, chat_id=user_id, ok=True, since=since
        )
        done = max(call.finished for call in calls[:expected])
        latencies.append(done - queued)
    return done


def assign(
    questions: list[Question], users: int, per_user: int, start: int
) -> list[list[Question]]:
    """Round-robin over the eval set: question k of user u is number start + k * users + u."""
    n = len(questions)
    return [
        [questions[(start + k * users + u) % n] for k in range(per_user)] for u in range(users)
    ]


async def drive(
    api: FakeBotAPI, questions: list[Question], users: int, per_user: int, start: int, parts: Parts
) -> tuple[int, float, list[float]]:
    """Run the closed loop for all users at once: (answered, wall seconds, latencies)."""
    plan = assign(questions, users, per_user, start)
    latencies: list[float] = []
    began = time.monotonic()
    ends = await asyncio.gather(
        *(user_loop(api, FIRST_USER_ID + u, plan[u], parts, latencies) for u in range(users))
    )
    return len(latencies), max(ends) - began, latencies


async def measure(
    name: str,
    api: FakeBotAPI,
    questions: list[Question],
    users: int,
    per_user: int,
    warmup: int,
    parts: Parts,
) -> Result:
    if warmup:
        await drive(api, questions, users, warmup, 0, parts)
    api.clear_calls()
    answered, wall, latencies = await drive(api, questions, users, per_user, warmup * users, parts)
    return Result(name, answered, wall, latencies)


async def bench_real(
    questions: list[Question], users: int, per_user: int, warmup: int, rate: float
) -> Result:
    engine = Engine(load_base(measure=answer_length))

    # How many messages handlers.ask.answer_question sends for each question (chats without a /lang
    # choice), worked out before the run so the load generator adds no engine work to the loop.
    counts = {
        (q.text, q.lang): len(
            split_message(render_answer(engine.ask(q.text, language=None, hint=q.lang[:2])))
        )
        for q in questions
    }

    def parts(question: Question) -> int:
        return counts[question.text, question.lang]

    with tempfile.TemporaryDirectory(prefix="bot-throughput-") as tmp:
        async with FakeBotAPI(token=TOKEN) as api:
            settings = settings_for(api, Path(tmp), flood_limit=10**6, send_rate_per_second=rate)
            async with running_bot(settings, engine):
                return await measure(
                    f"briefing bot ({_limit(rate, 'send budget')})",
                    api,
                    questions,
                    users,
                    per_user,
                    warmup,
                    parts,
                )


def _limit(rate: float, limiter: str = "AIORateLimiter") -> str:
    return f"{limiter} {rate:g}/s" if rate else "no rate limiter"


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


@asynccontextmanager
async def running_echo_bot(api: FakeBotAPI, rate: float) -> AsyncIterator[Application]:
    builder = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .concurrent_updates(True)
    )
    app: Application  # its bot's type differs with and without the rate limiter
    if rate:
        app = builder.rate_limiter(AIORateLimiter(overall_max_rate=rate, max_retries=3)).build()
    else:
        app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with running(app) as started:
        yield started


async def bench_echo(
    questions: list[Question], users: int, per_user: int, warmup: int, rate: float
) -> Result:
    async with FakeBotAPI(token=TOKEN) as api:
        async with running_echo_bot(api, rate):
            return await measure(
                f"echo bot ({_limit(rate)})", api, questions, users, per_user, warmup, lambda _: 1
            )


def table(real: Result, echo_: Result) -> str:
    ratio = real.rate / echo_.rate if echo_.rate else 0.0
    lines = [
        "| bot | updates/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for r in (echo_, real):
        lines.append(
            f"| {r.name} | {r.rate:.1f} | {pct(r.latencies, 0.50) * 1000:.1f} | "
            f"{pct(r.latencies, 0.99) * 1000:.1f} |"
        )
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    lines += [
        "",
        f"real/echo throughput: {ratio:.0%} ({verdict} the >= {TARGET_RATIO:.0%} target)",
        f"({real.answered} real and {echo_.answered} echo updates measured, "
        f"in {real.wall:.2f} s and {echo_.wall:.2f} s)",
    ]
    return "\n".join(lines)


async def run(users: int, per_user: int, warmup: int) -> int:
    questions = load_questions()
    problems = ProblemCounter()
    logging.getLogger().addHandler(problems)
    started = time.perf_counter()
    pairs = []
    # Like for like: both with Telegram's 30 messages/s limiter (as the bot runs), then both
    # without.
    for rate in (30.0, 0.0):
        real = await bench_real(questions, users, per_user, warmup, rate)
        echo_ = await bench_echo(questions, users, per_user, warmup, rate)
        pairs.append((real, echo_))
    total = time.perf_counter() - started
    logging.getLogger().removeHandler(problems)

    print(
        f"{users} users, {per_user} questions each (+{warmup} warm-up), "
        "closed loop, long polling\n"
    )
    for real, echo_ in pairs:
        print(table(real, echo_) + "\n")
    print(f"\ntotal runtime {total:.1f} s")
    if problems.records:
        print(
            f"\nWARNING: {len(problems.records)} warnings/errors were logged during the run:",
            file=sys.stderr,
        )
        for record in problems.records[:10]:
            print(f"  {record.levelname} {record.name}: {record.getMessage()}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--users", type=int, default=10, help="concurrent simulated users (private chats)"
    )
    parser.add_argument("--questions", type=int, default=30, help="measured questions per user")
    parser.add_argument(
        "--warmup", type=int, default=3, help="unmeasured questions per user first"
    )
    args = parser.parse_args()
    if args.users < 1 or args.questions < 1 or args.warmup < 0:
        parser.error("--users and --questions must be >= 1, --warmup >= 0")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(run(args.users, args.questions, args.warmup)))


if __name__ == "__main__":
    main()
