"""Subscriptions and digests: /subscribe, /unsubscribe, /subscriptions, /digest.

Each acts on the chat it is written in (a forum topic's own thread), also in channels (a
channel's posts come from its administrators), or, from a private chat, on a channel the user
administers: `/subscribe @channel nato`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import (
    ChatFullInfo,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackQueryHandler

from chat.callbacks import ToggleSubscription, decode, pattern_for
from chat.render import escape
from chat.texts import t
from chat.timezones import (
    DEFAULT_DIGEST_TIME,
    UTC_NAME,
    DailyTime,
    WrongPart,
    local_time,
    next_digest_at,
    parse_daily,
)
from handlers.ask import expired
from handlers.context import (
    Context,
    chat_of,
    message_of,
    not_modified,
    query_of,
    services,
    thread_of,
    ui_language,
)
from knowledge.browse import find_topics
from knowledge.loader import KnowledgeBase
from knowledge.schema import EVERYTHING
from storage.db import NO_THREAD, DeliverySettings, DigestMode

CHANNEL_REF = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,15})$")  # @name or its id
ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
ECHOED_WORDS = 5  # unknown words repeated back to the user; the rest is "…"
ECHOED_CHARS = 30  # characters of each


def echoed(words: list[str]) -> str:
    """The unknown words as the reply repeats them: a few, each cut short, never a wall."""
    shown = [w if len(w) <= ECHOED_CHARS else w[: ECHOED_CHARS - 1] + "…" for w in words]
    more = len(shown) > ECHOED_WORDS
    return " ".join(shown[:ECHOED_WORDS]) + (" …" if more else "") if shown else "—"


async def may_change(update: Update, context: Context) -> bool:
    """Anyone in a private chat; in groups only administrators.

    In a group, the group itself (posting anonymously) may too.
    """
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
    return member.status in ADMINS


async def refuse(update: Update, context: Context) -> None:
    text = t(await ui_language(update, context), "admins_only")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await message_of(update).reply_text(text)


def topic_title(base: KnowledgeBase, topic: str, language: str) -> str:
    if topic == EVERYTHING:
        return t(language, "everything")
    found = base.topics.get(topic)
    return found.title_in(language) if found else topic


def describe_topics(base: KnowledgeBase, topics: set[str], language: str) -> str:
    ordered = ([EVERYTHING] if EVERYTHING in topics else []) + [
        k for k in base.topics if k in topics
    ]
    return ", ".join(escape(topic_title(base, k, language)) for k in ordered)


def subscribe_keyboard(base: KnowledgeBase, have: set[str], language: str) -> InlineKeyboardMarkup:
    def label(topic: str, title: str) -> str:
        return f"{'✅' if topic in have else '▫️'} {title}"

    def button(topic: str, title: str) -> list[InlineKeyboardButton]:
        wanted = ToggleSubscription(topic, subscribe=topic not in have)
        return [InlineKeyboardButton(label(topic, title), callback_data=wanted.encode())]

    rows = [button(k, topic_title(base, k, language)) for k in base.topics]
    rows.append(button(EVERYTHING, t(language, "btn_everything")))
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True)
class Target:
    """The chat a subscription command acts on: the one it was sent in (its forum thread), or
    a channel named in a private chat by one of its administrators."""

    chat_id: int
    chat_type: str
    thread_id: int
    args: list[str]  # the command's arguments after the channel, if one was named
    label: str | None = None  # "@channel" when it is another chat than the one written in

    def prefix(self, language: str) -> str:
        """ "@channel: " before a reply about another chat; nothing otherwise."""
        return t(language, "for_chat", chat=self.label) if self.label else ""


async def target_of(update: Update, context: Context) -> Target | None:
    """The chat the command is about, or None once the user was told why not (in groups: not
    an administrator; a channel: not found, not administered by the user, or closed to us)."""
    chat = chat_of(update)
    args = list(context.args or [])
    if chat.type == ChatType.PRIVATE and args and CHANNEL_REF.match(args[0]):
        channel = await administered_channel(update, context, args[0])
        if channel is None:
            return None
        return Target(channel.id, channel.type, NO_THREAD, args[1:], channel_label(channel))
    if not await may_change(update, context):
        await refuse(update, context)
        return None
    return Target(chat.id, chat.type, thread_of(update), args)


async def administered_channel(update: Update, context: Context, ref: str) -> ChatFullInfo | None:
    """The channel `ref` (@name or -100… id) if the user administers it and the bot may post
    there; else None, with a reply that says which of these is missing."""
    language = await ui_language(update, context)
    message = message_of(update)
    bot = context.bot
    user = update.effective_user
    try:
        channel = await bot.get_chat(int(ref) if ref.startswith("-") else ref)
    except (BadRequest, Forbidden):
        await message.reply_text(t(language, "channel_not_found", chat=escape(ref)))
        return None
    shown = channel_label(channel)
    if channel.type != ChatType.CHANNEL:
        await message.reply_text(t(language, "channel_not_channel", chat=shown))
        return None
    try:
        member = await bot.get_chat_member(channel.id, user.id) if user else None
        me = await bot.get_chat_member(channel.id, bot.id)
    except (BadRequest, Forbidden):  # we are not in the channel (or no longer)
        await message.reply_text(t(language, "channel_bot_cannot_post", chat=shown))
        return None
    if member is None or member.status not in ADMINS:
        await message.reply_text(t(language, "channel_not_admin", chat=shown))
        return None
    if not (isinstance(me, ChatMemberAdministrator) and me.can_post_messages):
        await message.reply_text(t(language, "channel_bot_cannot_post", chat=shown))
        return None
    return channel


def channel_label(channel: ChatFullInfo) -> str:
    """ "@name" of a channel (its title when it has none), escaped for HTML."""
    return escape(f"@{channel.username}" if channel.username else channel.title or str(channel.id))


def unknown_topics_text(base: KnowledgeBase, language: str, unknown: list[str]) -> str:
    return t(
        language,
        "sub_unknown",
        unknown=escape(echoed(unknown)),
        known=", ".join(f"<code>{escape(k)}</code>" for k in [*base.topics, "all"]),
    )


async def subscribe_command(update: Update, context: Context) -> None:
    """/subscribe shows toggle buttons; /subscribe TOPIC… subscribes at once; in a private chat
    /subscribe @channel TOPIC… subscribes a channel the user administers."""
    svc = services(context)
    language = await ui_language(update, context)
    base = svc.engine.base
    target = await target_of(update, context)
    if target is None:
        return
    if not target.args:
        if target.label:  # the buttons act on the chat they are in: ask for the topics instead
            listed = ", ".join(f"<code>{escape(k)}</code>" for k in base.topics)
            await message_of(update).reply_text(
                t(language, "channel_which_topics", chat=target.label, known=listed)
            )
            return
        have = await svc.db.topics_of(target.chat_id, target.thread_id)
        await message_of(update).reply_text(
            t(language, "sub_choose"), reply_markup=subscribe_keyboard(base, have, language)
        )
        return
    known, unknown = find_topics(base, target.args)
    if unknown or not known:
        await message_of(update).reply_text(unknown_topics_text(base, language, unknown))
        return
    await svc.db.subscribe(target.chat_id, target.chat_type, known, target.thread_id)
    await message_of(update).reply_text(
        target.prefix(language)
        + t(language, "sub_done", topics=describe_topics(base, known, language))
    )


async def subscribe_button(update: Update, context: Context) -> None:
    """A button under /subscribe: applies what the button says (subscribe or not) to one topic,
    so pressing twice is pressing once, and redraws the buttons in place."""
    query = query_of(update)
    callback = decode(query.data)
    svc = services(context)
    base = svc.engine.base
    if not isinstance(callback, ToggleSubscription):
        await query.answer(t(await ui_language(update, context), "sub_reopen"), show_alert=True)
        return
    if callback.topic != EVERYTHING and callback.topic not in base.topics:
        await expired(update, context)
        return
    if not await may_change(update, context):
        await refuse(update, context)
        return
    chat = chat_of(update)
    thread = thread_of(update)
    if callback.subscribe:
        have = await svc.db.subscribe(chat.id, chat.type, {callback.topic}, thread)
    else:
        have = await svc.db.unsubscribe(chat.id, {callback.topic}, thread)
    language = await ui_language(update, context)
    await query.answer()
    try:
        await query.edit_message_reply_markup(subscribe_keyboard(base, have, language))
    except BadRequest as exc:
        if not not_modified(exc):
            raise


async def unsubscribe_command(update: Update, context: Context) -> None:
    """/unsubscribe (or /unsubscribe all) stops everything; /unsubscribe TOPIC… only those;
    /unsubscribe @channel … for a channel the user administers."""
    svc = services(context)
    language = await ui_language(update, context)
    base = svc.engine.base
    target = await target_of(update, context)
    if target is None:
        return
    known, unknown = find_topics(base, target.args)
    if not target.args or EVERYTHING in known:
        await svc.db.unsubscribe(target.chat_id, None, target.thread_id)
        await message_of(update).reply_text(target.prefix(language) + t(language, "unsub_all"))
        return
    if unknown:
        await message_of(update).reply_text(unknown_topics_text(base, language, unknown))
        return
    await svc.db.unsubscribe(target.chat_id, known, target.thread_id)
    await message_of(update).reply_text(
        target.prefix(language)
        + t(language, "unsub_done", topics=describe_topics(base, known, language))
    )


def digest_label(language: str, delivery: DeliverySettings) -> str:
    if delivery.mode == DigestMode.DAILY:
        return t(
            language,
            "digest_daily",
            time=delivery.at or DEFAULT_DIGEST_TIME,
            zone=escape(delivery.time_zone or UTC_NAME),
        )
    return t(language, "digest_off" if delivery.mode == DigestMode.OFF else "digest_instant")


async def subscriptions_command(update: Update, context: Context) -> None:
    """What this chat (thread), or a channel the user administers, is subscribed to."""
    svc = services(context)
    language = await ui_language(update, context)
    chat = chat_of(update)
    args = context.args or []
    if chat.type == ChatType.PRIVATE and args and CHANNEL_REF.match(args[0]):
        target = await target_of(update, context)
    else:  # reading needs no rights
        target = Target(chat.id, chat.type, thread_of(update), list(args))
    if target is None:
        return
    have = await svc.db.topics_of(target.chat_id, target.thread_id)
    if not have:
        await message_of(update).reply_text(target.prefix(language) + t(language, "subs_none"))
        return
    delivery = await svc.db.delivery_of(target.chat_id)
    await message_of(update).reply_text(
        target.prefix(language)
        + t(
            language,
            "subs_list",
            topics=describe_topics(svc.engine.base, have, language),
            mode=digest_label(language, delivery),
        )
    )


def wrong_part_text(language: str, wrong: WrongPart) -> str:
    """Which part of /digest daily … is wrong, with the zones it may have meant."""
    given = escape(echoed([wrong.given]))
    if wrong.part == "time":
        return t(language, "digest_bad_time", given=given)
    suggest = ""
    if wrong.suggestions:
        zones = ", ".join(f"<code>{escape(z)}</code>" for z in wrong.suggestions)
        suggest = t(language, "digest_suggest", zones=zones)
    return t(language, "digest_bad_zone", given=given, suggest=suggest)


async def digest_command(update: Update, context: Context) -> None:
    """/digest instant | daily [HH:MM] [TIME ZONE] | off — how this chat (or, from a private
    chat, /digest @channel …) gets its notifications.

    A daily time is on the chat's clocks: its time zone, given here or kept from before (UTC).
    """
    svc = services(context)
    chat = chat_of(update)
    language = await ui_language(update, context)
    args = context.args or []
    if chat.type == ChatType.PRIVATE and args and CHANNEL_REF.match(args[0]):
        target = await target_of(update, context)
        if target is None:
            return
        args = target.args
    else:
        target = Target(chat.id, chat.type, thread_of(update), list(args))
    word = args[0].lower() if args else ""
    mode = DigestMode(word) if word in set(DigestMode) else None
    current = await svc.db.delivery_of(target.chat_id)
    if mode is None:
        await message_of(update).reply_text(
            target.prefix(language)
            + t(language, "digest_usage", mode=digest_label(language, current))
        )
        return
    choice = parse_daily(args[1:]) if mode == DigestMode.DAILY else DailyTime(None, None)
    if isinstance(choice, WrongPart):  # say what was wrong, not only the usage; change nothing
        await message_of(update).reply_text(wrong_part_text(language, choice))
        return
    if target.label is None and not await may_change(update, context):
        await refuse(update, context)
        return
    await apply_digest(
        update,
        context,
        mode,
        choice.at or current.at,
        choice.time_zone,
        chat_id=target.chat_id,
        chat_type=target.chat_type,
    )
    updated = await svc.db.delivery_of(target.chat_id)
    reply = target.prefix(language) + t(
        language, "digest_set", mode=digest_label(language, updated)
    )
    if mode == DigestMode.DAILY:
        due = next_digest_at(updated.at, svc.clock(), updated.time_zone)
        reply += " " + t(language, "digest_next", when=local_time(due, updated.time_zone))
    await message_of(update).reply_text(reply)


async def apply_digest(
    update: Update,
    context: Context,
    mode: DigestMode,
    at: str | None,
    time_zone: str | None,
    chat_id: int | None = None,
    chat_type: str | None = None,
) -> None:
    """Stores how a chat gets its notifications and re-times what it has pending.

    `time_zone` None keeps the chat's; the chat is the update's unless given.
    """
    svc = services(context)
    chat = chat_of(update)
    target, kind = chat_id or chat.id, chat_type or chat.type
    zone = time_zone or (await svc.db.delivery_of(target)).time_zone
    now = svc.clock()
    at = (at or DEFAULT_DIGEST_TIME) if mode == DigestMode.DAILY else at
    due = next_digest_at(at, now, zone) if mode == DigestMode.DAILY else now
    await svc.db.set_digest(target, kind, mode, at, due, time_zone=time_zone)


HANDLERS = [
    CallbackQueryHandler(subscribe_button, pattern=pattern_for(ToggleSubscription)),
]
