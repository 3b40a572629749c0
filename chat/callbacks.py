"""Callback data: one small class per button action.

Each is encoded here and parsed here from untrusted input.

Form: "1|action|arg|arg", at most InlineKeyboardButtonLimit.MAX_CALLBACK_DATA bytes. Anything that
does not parse, names an unknown action or carries an argument outside its pattern decodes to None,
and the caller answers "this button has expired". The handlers' patterns are generated from the
classes (`pattern_for`), so the version and the action names live here only.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import ClassVar, Self

from telegram.constants import InlineKeyboardButtonLimit

VERSION = "1"
MAX_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA

ENTRY_ID = r"[a-z0-9-]{2,48}"
PAGE = r"\d{1,3}"


@dataclass(frozen=True)
class CallbackData:
    """A button's action and its arguments; subclasses declare ACTION and one pattern per field."""

    ACTION: ClassVar[str]
    PATTERNS: ClassVar[tuple[str, ...]]

    def encode(self) -> str:
        values = (getattr(self, f.name) for f in dataclasses.fields(self))
        data = "|".join([VERSION, self.ACTION, *(_text(v) for v in values)])
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, args: list[str]) -> Self | None:
        fields = dataclasses.fields(cls)
        if len(args) != len(fields) or not all(
            re.fullmatch(p, a) for p, a in zip(cls.PATTERNS, args, strict=True)
        ):
            return None
        values = [_value(f.type, a) for f, a in zip(fields, args, strict=True)]
        return cls(*values)


def _text(value: object) -> str:
    return str(int(value)) if isinstance(value, bool) else str(value)


def _value(kind: object, text: str) -> object:
    """A field's value from its text; annotations are strings here (postponed evaluation)."""
    if kind == "int":
        return int(text)
    if kind == "bool":
        return text == "1"
    return text


@dataclass(frozen=True)
class OpenEntry(CallbackData):
    ACTION = "e"
    PATTERNS = (ENTRY_ID,)
    entry_id: str


@dataclass(frozen=True)
class EntrySources(CallbackData):
    ACTION = "s"
    PATTERNS = (ENTRY_ID,)
    entry_id: str


@dataclass(frozen=True)
class RelatedEntries(CallbackData):
    ACTION = "r"
    PATTERNS = (ENTRY_ID,)
    entry_id: str


@dataclass(frozen=True)
class TopicList(CallbackData):
    ACTION = "tl"
    PATTERNS = (PAGE,)
    page: int


@dataclass(frozen=True)
class TopicPage(CallbackData):
    ACTION = "t"
    PATTERNS = (ENTRY_ID, PAGE)
    topic_id: str
    page: int


@dataclass(frozen=True)
class PlanPage(CallbackData):
    ACTION = "p"
    PATTERNS = (r"20|28", PAGE)
    plan: int  # 20 or 28 points
    page: int


@dataclass(frozen=True)
class Comparison(CallbackData):
    ACTION = "c"
    PATTERNS = (ENTRY_ID,)
    entry_id: str


@dataclass(frozen=True)
class ChooseLanguage(CallbackData):
    ACTION = "l"
    PATTERNS = (r"en|de|uk|ru",)
    language: str


@dataclass(frozen=True)
class ToggleSubscription(CallbackData):
    """A button under /subscribe: carries what pressing it means, so a double tap (or two
    members of a group pressing at once) subscribes twice rather than on, then off again.

    Buttons of before, without `subscribe`, decode to None: "please reopen", never misread.
    """

    ACTION = "sb"
    PATTERNS = (r"\*|" + ENTRY_ID, r"[01]")  # "*" is everything
    topic: str
    subscribe: bool


@dataclass(frozen=True)
class TimelinePage(CallbackData):
    ACTION = "tp"
    PATTERNS = (PAGE,)
    page: int


@dataclass(frozen=True)
class TimelineEntry(CallbackData):
    """An event opened from a timeline page, with a way back to that page."""

    ACTION = "te"
    PATTERNS = (PAGE, ENTRY_ID)
    page: int
    entry_id: str


@dataclass(frozen=True)
class PlanPoint(CallbackData):
    """A point opened from a plan's page, with a way back to that page."""

    ACTION = "pp"
    PATTERNS = (r"20|28", PAGE, ENTRY_ID)
    plan: int
    page: int
    entry_id: str


@dataclass(frozen=True)
class AnswerView(CallbackData):
    """More (positions and details) or less of an answer, in the language it was given in, with
    the yes or no its question got (`verdict`: the entry's curated verdict is shown again)."""

    ACTION = "m"
    PATTERNS = (ENTRY_ID, r"[01]", r"[01]", r"en|de|uk|ru")
    entry_id: str
    more: bool
    verdict: bool
    language: str


ACTIONS: dict[str, type[CallbackData]] = {
    cls.ACTION: cls
    for cls in (
        OpenEntry,
        EntrySources,
        RelatedEntries,
        TopicList,
        TopicPage,
        PlanPage,
        Comparison,
        ChooseLanguage,
        ToggleSubscription,
        TimelinePage,
        TimelineEntry,
        PlanPoint,
        AnswerView,
    )
}


def decode(data: str | None) -> CallbackData | None:
    """The callback, or None for anything stale, forged or malformed."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    version, _, rest = data.partition("|")
    action, _, args = rest.partition("|")
    kind = ACTIONS.get(action)
    if version != VERSION or kind is None:
        return None
    return kind.parse(args.split("|") if args else [])


def pattern_for(*kinds: type[CallbackData]) -> re.Pattern[str]:
    """The CallbackQueryHandler pattern for these actions (of this version)."""
    actions = "|".join(re.escape(k.ACTION) for k in kinds)
    return re.compile(rf"^{re.escape(VERSION)}\|({actions})\|")


@dataclass(frozen=True)
class ChangeSetting(CallbackData):
    """A button of /settings: one setting and the value pressing it gives (or a page to show),
    for the chat the message is in (chat 0) or a channel set from a private chat.

    The value is checked again by the handler against what the setting allows (a known
    language, an hour 0-23, an index of COMMON_ZONES), and the channel's administrators are
    asked again at every press: a forged button changes nothing.
    """

    ACTION = "st"
    PATTERNS = (r"lang|mode|sound|hour|zone|page", r"[a-z0-9]{1,10}", r"0|-100\d{5,15}")
    name: str
    value: str
    chat: int = 0


ACTIONS[ChangeSetting.ACTION] = ChangeSetting
