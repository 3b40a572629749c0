"""The one error handler: log without secrets or user text, tell the user, keep running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from chat.texts import t
from handlers.context import Context, ui_language

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    kind = type(error).__name__
    transient = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    if isinstance(error, Forbidden | RetryAfter) or transient:
        logger.warning("Telegram refused or failed a call: %s", kind)
        return
    logger.error("Handling an update failed: %s", kind, exc_info=error)
    if isinstance(update, Update) and update.effective_message is not None:
        if update.effective_message.text:
            logger.debug("The message was: %r", update.effective_message.text)
        try:
            language = await ui_language(update, context)
            await update.effective_message.reply_text(t(language, "error"))
        except (TelegramError, Exception):  # the apology itself must never crash the bot
            logger.warning("Could not tell the user about the error")
