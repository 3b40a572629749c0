"""Bot API methods about chats: sendChatAction, getChat, getChatMember, getChatAdministrators."""

from __future__ import annotations

from .errors import BadRequest
from .members import member_dict
from .records import Ctx, Handler, JSONDict
from .state import ApiState

__all__ = ["CHAT_ACTIONS", "ChatMethods"]

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class ChatMethods(ApiState):
    """Describe chats and memberships, and accept chat actions such as typing."""

    def _chat_methods(self) -> dict[str, Handler]:
        """The Bot API methods served here."""
        return {
            "sendChatAction": self._api_send_chat_action,
            "getChat": self._api_get_chat,
            "getChatMember": self._api_get_chat_member,
            "getChatAdministrators": self._api_get_chat_administrators,
        }

    async def _api_send_chat_action(self, ctx: Ctx) -> bool:
        """Accept typing indicators for valid actions."""
        self._chat_gate(ctx, sending=True)
        if ctx.params.get("action") not in CHAT_ACTIONS:
            raise BadRequest("wrong parameter action in request")
        return True

    async def _api_get_chat(self, ctx: Ctx) -> JSONDict:
        """Return a ChatFullInfo with all fields PTB requires."""
        chat = self._chat_gate(ctx, sending=False)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _api_get_chat_member(self, ctx: Ctx) -> JSONDict:
        """Answer membership from set_member_status(), "member" by default."""
        chat = self._chat_gate(ctx, sending=False)
        user_id = ctx.params.get("user_id")
        if not isinstance(user_id, int):
            raise BadRequest("invalid user_id specified")
        return member_dict(
            self._user(user_id),
            self._member_status_of(chat, user_id),
            channel=chat["type"] == "channel",
        )

    async def _api_get_chat_administrators(self, ctx: Ctx) -> list[JSONDict]:
        """List members configured as administrator or creator."""
        chat = self._chat_gate(ctx, sending=False)
        if chat["type"] == "private":
            raise BadRequest("there are no administrators in the private chat")
        return [
            member_dict(self._user(user_id), status)
            for (chat_id, user_id), status in self._member_status.items()
            if chat_id == chat["id"] and status in ("creator", "administrator")
        ]
