"""Questions: /ask anywhere, plain messages in private chats, mentions and replies in groups."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from chat.callbacks import (
    AnswerView,
    EntrySources,
    OpenEntry,
    RelatedEntries,
    decode,
    pattern_for,
)
from chat.render import has_more, render_answer, render_sources_detail, split_message
from chat.texts import t
from handlers.context import (
    Context,
    chosen_language,
    message_of,
    query_of,
    services,
    ui_language,
)
from handlers.flood import admitted
from knowledge.answer import Answer, Outcome, previous_of
from knowledge.followup import Shift
from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry
from storage import follow_ups

logger = logging.getLogger(__name__)


def answer_keyboard(
    answer: Answer, language: str, more: bool = False
) -> InlineKeyboardMarkup | None:
    """More (or Less), Sources and Related for an answer; one button per choice for "did you
    mean"."""
    if answer.outcome in (Outcome.suggest, Outcome.after) and answer.suggestions:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(s.title, callback_data=OpenEntry(s.entry_id).encode())]
                for s in answer.suggestions
            ]
        )
    if answer.outcome is Outcome.answer and answer.entry_id:
        row = []
        if more or has_more(answer):
            view = AnswerView(
                answer.entry_id, not more, answer.verdict is not None, answer.language
            )
            row.append(
                InlineKeyboardButton(
                    t(language, "btn_less" if more else "btn_more"), callback_data=view.encode()
                )
            )
        row.append(
            InlineKeyboardButton(
                t(language, "btn_sources"), callback_data=EntrySources(answer.entry_id).encode()
            )
        )
        if answer.related:
            row.append(
                InlineKeyboardButton(
                    t(language, "btn_related"),
                    callback_data=RelatedEntries(answer.entry_id).encode(),
                )
            )
        return InlineKeyboardMarkup([row])
    return None


def sources_detail(base: KnowledgeBase, entry: Entry, language: str) -> str:
    """Every source of an entry with its reliability note: the Sources button and "sources?"."""
    return render_sources_detail(
        base, entry, t(language, "sources_of"), t(language, "reliability"), language
    )


async def send_answer(message: Message, answer: Answer, language: str) -> None:
    """Sends the answer's first, phone-sized message (split on block boundaries should it still be
    long), replying to the question in groups; the rest is behind its buttons."""
    parts = split_message(render_answer(answer))
    keyboard = answer_keyboard(answer, language)
    quote = message.chat.type != ChatType.PRIVATE
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await message.reply_text(
            part, reply_markup=keyboard if last else None, do_quote=quote and index == 0
        )


async def answer_view_button(update: Update, context: Context) -> None:
    """More: the answer with positions, details and where sources differ; Less: back to the first
    message. Edited in place, in the language the answer was given in."""
    query = query_of(update)
    callback = decode(query.data)
    svc = services(context)
    entry = (
        svc.engine.base.entries.get(callback.entry_id)
        if isinstance(callback, AnswerView)
        else None
    )
    if not isinstance(callback, AnswerView) or entry is None:
        await expired(update, context)
        return
    await query.answer()
    answer = svc.engine.compose(
        entry, "", callback.language, settled=callback.verdict and entry.verdict is not None
    )
    parts = split_message(render_answer(answer, more=callback.more))
    keyboard = answer_keyboard(answer, callback.language, more=callback.more)
    await query.edit_message_text(parts[0], reply_markup=keyboard if len(parts) == 1 else None)
    if len(parts) > 1 and isinstance(query.message, Message):
        for index, part in enumerate(parts[1:], start=2):
            await query.message.reply_text(
                part, reply_markup=keyboard if index == len(parts) else None
            )


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Every question (private text, /ask, a group message addressed to the bot) comes here, and
    only questions spend the asker's flood limit."""
    message = update.effective_message
    if message is None or not await admitted(update, context):
        return
    svc = services(context)
    user = update.effective_user
    hint = (user.language_code or "")[:2] if user else None
    # A follow-up ("and russia?") refers to the asker's last answer in this chat, if recent: in
    # private chats always, in groups only in a reply to one of the bot's messages.
    window = svc.settings.follow_up_seconds
    secret = context.bot.token  # shared by every replica of this bot, never stored
    talk = follow_ups.talk_of(secret, message.chat.id, user.id) if user and window > 0 else None
    in_thread = message.chat.type == ChatType.PRIVATE or (
        message.reply_to_message is not None
        and message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == context.bot.id
    )
    previous = None
    if talk and in_thread:  # the chat's /lang choice comes with it, in one query
        language, previous = await follow_ups.recall_in_chat(svc.db, message.chat.id, talk, window)
    else:
        language = await chosen_language(update, context)
    answer = svc.engine.ask(question, language=language, hint=hint, after=previous)
    context.bot_data.metrics.answers.labels(outcome=answer.outcome.value).inc()
    # The question for curators (no user in it), remembered for the chat to tie choices to it.
    await svc.feedback.asked(
        message.chat_id,
        user.id if user else None,
        message.message_id,
        answer,
        [r.entry_id for r in answer.related],
    )
    # Remembered before the reply goes out: a follow-up typed the moment it arrives finds it.
    if talk and (remembered := previous_of(answer)) is not None:
        await follow_ups.remember(svc.db, talk, remembered, window)
    entry = svc.engine.base.entries.get(answer.entry_id or "")
    if entry is not None and answer.follow_up and answer.follow_up.shift is Shift.sources:
        # "sources?": the sources of the previous answer, with their reliability notes
        quote = message.chat.type != ChatType.PRIVATE
        for part in split_message(sources_detail(svc.engine.base, entry, answer.language)):
            await message.reply_text(part, do_quote=quote)
    else:
        await send_answer(message, answer, answer.language)


async def ask_command(update: Update, context: Context) -> None:
    question = " ".join(context.args or []).strip()
    if not question:
        await message_of(update).reply_text(t(await ui_language(update, context), "ask_usage"))
        return
    await answer_question(update, context, question)


async def private_text(update: Update, context: Context) -> None:
    await answer_question(update, context, message_of(update).text or "")


async def group_text(update: Update, context: Context) -> None:
    """In groups, answer only when addressed.

    Addressed means a mention of this bot, or a reply to one of its messages.
    """
    message = update.effective_message
    if message is None or not message.text:
        return
    username = (context.bot.username or "").casefold()
    mentioned = any(
        entity.type == MessageEntity.MENTION and text.casefold() == f"@{username}"
        for entity, text in message.parse_entities([MessageEntity.MENTION]).items()
    )
    replied = message.reply_to_message is not None and (
        message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == context.bot.id
    )
    if not (mentioned or replied):
        return
    question = message.text
    if mentioned:
        for text in message.parse_entities([MessageEntity.MENTION]).values():
            if text.casefold() == f"@{username}":
                question = question.replace(text, " ")
    question = question.strip()
    if not question:
        await message.reply_text(t(await ui_language(update, context), "ask_usage"), do_quote=True)
        return
    await answer_question(update, context, question)


async def expired(update: Update, context: Context) -> None:
    """Any button whose data is stale, forged or unknown."""
    await query_of(update).answer(t(await ui_language(update, context), "expired"))


async def entry_button(update: Update, context: Context) -> None:
    """Open an entry, show its sources, or list its related entries, in place."""
    query = query_of(update)
    callback = decode(query.data)
    svc = services(context)
    entries = svc.engine.base.entries
    if not isinstance(callback, OpenEntry | EntrySources | RelatedEntries):
        await expired(update, context)
        return
    entry = entries.get(callback.entry_id)
    if entry is None:
        await expired(update, context)
        return
    language = await ui_language(update, context)
    await query.answer()
    back = InlineKeyboardButton(
        t(language, "btn_back"), callback_data=OpenEntry(entry.id).encode()
    )
    if isinstance(callback, OpenEntry):
        answer = svc.engine.compose(entry, "", language)
        parts = split_message(render_answer(answer))
        keyboard = answer_keyboard(answer, language)
        pressed = query.message if isinstance(query.message, Message) else None
        shown = entries_opened_by(pressed.reply_markup if pressed else None)
        if len(parts) == 1:
            await query.edit_message_text(parts[0], reply_markup=keyboard)
        elif pressed is not None:
            for index, part in enumerate(parts):
                await pressed.reply_text(
                    part, reply_markup=keyboard if index == len(parts) - 1 else None
                )
        if pressed is not None:  # a "did you mean" choice or a related entry of a question
            await svc.feedback.chose(pressed.chat_id, pressed.message_id, entry.id, shown)
            # A follow-up after a choice ("sources?", "and russia?") is about the chosen entry.
            window = svc.settings.follow_up_seconds
            if window > 0:
                talk = follow_ups.talk_of(context.bot.token, pressed.chat_id, query.from_user.id)
                await follow_ups.choose(svc.db, talk, entry.id, shown, window)
    elif isinstance(callback, EntrySources):
        detail = sources_detail(svc.engine.base, entry, language)
        await query.edit_message_text(
            split_message(detail)[0], reply_markup=InlineKeyboardMarkup([[back]])
        )
    else:
        rows = [
            [
                InlineKeyboardButton(
                    entries[r].title.get(language), callback_data=OpenEntry(r).encode()
                )
            ]
            for r in entry.related
            if r in entries
        ]
        await query.edit_message_reply_markup(InlineKeyboardMarkup([*rows, [back]]))


def entries_opened_by(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    """The entries the buttons of a message open."""
    opened = []
    for row in keyboard.inline_keyboard if keyboard else ():
        for button in row:
            data = button.callback_data
            callback = decode(data) if isinstance(data, str) else None
            if isinstance(callback, OpenEntry):
                opened.append(callback.entry_id)
    return opened


# New messages only: an edited question was answered again as a new one.
QUESTION = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND

HANDLERS = [
    MessageHandler(filters.ChatType.PRIVATE & QUESTION, private_text),
    MessageHandler(filters.ChatType.GROUPS & QUESTION, group_text),
    CallbackQueryHandler(
        entry_button, pattern=pattern_for(OpenEntry, EntrySources, RelatedEntries)
    ),
    CallbackQueryHandler(answer_view_button, pattern=pattern_for(AnswerView)),
]
