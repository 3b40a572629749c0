"""The notification message: what changed, one line per entry, in the chat's language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from chat.callbacks import OpenEntry
from chat.render import escape
from chat.texts import t
from knowledge.versions import ChangeKind
from storage.db import OutboxEntry

MAX_LISTED = 30  # lines of changes in one message; the rest is summed up as "and N more"
MAX_BUTTONS = 20  # entry buttons under one message
BUTTON_TEXT = 60  # characters of an entry title on its button

_LABELS = {
    ChangeKind.ADDED: "notify_added",
    ChangeKind.CHANGED: "notify_changed",
    ChangeKind.REMOVED: "notify_removed",
}
_ORDER = {ChangeKind.ADDED: 0, ChangeKind.CHANGED: 1, ChangeKind.REMOVED: 2}


def merge_entries(batches: Iterable[list[OutboxEntry]]) -> list[OutboxEntry]:
    """Changes from several versions (a daily digest) as one list, one line per entry."""
    merged: dict[str, OutboxEntry] = {}
    for entries in batches:
        for entry in entries:
            before = merged.pop(entry.id, None)
            change = entry.change
            if before is not None:
                if before.change == ChangeKind.ADDED and change == ChangeKind.CHANGED:
                    change = ChangeKind.ADDED
                elif before.change == ChangeKind.ADDED and change == ChangeKind.REMOVED:
                    continue
                elif before.change == ChangeKind.REMOVED and change == ChangeKind.ADDED:
                    change = ChangeKind.CHANGED
            merged[entry.id] = entry.model_copy(update={"change": change})
    return sorted(merged.values(), key=lambda e: _ORDER[e.change])


def render_notification(
    language: str,
    entries: Sequence[OutboxEntry],
    digest: bool = False,
    link_bot: str | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message and its entry buttons: what changed, one line each, in the chat's language.

    With `link_bot` (a channel's notification) each button opens the entry in a private chat
    with that bot (t.me/BOT?start=ENTRY): a button that edited a channel post in place would
    let any reader change what the whole channel sees.
    """
    lines = [t(language, "notify_digest_title" if digest else "notify_title"), ""]
    for entry in entries[:MAX_LISTED]:
        lines.append(t(language, _LABELS[entry.change], title=escape(entry.title)))
    if len(entries) > MAX_LISTED:
        lines.append(t(language, "notify_more", count=len(entries) - MAX_LISTED))
    lines += ["", t(language, "notify_footer")]

    def button(entry: OutboxEntry) -> InlineKeyboardButton:
        if link_bot:
            return InlineKeyboardButton(
                entry.title[:BUTTON_TEXT], url=f"https://t.me/{link_bot}?start={entry.id}"
            )
        return InlineKeyboardButton(
            entry.title[:BUTTON_TEXT], callback_data=OpenEntry(entry.id).encode()
        )

    buttons = [[button(entry)] for entry in entries if entry.change != ChangeKind.REMOVED][
        :MAX_BUTTONS
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None
