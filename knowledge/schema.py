"""The shape of the curated knowledge base: frozen pydantic models, unknown fields rejected."""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from knowledge import patterns

LANGUAGES = ("en", "de", "uk", "ru")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,47}$"

# A claim marker in an answer's text: "[2]" cites the entry's second source (sources in order).
MARKER = patterns.compile(r"\[(\d{1,2})\]")

Id = Annotated[str, Field(pattern=ID_PATTERN)]
Text = Annotated[str, Field(min_length=1)]
Phrasing = Annotated[str, Field(min_length=2, max_length=200)]


def _partial_date(value: str) -> str:
    """A date that may be only as precise as the source: YYYY, YYYY-MM or YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise ValueError("expected YYYY, YYYY-MM or YYYY-MM-DD")
    parts = [int(p) for p in value.split("-")] + [1, 1]
    dt.date(parts[0], parts[1], parts[2])  # raises ValueError on a month or day out of range
    return value


PartialDate = Annotated[str, AfterValidator(_partial_date)]


_UNSAFE_IN_ADDRESS = patterns.compile(r'[\s\x00-\x1f<>"]')


def _web_address(value: str) -> str:
    """An http(s) address with a host and nothing a link could break on, kept as written.
    Not pydantic's AnyHttpUrl: importing it cost 18-20 ms of every `ask` (a sixth of its own
    work), and the base's 115 addresses read the same either way."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// address with a host")
    if _UNSAFE_IN_ADDRESS.search(value):
        raise ValueError("an address has no spaces, control characters, quotes or angle brackets")
    return value


WebAddress = Annotated[str, AfterValidator(_web_address)]


def cited_numbers(text: str) -> list[int]:
    """The source numbers a text's [n] markers cite, in order of first mention."""
    return list(dict.fromkeys(int(n) for n in MARKER.findall(text)))


def without_markers(text: str) -> str:
    """The text with its [n] markers taken out (for matching questions against it)."""
    return re.sub(r"\s*" + MARKER.pattern, "", text)


class Frozen(BaseModel):
    # defer_build: a model's validator is built when it first validates, not on import. A base
    # read back from its saved copy is rebuilt without validating (`rebuilt`), so an `ask` never
    # builds them: 30 ms of every `ask` (knowledge.schema's import, 90 -> 58 ms, 4 runs each).
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True
    )


class Language(str, Enum):
    en = "en"
    de = "de"
    uk = "uk"
    ru = "ru"


class Localized(Frozen):
    """A text in English, with German, Ukrainian and Russian translations where written.

    A plain string in the YAML is the English text alone (kb check then reports the missing
    translations)."""

    en: Text
    de: str | None = None
    uk: str | None = None
    ru: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _english_only(cls, value: object) -> object:
        return {"en": value} if isinstance(value, str) else value

    def in_language(self, language: str) -> tuple[str, str]:
        """The text in `language` if written, else English; with the language actually used."""
        text = getattr(self, language, None) if language in LANGUAGES else None
        return (text, language) if text else (self.en, "en")

    def get(self, language: str) -> str:
        """The text in `language`, or English where no translation is written."""
        return self.in_language(language)[0]

    def missing(self) -> list[str]:
        """The languages without a translation."""
        return [language for language in LANGUAGES[1:] if not getattr(self, language)]


class Source(Frozen):
    """A publication an entry cites."""

    id: Id
    publisher: Text
    title: Text
    url: WebAddress
    published: dt.date | None = None
    date_note: str | None = Field(
        default=None, description="Why there is no publication date, e.g. 'not shown on the page'."
    )
    event_date: PartialDate | None = Field(
        default=None,
        description="When there is no publication date: the date of the event covered.",
    )
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "en"
    reliability: Localized | None = Field(
        default=None,
        description="How far to trust it, per language (a plain string is the English alone).",
    )
    relay: bool = Field(
        default=False,
        description="A weak relay: a mirror, an aggregator or a republished copy of another "
        "publisher's report (labelled wherever the source is shown).",
    )

    @model_validator(mode="after")
    def _dated(self) -> Source:
        if self.published is None and not (self.date_note and self.event_date):
            raise ValueError(
                "a source without 'published' needs both 'date_note' and 'event_date'"
            )
        return self

    def translatable(self) -> dict[str, Localized]:
        """Every text of the source shown to readers in their language, by field name (its
        publisher and title stay as published)."""
        return {} if self.reliability is None else {"reliability": self.reliability}

    @property
    def when(self) -> str:
        """The ISO publication date, else the (partial) date of the event it covers."""
        return self.published.isoformat() if self.published else (self.event_date or "")

    @property
    def date_label(self) -> str:
        """The date as a reader should see it."""
        if self.published is not None:
            return self.published.isoformat()
        return f"{self.event_date} (date not shown)"


EVERYTHING = "*"
"""The topic of an "everything" subscription: every topic, present and future."""


class Topic(Frozen):
    """A subject chats can browse and subscribe to; titles per language."""

    id: Id
    title: dict[Language, Text]

    def title_in(self, language: str) -> str:
        """The title in `language`, or English where none is written."""
        chosen = Language(language) if language in LANGUAGES else Language.en
        return self.title.get(chosen) or self.title[Language.en]

    @model_validator(mode="after")
    def _english_title(self) -> Topic:
        if Language.en not in self.title:
            raise ValueError("title needs an 'en' text")
        return self


class Kind(str, Enum):
    plan_point = "plan_point"
    plan = "plan"
    position = "position"
    fact = "fact"
    analysis = "analysis"
    background = "background"
    person = "person"
    comparison = "comparison"
    event = "event"
    disambiguation = "disambiguation"


class Party(str, Enum):
    """Who a position belongs to: the four parties, or one of the plans for plan-vs-plan
    comparisons."""

    ukraine = "ukraine"
    russia = "russia"
    united_states = "united_states"
    europe = "europe"
    plan_28 = "plan_28"
    plan_20 = "plan_20"
    european_plan = "european_plan"


class Phrasings(Frozen):
    """How people ask for this entry, per language."""

    en: list[Phrasing] = Field(min_length=6)
    de: list[Phrasing] = Field(min_length=2)
    uk: list[Phrasing] = Field(min_length=2)
    ru: list[Phrasing] = Field(min_length=2)

    def by_language(self) -> dict[str, list[str]]:
        return {"en": self.en, "de": self.de, "uk": self.uk, "ru": self.ru}


class YesNo(str, Enum):
    yes = "yes"
    no = "no"


class VerdictQuestions(Frozen):
    """The yes/no questions a verdict settles, as people ask them, per language."""

    en: list[Phrasing] = Field(min_length=1)
    de: list[Phrasing] = Field(min_length=1)
    uk: list[Phrasing] = Field(min_length=1)
    ru: list[Phrasing] = Field(min_length=1)

    def all(self) -> list[str]:
        return [*self.en, *self.de, *self.uk, *self.ru]


class Verdict(Frozen):
    """A yes or no the entry's sources settle, for the questions written here only: the bot never
    says yes or no to a question that is not one of them (nor closely the same)."""

    answer: YesNo
    questions: VerdictQuestions
    because: Localized = Field(description="Why, in one sentence (shown after the yes or no).")

    @field_validator("answer", mode="before")
    @classmethod
    def _yaml_boolean(cls, value: object) -> object:
        """YAML 1.1 reads an unquoted yes or no as a boolean: take it as meant."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


class Entry(Frozen):
    """One thing the bot can answer."""

    id: Id
    title: Localized
    kind: Kind
    topics: list[Id] = Field(min_length=1)
    phrasings: Phrasings
    answer: Localized
    details: Localized | None = None
    positions: dict[Party, Localized] = Field(default_factory=dict)
    sources: list[Id] = Field(min_length=1)
    as_of: dt.date
    event_date: dt.date | None = Field(
        default=None, description="For timeline events: when it happened."
    )
    related: list[Id] = Field(default_factory=list)
    disagreement: Localized | None = Field(
        default=None,
        description="Where sources differ: both claims, each with publisher and date.",
    )
    verdict: Verdict | None = None

    @model_validator(mode="after")
    def _comparison_has_positions(self) -> Entry:
        if self.kind is Kind.comparison and len(self.positions) < 2:
            raise ValueError("a comparison entry needs at least two positions")
        if self.kind is Kind.event and self.event_date is None:
            raise ValueError("an event entry needs an event_date")
        return self

    def translatable(self) -> dict[str, Localized]:
        """Every text shown to readers, by field name (positions as positions.PARTY)."""
        fields = {"title": self.title, "answer": self.answer}
        if self.details is not None:
            fields["details"] = self.details
        if self.disagreement is not None:
            fields["disagreement"] = self.disagreement
        fields.update({f"positions.{party.value}": view for party, view in self.positions.items()})
        if self.verdict is not None:
            fields["verdict.because"] = self.verdict.because
        return fields


class OffTopic(Frozen):
    """Questions the base deliberately leaves unanswered, per language: what "outside" looks like.

    They are never answered; the closer a question comes to them in meaning, the less likely it is
    within the base (one piece of evidence among several, weighed by knowledge.scoring)."""

    en: list[Phrasing] = Field(default_factory=list)
    de: list[Phrasing] = Field(default_factory=list)
    uk: list[Phrasing] = Field(default_factory=list)
    ru: list[Phrasing] = Field(default_factory=list)

    def texts(self) -> list[str]:
        return [*self.en, *self.de, *self.uk, *self.ru]


Model = TypeVar("Model", bound=BaseModel)
Convert = Callable[[Any], Any]


def rebuilt(model: type[Model], data: Mapping[str, Any]) -> Model:
    """The model that `model_dump(mode="json")` gave `data` for, made again without validating:
    for data this code validated and saved itself (knowledge.saved_index), never for input."""
    plan = _plans.get(model)
    if plan is None:
        plan = _plans[model] = {
            name: _converter(field.annotation) for name, field in model.model_fields.items()
        }
    return model.model_construct(
        **{
            name: value if value is None or (convert := plan[name]) is None else convert(value)
            for name, value in data.items()
        }
    )


_plans: dict[type[BaseModel], dict[str, Convert | None]] = {}


def _converter(kind: Any) -> Convert | None:
    """How a JSON value becomes what the annotation `kind` holds (models, enums and dates made
    again), or None where it is that already (texts, numbers, lists and maps of them)."""
    origin = get_origin(kind)
    if origin is Annotated:
        return _converter(get_args(kind)[0])
    if origin in (Union, types.UnionType):  # X | None; rebuilt passes a None by
        return _converter(next(a for a in get_args(kind) if a is not type(None)))
    if origin is list:
        item = _converter(get_args(kind)[0])
        return None if item is None else functools.partial(_each, item)
    if origin is dict:
        key, value = (_converter(a) for a in get_args(kind))
        if key is None and value is None:
            return None
        return functools.partial(_mapped, key or _same, value or _same)
    if isinstance(kind, type):
        if issubclass(kind, BaseModel):
            return functools.partial(rebuilt, kind)
        if issubclass(kind, Enum):
            return kind
        if kind is dt.date:
            return dt.date.fromisoformat
    return None


def _same(value: Any) -> Any:
    return value


def _each(item: Convert, values: list[Any]) -> list[Any]:
    return [item(v) for v in values]


def _mapped(key: Convert, value: Convert, values: dict[Any, Any]) -> dict[Any, Any]:
    return {key(k): value(v) for k, v in values.items()}
