"""Ways into the base without a question: plans point by point, comparisons, the timeline, the
publishers cited, and topics found by id or by title in any of the four languages."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz, process

from knowledge import patterns
from knowledge.answer import Engine
from knowledge.loader import KnowledgeBase
from knowledge.normalize import normalize
from knowledge.schema import EVERYTHING, Entry, Kind

PLANS = ("20", "28")  # the December 20-point plan and the November 28-point draft
COMPARISON_HINT = "compare"  # added to the user's words so the search leans to comparison entries
COMPARISON_TITLE_MATCH = 70  # rapidfuzz token_set_ratio a comparison's title must reach otherwise
Item = TypeVar("Item")
ALL_WORDS = frozenset({"all", "everything", "*", "alles", "усе", "все", "всё"})


def plan_named(words: list[str]) -> str:
    """Which plan command words ask for: the 28-point draft when they say 28 or November."""
    return "28" if any("28" in w or "nov" in w.lower() for w in words) else "20"


def plan_entries(base: KnowledgeBase, plan: str) -> list[Entry]:
    """The points of a plan in file order: the plan first, then its points, then the rest."""
    in_plan = [
        e
        for e in base.entries.values()
        if f"plan-{plan}" in e.topics and e.kind not in (Kind.comparison, Kind.event)
    ]
    return sorted(in_plan, key=lambda e: (e.kind is not Kind.plan, e.kind is not Kind.plan_point))


def comparisons(base: KnowledgeBase) -> list[Entry]:
    return [e for e in base.entries.values() if e.kind is Kind.comparison]


def find_comparison(engine: Engine, words: str) -> Entry | None:
    """The comparison that best fits the words: by the search first, else by its titles."""
    entries = engine.base.entries
    ranked = [
        c
        for c in engine.candidates(f"{words} {COMPARISON_HINT}", limit=10)
        if entries[c.entry_id].kind is Kind.comparison
    ]
    if ranked and ranked[0].relevance >= engine.thresholds.suggest:
        return entries[ranked[0].entry_id]
    titles = {
        e.id: normalize(
            " ".join(filter(None, (e.title.en, e.title.de, e.title.uk, e.title.ru)))
            + " "
            + e.id.replace("-", " ")
        )
        for e in comparisons(engine.base)
    }
    best = process.extractOne(
        normalize(words), titles, scorer=fuzz.token_set_ratio, processor=None
    )
    return entries[best[2]] if best and best[1] >= COMPARISON_TITLE_MATCH else None


# --- the plans, point by point ------------------------------------------------------------------

# "Point 4: ...", "Points 8-9: ..." (English titles): the numbered points of a plan.
POINT_NUMBERS = patterns.compile(r"^Points? (\d+)(?:\s*[-\u2013]\s*(\d+))?:")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class PlanLine:
    """One point of a plan on one line: "4", "8–9" for numbered points, "A", "B" for clauses
    outside the numbering (a dropped clause, the demilitarized zone)."""

    entry: Entry
    label: str
    numbered: bool
    prefixed: (
        bool  # the title starts with what the page says already: "Point 4:", "28-point draft:"
    )

    def text(self, language: str) -> str:
        """The title in `language` without a prefix the label or the page heading says."""
        title = self.entry.title.get(language)
        if self.prefixed and ": " in title:
            title = title.split(": ", 1)[1]
        return capitalized(title)


def plan_overview(base: KnowledgeBase, plan: str) -> Entry | None:
    """The plan's own entry (the first entry of kind plan in its topic)."""
    return next((e for e in plan_entries(base, plan) if e.kind is Kind.plan), None)


def plan_lines(base: KnowledgeBase, plan: str) -> list[PlanLine]:
    """The points of a plan: the numbered ones in the plan's order, then the others, lettered."""
    points = [e for e in plan_entries(base, plan) if e.kind is Kind.plan_point]
    numbered: list[tuple[int, PlanLine]] = []
    others: list[Entry] = []
    for entry in points:
        match = POINT_NUMBERS.match(entry.title.en)
        if match is None:
            others.append(entry)
            continue
        first, last = match.group(1), match.group(2)
        label = f"{first}\u2013{last}" if last else first
        numbered.append((int(first), PlanLine(entry, label, numbered=True, prefixed=True)))
    lines = [line for _, line in sorted(numbered, key=lambda pair: pair[0])]
    # "28-point draft: Crimea...", "28-point draft: G8 return...": a prefix they all share.
    heads = {e.title.en.split(": ", 1)[0] for e in others if ": " in e.title.en}
    shared = len(others) > 1 and len(heads) == 1 and all(": " in e.title.en for e in others)
    lines += [
        PlanLine(e, _letters(i), numbered=False, prefixed=shared) for i, e in enumerate(others)
    ]
    return lines


def plan_pages(lines: list[PlanLine], per_page: int) -> list[list[PlanLine]]:
    """The numbered points on the first page(s), the lettered ones on the next: a page never mixes
    the two, so "all 20 points" is one page when they fit."""
    numbered = [line for line in lines if line.numbered]
    lettered = [line for line in lines if not line.numbered]
    return [*_chunks(numbered, per_page), *_chunks(lettered, per_page)] or [[]]


def _letters(index: int) -> str:
    """A, B, ... Z, AA, AB, ...: labels for the points outside the numbering."""
    head, tail = divmod(index, len(LETTERS))
    return (_letters(head - 1) if head else "") + LETTERS[tail]


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the timeline --------------------------------------------------------------------------------

TIMELINE_PREFIX = "tl-"  # the timeline's own entries (comparisons_timeline.yaml): one per event
TIMELINE_TOPIC = "timeline"  # every timeline entry has it, so it says nothing about which event
# "15 Aug 2025: Trump-Putin summit" and "... (21 November 2025)": a date the timeline shows anyway.
DATE_PREFIX = patterns.compile(r"^[^:]{0,30}\d[^:]{0,30}: ")
DATE_SUFFIX = patterns.compile(r"\s*\([^()]*\d[^()]*\)$")


@dataclass(frozen=True)
class TimelineEvent:
    """One event, once: the entry that tells it, and the other entries about the same event."""

    date: dt.date
    entry: Entry
    same_event: tuple[str, ...] = ()  # ids of the entries folded into this one

    def title(self, language: str) -> str:
        """The entry's title without the date the timeline line shows beside it."""
        title = self.entry.title.get(language)
        title = DATE_SUFFIX.sub("", DATE_PREFIX.sub("", title, count=1)) or title
        return capitalized(title)


def timeline_events(base: KnowledgeBase) -> list[TimelineEvent]:
    """Dated events, oldest first, each event once.

    The base tells some events several times: a timeline entry (`tl-*`) and position or fact
    entries of kind event about the same day ("Mar-a-Lago" three times). One event is a timeline
    entry together with the other events of the same date that share a topic with it (apart from
    `timeline`); an event no timeline entry tells is shown on its own. Two events of one day that
    are different happenings (the EU loan and Putin's press conference, 19 Dec 2025) share no
    topic and stay apart.
    """
    order = {entry_id: index for index, entry_id in enumerate(base.entries)}
    by_date: dict[dt.date, list[Entry]] = {}
    for entry in base.entries.values():
        if entry.kind is Kind.event and entry.event_date is not None:
            by_date.setdefault(entry.event_date, []).append(entry)
    events: list[TimelineEvent] = []
    for date in sorted(by_date):
        entries = by_date[date]
        told = [e for e in entries if e.id.startswith(TIMELINE_PREFIX)]
        folded: dict[str, list[str]] = {e.id: [] for e in told}
        alone: list[Entry] = []
        for entry in entries:
            if entry.id.startswith(TIMELINE_PREFIX):
                continue
            teller = _same_event(entry, told)
            if teller is None:
                alone.append(entry)
            else:
                folded[teller.id].append(entry.id)
        kept = [TimelineEvent(date, e, tuple(folded[e.id])) for e in told]
        kept += [TimelineEvent(date, e) for e in alone]
        events += sorted(kept, key=lambda event: order[event.entry.id])
    return events


def _same_event(entry: Entry, told: list[Entry]) -> Entry | None:
    """The timeline entry of the day sharing the most topics with `entry`, if any shares one."""
    own = set(entry.topics) - {TIMELINE_TOPIC}
    shared = [(len(own & set(t.topics)), index, t) for index, t in enumerate(told)]
    best = max(shared, key=lambda s: (s[0], -s[1]), default=None)
    return best[2] if best is not None and best[0] > 0 else None


@dataclass(frozen=True)
class TimelinePeriod:
    """The events of one period: a run of whole months, or part of one too full for a page."""

    first: dt.date  # the first event's date
    last: dt.date  # the last event's date
    events: tuple[TimelineEvent, ...]
    start: int  # the number of the first event on the whole timeline, from 1


def timeline_periods(events: list[TimelineEvent], per_page: int) -> list[TimelinePeriod]:
    """Pages of whole months, oldest first, each at most `per_page` events: months are joined while
    they fit; a month with more events than a page starts a page and is split."""
    months: list[list[TimelineEvent]] = []
    for event in events:
        if months and (months[-1][0].date.year, months[-1][0].date.month) == (
            event.date.year,
            event.date.month,
        ):
            months[-1].append(event)
        else:
            months.append([event])
    groups: list[list[TimelineEvent]] = []
    for month in months:
        for part in _chunks(month, per_page):
            if groups and len(groups[-1]) + len(part) <= per_page:
                groups[-1] += part
            else:
                groups.append(list(part))
    pages: list[TimelinePeriod] = []
    start = 1
    for group in groups:
        pages.append(TimelinePeriod(group[0].date, group[-1].date, tuple(group), start))
        start += len(group)
    return pages


def _chunks(items: list[Item], size: int) -> list[list[Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass(frozen=True)
class Citations:
    sources: int  # distinct sources cited
    by_publisher: list[tuple[str, int]]  # citations per publisher, most cited first
    relays: frozenset[str] = frozenset()  # publishers cited only through weak relays


def citations(base: KnowledgeBase) -> Citations:
    cited = Counter(s for e in base.entries.values() for s in e.sources)
    by_publisher: Counter[str] = Counter()
    for source_id, count in cited.items():
        by_publisher[base.sources[source_id].publisher] += count
    relays = frozenset(by_publisher) - {
        base.sources[s].publisher for s in cited if not base.sources[s].relay
    }
    return Citations(len(cited), by_publisher.most_common(), relays)


def find_topics(base: KnowledgeBase, words: list[str]) -> tuple[set[str], list[str]]:
    """Topic ids from command words, each an id, a title in any language, a word of exactly one
    topic's titles ("nato", "donbas", "sanctions", "НАТО") or "all".

    Returns (found, unknown).

    The whole phrase is tried as one title first ("/subscribe Zaporizhzhia nuclear plant")."""
    titles = {
        title.casefold(): topic.id
        for topic in base.topics.values()
        for title in topic.title.values()
    }
    phrase = " ".join(words).casefold().strip()
    if phrase in titles:
        return {titles[phrase]}, []
    found: set[str] = set()
    unknown: list[str] = []
    for word in words:
        key = word.casefold().strip(",")
        if key in ALL_WORDS:
            found.add(EVERYTHING)
        elif key in base.topics:
            found.add(key)
        elif key in titles:
            found.add(titles[key])
        elif (topic := topic_of_word(base, key)) is not None:
            found.add(topic)
        elif key:
            unknown.append(word)
    return found, unknown


# A word names a topic when it is a word of that topic's titles, or the start of one (4+ letters:
# "sanction", "terr"); shorter words ("us", "и") are too often something else.
TITLE_WORD_MIN = 3
PREFIX_MIN = 4


def topic_of_word(base: KnowledgeBase, key: str) -> str | None:
    """The one topic whose titles have `key` as a word (or a word starting with it); None when
    none or several do ("position" is in four)."""
    if len(key) < TITLE_WORD_MIN:
        return None
    matches = {
        topic.id
        for topic in base.topics.values()
        for title in topic.title.values()
        for token in re.findall(r"\w+", title.casefold())
        if token == key or (len(key) >= PREFIX_MIN and token.startswith(key))
    }
    return matches.pop() if len(matches) == 1 else None
