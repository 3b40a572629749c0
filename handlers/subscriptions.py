"""Subscriptions and digests: /subscribe, /unsubscribe, /subscriptions, /digest, and the admins' /publish."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.db import EVERYTHING, utcnow
from bot.notifications import next_digest_at, publish
from bot.render import answer_length, escape
from bot.texts import t
from handlers.ask import expired
from handlers.callbacks import decode, encode
from handlers.context import services, ui_language
from knowledge.loader import KnowledgeBase, KnowledgeError
from knowledge.validate import load_base

logger = logging.getLogger(__name__)

ALL_WORDS = frozenset({"all", "everything", "*", "alles", "усе", "все", "всё"})
HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


async def may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Anyone in a private chat; in groups only administrators (and the group itself, posting anonymously)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if (
        message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == chat.id
    ):
        return True
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = t(await ui_language(update, context), "admins_only")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await update.effective_message.reply_text(text)


def topic_title(base: KnowledgeBase, topic: str, language: str) -> str:
    if topic == EVERYTHING:
        return t(language, "everything")
    found = base.topics.get(topic)
    if found is None:
        return topic
    return found.title.get(language, found.title["en"])  # type: ignore[call-overload, no-any-return]


def describe_topics(base: KnowledgeBase, topics: set[str], language: str) -> str:
    ordered = ([EVERYTHING] if EVERYTHING in topics else []) + [
        k for k in base.topics if k in topics
    ]
    return ", ".join(escape(topic_title(base, k, language)) for k in ordered)


def parse_topics(base: KnowledgeBase, words: list[str]) -> tuple[set[str], list[str]]:
    """Topic ids (or titles, in any language) from command arguments: (known, unknown)."""
    titles = {
        title.casefold(): topic.id
        for topic in base.topics.values()
        for title in topic.title.values()
    }  # type: ignore[attr-defined]
    known, unknown = set(), []
    phrase = " ".join(words).casefold().strip()
    if phrase in titles:
        return {titles[phrase]}, []
    for word in words:
        key = word.casefold().strip(",")
        if key in ALL_WORDS:
            known.add(EVERYTHING)
        elif key in base.topics:
            known.add(key)
        elif key in titles:
            known.add(titles[key])
        elif key:
            unknown.append(word)
    return known, unknown


def subscribe_keyboard(base: KnowledgeBase, have: set[str], language: str) -> InlineKeyboardMarkup:
    def label(topic: str, title: str) -> str:
        return f"{'✅' if topic in have else '▫️'} {title}"

    rows = [
        [
            InlineKeyboardButton(
                label(k, topic_title(base, k, language)), callback_data=encode("sb", k)
            )
        ]
        for k in base.topics
    ]
    rows.append(
        [
            InlineKeyboardButton(
                label(EVERYTHING, t(language, "btn_everything")),
                callback_data=encode("sb", EVERYTHING),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe shows toggle buttons; /subscribe TOPIC… subscribes at once."""
    svc = services(context)
    chat = update.effective_chat
    language = await ui_language(update, context)
    base = svc.engine.base
    if not await may_change(update, context):
        await refuse(update, context)
        return
    if not context.args:
        have = await svc.db.topics_of(chat.id)
        await update.effective_message.reply_text(
            t(language, "sub_choose"), reply_markup=subscribe_keyboard(base, have, language)
        )
        return
    known, unknown = parse_topics(base, context.args)
    if unknown or not known:
        await update.effective_message.reply_text(
            t(
                language,
                "sub_unknown",
                unknown=escape(" ".join(unknown) or "—"),
                known=", ".join(f"<code>{escape(k)}</code>" for k in [*base.topics, "all"]),
            )
        )
        return
    await svc.db.subscribe(chat.id, chat.type, known)
    await update.effective_message.reply_text(
        t(language, "sub_done", topics=describe_topics(base, known, language))
    )


async def subscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A toggle under /subscribe: flips one topic and redraws the buttons in place."""
    query = update.callback_query
    callback = decode(query.data)
    svc = services(context)
    base = svc.engine.base
    if callback is None or (
        callback.args[0] != EVERYTHING and callback.args[0] not in base.topics
    ):
        await expired(update, context)
        return
    if not await may_change(update, context):
        await refuse(update, context)
        return
    chat = update.effective_chat
    topic = callback.args[0]
    if topic in await svc.db.topics_of(chat.id):
        have = await svc.db.unsubscribe(chat.id, {topic})
    else:
        have = await svc.db.subscribe(chat.id, chat.type, {topic})
    language = await ui_language(update, context)
    await query.answer()
    await query.edit_message_reply_markup(subscribe_keyboard(base, have, language))


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe (or /unsubscribe all) stops everything; /unsubscribe TOPIC… only those."""
    svc = services(context)
    chat = update.effective_chat
    language = await ui_language(update, context)
    if not await may_change(update, context):
        await refuse(update, context)
        return
    known, unknown = parse_topics(svc.engine.base, context.args or [])
    if not context.args or EVERYTHING in known:
        await svc.db.unsubscribe(chat.id)
        await update.effective_message.reply_text(t(language, "unsub_all"))
        return
    if unknown:
        await update.effective_message.reply_text(
            t(
                language,
                "sub_unknown",
                unknown=escape(" ".join(unknown)),
                known=", ".join(
                    f"<code>{escape(k)}</code>" for k in [*svc.engine.base.topics, "all"]
                ),
            )
        )
        return
    await svc.db.unsubscribe(chat.id, known)
    await update.effective_message.reply_text(
        t(language, "unsub_done", topics=describe_topics(svc.engine.base, known, language))
    )


def digest_label(language: str, mode: str, at: str | None) -> str:
    if mode == "daily":
        return t(language, "digest_daily", time=at or "09:00")
    return t(language, "digest_off" if mode == "off" else "digest_instant")


async def subscriptions_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat = update.effective_chat
    language = await ui_language(update, context)
    have = await svc.db.topics_of(chat.id)
    if not have:
        await update.effective_message.reply_text(t(language, "subs_none"))
        return
    mode, at = await svc.db.digest_of(chat.id)
    await update.effective_message.reply_text(
        t(
            language,
            "subs_list",
            topics=describe_topics(svc.engine.base, have, language),
            mode=digest_label(language, mode, at),
        )
    )


async def digest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest instant | daily HH:MM | off — how this chat gets its notifications."""
    svc = services(context)
    chat = update.effective_chat
    language = await ui_language(update, context)
    args = [a.lower() for a in context.args or []]
    mode = args[0] if args else ""
    at = args[1] if len(args) > 1 else ("09:00" if mode == "daily" else None)
    if mode not in ("instant", "daily", "off") or (mode == "daily" and not HHMM.match(at or "")):
        current, current_at = await svc.db.digest_of(chat.id)
        await update.effective_message.reply_text(
            t(language, "digest_usage", mode=digest_label(language, current, current_at))
        )
        return
    if not await may_change(update, context):
        await refuse(update, context)
        return
    if mode == "daily":
        hour, minute = HHMM.match(at).groups()  # type: ignore[union-attr]
        at = f"{int(hour):02d}:{minute}"
    now = utcnow()
    due = next_digest_at(at, now) if mode == "daily" else now
    await svc.db.set_digest(chat.id, chat.type, mode, at if mode == "daily" else None, due)
    await update.effective_message.reply_text(
        t(language, "digest_set", mode=digest_label(language, mode, at))
    )


async def publish_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/publish (the bot's admins only): publishes KNOWLEDGE_DIR or the bundled base, as `kb publish` does."""
    svc = services(context)
    language = await ui_language(update, context)
    user = update.effective_user
    if user is None or user.id not in svc.settings.admin_ids:
        await update.effective_message.reply_text(t(language, "publish_denied"))
        return
    try:
        base = await asyncio.to_thread(load_base, svc.settings.knowledge_dir, answer_length)
    except KnowledgeError as exc:
        await update.effective_message.reply_text(
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
    await update.effective_message.reply_text(text)


HANDLERS = [
    CommandHandler("subscribe", subscribe_command),
    CommandHandler("unsubscribe", unsubscribe_command),
    CommandHandler("subscriptions", subscriptions_command),
    CommandHandler("digest", digest_command),
    CommandHandler("publish", publish_command),
    CallbackQueryHandler(subscribe_button, pattern=r"^1\|sb\|"),
]
