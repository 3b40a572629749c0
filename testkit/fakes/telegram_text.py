"""Telegram's text primitives: UTF-16 lengths, link normalization, trimming, parse errors.

Telegram measures lengths and entity offsets in UTF-16 code units and trims message text
before storing it; these helpers do the same for the fake's HTML parser and validation.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "HTMLParseError",
    "normalize_text_url",
    "trim_formatted_text",
    "utf16_len",
    "utf16_slice",
]

_TRIM_CHARS = " \t\r\n\x0b\x0c"
_URL_SCHEME_RE = re.compile(r"^(https?|tg|ton|ftp)://", re.IGNORECASE)
_BARE_HOST_RE = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?::\d+)?(?:[/?#].*)?$"
)


class HTMLParseError(ValueError):
    """Raised for markup Telegram would refuse, carrying the exact Bot API reason."""

    def __init__(self, reason: str, byte_offset: int | None = None) -> None:
        """Keep the raw tdlib reason so the HTTP layer can rebuild the wire description."""
        self.reason = reason
        self.byte_offset = byte_offset
        # Same text python-telegram-bot shows after stripping "Bad Request: " and capitalizing.
        super().__init__(f"can't parse entities: {reason}".capitalize())

    @property
    def description(self) -> str:
        """Return the description exactly as the Bot API puts it in a 400 answer."""
        return f"Bad Request: can't parse entities: {self.reason}"


def utf16_len(text: str) -> int:
    """Count UTF-16 code units because Telegram measures lengths and offsets in them."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Cut text by UTF-16 offsets so entity ranges can be resolved back to Python strings."""
    data = text.encode("utf-16-le")
    return data[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def normalize_text_url(url: str) -> str | None:
    """Normalize an href like Telegram's link check; None means the link is silently dropped."""
    url = url.strip()
    if not url:
        return None
    if _URL_SCHEME_RE.match(url):
        scheme, rest = url.split("://", 1)
        if not rest:
            return None
        if scheme.lower() in {"http", "https"} and not any(ch in rest for ch in "/?#"):
            rest += "/"
        return f"{scheme.lower()}://{rest}"
    if _BARE_HOST_RE.match(url):
        return "http://" + (url if any(ch in url for ch in "/?#") else url + "/")
    return None


def trim_formatted_text(
    plain: str, entities: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]]]:
    """Strip outer whitespace and clip entities, because Telegram trims text before storing it."""
    left = len(plain) - len(plain.lstrip(_TRIM_CHARS))
    trimmed = plain.strip(_TRIM_CHARS)
    shift = utf16_len(plain[:left])
    total = utf16_len(trimmed)
    result: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end <= start:
            continue
        clipped = dict(entity)
        clipped["offset"], clipped["length"] = start, end - start
        result.append(clipped)
    return trimmed, result
