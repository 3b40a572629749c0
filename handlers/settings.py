"""/settings: language, instant or daily notifications, the digest's hour and time zone, and
silent delivery, as buttons that redraw one message in place.

In groups and channels only administrators change them (as subscriptions). Every button carries
the value it sets, checked again here: a forged or stale one changes nothing and is answered
"this button has expired".
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import ChatFullInfo, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler

from chat.callbacks import ChangeSetting, decode, pattern_for
from chat.render import escape
from chat.texts import LANGUAGE_NAMES, t
from chat.timezones import COMMON_ZONES, DEFAULT_DIGEST_TIME, UTC_NAME
from handlers.ask import expired
from handlers.context import (
    Context,
    chat_of,
    message_of,
    not_modified,
    query_of,
    services,
    ui_language,
)
from handlers.subscriptions import (
    ADMINS,
    CHANNEL_REF,
    administered_channel,
    apply_digest,
    channel_label,
    digest_label,
    may_change,
    refuse,
)
from knowledge.schema import LANGUAGES
from storage.db import DeliverySettings, DigestMode

PAGES = ("main", "hour", "zone")
HOURS_PER_ROW = 6
ZONES_PER_ROW = 2
CHOSEN = "✅ "


@dataclass(frozen=True)
class SettingsView:
    """What a /settings message shows: whose settings, in which language."""

    language: str  # of the interface: the reader's
    delivery: DeliverySettings
    chat: int = 0  # 0: the chat the message is in; else a channel set from a private chat
    label: str | None = None  # "@channel" for a channel


def _button(
    shown: SettingsView, label: str, name: str, value: str, chosen: bool = False
) -> InlineKeyboardButton:
    text = f"{CHOSEN}{label}" if chosen else label
    return InlineKeyboardButton(
        text, callback_data=ChangeSetting(name, value, shown.chat).encode()
    )


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def settings_view(shown: SettingsView, page: str = "main") -> tuple[str, InlineKeyboardMarkup]:
    """The settings message of a page: its text and buttons."""
    language, delivery = shown.language, shown.delivery
    zone = delivery.time_zone or UTC_NAME
    at = delivery.at or DEFAULT_DIGEST_TIME
    back = [_button(shown, t(language, "btn_back"), "page", "main")]
    prefix = t(language, "for_chat", chat=shown.label) if shown.label else ""
    if page == "hour":
        hours = [
            _button(shown, f"{hour:02d}:00", "hour", str(hour), at == f"{hour:02d}:00")
            for hour in range(24)
        ]
        text = prefix + t(language, "settings_pick_hour", zone=escape(zone))
        return text, InlineKeyboardMarkup([*_rows(hours, HOURS_PER_ROW), back])
    if page == "zone":
        zones = [
            _button(shown, name, "zone", str(index), name == zone)
            for index, name in enumerate(COMMON_ZONES)
        ]
        text = prefix + t(language, "settings_pick_zone")
        return text, InlineKeyboardMarkup([*_rows(zones, ZONES_PER_ROW), back])
    chosen = delivery.language or language
    sound = t(language, "settings_sound_off" if delivery.silent else "settings_sound_on")
    text = "\n".join(
        [
            prefix + t(language, "settings_title"),
            "",
            t(
                language,
                "settings_body",
                language_name=LANGUAGE_NAMES[chosen],
                mode=digest_label(language, delivery),
                sound=sound,
            ),
        ]
    )
    rows = [
        [_button(shown, LANGUAGE_NAMES[code], "lang", code, code == chosen) for code in LANGUAGES],
        [
            _button(
                shown,
                t(language, f"btn_{mode.value}"),
                "mode",
                mode.value,
                mode == delivery.mode,
            )
            for mode in (DigestMode.INSTANT, DigestMode.DAILY, DigestMode.OFF)
        ],
        [
            _button(shown, t(language, "btn_sound_on"), "sound", "0", not delivery.silent),
            _button(shown, t(language, "btn_silent"), "sound", "1", delivery.silent),
        ],
        [
            _button(shown, t(language, "btn_digest_time", time=at), "page", "hour"),
            _button(shown, t(language, "btn_time_zone", zone=zone), "page", "zone"),
        ],
    ]
    return text, InlineKeyboardMarkup(rows)


async def settings_command(update: Update, context: Context) -> None:
    """/settings: the chat's settings with buttons to change them; /settings @channel in a
    private chat: a channel's the user administers."""
    chat = chat_of(update)
    language = await ui_language(update, context)
    db = services(context).db
    args = context.args or []
    if chat.type == ChatType.PRIVATE and args and CHANNEL_REF.match(args[0]):
        channel = await administered_channel(update, context, args[0])
        if channel is None:
            return
        shown = SettingsView(
            language, await db.delivery_of(channel.id), channel.id, channel_label(channel)
        )
    else:
        shown = SettingsView(language, await db.delivery_of(chat.id))
    text, keyboard = settings_view(shown)
    await message_of(update).reply_text(text, reply_markup=keyboard)


def valid(callback: ChangeSetting) -> bool:
    """Whether the button's value is one its setting allows (its pattern only bounds its form)."""
    value = callback.value
    if callback.name == "page":
        return value in PAGES
    if callback.name == "lang":
        return value in LANGUAGES
    if callback.name == "mode":
        return value in set(DigestMode)
    if callback.name == "sound":
        return value in ("0", "1")
    if callback.name == "hour":
        return value.isdigit() and int(value) < 24
    if callback.name == "zone":
        return value.isdigit() and int(value) < len(COMMON_ZONES)
    return False


async def settings_button(update: Update, context: Context) -> None:
    """A /settings button: applies the value it carries (pressing twice is pressing once) and
    redraws the message; page buttons only redraw."""
    query = query_of(update)
    callback = decode(query.data)
    if not isinstance(callback, ChangeSetting) or not valid(callback):
        await expired(update, context)
        return
    svc = services(context)
    chat = chat_of(update)
    language = await ui_language(update, context)
    target, kind, label = chat.id, chat.type, None
    if callback.chat:  # a channel's, from a private chat: is the presser still its admin?
        channel = await channel_for_button(update, context, callback.chat)
        if channel is None:
            return
        target, kind, label = channel.id, channel.type, channel_label(channel)
    elif callback.name != "page" and not await may_change(update, context):
        await refuse(update, context)
        return
    page = callback.value if callback.name == "page" else "main"
    if callback.name != "page":
        await apply_setting(update, context, callback, target, kind)
        if not callback.chat:  # the chat's own language is the interface's
            language = await ui_language(update, context)
    shown = SettingsView(language, await svc.db.delivery_of(target), callback.chat, label)
    text, keyboard = settings_view(shown, page)
    await query.answer(t(language, "settings_saved") if callback.name != "page" else None)
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if not not_modified(exc):
            raise


async def channel_for_button(
    update: Update, context: Context, chat_id: int
) -> ChatFullInfo | None:
    """The channel a button pressed in a private chat acts on, if it is one and the presser
    administers it (asked anew: rights change, and button data is untrusted); else None, with
    the press answered."""
    user = update.effective_user
    language = await ui_language(update, context)
    if chat_of(update).type != ChatType.PRIVATE or user is None:
        await expired(update, context)
        return None
    try:
        channel = await context.bot.get_chat(chat_id)
        member = await context.bot.get_chat_member(chat_id, user.id)
    except TelegramError:
        await expired(update, context)
        return None
    if channel.type != ChatType.CHANNEL:
        await expired(update, context)
        return None
    if member.status not in ADMINS:
        text = t(language, "channel_not_admin", chat=channel_label(channel))
        await query_of(update).answer(text, show_alert=True)
        return None
    return channel


async def apply_setting(
    update: Update, context: Context, callback: ChangeSetting, chat_id: int, chat_type: str
) -> None:
    """Stores the setting of the button for `chat_id`."""
    db = services(context).db
    current = await db.delivery_of(chat_id)
    value = callback.value
    if callback.name == "lang":
        await db.set_language(chat_id, chat_type, value)
    elif callback.name == "sound":
        await db.set_silent(chat_id, chat_type, value == "1")
    elif callback.name == "mode":
        mode = DigestMode(value)
        await apply_digest(update, context, mode, current.at, None, chat_id, chat_type)
    elif callback.name == "hour":  # choosing the digest's hour chooses the daily digest
        hour = f"{int(value):02d}:00"
        await apply_digest(update, context, DigestMode.DAILY, hour, None, chat_id, chat_type)
    elif callback.name == "zone":
        zone = COMMON_ZONES[int(value)]
        await apply_digest(update, context, current.mode, current.at, zone, chat_id, chat_type)


HANDLERS = [CallbackQueryHandler(settings_button, pattern=pattern_for(ChangeSetting))]
