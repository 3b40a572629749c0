"""ChatMember objects: Telegram's member statuses and the fields PTB requires for each."""

from __future__ import annotations

from .records import JSONDict

__all__ = ["MEMBER_STATUSES", "member_dict", "normalize_status"]

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
_STATUS_ALIASES = {"owner": "creator", "admin": "administrator", "banned": "kicked"}


def member_dict(user: JSONDict, status: str, channel: bool = False) -> JSONDict:
    """Build a ChatMember with every field PTB requires for that status (a channel's
    administrators may also post and edit messages)."""
    member: JSONDict = {"user": dict(user), "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
            can_manage_topics=False,
        )
        if channel:
            member.update(can_post_messages=True, can_edit_messages=True)
    elif status == "restricted":
        member.update(
            is_member=True,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_send_messages=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_manage_topics=False,
            until_date=0,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_edit_tag=False,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def normalize_status(status: str) -> str:
    """Accept friendly aliases but store Telegram's status names."""
    status = _STATUS_ALIASES.get(status, status)
    if status not in MEMBER_STATUSES:
        raise ValueError(
            f"unknown chat member status {status!r}; use one of {sorted(MEMBER_STATUSES)}"
        )
    return status
