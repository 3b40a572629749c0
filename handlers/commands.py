"""The one registry of commands: the handler list, the command menus and /help all come from it.

Adding a command: write its handler, add one `Command` line below, and add its `cmd_<name>` text in
every language of chat/texts.py (tests/test_bot.py fails when a text or a menu is missing).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.ext import CommandHandler, filters

from chat.texts import t
from handlers import admin, ask, browse, settings, start, subscriptions
from handlers.context import Context
from knowledge.schema import LANGUAGES

Callback = Callable[[Update, Context], Coroutine[object, object, None]]


@dataclass(frozen=True)
class Command:
    name: str
    callback: Callback
    private: bool = True  # in the menu of private chats
    groups: bool = True  # in the menu of groups
    listed: bool = True  # False: works for those who know it (the admins' /publish)
    channels: bool = False  # also a channel's post (channels have no command menu)

    @property
    def help_key(self) -> str:
        return f"cmd_{self.name}"


COMMANDS = [
    Command("start", start.start, groups=False),
    Command("help", start.help_command),
    Command("ask", ask.ask_command),
    Command("topics", browse.topics_command),
    Command("plan", browse.plan_command),
    Command("compare", browse.compare_command),
    Command("timeline", browse.timeline_command),
    Command("sources", browse.sources_command),
    Command("lang", start.lang_command),
    Command("subscribe", subscriptions.subscribe_command, channels=True),
    Command("unsubscribe", subscriptions.unsubscribe_command, channels=True),
    Command("subscriptions", subscriptions.subscriptions_command, channels=True),
    Command("digest", subscriptions.digest_command, channels=True),
    Command("settings", settings.settings_command, channels=True),
    Command("publish", admin.publish_command, private=False, groups=False, listed=False),
    Command("stats", admin.stats_command, private=False, groups=False, listed=False),
]


IN_CHANNELS = filters.UpdateType.MESSAGES | filters.UpdateType.CHANNEL_POST


def command_handlers() -> list[CommandHandler[Context, None]]:
    return [
        CommandHandler(c.name, c.callback, filters=IN_CHANNELS if c.channels else None)
        for c in COMMANDS
    ]


def command_help() -> list[tuple[str, str]]:
    """(name, help text key) of the listed commands, in menu order, for /help."""
    return [(c.name, c.help_key) for c in COMMANDS if c.listed]


def menus() -> dict[str, list[Command]]:
    """The commands of each menu scope."""
    listed = [c for c in COMMANDS if c.listed]
    return {
        "private": [c for c in listed if c.private],
        "groups": [c for c in listed if c.groups],
    }


async def set_menus(bot: Bot) -> None:
    """Command menus per scope (private chats, groups) and per language, and the bot's
    descriptions (the empty chat's "What can this bot do?" and the profile line) per language.

    The 16 requests go at once: one after the other they were 16 round trips to Telegram before
    the bot took its first update."""
    scopes = {
        "private": BotCommandScopeAllPrivateChats(),
        "groups": BotCommandScopeAllGroupChats(),
    }
    requests: list[Awaitable[bool]] = []
    for language in LANGUAGES:
        code = None if language == "en" else language
        for scope, commands in menus().items():
            requests.append(
                bot.set_my_commands(
                    [BotCommand(c.name, t(language, c.help_key)) for c in commands],
                    scope=scopes[scope],
                    language_code=code,
                )
            )
        requests.append(bot.set_my_description(t(language, "bot_description"), language_code=code))
        requests.append(
            bot.set_my_short_description(t(language, "bot_short_description"), language_code=code)
        )
    await asyncio.gather(*requests)
