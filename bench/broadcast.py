"""Broadcast benchmark: N subscribed chats through a fake Bot API that enforces Telegram's limits
with 429s.

python -m bench.broadcast [--chats 10000] [--rate 25] [--groups 0.1] — prints achieved vs
configured rate, 429s received, lost and duplicated messages (both must be 0), the process's peak
resident memory and wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

from telegram import Bot

from chat.notifications import deliver_pending, outbox_counts, publish
from chat.notifications.pacing import Pacer
from chat.render import answer_length
from knowledge.schema import EVERYTHING
from knowledge.validate import load_base
from storage.db import Database
from testkit.fakes import FakeBotAPI
from testkit.harness import TOKEN, settings_for_url
from testkit.kb_trees import entry, write_tree
from testkit.subscribers import add_chats

logger = logging.getLogger(__name__)


async def run(chats: int, rate: float, group_share: float) -> dict[str, float]:
    """Subscribes `chats` chats, publishes a change, delivers it, and measures."""
    work = Path(tempfile.mkdtemp(prefix="broadcast-"))
    url = f"sqlite+aiosqlite:///{work / 'bench.sqlite3'}"
    groups = int(chats * group_share)
    ids = [-(10_000 + i) for i in range(groups)] + [100_000 + i for i in range(chats - groups)]
    async with FakeBotAPI(token=TOKEN) as api:
        api.enforce_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
        db = Database(url)
        await db.upgrade()
        await publish(
            db, load_base(write_tree(work / "a", entry("alpha-entry", "alpha")), answer_length)
        )
        await add_chats(db, {c: {EVERYTHING} for c in ids})
        changed = write_tree(
            work / "b",
            entry("alpha-entry", "alpha", answer="Changed.") + entry("beta-entry", "beta"),
        )
        await publish(db, load_base(changed, answer_length))
        settings = settings_for_url(
            api.root_url, url, notify_global_rate=rate, notify_concurrency=16
        )
        api.clear_calls()
        started = time.perf_counter()
        pacer = Pacer.from_settings(settings)
        async with Bot(TOKEN, base_url=f"{api.root_url}/bot") as bot:
            report = await deliver_pending(db, bot, settings, pacer=pacer)
            while (await outbox_counts(db)).get("pending"):  # back-offs after 429s, if any
                await asyncio.sleep(0.2)
                report += await deliver_pending(db, bot, settings, pacer=pacer)
        wall = time.perf_counter() - started
        # The process's peak resident memory (the fake Bot API's too), not tracemalloc's: tracing
        # every allocation took CPU from the sends it was measuring.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        got = Counter(int(c.chat_id) for c in api.calls_to("sendMessage") if c.ok)  # type: ignore[arg-type]  # chat_id is int | str | None; all chats here are numbers
        await db.close()
        return {
            "chats": chats,
            "configured": rate,
            "achieved": chats / wall,
            "wall": wall,
            "429s": sum(1 for c in api.calls_to("sendMessage") if c.status == 429),
            "lost": sum(1 for c in ids if got[c] == 0),
            "duplicated": sum(n - 1 for n in got.values() if n > 1),
            "peak_mib": peak / 2**20,
            # Slots booked and left unused: the send woke too late for them (the event loop
            # busy), or a later limit refused them.
            "late": pacer.budget.late,
            "refused": pacer.budget.refused,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument(
        "--rate", type=float, default=25.0, help="notify_global_rate (Telegram allows ~30/s)"
    )
    parser.add_argument("--groups", type=float, default=0.1, help="share of group chats")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(
        f"broadcasting to {args.chats} chats at {args.rate}/s: "
        f"about {math.ceil(args.chats / args.rate)} s"
    )
    r = asyncio.run(run(args.chats, args.rate, args.groups))
    print(
        "| chats | configured/s | achieved/s | % of configured | 429s | lost | duplicated "
        "| peak RSS MiB | wall s | slots wasted: late / refused |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {r['chats']:.0f} | {r['configured']:.1f} | {r['achieved']:.2f} "
        f"| {100 * r['achieved'] / r['configured']:.1f}% "
        f"| {r['429s']:.0f} | {r['lost']:.0f} | {r['duplicated']:.0f} "
        f"| {r['peak_mib']:.1f} | {r['wall']:.1f} | {r['late']:.0f} / {r['refused']:.0f} |"
    )


if __name__ == "__main__":
    main()
