"""Telegram-compatible parser for ``parse_mode=HTML`` message text.

The parser mirrors the byte-oriented algorithm used by the Bot API server
(tdlib ``parse_html``) closely enough that error texts, byte offsets and the
UTF-16 based entity offsets match what Telegram answers, so tests catch the
escaping and nesting mistakes that real Telegram would reject.
"""

from __future__ import annotations

import re
from typing import Any

from .message_entities import close_entity, finalize_entities
from .telegram_text import (
    HTMLParseError,
    normalize_text_url,
    trim_formatted_text,
    utf16_len,
    utf16_slice,
)

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

_NAMED_ENTITIES: dict[bytes, int] = {
    b"lt": ord("<"),
    b"gt": ord(">"),
    b"amp": ord("&"),
    b"quot": ord('"'),
}

# tdlib treats the terminating NUL as whitespace, so the end of input stops every scan loop.
_SPACES: frozenset[int] = frozenset(b" \t\r\n\x0b\x0c\x00")
_MARKUP = re.compile(rb"[&<]")  # where a run of plain text ends


def _decode_entity(data: bytes, pos: int, strict: bool) -> tuple[int, int] | None:
    """Decode an HTML character reference at ``pos`` returning (codepoint, next_pos), else None."""
    n = len(data)
    if pos + 1 < n and data[pos + 1] == ord("#"):
        decoded = _decode_numeric_reference(data, pos)
    else:
        decoded = _decode_named_reference(data, pos, strict)
    if decoded is None:
        return None
    value, end = decoded
    if end < n and data[end] == ord(";"):
        end += 1
    return value, end


def _decode_numeric_reference(data: bytes, pos: int) -> tuple[int, int] | None:
    """Decode ``&#NNN`` or ``&#xHHH`` (without the ``;``), rejecting what tdlib rejects."""
    start = pos + 2  # past "&#"
    if start < len(data) and data[start] in (ord("x"), ord("X")):
        digits = _read_digits(data, start + 1, 16)
    else:
        digits = _read_digits(data, start, 10)
    if digits is None:
        return None
    value, digits_start, end = digits
    if end == digits_start or value == 0 or 0xD800 <= value <= 0xDFFF or end - pos >= 10:
        return None
    return value, end


def _read_digits(data: bytes, start: int, base: int) -> tuple[int, int, int] | None:
    """Read base-10 or base-16 digits as (value, start, end); None once the value overflows."""
    alphabet = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    n = len(data)
    end = start
    value = 0
    while end < n and chr(data[end]) in alphabet:
        value = value * base + int(chr(data[end]), base)
        end += 1
        if value >= 0x10FFFF:
            return None
    return value, start, end


def _decode_named_reference(data: bytes, pos: int, strict: bool) -> tuple[int, int] | None:
    """Decode ``&lt;``, ``&gt;``, ``&amp;`` or ``&quot;`` (without the ``;``).

    Any other name is kept literally, unless ``strict`` and it ends in ``;`` (then an error).
    """
    n = len(data)
    end = pos + 1
    while end < n and (65 <= data[end] <= 90 or 97 <= data[end] <= 122):
        end += 1
    name = data[pos + 1 : end]
    if name not in _NAMED_ENTITIES:
        if strict and name and end < n and data[end] == ord(";"):
            raise HTMLParseError(
                f'Unsupported HTML entity "&{name.decode()};" at byte offset {pos}', pos
            )
        return None
    return _NAMED_ENTITIES[name], end


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
    return _HTMLParser(text, strict_entities).parse()


class _HTMLParser:
    """One pass over the UTF-8 bytes of a text, tracking open tags and the UTF-16 offset.

    Every ``_`` method starts reading at ``self.pos`` and leaves it after what it consumed.
    """

    def __init__(self, text: str, strict_entities: bool) -> None:
        """Prepare to parse ``text``; call parse() once."""
        self.data = text.encode("utf-8")
        self.n = len(self.data)
        self.strict_entities = strict_entities
        self.pos = 0
        self.out = bytearray()
        self.utf16_offset = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []

    def at(self, index: int) -> int:
        """Read a byte with a NUL sentinel past the end, like the C string tdlib walks."""
        return self.data[index] if index < self.n else 0

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        """Consume the whole text: character references, plain bytes, start and end tags."""
        while self.pos < self.n:
            c = self.data[self.pos]
            if c == ord("&"):
                if not self._character_reference():
                    self._plain_byte(c)
            elif c != ord("<"):
                self._plain_run()
            elif self.at(self.pos + 1) == ord("/"):
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            raise HTMLParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1]["tag"]}"'
            )
        plain = self.out.decode("utf-8", errors="replace")
        return plain, finalize_entities(plain, self.entities)

    # ---------------------------------------------------------------- text

    def _character_reference(self) -> bool:
        """Emit the character an ``&...`` reference stands for; False if it is literal text."""
        decoded = _decode_entity(self.data, self.pos, self.strict_entities)
        if decoded is None:
            return False
        codepoint, self.pos = decoded
        self.out += chr(codepoint).encode("utf-8")
        self.utf16_offset += _utf16_units(codepoint)
        return True

    def _plain_byte(self, c: int) -> None:
        """Copy one byte of text, counting UTF-16 units at each UTF-8 lead byte."""
        self.out.append(c)
        if c & 0xC0 != 0x80:
            self.utf16_offset += 2 if c >= 0xF0 else 1
        self.pos += 1

    def _plain_run(self) -> None:
        """Copy the text up to the next ``&`` or ``<`` at once (both ASCII: the run ends on a
        character boundary), counting its UTF-16 units: byte by byte, this loop was most of the
        fake's time per message (bench.bot_throughput)."""
        found = _MARKUP.search(self.data, self.pos)
        end = found.start() if found else self.n
        run = self.data[self.pos : end]
        self.out += run
        self.utf16_offset += len(run.decode("utf-8").encode("utf-16-le")) // 2
        self.pos = end

    def _skip_spaces(self) -> None:
        """Skip whitespace, stopping at the end of the input."""
        while self.at(self.pos) != 0 and self.at(self.pos) in _SPACES:
            self.pos += 1

    def _skip_name(self) -> None:
        """Skip to the end of a tag name: the next whitespace or ``>``."""
        while self.at(self.pos) not in _SPACES and self.at(self.pos) != ord(">"):
            self.pos += 1

    # ---------------------------------------------------------------- start tags

    def _start_tag(self) -> None:
        """Parse ``<tag attr="value" ...>`` and open the tag."""
        begin = self.pos
        self.pos += 1
        self._skip_name()
        if self.at(self.pos) == 0:
            raise HTMLParseError(f"Unclosed start tag at byte offset {begin}", begin)
        tag = self.data[begin + 1 : self.pos].decode("utf-8", errors="replace").lower()
        if tag not in ALLOWED_TAGS:
            raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {begin}', begin)
        argument = self._attributes(tag, begin)
        if tag == "span" and argument != "spoiler":
            raise HTMLParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}', begin
            )
        self.stack.append(
            {
                "tag": tag,
                "argument": argument,
                "offset": self.utf16_offset,
                "byte_pos": len(self.out),
            }
        )
        self.pos += 1  # skip '>'

    def _attributes(self, tag: str, begin: int) -> str:
        """Parse the attributes up to ``>``, returning the tag's argument (href, class, ...)."""
        argument = ""
        while self.at(self.pos) != ord(">"):
            self._skip_spaces()
            if self.at(self.pos) == ord(">"):
                break
            if self.at(self.pos) == 0:
                raise HTMLParseError(f"Unclosed start tag at byte offset {begin}", begin)
            argument = self._attribute(tag, begin, argument)
        return argument

    def _attribute(self, tag: str, begin: int, argument: str) -> str:
        """Parse one ``name=value`` (or a bare ``expandable``), returning the updated argument."""
        attr_begin = self.pos
        while self.at(self.pos) not in _SPACES and self.at(self.pos) not in (ord("="), ord(">")):
            self.pos += 1
        attr_name = self.data[attr_begin : self.pos].decode("utf-8", errors="replace").lower()
        if not attr_name:
            raise HTMLParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}', begin
            )
        self._skip_spaces()
        if self.at(self.pos) != ord("="):
            if tag == "blockquote" and attr_name == "expandable":
                return "1"
            raise HTMLParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {begin}",
                begin,
            )
        self.pos += 1
        self._skip_spaces()
        if self.at(self.pos) == 0:
            raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}', begin)
        if self.at(self.pos) in (ord("'"), ord('"')):
            value = self._quoted_value(begin)
        else:
            value = self._unquoted_value()
        return _tag_argument(tag, attr_name, value.decode("utf-8", errors="replace"), argument)

    def _unquoted_value(self) -> bytes:
        """Read an unquoted value: a lower-cased token of ASCII letters, digits, dots, dashes."""
        token_begin = self.pos
        while chr(self.at(self.pos)).isascii() and (
            chr(self.at(self.pos)).isalnum() or self.at(self.pos) in (ord("."), ord("-"))
        ):
            self.pos += 1
        value = self.data[token_begin : self.pos].lower()
        if self.at(self.pos) not in _SPACES and self.at(self.pos) != ord(">"):
            raise HTMLParseError(
                f"Unexpected end of name token at byte offset {token_begin}", token_begin
            )
        return value

    def _quoted_value(self, begin: int) -> bytes:
        """Read a single- or double-quoted value, decoding character references inside it."""
        quote = self.at(self.pos)
        self.pos += 1
        value = bytearray()
        while self.at(self.pos) != quote and self.pos < self.n:
            if self.at(self.pos) == ord("&"):
                decoded = _decode_entity(self.data, self.pos, self.strict_entities)
                if decoded is not None:
                    codepoint, self.pos = decoded
                    value += chr(codepoint).encode("utf-8")
                    continue
            value.append(self.at(self.pos))
            self.pos += 1
        if self.pos >= self.n:
            raise HTMLParseError(f"Unclosed start tag at byte offset {begin}", begin)
        self.pos += 1  # skip the closing quote
        return bytes(value)

    # ---------------------------------------------------------------- end tags

    def _end_tag(self) -> None:
        """Parse ``</tag>`` (or ``</>``), close the innermost open tag and emit its entity."""
        begin = self.pos
        self.pos += 1
        if not self.stack:
            raise HTMLParseError(f"Unexpected end tag at byte offset {begin}", begin)
        self._skip_name()
        end_name = self.data[begin + 2 : self.pos].decode("utf-8", errors="replace").lower()
        self._skip_spaces()
        if self.at(self.pos) != ord(">"):
            raise HTMLParseError(f"Unclosed end tag at byte offset {begin}", begin)
        opened = self.stack.pop()
        if end_name and end_name != opened["tag"]:
            raise HTMLParseError(
                f"Unmatched end tag at byte offset {begin}, "
                f'expected "</{opened["tag"]}>", found "</{end_name}>"',
                begin,
            )
        inside_code = any(entry["tag"] in ("code", "pre") for entry in self.stack)
        if not inside_code or opened["tag"] in ("code", "pre"):
            close_entity(opened, self.utf16_offset, bytes(self.out), self.entities)
        self.pos += 1  # skip '>'


def _tag_argument(tag: str, attr_name: str, value: str, argument: str) -> str:
    """Return the tag's argument after one attribute; attributes a tag ignores keep it."""
    if tag == "a" and attr_name == "href":
        return value
    if tag == "code" and attr_name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attr_name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attr_name == "emoji-id":
        return value
    if tag == "blockquote" and attr_name == "expandable":
        return "1"
    return argument
