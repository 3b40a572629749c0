"""A delivery worker in its own process, so tests can SIGKILL it in the middle of a broadcast.

Usage: python -m testkit.outbox_worker API_ROOT DATABASE_URL [RATE]

It delivers until no row is pending.
"""

from __future__ import annotations

import asyncio
import sys
import time

from telegram import Bot

from chat.notifications import deliver_pending, outbox_counts
from storage.db import Database
from testkit.harness import TOKEN, settings_for_url


async def main(api_root: str, database_url: str, rate: float) -> None:
    settings = settings_for_url(
        api_root,
        database_url,
        notify_global_rate=rate,
        send_rate_per_second=rate,  # notifications book the bot-wide budget too
        notify_concurrency=1,
        notify_batch_size=20,
        notify_claim_timeout_seconds=1.0,
    )
    db = Database(database_url)
    bot = Bot(TOKEN, base_url=f"{api_root}/bot")
    deadline = time.monotonic() + 60
    async with bot:
        while (await outbox_counts(db)).get("pending", 0) and time.monotonic() < deadline:
            await deliver_pending(db, bot, settings)
            await asyncio.sleep(0.2)
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 100.0))
