"""Telegram's validation rules: text limits and formatting, keyboards, inline results, commands.

Plain functions that raise ``BadRequest`` with the description Telegram answers with, exactly
where Telegram would reject the request.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import BadRequest
from .records import BUTTON_ACTION_FIELDS, JSONDict
from .state import logger
from .telegram_html import parse_telegram_html
from .telegram_text import HTMLParseError, normalize_text_url, trim_formatted_text, utf16_len

__all__ = [
    "MAX_CALLBACK_ANSWER_LENGTH",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_COMMANDS",
    "MAX_INLINE_RESULTS",
    "MAX_KEYBOARD_BUTTONS",
    "MAX_MESSAGE_LENGTH",
    "MAX_RESULT_ID_BYTES",
    "format_text",
    "validate_commands",
    "validate_inline_button",
    "validate_inline_result",
    "validate_reply_markup",
]

MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_CALLBACK_DATA_BYTES = 64
MAX_KEYBOARD_BUTTONS = 100
MAX_COMMANDS = 100

_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_BUTTON_URL_RE = re.compile(r"^(https?|tg)://\S+$", re.IGNORECASE)


# ---------------------------------------------------------------- message text


def format_text(
    text: Any,
    parse_mode: Any,
    entities: Any,
    *,
    limit: int,
    too_long: str,
    empty: str,
    strict_entities: bool,
) -> tuple[str, list[JSONDict]]:
    """Parse and validate message text exactly where Telegram would reject it.

    ``strict_entities`` is the fake's ``strict_html_entities`` setting for HTML parsing.
    """
    if text is None or text == "":
        raise BadRequest(empty)
    text = str(text)
    mode = str(parse_mode).lower() if parse_mode else ""
    if mode == "html":
        try:
            plain, parsed = parse_telegram_html(text, strict_entities=strict_entities)
        except HTMLParseError as exc:
            raise BadRequest(exc.description) from exc
    elif mode in ("", "none"):
        plain = text
        parsed = [dict(e) for e in entities] if isinstance(entities, list) else []
    elif mode in ("markdown", "markdownv2"):
        logger.warning(
            "FakeBotAPI does not parse %s; text is passed through unformatted", parse_mode
        )
        plain, parsed = text, []
    else:
        raise BadRequest("unsupported parse_mode")
    plain, parsed = trim_formatted_text(plain, parsed)
    if not plain:
        raise BadRequest(empty)
    if utf16_len(plain) > limit:
        raise BadRequest(too_long)
    return plain, parsed


# ---------------------------------------------------------------- keyboards


def validate_reply_markup(markup: Any) -> JSONDict | None:
    """Reject keyboards Telegram would reject, returning the normalized markup."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise BadRequest("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _validate_inline_keyboard(markup["inline_keyboard"])
    if "keyboard" in markup:
        _validate_reply_keyboard(markup["keyboard"])
        return dict(markup)
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return dict(markup)
    raise BadRequest("can't parse reply keyboard markup JSON object")


def _validate_inline_keyboard(keyboard: Any) -> JSONDict:
    """Check an InlineKeyboardMarkup's rows and buttons, returning a copy of the markup."""
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise BadRequest(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    total = 0
    for row in keyboard:
        for button in row:
            total += 1
            validate_inline_button(button)
    if total > MAX_KEYBOARD_BUTTONS:
        raise BadRequest("reply markup is too long")
    return {"inline_keyboard": [[dict(button) for button in row] for row in keyboard]}


def _validate_reply_keyboard(keyboard: Any) -> None:
    """Check a ReplyKeyboardMarkup: rows of buttons, each with a non-empty text."""
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise BadRequest(
            'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
        )
    for row in keyboard:
        for button in row:
            text = button if isinstance(button, str) else (button or {}).get("text")
            if not isinstance(text, str) or not text:
                raise BadRequest("can't parse keyboard button: Text must be non-empty")


def validate_inline_button(button: Any) -> None:
    """Check one InlineKeyboardButton: text, exactly one action, valid callback_data/url."""
    if not isinstance(button, dict):
        raise BadRequest(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise BadRequest(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise BadRequest("BUTTON_TEXT_INVALID")
    actions = [key for key in BUTTON_ACTION_FIELDS if button.get(key) is not None]
    if not actions:
        raise BadRequest(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        # Telegram silently picks one; the fake is stricter to surface ambiguous buttons.
        raise BadRequest(
            f"can't parse inline keyboard button: more than one action field: {', '.join(actions)}"
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise BadRequest("BUTTON_DATA_INVALID")
    if "url" in actions:
        url = button["url"]
        if not isinstance(url, str) or not (_BUTTON_URL_RE.match(url) or normalize_text_url(url)):
            raise BadRequest("BUTTON_URL_INVALID")


# ---------------------------------------------------------------- inline results and commands


def validate_inline_result(result: Any, seen: set[str], *, strict_entities: bool) -> None:
    """Check one InlineQueryResult the way Telegram does before showing it.

    ``seen`` collects the result ids of one answer, which must be unique.
    """
    if not isinstance(result, dict):
        raise BadRequest("can't parse InlineQueryResult: InlineQueryResult must be an Object")
    kind = result.get("type")
    if not isinstance(kind, str) or not kind:
        raise BadRequest('can\'t parse InlineQueryResult: Field "type" must be of type String')
    result_id = result.get("id")
    if (
        not isinstance(result_id, str)
        or not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES
    ):
        raise BadRequest("RESULT_ID_INVALID")
    if result_id in seen:
        raise BadRequest("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    content = result.get("input_message_content")
    if kind == "article":
        _validate_article(result, content)
    if isinstance(content, dict) and "message_text" in content:
        format_text(
            content.get("message_text"),
            content.get("parse_mode"),
            content.get("entities"),
            limit=MAX_MESSAGE_LENGTH,
            too_long="MESSAGE_TOO_LONG",
            empty="MESSAGE_EMPTY",
            strict_entities=strict_entities,
        )
    markup = validate_reply_markup(result.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise BadRequest("REPLY_MARKUP_INVALID")


def _validate_article(result: JSONDict, content: Any) -> None:
    """Check the fields an InlineQueryResultArticle requires: title and message content."""
    if not isinstance(result.get("title"), str) or not result["title"]:
        raise BadRequest(
            'can\'t parse InlineQueryResultArticle: Field "title" must be of type String'
        )
    if not isinstance(content, dict):
        raise BadRequest(
            "can't parse InlineQueryResultArticle: "
            'Field "input_message_content" must be of type Object'
        )


def validate_commands(commands: Any) -> list[JSONDict]:
    """Check a setMyCommands list and return it reduced to the fields Telegram stores."""
    if not isinstance(commands, list):
        raise BadRequest("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise BadRequest("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict) or not _BOT_COMMAND_NAME_RE.match(
            str(command.get("command", ""))
        ):
            raise BadRequest("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise BadRequest("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]
