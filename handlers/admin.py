"""The bot's admins' commands: /publish, /stats."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update, User

from chat.notifications import publish
from chat.render import answer_length, escape
from chat.stats import gather_stats, render_stats
from chat.texts import t
from handlers.context import Context, Services, message_of, services, ui_language
from knowledge.loader import KnowledgeError
from knowledge.validate import load_base

logger = logging.getLogger(__name__)


async def admin_of(update: Update, svc: Services, refusal: str) -> User | None:
    """The sender if one of the bot's admins (ADMIN_IDS); anyone else is told `refusal`."""
    user = update.effective_user
    if user is not None and user.id in svc.settings.admin_ids:
        return user
    await message_of(update).reply_text(refusal)
    return None


async def publish_command(update: Update, context: Context) -> None:
    """/publish (the bot's admins only): publishes KNOWLEDGE_DIR or the bundled base.

    As `kb publish` does.
    """
    svc = services(context)
    language = await ui_language(update, context)
    user = await admin_of(update, svc, t(language, "publish_denied"))
    if user is None:
        return
    try:
        base = await asyncio.to_thread(load_base, svc.settings.knowledge_dir, answer_length)
    except KnowledgeError as exc:
        await message_of(update).reply_text(
            t(
                language,
                "publish_broken",
                count=len(exc.problems),
                first=escape(str(exc.problems[0]) if exc.problems else "?"),
            )
        )
        return
    note = " ".join(context.args or []) or f"/publish by {user.id}"
    result = await publish(svc.db, base, note=note)
    logger.info(
        "Admin %s published version %s (%d notifications)",
        user.id,
        result.version,
        result.enqueued,
    )
    if not result.recorded:
        text = t(language, "publish_unchanged", version=result.version)
    elif result.baseline:
        text = t(language, "publish_baseline", version=result.version)
    else:
        text = t(
            language,
            "publish_done",
            version=result.version,
            added=len(result.diff.added),
            changed=len(result.diff.changed),
            removed=len(result.diff.removed),
            chats=result.enqueued,
        )
    await message_of(update).reply_text(text)


STATS_DAYS = 30  # /stats without a number: the last 30 days, and entries older than that
MAX_STATS_DAYS = 3650


async def stats_command(update: Update, context: Context) -> None:
    """/stats [DAYS] (the bot's admins only): the top of the suggestions and stale reports."""
    svc = services(context)
    language = await ui_language(update, context)
    if await admin_of(update, svc, t(language, "stats_denied")) is None:
        return
    args = context.args or []
    if len(args) > 1 or (args and not (args[0].isdigit() and 1 <= int(args[0]) <= MAX_STATS_DAYS)):
        await message_of(update).reply_text(t(language, "stats_usage"))
        return
    days = int(args[0]) if args else STATS_DAYS
    engine = svc.engine  # the base served now, even if a reload swaps it meanwhile
    stats = await gather_stats(svc.db, engine, days, language)
    for part in render_stats(language, stats, engine):
        await message_of(update).reply_text(part)
