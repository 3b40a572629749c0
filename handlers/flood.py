"""Per-user flood control: one polite notice when a user goes over the limit, then quiet."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from chat.texts import t
from handlers.context import Context, ui_language


async def flood_check(update: Update, context: Context) -> None:
    """Runs before every other handler (group -1).

    Stops the update when the user is over the limit.
    """
    user = update.effective_user
    if user is None:
        return
    allowed, warn, wait = await context.bot_data.flood.admit(user.id)
    if allowed:
        return
    if warn and update.effective_message is not None:
        language = await ui_language(update, context)
        await update.effective_message.reply_text(
            t(language, "flood", seconds=max(1, round(wait)))
        )
    raise ApplicationHandlerStop


HANDLERS = [MessageHandler(filters.TEXT | filters.COMMAND, flood_check)]
