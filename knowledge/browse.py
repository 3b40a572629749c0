"""Ways into the base without a question: plans point by point, comparisons, the timeline, the
publishers cited, and topics found by id or by title in any of the four languages."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.answer import Engine
from knowledge.loader import KnowledgeBase
from knowledge.normalize import normalize
from knowledge.schema import EVERYTHING, Entry, Kind

PLANS = ("20", "28")  # the December 20-point plan and the November 28-point draft
COMPARISON_HINT = "compare"  # added to the user's words so the search leans to comparison entries
COMPARISON_TITLE_MATCH = 70  # rapidfuzz token_set_ratio a comparison's title must reach otherwise
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
            " ".join(filter(None, e.title.model_dump().values())) + " " + e.id.replace("-", " ")
        )
        for e in comparisons(engine.base)
    }
    best = process.extractOne(
        normalize(words), titles, scorer=fuzz.token_set_ratio, processor=None
    )
    return entries[best[2]] if best and best[1] >= COMPARISON_TITLE_MATCH else None


def timeline(base: KnowledgeBase) -> list[Entry]:
    """Dated events, oldest first."""
    return sorted(
        (e for e in base.entries.values() if e.kind is Kind.event and e.event_date is not None),
        key=lambda e: e.event_date or dt.date.min,
    )


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
