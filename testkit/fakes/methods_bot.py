"""Bot API methods about the bot itself: getMe, commands, menu button, name and descriptions."""

from __future__ import annotations

import copy
import json

from .errors import BadRequest
from .records import Ctx, Handler, JSONDict
from .state import ApiState
from .validation import validate_commands

__all__ = ["BotMethods"]


def _commands_key(params: JSONDict) -> tuple[str, str]:
    """Key command lists by scope and language, matching Telegram's lookup."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


class BotMethods(ApiState):
    """Serve the bot's own profile and settings, stored per scope and language like Telegram."""

    def _bot_methods(self) -> dict[str, Handler]:
        """The Bot API methods served here."""
        return {
            "getMe": self._api_get_me,
            "setMyCommands": self._api_set_my_commands,
            "getMyCommands": self._api_get_my_commands,
            "deleteMyCommands": self._api_delete_my_commands,
            "setChatMenuButton": self._api_set_chat_menu_button,
            "getChatMenuButton": self._api_get_chat_menu_button,
            "setMyDescription": self._api_set_bot_text("description"),
            "getMyDescription": self._api_get_bot_text("description"),
            "setMyShortDescription": self._api_set_bot_text("short_description"),
            "getMyShortDescription": self._api_get_bot_text("short_description"),
            "setMyName": self._api_set_bot_text("name"),
            "getMyName": self._api_get_bot_text("name"),
            "close": self._api_true,
            "logOut": self._api_true,
        }

    async def _api_true(self, ctx: Ctx) -> bool:
        """Serve methods whose only effect is success (close, logOut)."""
        return True

    async def _api_get_me(self, ctx: Ctx) -> JSONDict:
        """Describe the bot like Telegram's getMe."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_set_my_commands(self, ctx: Ctx) -> bool:
        """Store the command menu after Telegram's format checks."""
        commands = validate_commands(ctx.params.get("commands"))
        self._commands[_commands_key(ctx.params)] = commands
        return True

    async def _api_get_my_commands(self, ctx: Ctx) -> list[JSONDict]:
        """Return the stored command menu for a scope/language."""
        return copy.deepcopy(self._commands.get(_commands_key(ctx.params), []))

    async def _api_delete_my_commands(self, ctx: Ctx) -> bool:
        """Forget the command menu for a scope/language."""
        self._commands.pop(_commands_key(ctx.params), None)
        return True

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Return what setMyCommands stored, for assertions."""
        return copy.deepcopy(
            self._commands.get(_commands_key({"scope": scope, "language_code": language_code}), [])
        )

    # ---------------------------------------------------------------- menu button

    async def _api_set_chat_menu_button(self, ctx: Ctx) -> bool:
        """Store a chat's (or the default) menu button."""
        button = ctx.params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise BadRequest("can't parse menu button JSON object")
        self._menu_buttons[ctx.chat_id] = dict(button)
        return True

    async def _api_get_chat_menu_button(self, ctx: Ctx) -> JSONDict:
        """Return the stored menu button, defaulting like Telegram."""
        return dict(
            self._menu_buttons.get(ctx.chat_id)
            or self._menu_buttons.get(None)
            or {"type": "default"}
        )

    # ---------------------------------------------------------------- name and descriptions

    def _api_set_bot_text(self, field_name: str) -> Handler:
        """Build setMyName/Description handlers storing text per language."""

        async def handler(ctx: Ctx) -> bool:
            """Store the text for the given language."""
            self._bot_texts[(field_name, str(ctx.params.get("language_code") or ""))] = str(
                ctx.params.get(field_name) or ""
            )
            return True

        return handler

    def _api_get_bot_text(self, field_name: str) -> Handler:
        """Build getMyName/Description handlers."""

        async def handler(ctx: Ctx) -> JSONDict:
            """Return the stored text for the given language."""
            value = self._bot_texts.get((field_name, str(ctx.params.get("language_code") or "")))
            if value is None and field_name == "name":
                value = self.first_name
            return {field_name: value or ""}

        return handler
