"""Telegram-compatible parser for ``parse_mode=HTML`` message text.

The parser mirrors the byte-oriented algorithm used by the Bot API server
(tdlib ``parse_html``) closely enough that error texts, byte offsets and the
UTF-16 based entity offsets match what Telegram answers, so tests catch the
escaping and nesting mistakes that real Telegram would reject.
"""

from __future__ import annotations

import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

__all__ = [
    "ALLOWED_TAGS",
    "HTMLParseError",
    "normalize_text_url",
    "parse_telegram_html",
    "trim_formatted_text",
    "utf16_len",
    "utf16_slice",
]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

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

_NAMED_ENTITIES: dict[bytes, int] = {
    b"lt": ord("<"),
    b"gt": ord(">"),
    b"amp": ord("&"),
    b"quot": ord('"'),
}

# tdlib treats the terminating NUL as whitespace, so the end of input stops every scan loop.
_SPACES: frozenset[int] = frozenset(b" \t\r\n\x0b\x0c\x00")
_TRIM_CHARS = " \t\r\n\x0b\x0c"
_WHITESPACE_DROPPABLE: frozenset[str] = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler"}
)
_CODE_TYPES: frozenset[str] = frozenset({"code", "pre"})
_URL_SCHEME_RE = re.compile(r"^(https?|tg|ton|ftp)://", re.IGNORECASE)
_BARE_HOST_RE = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?::\d+)?(?:[/?#].*)?$"
)
_USER_LINK_RE = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)


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


def _decode_entity(data: bytes, pos: int, strict: bool) -> tuple[int, int] | None:
    """Decode an HTML character reference at ``pos`` returning (codepoint, next_pos), else None."""
    n = len(data)
    end = pos + 1
    value = 0
    if end < n and data[end] == ord("#"):
        end += 1
        if end < n and data[end] in (ord("x"), ord("X")):
            end += 1
            digits_start = end
            while end < n and chr(data[end]) in "0123456789abcdefABCDEF":
                value = value * 16 + int(chr(data[end]), 16)
                end += 1
                if value >= 0x10FFFF:
                    return None
        else:
            digits_start = end
            while end < n and 48 <= data[end] <= 57:
                value = value * 10 + data[end] - 48
                end += 1
                if value >= 0x10FFFF:
                    return None
        if end == digits_start or value == 0 or 0xD800 <= value <= 0xDFFF or end - pos >= 10:
            return None
    else:
        while end < n and (65 <= data[end] <= 90 or 97 <= data[end] <= 122):
            end += 1
        name = data[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            if strict and name and end < n and data[end] == ord(";"):
                raise HTMLParseError(
                    f'Unsupported HTML entity "&{name.decode()};" at byte offset {pos}', pos
                )
            return None
        value = _NAMED_ENTITIES[name]
    if end < n and data[end] == ord(";"):
        end += 1
    return value, end


def _utf16_units(codepoint: int) -> int:
    """Return how many UTF-16 units a codepoint takes, since astral symbols count twice."""
    return 2 if codepoint > 0xFFFF else 1


def parse_telegram_html(
    text: str, *, strict_entities: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    """Turn Telegram HTML into (plain_text, Bot API entities) or raise HTMLParseError like it.

    ``strict_entities`` rejects unknown named references such as ``&foo;`` (real Telegram keeps
    them literally); it is on by default so tests flag sloppy escaping early.
    """
    data = text.encode("utf-8")
    n = len(data)

    def at(index: int) -> int:
        """Read a byte with a NUL sentinel past the end, like the C string tdlib walks."""
        return data[index] if index < n else 0

    out = bytearray()
    utf16_offset = 0
    entities: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = data[i]
        if c == ord("&"):
            decoded = _decode_entity(data, i, strict_entities)
            if decoded is not None:
                codepoint, i = decoded
                out += chr(codepoint).encode("utf-8")
                utf16_offset += _utf16_units(codepoint)
                continue
        if c != ord("<"):
            out.append(c)
            if c & 0xC0 != 0x80:
                utf16_offset += 2 if c >= 0xF0 else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != ord("/"):
            while at(i) not in _SPACES and at(i) != ord(">"):
                i += 1
            if at(i) == 0:
                raise HTMLParseError(f"Unclosed start tag at byte offset {begin}", begin)
            tag = data[begin + 1 : i].decode("utf-8", errors="replace").lower()
            if tag not in ALLOWED_TAGS:
                raise HTMLParseError(
                    f'Unsupported start tag "{tag}" at byte offset {begin}', begin
                )
            argument = ""
            while at(i) != ord(">"):
                while at(i) != 0 and at(i) in _SPACES:
                    i += 1
                if at(i) == ord(">"):
                    break
                if at(i) == 0:
                    raise HTMLParseError(f"Unclosed start tag at byte offset {begin}", begin)
                attr_begin = i
                while at(i) not in _SPACES and at(i) not in (ord("="), ord(">")):
                    i += 1
                attr_name = data[attr_begin:i].decode("utf-8", errors="replace").lower()
                if not attr_name:
                    raise HTMLParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}', begin
                    )
                while at(i) != 0 and at(i) in _SPACES:
                    i += 1
                if at(i) != ord("="):
                    if tag == "blockquote" and attr_name == "expandable":
                        argument = "1"
                        continue
                    raise HTMLParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {begin}",
                        begin,
                    )
                i += 1
                while at(i) != 0 and at(i) in _SPACES:
                    i += 1
                if at(i) == 0:
                    raise HTMLParseError(
                        f'Unclosed start tag "{tag}" at byte offset {begin}', begin
                    )
                value_bytes = bytearray()
                if at(i) not in (ord("'"), ord('"')):
                    token_begin = i
                    while chr(at(i)).isascii() and (
                        chr(at(i)).isalnum() or at(i) in (ord("."), ord("-"))
                    ):
                        i += 1
                    value_bytes += data[token_begin:i].lower()
                    if at(i) not in _SPACES and at(i) != ord(">"):
                        raise HTMLParseError(
                            f"Unexpected end of name token at byte offset {token_begin}",
                            token_begin,
                        )
                else:
                    quote = at(i)
                    i += 1
                    while at(i) != quote and i < n:
                        if at(i) == ord("&"):
                            decoded = _decode_entity(data, i, strict_entities)
                            if decoded is not None:
                                codepoint, i = decoded
                                value_bytes += chr(codepoint).encode("utf-8")
                                continue
                        value_bytes.append(at(i))
                        i += 1
                    if i >= n:
                        raise HTMLParseError(f"Unclosed start tag at byte offset {begin}", begin)
                    i += 1
                value = value_bytes.decode("utf-8", errors="replace")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr_name == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HTMLParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}', begin
                )
            stack.append(
                {"tag": tag, "argument": argument, "offset": utf16_offset, "byte_pos": len(out)}
            )
            i += 1  # skip '>'
            continue

        # End tag.
        if not stack:
            raise HTMLParseError(f"Unexpected end tag at byte offset {begin}", begin)
        while at(i) not in _SPACES and at(i) != ord(">"):
            i += 1
        end_name = data[begin + 2 : i].decode("utf-8", errors="replace").lower()
        while at(i) != 0 and at(i) in _SPACES:
            i += 1
        if at(i) != ord(">"):
            raise HTMLParseError(f"Unclosed end tag at byte offset {begin}", begin)
        opened = stack.pop()
        if end_name and end_name != opened["tag"]:
            raise HTMLParseError(
                f"Unmatched end tag at byte offset {begin}, "
                f'expected "</{opened["tag"]}>", found "</{end_name}>"',
                begin,
            )
        inside_code = any(entry["tag"] in ("code", "pre") for entry in stack)
        if not inside_code or opened["tag"] in ("code", "pre"):
            _close_entity(opened, utf16_offset, bytes(out), entities)
        i += 1  # skip '>'

    if stack:
        raise HTMLParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1]["tag"]}"'
        )
    plain = out.decode("utf-8", errors="replace")
    return plain, _finalize_entities(plain, entities)


def _close_entity(
    opened: dict[str, Any], utf16_offset: int, out: bytes, entities: list[dict[str, Any]]
) -> None:
    """Append the entity for a just-closed tag, merging pre+code the way Telegram does."""
    offset = opened["offset"]
    length = utf16_offset - offset
    if length <= 0:
        return
    tag: str = opened["tag"]
    argument: str = opened["argument"]
    last = entities[-1] if entities else None
    same_range = last is not None and last["offset"] == offset and last["length"] == length
    if tag in _SIMPLE_TAG_TYPES:
        entities.append({"offset": offset, "length": length, "type": _SIMPLE_TAG_TYPES[tag]})
    elif tag == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append({"offset": offset, "length": length, "type": kind})
    elif tag == "a":
        url = argument or out[opened["byte_pos"] :].decode("utf-8", errors="replace")
        user_match = _USER_LINK_RE.match(url.strip())
        if user_match:
            user = {"id": int(user_match.group(1)), "is_bot": False, "first_name": ""}
            entities.append(
                {"offset": offset, "length": length, "type": "text_mention", "user": user}
            )
        else:
            normalized = normalize_text_url(url)
            if normalized is None:
                logger.debug("dropping text_link with unusable url %r", url)
            else:
                entities.append(
                    {"offset": offset, "length": length, "type": "text_link", "url": normalized}
                )
    elif tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise HTMLParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "offset": offset,
                "length": length,
                "type": "custom_emoji",
                "custom_emoji_id": argument,
            }
        )
    elif tag == "pre":
        if same_range and last is not None and last["type"] == "code":
            last["type"] = "pre"
            language = last.pop("_language", "")
            if language:
                last["language"] = language
        else:
            entities.append({"offset": offset, "length": length, "type": "pre"})
    elif tag == "code":
        if same_range and last is not None and last["type"] == "pre" and "language" not in last:
            if argument:
                last["language"] = argument
        else:
            entity: dict[str, Any] = {"offset": offset, "length": length, "type": "code"}
            if argument:
                entity["_language"] = argument
            entities.append(entity)


def _finalize_entities(plain: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
