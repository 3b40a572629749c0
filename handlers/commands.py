"""The one registry of commands: /help and the command menus are both generated from it."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from bot.texts import t
from knowledge.schema import LANGUAGES


@dataclass(frozen=True)
class Command:
    name: str
    private: bool = True
    groups: bool = True


COMMANDS = [
    Command("start", groups=False),
    Command("help"),
    Command("ask"),
    Command("topics"),
    Command("plan"),
    Command("compare"),
    Command("timeline"),
    Command("sources"),
    Command("lang"),
    Command("subscribe"),
    Command("unsubscribe"),
    Command("subscriptions"),
    Command("digest"),
]


def help_lines(language: str) -> list[str]:
    return [f"/{c.name} — {t(language, 'cmd_' + c.name)}" for c in COMMANDS]


async def set_menus(bot: Bot) -> None:
    """Command menus per scope (private chats, groups) and per language."""
    for language in LANGUAGES:
        code = None if language == "en" else language
        for scope, wanted in (
            (BotCommandScopeAllPrivateChats(), lambda c: c.private),
            (BotCommandScopeAllGroupChats(), lambda c: c.groups),
        ):
            commands = [
                BotCommand(c.name, t(language, "cmd_" + c.name)) for c in COMMANDS if wanted(c)
            ]
            await bot.set_my_commands(commands, scope=scope, language_code=code)
