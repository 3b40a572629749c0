"""The bot's own membership: removed or blocked means no more notifications.

A migrated group keeps its own.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from handlers.context import Context, services

logger = logging.getLogger(__name__)

GONE = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)


async def my_status_changed(update: Update, context: Context) -> None:
    """Kicked, blocked or left: mark the chat and drop its subscriptions at once.

    Added back: unmark.
    """
    change = update.my_chat_member
    if change is None:
        return
    db = services(context).db
    chat = change.chat
    if change.new_chat_member.status in GONE:
        dropped = await db.forget_chat(chat.id, f"bot status: {change.new_chat_member.status}")
        logger.info(
            "Bot removed from chat %s: subscriptions and %d pending notification(s) dropped",
            chat.id,
            dropped,
        )
    else:
        await db.remember_chat(chat.id, chat.type)


async def group_migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: subscriptions and pending notifications move to the new id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    await services(context).db.move_chat(message.chat.id, message.migrate_to_chat_id)
    logger.info("Chat %s migrated to %s", message.chat.id, message.migrate_to_chat_id)


HANDLERS = [
    ChatMemberHandler(my_status_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(filters.StatusUpdate.MIGRATE, group_migrated),
]
