"""/settings: language, instant or daily notifications, the digest's hour and time zone, and
silent delivery, as buttons that redraw one message in place.

In groups and channels only administrators change them (as subscriptions). Every button carries
the value it sets, checked again here: a forged or stale one changes nothing and is answered
"this button has expired".
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
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
from handlers.subscriptions import apply_digest, digest_label, may_change, refuse
from knowledge.schema import LANGUAGES
from storage.db import Delivery, DigestMode

PAGES = ("main", "hour", "zone")
HOURS_PER_ROW = 6
ZONES_PER_ROW = 2
CHOSEN = "✅ "


def _button(label: str, name: str, value: str, chosen: bool = False) -> InlineKeyboardButton:
    text = f"{CHOSEN}{label}" if chosen else label
    return InlineKeyboardButton(text, callback_data=ChangeSetting(name, value).encode())


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def settings_view(
    language: str, delivery: Delivery, page: str = "main"
) -> tuple[str, InlineKeyboardMarkup]:
    """The settings message of a page: its text and buttons, in `language`."""
    zone = delivery.time_zone or UTC_NAME
    at = delivery.at or DEFAULT_DIGEST_TIME
    back = [_button(t(language, "btn_back"), "page", "main")]
    if page == "hour":
        hours = [
            _button(f"{hour:02d}:00", "hour", str(hour), at == f"{hour:02d}:00")
            for hour in range(24)
        ]
        text = t(language, "settings_pick_hour", zone=escape(zone))
        return text, InlineKeyboardMarkup([*_rows(hours, HOURS_PER_ROW), back])
    if page == "zone":
        zones = [
            _button(name, "zone", str(index), name == zone)
            for index, name in enumerate(COMMON_ZONES)
        ]
        text = t(language, "settings_pick_zone")
        return text, InlineKeyboardMarkup([*_rows(zones, ZONES_PER_ROW), back])
    sound = t(language, "settings_sound_off" if delivery.silent else "settings_sound_on")
    text = "\n".join(
        [
            t(language, "settings_title"),
            "",
            t(
                language,
                "settings_body",
                language_name=LANGUAGE_NAMES[language],
                mode=digest_label(language, delivery),
                sound=sound,
            ),
        ]
    )
    rows = [
        [_button(LANGUAGE_NAMES[code], "lang", code, code == language) for code in LANGUAGES],
        [
            _button(t(language, f"btn_{mode.value}"), "mode", mode.value, mode == delivery.mode)
            for mode in (DigestMode.INSTANT, DigestMode.DAILY, DigestMode.OFF)
        ],
        [
            _button(t(language, "btn_sound_on"), "sound", "0", not delivery.silent),
            _button(t(language, "btn_silent"), "sound", "1", delivery.silent),
        ],
        [
            _button(t(language, "btn_digest_time", time=at), "page", "hour"),
            _button(t(language, "btn_time_zone", zone=zone), "page", "zone"),
        ],
    ]
    return text, InlineKeyboardMarkup(rows)


async def settings_command(update: Update, context: Context) -> None:
    """/settings: the chat's settings with buttons to change them."""
    chat = chat_of(update)
    language = await ui_language(update, context)
    delivery = await services(context).db.delivery_of(chat.id)
    text, keyboard = settings_view(language, delivery)
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
    page = callback.value if callback.name == "page" else "main"
    if callback.name != "page":
        if not await may_change(update, context):
            await refuse(update, context)
            return
        await apply_setting(update, context, callback)
    delivery = await svc.db.delivery_of(chat.id)
    language = await ui_language(update, context)
    text, keyboard = settings_view(language, delivery, page)
    await query.answer(t(language, "settings_saved") if callback.name != "page" else None)
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if not not_modified(exc):
            raise


async def apply_setting(update: Update, context: Context, callback: ChangeSetting) -> None:
    svc = services(context)
    chat = chat_of(update)
    current = await svc.db.delivery_of(chat.id)
    value = callback.value
    if callback.name == "lang":
        await svc.db.set_language(chat.id, chat.type, value)
    elif callback.name == "sound":
        await svc.db.set_silent(chat.id, chat.type, value == "1")
    elif callback.name == "mode":
        await apply_digest(update, context, DigestMode(value), current.at, None)
    elif callback.name == "hour":  # choosing the digest's hour chooses the daily digest
        await apply_digest(update, context, DigestMode.DAILY, f"{int(value):02d}:00", None)
    elif callback.name == "zone":
        await apply_digest(update, context, current.mode, current.at, COMMON_ZONES[int(value)])


HANDLERS = [CallbackQueryHandler(settings_button, pattern=pattern_for(ChangeSetting))]
