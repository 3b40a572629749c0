"""What every handler reads from the application: the engine, storage, settings and the chat's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import ContextTypes

from bot.db import Database
from bot.settings import Settings
from knowledge.answer import Engine
from knowledge.schema import LANGUAGES


@dataclass
class Services:
    """Held in bot_data["services"]; the engine is swapped whole when the base is reloaded."""

    settings: Settings
    engine: Engine
    db: Database
    languages: dict[int, str | None] = field(default_factory=dict)  # cache of chats.language
    knowledge_version: str = ""  # content_version of engine.base, kept with the engine


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]  # type: ignore[no-any-return]


async def chosen_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The language a chat chose with /lang, if any."""
    chat = update.effective_chat
    chat_id = chat.id if chat else (update.effective_user.id if update.effective_user else None)
    if chat_id is None:
        return None
    svc = services(context)
    if chat_id not in svc.languages:
        svc.languages[chat_id] = await svc.db.language_of(chat_id)
    return svc.languages[chat_id]


async def ui_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Interface language: the chat's choice, else the user's Telegram language, else English."""
    chosen = await chosen_language(update, context)
    if chosen:
        return chosen
    user = update.effective_user
    code = (user.language_code or "")[:2] if user else ""
    return code if code in LANGUAGES else "en"
