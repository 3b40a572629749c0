"""Bot API methods on messages: send, edit text or keyboard, delete (with their lookups)."""

from __future__ import annotations

import copy
import time
from typing import Any

from .errors import BadRequest
from .faults import FaultInjection
from .records import ChatId, Ctx, Handler, JSONDict, SentMessage
from .state import StoredMessage, norm_chat_id
from .validation import MAX_MESSAGE_LENGTH, format_text, validate_reply_markup

__all__ = ["MessageMethods"]

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


class MessageMethods(FaultInjection):
    """Send, edit and delete the bot's messages under Telegram's validation and flood control."""

    def _message_methods(self) -> dict[str, Handler]:
        """The Bot API methods served here."""
        return {
            "sendMessage": self._api_send_message,
            "editMessageText": self._api_edit_message_text,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
            "deleteMessage": self._api_delete_message,
        }

    async def _api_send_message(self, ctx: Ctx) -> JSONDict:
        """Send a text message after Telegram's validation and flood-control checks."""
        params = ctx.params
        chat = self._chat_gate(ctx, sending=True)
        plain, entities = format_text(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
            empty="message text is empty",
            strict_entities=self.strict_html_entities,
        )
        markup = validate_reply_markup(params.get("reply_markup"))
        reply = self._resolve_reply(chat["id"], params)
        thread = self._thread_of(chat, params.get("message_thread_id"))
        if chat["type"] == "channel" and self._member_status_of(chat, self.bot_id) not in (
            "administrator",
            "creator",
        ):
            raise BadRequest("need administrator rights in the channel chat")
        self._check_rate_limits(ctx, chat)
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": dict(chat),
            "date": int(time.time()),
            "text": plain,
        }
        if entities:
            message["entities"] = entities
        if thread is not None:
            message["message_thread_id"] = thread
            if chat.get("is_forum"):
                message["is_topic_message"] = True
        if reply is not None:
            message["reply_to_message"] = reply
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = StoredMessage(
            copy.deepcopy(message), str(params["text"]), params.get("parse_mode"), True
        )
        reply_parameters = (
            params.get("reply_parameters")
            if isinstance(params.get("reply_parameters"), dict)
            else None
        )
        ctx.sent = SentMessage(
            method=ctx.method,
            chat_id=chat["id"],
            message_id=message["message_id"],
            text=str(params["text"]),
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            reply_to=reply["message_id"] if reply else None,
            reply_parameters=reply_parameters,
            message=copy.deepcopy(message),
            message_thread_id=thread,
            disable_notification=_flag(params.get("disable_notification")),
        )
        return message

    async def _api_edit_message_text(self, ctx: Ctx) -> JSONDict | bool:
        """Edit a bot message's text, enforcing "message is not modified" like Telegram."""
        params = ctx.params
        format_args: dict[str, Any] = {
            "limit": MAX_MESSAGE_LENGTH,
            "too_long": "MESSAGE_TOO_LONG",
            "empty": "message text is empty",
            "strict_entities": self.strict_html_entities,
        }
        if params.get("inline_message_id"):
            format_text(
                params.get("text"), params.get("parse_mode"), params.get("entities"), **format_args
            )
            validate_reply_markup(params.get("reply_markup"))
            return True
        chat = self._chat_gate(ctx, sending=True)
        stored = self._stored_bot_message(ctx, chat, action="edit")
        if "text" not in stored.message:
            raise BadRequest("there is no text in the message to edit")
        plain, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), **format_args
        )
        markup = validate_reply_markup(params.get("reply_markup"))
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        old = stored.message
        if (
            plain == old.get("text")
            and entities == old.get("entities", [])
            and inline == old.get("reply_markup")
        ):
            raise BadRequest(_NOT_MODIFIED)
        self._check_rate_limits(ctx, chat)
        old["text"] = plain
        _set_optional(old, "entities", entities or None)
        _set_optional(old, "reply_markup", inline)
        old["edit_date"] = int(time.time())
        stored.raw_text, stored.parse_mode = str(params["text"]), params.get("parse_mode")
        ctx.sent = _sent_from_stored(ctx.method, chat["id"], stored)
        return copy.deepcopy(old)

    async def _api_edit_message_reply_markup(self, ctx: Ctx) -> JSONDict | bool:
        """Replace (or remove) a bot message's inline keyboard."""
        params = ctx.params
        markup = validate_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        chat = self._chat_gate(ctx, sending=True)
        stored = self._stored_bot_message(ctx, chat, action="edit")
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        if inline == stored.message.get("reply_markup"):
            raise BadRequest(_NOT_MODIFIED)
        _set_optional(stored.message, "reply_markup", inline)
        stored.message["edit_date"] = int(time.time())
        ctx.sent = _sent_from_stored(ctx.method, chat["id"], stored)
        return copy.deepcopy(stored.message)

    async def _api_delete_message(self, ctx: Ctx) -> bool:
        """Delete a message, refusing others' group messages unless the bot is an admin."""
        chat = self._chat_gate(ctx, sending=True)
        message_id = ctx.params.get("message_id")
        if message_id in (None, ""):
            raise BadRequest("message identifier is not specified")
        key = (chat["id"], int(message_id))
        stored = self._messages.get(key)
        if stored is None:
            raise BadRequest("message to delete not found")
        if (
            not stored.from_bot
            and chat["type"] != "private"
            and self._member_status_of(chat, self.bot_id) not in ("administrator", "creator")
        ):
            raise BadRequest("message can't be deleted")
        del self._messages[key]
        return True

    # ---------------------------------------------------------------- lookups

    def _thread_of(self, chat: JSONDict, value: Any) -> int | None:
        """The forum topic a message goes to; a forum's deleted or unknown topic fails as in
        Telegram (General, thread 1 or none, always exists)."""
        if value in (None, "", 0, "0"):
            return None
        thread = int(value)
        if chat.get("is_forum") and thread != 1:
            if thread not in self._forum_topics.get(chat["id"], set()):
                raise BadRequest("message thread not found")
        return thread

    def _resolve_reply(self, chat_id: ChatId, params: JSONDict) -> JSONDict | None:
        """Find the message being replied to, failing like Telegram when it does not exist."""
        reply_parameters = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        target_chat = chat_id
        quote = None
        if isinstance(reply_parameters, dict):
            reply_id = reply_parameters.get("message_id")
            allow_missing = allow_missing or bool(
                reply_parameters.get("allow_sending_without_reply")
            )
            target_chat = norm_chat_id(reply_parameters.get("chat_id")) or chat_id
            quote = reply_parameters.get("quote")
        else:
            reply_id = params.get("reply_to_message_id")
        if reply_id in (None, ""):
            return None
        stored = self._messages.get((target_chat, int(reply_id)))
        if stored is None:
            if allow_missing:
                return None
            raise BadRequest("message to be replied not found")
        if quote and quote not in str(stored.message.get("text", "")):
            raise BadRequest("QUOTE_TEXT_INVALID")
        snapshot = copy.deepcopy(stored.message)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def _stored_bot_message(self, ctx: Ctx, chat: JSONDict, *, action: str) -> StoredMessage:
        """Fetch a message the bot may edit or fail with Telegram's error."""
        message_id = ctx.params.get("message_id")
        if message_id in (None, ""):
            raise BadRequest("message identifier is not specified")
        stored = self._messages.get((chat["id"], int(message_id)))
        if stored is None:
            raise BadRequest(f"message to {action} not found")
        if not stored.from_bot:
            raise BadRequest("message can't be edited")
        return stored


def _flag(value: Any) -> bool:
    """A boolean parameter as the Bot API reads it from JSON or a form ("true")."""
    return value is True or str(value).lower() in ("true", "1")


def _set_optional(target: JSONDict, key: str, value: Any) -> None:
    """Set or remove an optional field, since Telegram omits empty ones."""
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def _sent_from_stored(method: str, chat_id: ChatId, stored: StoredMessage) -> SentMessage:
    """Snapshot a stored message after an edit so tests see each intermediate state."""
    message = copy.deepcopy(stored.message)
    return SentMessage(
        method=method,
        chat_id=chat_id,
        message_id=message["message_id"],
        text=stored.raw_text if stored.raw_text is not None else message.get("text", ""),
        plain=message.get("text", ""),
        entities=message.get("entities", []),
        parse_mode=stored.parse_mode,
        reply_markup=message.get("reply_markup"),
        reply_to=None,
        reply_parameters=None,
        message=message,
    )
