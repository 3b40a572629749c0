"""Per-user flood control for questions: one polite notice when a user goes over the limit, then
quiet until the window frees up. Commands, buttons and inline queries do not count: they are cheap,
and a first session's menu taps used to trip the limit before the first question."""

from __future__ import annotations

from telegram import Update

from chat.texts import t
from handlers.context import Context, ui_language


async def admitted(update: Update, context: Context) -> bool:
    """Counts one question against its asker's limit; False when over it (the first refusal of a
    run tells the user when to ask again)."""
    user = update.effective_user
    if user is None:
        return True
    allowed, warn, wait = await context.bot_data.flood.admit(user.id)
    if allowed:
        return True
    if warn and update.effective_message is not None:
        language = await ui_language(update, context)
        await update.effective_message.reply_text(
            t(language, "flood", seconds=max(1, round(wait)))
        )
    return False
