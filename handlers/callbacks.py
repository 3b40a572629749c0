"""Compact, versioned callback data: built here, and parsed here from untrusted input.

Form: "1|action|arg|arg" — at most InlineKeyboardButtonLimit.MAX_CALLBACK_DATA bytes. Anything that
does not parse, names an unknown action, or points at something the base no longer has is None,
and the caller answers "this button has expired".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram.constants import InlineKeyboardButtonLimit

VERSION = "1"
MAX_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA

# action -> pattern of each argument
ACTIONS: dict[str, tuple[str, ...]] = {
    "e": (r"[a-z0-9-]{2,48}",),  # open an entry
    "s": (r"[a-z0-9-]{2,48}",),  # an entry's sources
    "r": (r"[a-z0-9-]{2,48}",),  # an entry's related entries
    "tl": (r"\d{1,3}",),  # topic list, page
    "t": (r"[a-z0-9-]{2,48}", r"\d{1,3}"),  # a topic's entries, page
    "p": (r"20|28", r"\d{1,3}"),  # plan walk-through, page
    "c": (r"[a-z0-9-]{2,48}",),  # a comparison
    "l": (r"en|de|uk|ru",),  # answer language
    "sb": (r"\*|[a-z0-9-]{2,48}",),  # toggle a subscription to a topic ("*" = everything)
}
_COMPILED = {a: tuple(re.compile(p) for p in pats) for a, pats in ACTIONS.items()}


@dataclass(frozen=True)
class Callback:
    action: str
    args: tuple[str, ...]


def encode(action: str, *args: object) -> str:
    data = "|".join([VERSION, action, *(str(a) for a in args)])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """The callback, or None for anything stale, forged or malformed."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    parts = data.split("|")
    if len(parts) < 2 or parts[0] != VERSION or parts[1] not in _COMPILED:
        return None
    patterns = _COMPILED[parts[1]]
    args = tuple(parts[2:])
    if len(args) != len(patterns) or not all(
        p.fullmatch(a) for p, a in zip(patterns, args, strict=True)
    ):
        return None
    return Callback(parts[1], args)
