"""A fake Telegram Bot API server (aiohttp, 127.0.0.1) for end-to-end bot tests and benchmarks.

The server speaks the real HTTP protocol, so a real python-telegram-bot ``Application`` can
long-poll it, while tests push updates, inspect every call, inject failures and enforce
Telegram's validation rules.

``FakeBotAPI`` is composed of one mixin per concern, all sharing the stores of ``ApiState``:

- ``state``: configuration, chats, users, messages (``ApiState``)
- ``server``: aiohttp lifecycle, request parsing, method dispatch (``HttpServer``)
- ``faults``: injected and random failures, blocked/migrated chats, flood control
- ``updates``: the updates queue, long polling and webhook delivery (``UpdateQueue``)
- ``methods_messages``, ``methods_queries``, ``methods_chats``, ``methods_bot``: Bot API methods
- ``factories``: Updates a user causes (messages, button presses, inline queries, ...)
- ``inspection``: recorded calls and waiting for the bot's replies
- ``conversation``: ``Chat`` handles that read like a chat transcript

Telegram's validation rules live in ``validation``, the errors in ``errors`` and the records
tests assert on in ``records``.
"""

from __future__ import annotations

from .conversation import Conversations
from .methods_bot import BotMethods
from .methods_chats import ChatMethods
from .methods_messages import MessageMethods
from .methods_queries import QueryMethods
from .records import Handler
from .server import HttpServer


class FakeBotAPI(
    HttpServer,
    Conversations,
    MessageMethods,
    QueryMethods,
    ChatMethods,
    BotMethods,
):
    """In-process imitation of api.telegram.org for driving a real bot over HTTP in tests."""

    def _api_methods(self) -> dict[str, Handler]:
        """Every Bot API method the fake serves, by its Telegram name."""
        return {
            **self._update_methods(),
            **self._message_methods(),
            **self._query_methods(),
            **self._chat_methods(),
            **self._bot_methods(),
        }
