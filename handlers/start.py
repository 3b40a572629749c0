"""/start (with deep links to an entry or topic), /help and /lang."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from chat.callbacks import ChooseLanguage, decode, pattern_for
from chat.render import escape
from chat.texts import LANGUAGE_NAMES, t
from handlers.ask import expired, send_answer
from handlers.browse import send_topic
from handlers.context import (
    Context,
    chat_of,
    message_of,
    not_modified,
    query_of,
    services,
    ui_language,
)
from knowledge.answer import Engine
from knowledge.messages import wording
from knowledge.schema import LANGUAGES


async def start(update: Update, context: Context) -> None:
    """A deep-link payload (t.me/bot?start=ID) opens that entry or topic directly."""
    svc = services(context)
    language = await ui_language(update, context)
    chat = chat_of(update)
    await svc.db.remember_chat(chat.id, chat.type)
    payload = (context.args or [""])[0].lower()
    if payload in svc.engine.base.entries:
        answer = svc.engine.compose(svc.engine.base.entries[payload], "", language)
        await send_answer(message_of(update), answer, language)
        return
    if payload in svc.engine.base.topics:
        await send_topic(update, context, payload, 0, edit=False)
        return
    await message_of(update).reply_text(
        f"{t(language, 'welcome')}\n\n{knowledge_date_line(svc.engine, language)}"
    )


def knowledge_date_line(engine: Engine, language: str) -> str:
    """ "Knowledge up to 2026-01-17": what the base knows, and so what it cannot."""
    known = engine.base.knowledge_date.isoformat()
    return f"<i>{escape(wording(language, 'knowledge_date'))} {known}</i>"


async def help_command(update: Update, context: Context) -> None:
    language = await ui_language(update, context)
    lines = [
        t(language, "help_intro"),
        knowledge_date_line(services(context).engine, language),
        "",
        *(f"/{name} — {t(language, key)}" for name, key in context.bot_data.command_help),
        "",
        t(language, "help_groups"),
    ]
    if context.bot.username:
        lines.append(t(language, "help_inline", bot=context.bot.username))
    await message_of(update).reply_text("\n".join(lines))


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    LANGUAGE_NAMES[code], callback_data=ChooseLanguage(code).encode()
                )
                for code in LANGUAGES
            ]
        ]
    )


async def lang_command(update: Update, context: Context) -> None:
    """/lang shows the choices; /lang de sets it at once."""
    arg = (context.args or [""])[0].lower()
    if arg in LANGUAGES:
        await set_language(update, context, arg)
        await message_of(update).reply_text(t(arg, "lang_set"))
        return
    language = await ui_language(update, context)
    await message_of(update).reply_text(
        t(language, "lang_choose"), reply_markup=language_keyboard()
    )


async def set_language(update: Update, context: Context, language: str) -> None:
    svc = services(context)
    chat = chat_of(update)
    await svc.db.set_language(chat.id, chat.type, language)


async def lang_button(update: Update, context: Context) -> None:
    query = query_of(update)
    callback = decode(query.data)
    if not isinstance(callback, ChooseLanguage) or update.effective_chat is None:
        await expired(update, context)
        return
    language = callback.language
    await set_language(update, context, language)
    await query.answer()
    try:
        await query.edit_message_text(t(language, "lang_set"))
    except BadRequest as exc:
        if not not_modified(exc):
            raise


HANDLERS = [CallbackQueryHandler(lang_button, pattern=pattern_for(ChooseLanguage))]
