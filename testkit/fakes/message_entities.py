"""Bot API MessageEntities from closed HTML tags, merged and filtered the way Telegram does."""

from __future__ import annotations

import logging
import re
from typing import Any

from .telegram_text import HTMLParseError, normalize_text_url, utf16_slice

# Named as before the split, when this lived in telegram_html.
logger = logging.getLogger("testkit.fakes.telegram_html")

__all__ = ["close_entity", "finalize_entities"]

_SIMPLE_TAG_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

_WHITESPACE_DROPPABLE: frozenset[str] = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler"}
)
_CODE_TYPES: frozenset[str] = frozenset({"code", "pre"})
_USER_LINK_RE = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)


def close_entity(
    opened: dict[str, Any], utf16_offset: int, out: bytes, entities: list[dict[str, Any]]
) -> None:
    """Append the entity for a just-closed tag, merging pre+code the way Telegram does."""
    offset = opened["offset"]
    length = utf16_offset - offset
    if length <= 0:
        return
    tag: str = opened["tag"]
    argument: str = opened["argument"]
    if tag in _SIMPLE_TAG_TYPES:
        entities.append({"offset": offset, "length": length, "type": _SIMPLE_TAG_TYPES[tag]})
    elif tag == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append({"offset": offset, "length": length, "type": kind})
    elif tag == "a":
        url = argument or out[opened["byte_pos"] :].decode("utf-8", errors="replace")
        _close_link(offset, length, url, entities)
    elif tag == "tg-emoji":
        _close_custom_emoji(offset, length, argument, entities)
    elif tag == "pre":
        _close_pre(offset, length, entities)
    elif tag == "code":
        _close_code(offset, length, argument, entities)


def _close_link(offset: int, length: int, url: str, entities: list[dict[str, Any]]) -> None:
    """Emit a text_mention for ``tg://user?id=``, a text_link for a usable url, else nothing."""
    user_match = _USER_LINK_RE.match(url.strip())
    if user_match:
        user = {"id": int(user_match.group(1)), "is_bot": False, "first_name": ""}
        entities.append({"offset": offset, "length": length, "type": "text_mention", "user": user})
        return
    normalized = normalize_text_url(url)
    if normalized is None:
        logger.debug("dropping text_link with unusable url %r", url)
    else:
        entities.append(
            {"offset": offset, "length": length, "type": "text_link", "url": normalized}
        )


def _close_custom_emoji(
    offset: int, length: int, argument: str, entities: list[dict[str, Any]]
) -> None:
    """Emit a custom_emoji entity; the emoji-id must be a positive number."""
    if not argument.isdigit() or int(argument) == 0:
        raise HTMLParseError("Invalid custom emoji identifier specified")
    entities.append(
        {"offset": offset, "length": length, "type": "custom_emoji", "custom_emoji_id": argument}
    )


def _same_range_entity(
    offset: int, length: int, entities: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """Return the last entity if it spans exactly this range (an inner tag closed just now)."""
    last = entities[-1] if entities else None
    if last is not None and last["offset"] == offset and last["length"] == length:
        return last
    return None


def _close_pre(offset: int, length: int, entities: list[dict[str, Any]]) -> None:
    """Emit a pre entity, or turn ``<pre><code class="language-x">`` into one pre with language."""
    last = _same_range_entity(offset, length, entities)
    if last is not None and last["type"] == "code":
        last["type"] = "pre"
        language = last.pop("_language", "")
        if language:
            last["language"] = language
    else:
        entities.append({"offset": offset, "length": length, "type": "pre"})


def _close_code(offset: int, length: int, argument: str, entities: list[dict[str, Any]]) -> None:
    """Emit a code entity, or give ``<code><pre>``'s pre the code's language."""
    last = _same_range_entity(offset, length, entities)
    if last is not None and last["type"] == "pre" and "language" not in last:
        if argument:
            last["language"] = argument
    else:
        entity: dict[str, Any] = {"offset": offset, "length": length, "type": "code"}
        if argument:
            entity["_language"] = argument
        entities.append(entity)


def finalize_entities(plain: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop entities Telegram discards (inside code/pre, whitespace-only styling) and sort them."""
    for entity in entities:
        entity.pop("_language", None)
    code_ranges = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _CODE_TYPES
    ]
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if any(cs <= start and end <= ce and (cs, ce) != (start, end) for cs, ce in code_ranges):
            continue
        if (
            entity["type"] in _WHITESPACE_DROPPABLE
            and not utf16_slice(plain, start, entity["length"]).strip()
        ):
            continue
        kept.append(entity)
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return kept
