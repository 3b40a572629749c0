"""Every handler, registered in one ordered place."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler

from handlers import ask, browse, inline, membership, settings, start, subscriptions
from handlers.ask import expired
from handlers.commands import command_handlers, command_help
from handlers.context import BotData, Context
from handlers.errors import on_error


def register(app: Application[Any, Context, Any, Any, BotData, Any]) -> None:
    """Adds every handler in order; /help reads the commands from bot_data."""
    app.bot_data.command_help = command_help()
    # Group 0, first match wins: commands, then browsing buttons, then free text.
    app.add_handlers(command_handlers())
    app.add_handlers(start.HANDLERS)
    app.add_handlers(subscriptions.HANDLERS)
    app.add_handlers(settings.HANDLERS)
    app.add_handlers(browse.HANDLERS)
    app.add_handlers(ask.HANDLERS)
    app.add_handlers(inline.HANDLERS)
    # Any button nothing above understood: stale, forged or from an older version.
    app.add_handler(CallbackQueryHandler(expired))
    # Group 1, cross-cutting: the bot being removed or blocked, and group migrations.
    app.add_handlers(membership.HANDLERS, group=1)
    app.add_error_handler(on_error)
