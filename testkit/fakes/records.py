"""Records of what happened on the fake Bot API, exposed to tests, and shared type aliases.

``Call`` is one HTTP request, ``SentMessage`` one message the bot sent or edited, ``Replies``
what the bot produced for one user action and ``WebhookDelivery`` one POST to the bot's webhook.
``Ctx`` is the per-request state passed to method handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ALL_UPDATE_TYPES",
    "BUTTON_ACTION_FIELDS",
    "Call",
    "ChatId",
    "Ctx",
    "Handler",
    "JSONDict",
    "Replies",
    "SentMessage",
    "WebhookDelivery",
]

JSONDict = dict[str, Any]
ChatId = int | str
Handler = Callable[["Ctx"], Awaitable[Any]]

ALL_UPDATE_TYPES: tuple[str, ...] = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)

# The action fields of an InlineKeyboardButton; exactly one of them must be set.
BUTTON_ACTION_FIELDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass
class Call:
    """One HTTP request the bot made, kept so tests can assert on traffic."""

    method: str
    params: JSONDict
    chat_id: ChatId | None
    time: float
    status: int = 200
    response: JSONDict = field(default_factory=dict)
    duration: float = 0.0
    sent: SentMessage | None = None

    @property
    def ok(self) -> bool:
        """Tell whether Telegram would have accepted the call."""
        return self.status == 200

    @property
    def result(self) -> Any:
        """Return the ``result`` field of a successful answer."""
        return self.response.get("result")

    @property
    def error(self) -> str | None:
        """Return the error description of a failed answer."""
        return None if self.ok else self.response.get("description")

    @property
    def finished(self) -> float:
        """Return the monotonic completion time used for quiet-period detection."""
        return self.time + self.duration


@dataclass
class SentMessage:
    """A message the bot sent or edited, as the user would see it."""

    method: str
    chat_id: ChatId | None
    message_id: int | None
    text: str
    plain: str
    entities: list[JSONDict]
    parse_mode: str | None
    reply_markup: JSONDict | None
    reply_to: int | None
    reply_parameters: JSONDict | None
    message: JSONDict
    call: Call | None = None
    message_thread_id: int | None = None  # the forum topic it was sent to
    disable_notification: bool = False  # sent silently

    @property
    def is_edit(self) -> bool:
        """Tell edits apart from new messages."""
        return self.method != "sendMessage"

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """List inline keyboard rows as (text, callback_data or url) for compact assertions."""
        markup = self.reply_markup or {}
        rows: list[list[tuple[str, str | None]]] = []
        for row in markup.get("inline_keyboard") or []:
            cells: list[tuple[str, str | None]] = []
            for button in row:
                value = next((button[key] for key in BUTTON_ACTION_FIELDS if key in button), None)
                cells.append((button.get("text", ""), value if isinstance(value, str) else None))
            rows.append(cells)
        return rows

    def __repr__(self) -> str:
        """Keep reprs short because assertion output often lists several messages."""
        return (
            f"SentMessage({self.method}, chat={self.chat_id}, id={self.message_id}, "
            f"text={self.text[:60]!r})"
        )


class Replies(list):  # list[SentMessage]
    """Messages the bot produced for one user action, plus raw calls and any callback answer."""

    def __init__(
        self,
        items: Iterable[SentMessage] = (),
        calls: list[Call] | None = None,
        callback_answer: JSONDict | None = None,
    ) -> None:
        """Bundle replies with context so a test can inspect toasts and failed calls too."""
        super().__init__(items)
        self.calls: list[Call] = calls or []
        self.callback_answer = callback_answer

    @property
    def texts(self) -> list[str]:
        """Return the plain texts, the most common thing to assert on."""
        return [item.plain for item in self]

    @property
    def last(self) -> SentMessage:
        """Return the final state the user ends up seeing."""
        return self[-1]


@dataclass
class WebhookDelivery:
    """One POST of an update to the bot's webhook, for webhook-mode assertions."""

    update: JSONDict
    status: int
    error: str | None = None


@dataclass
class Ctx:
    """Per-request state passed to method handlers."""

    method: str
    params: JSONDict
    chat_id: ChatId | None
    sent: SentMessage | None = None
