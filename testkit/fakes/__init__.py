"""Reusable fakes for tests and benchmarks (no pytest dependency)."""

from .bot_api import FakeBotAPI
from .conversation import Chat
from .errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    Migrated,
    NotFound,
    ServerError,
    TooManyRequests,
    Unauthorized,
)
from .records import ALL_UPDATE_TYPES, Call, Replies, SentMessage, WebhookDelivery
from .telegram_html import HTMLParseError, parse_telegram_html, utf16_len

__all__ = [
    "ALL_UPDATE_TYPES",
    "ApiError",
    "BadRequest",
    "Call",
    "Chat",
    "Conflict",
    "FakeBotAPI",
    "Forbidden",
    "HTMLParseError",
    "Migrated",
    "NotFound",
    "Replies",
    "SentMessage",
    "ServerError",
    "TooManyRequests",
    "Unauthorized",
    "WebhookDelivery",
    "parse_telegram_html",
    "utf16_len",
]
