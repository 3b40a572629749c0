"""What every handler reads: the typed context, the services, the chat's language, and the parts of
an update a handler was registered for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram import Chat as TelegramChat
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from chat.feedback import Feedback
from chat.flood import FloodGate
from chat.metrics import Metrics
from chat.settings import Settings
from knowledge.answer import Engine
from knowledge.schema import LANGUAGES
from storage.db import NO_THREAD, Database, utcnow


@dataclass
class Services:
    """The engine is swapped whole when the base is reloaded."""

    settings: Settings
    engine: Engine
    db: Database
    knowledge_version: str = ""  # content_version of engine.base, kept with the engine
    clock: Callable[[], dt.datetime] = utcnow  # what time it is (tests move it: daily digests)
    feedback: Feedback = field(init=False)  # questions and choices, no user in them

    def __post_init__(self) -> None:
        self.feedback = Feedback(self.db, self.settings.rephrase_window_seconds)


class BotData:
    """`application.bot_data`, typed: filled in once by bot.app.build_application."""

    services: Services
    flood: FloodGate
    metrics: Metrics
    command_help: list[tuple[str, str]]  # (command, help text key), in menu order, for /help


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)


def services(context: Context) -> Services:
    return context.bot_data.services


def message_of(update: Update) -> Message:
    """The message of a command, text or button update (PTB calls those handlers only with one)."""
    if update.effective_message is None:
        raise LookupError("this update carries no message")
    return update.effective_message


def chat_of(update: Update) -> TelegramChat:
    if update.effective_chat is None:
        raise LookupError("this update belongs to no chat")
    return update.effective_chat


def query_of(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise LookupError("this update is not a button press")
    return update.callback_query


async def chosen_language(update: Update, context: Context) -> str | None:
    """The language a chat chose with /lang, if any.

    Read from the database each time, never cached: another replica may have just changed it.
    """
    chat = update.effective_chat
    chat_id = chat.id if chat else (update.effective_user.id if update.effective_user else None)
    if chat_id is None:
        return None
    return await services(context).db.language_of(chat_id)


async def ui_language(update: Update, context: Context) -> str:
    """Interface language: the chat's choice, else the user's Telegram language, else English."""
    chosen = await chosen_language(update, context)
    if chosen:
        return chosen
    user = update.effective_user
    code = (user.language_code or "")[:2] if user else ""
    return code if code in LANGUAGES else "en"


def thread_of(update: Update) -> int:
    """The forum topic an update came from (its message_thread_id), or NO_THREAD.

    Only a forum topic counts: in other groups message_thread_id names a chain of replies.
    """
    message = update.effective_message
    if message is None or not message.is_topic_message or not message.message_thread_id:
        return NO_THREAD
    return message.message_thread_id


def not_modified(error: BadRequest) -> bool:
    """Telegram's answer to an edit that changes nothing, as the second of a double tap does."""
    return "message is not modified" in error.message.lower()
