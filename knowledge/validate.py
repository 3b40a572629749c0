"""Checks a knowledge base as a whole: cross-references, duplicates, lengths, confusable
phrasings."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.loader import (
    OFF_TOPIC_FILE,
    Files,
    KnowledgeBase,
    KnowledgeError,
    Problem,
    RawBase,
    bundled_dir,
    read_base,
)
from knowledge.normalize import normalize
from knowledge.schema import LANGUAGES, Entry, Source, Topic, cited_numbers
from knowledge.yesno import asks_yes_or_no, verdict_for

# Two phrasings of different entries this alike (token_sort_ratio on normalised text) leave the
# matcher nothing to tell them apart by.
CONFUSABLE_AT = 96.0
OFF_TOPIC = -1
# An answer is a summary that fits a phone screen with its title, date and source line: at most
# this many characters (positions and details, behind More, are not counted).
SUMMARY_LIMIT = 600
# Words of a source's publisher or reliability note that make it a weak relay (a mirror, an
# aggregator, a republished copy): such a source must say `relay: true`, so it is labelled.
RELAY_WORDS = re.compile(
    r"\b(cop(y|ies)|mirror|aggregat\w*|relay\w*|repost\w*|republish\w*)\b", re.I
)

Measure = Callable[[KnowledgeBase, Entry, str], int]


def check_base(
    source: Path | Files | None = None,
    measure: Measure | None = None,
    limit: int = 4096,
    confusable: bool = True,
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Everything wrong with the base in `source`: a directory (the bundled one by default) or
    the texts of its files (a published bundle).

    `confusable` compares every phrasing with every other (about a second for the shipped base)
    and requires every text in all four languages: `kb check` and publishing check both; loading
    at start-up, where the base was checked, does not (a missing translation falls back to
    English).
    """
    raw = read_base(bundled_dir() if source is None else source)
    problems = list(raw.problems)
    base = _cross_check(raw, problems)
    _check_markers(raw, problems)
    _check_verdicts(raw, problems)
    _check_relays(raw, problems)
    if measure is not None:
        _check_lengths(base, raw, measure, limit, problems)
    if confusable:
        _check_confusable(raw, problems)
        _check_translations(raw, problems)
    problems.sort(key=lambda p: (p.file, p.line))
    return (base if not problems else None), problems


def load_base(
    source: Path | Files | None = None, measure: Measure | None = None, confusable: bool = False
) -> KnowledgeBase:
    """The validated base, or KnowledgeError naming every problem."""
    base, problems = check_base(source, measure, confusable=confusable)
    if base is None:
        raise KnowledgeError(problems)
    return base


def _cross_check(raw: RawBase, problems: list[Problem]) -> KnowledgeBase:
    sources: dict[str, Source] = {}
    topics: dict[str, Topic] = {}
    entries: dict[str, Entry] = {}
    origin: dict[str, str] = {}
    # Each kind's items go to that kind's dict: typed loosely, as the loop takes all three.
    kinds: tuple[tuple[str, list[Any], dict[str, Any]], ...] = (
        ("source", raw.sources, sources),
        ("topic", raw.topics, topics),
        ("entry", raw.entries, entries),
    )
    for kind, items, store in kinds:
        first_seen: dict[str, tuple[str, int]] = {}
        for item, file, line in items:
            if item.id in first_seen:
                other_file, other_line = first_seen[item.id]
                problems.append(
                    Problem(
                        file,
                        line,
                        item.id,
                        "id",
                        f"duplicate {kind} id, first at {other_file}:{other_line}",
                    )
                )
                continue
            first_seen[item.id] = (file, line)
            store[item.id] = item
            if kind == "entry":
                origin[item.id] = file
    for entry, file, line in raw.entries:
        if entries.get(entry.id) is not entry:
            continue
        for field, ids, known in (
            ("sources", entry.sources, sources),
            ("topics", entry.topics, topics),
            ("related", entry.related, entries),
        ):
            for index, ref in enumerate(ids):
                if ref not in known:
                    problems.append(
                        Problem(file, line, entry.id, f"{field}.{index}", f"unknown id '{ref}'")
                    )
        cited = [d for d in (sources[s].published for s in entry.sources if s in sources) if d]
        if cited and max(cited) > entry.as_of:
            problems.append(
                Problem(
                    file,
                    line,
                    entry.id,
                    "as_of",
                    f"{entry.as_of} is older than a cited source ({max(cited)})",
                )
            )
        if entry.id in entry.related:
            problems.append(
                Problem(file, line, entry.id, "related", "an entry cannot be related to itself")
            )
    return KnowledgeBase(sources, topics, entries, origin, raw.off_topic, raw.files)


def _check_lengths(
    base: KnowledgeBase, raw: RawBase, measure: Measure, limit: int, problems: list[Problem]
) -> None:
    known_refs = {e.id for e, _, _ in raw.entries if all(s in base.sources for s in e.sources)}
    for entry, file, line in raw.entries:
        if entry.id not in known_refs or base.entries.get(entry.id) is not entry:
            continue
        for language in LANGUAGES:
            if language != "en" and getattr(entry.answer, language) is None:
                continue
            summary = len(getattr(entry.answer, language))
            if summary > SUMMARY_LIMIT:
                problems.append(
                    Problem(
                        file,
                        line,
                        entry.id,
                        f"answer.{language}",
                        f"{summary} characters, more than a summary's {SUMMARY_LIMIT} "
                        "(nuance belongs in 'details', behind More)",
                    )
                )
            length = measure(base, entry, language)
            if length > limit:
                problems.append(
                    Problem(
                        file,
                        line,
                        entry.id,
                        f"answer.{language}",
                        f"renders to {length} characters, "
                        f"more than one Telegram message ({limit})",
                    )
                )


def _check_markers(raw: RawBase, problems: list[Problem]) -> None:
    """Every [n] marker cites one of the entry's sources (numbered in order from 1)."""
    for entry, file, line in raw.entries:
        count = len(entry.sources)
        for name, localized in entry.translatable().items():
            for language in LANGUAGES:
                text = getattr(localized, language) or ""
                for number in cited_numbers(text):
                    if not 1 <= number <= count:
                        problems.append(
                            Problem(
                                file,
                                line,
                                entry.id,
                                f"{name}.{language}",
                                f"marker [{number}] cites no source: the entry has {count}",
                            )
                        )


def _check_verdicts(raw: RawBase, problems: list[Problem]) -> None:
    """A verdict's questions are yes/no questions of their language that get the verdict."""
    for entry, file, line in raw.entries:
        if entry.verdict is None:
            continue
        for language in LANGUAGES:
            for index, question in enumerate(getattr(entry.verdict.questions, language)):
                field = f"verdict.questions.{language}.{index}"
                if not asks_yes_or_no(question, language):
                    problems.append(
                        Problem(
                            file,
                            line,
                            entry.id,
                            field,
                            f"'{question}' is not a yes/no question by the rules of '{language}'",
                        )
                    )
                elif verdict_for(entry, question, language) is None:
                    problems.append(
                        Problem(
                            file, line, entry.id, field, f"'{question}' does not get the verdict"
                        )
                    )


def _check_relays(raw: RawBase, problems: list[Problem]) -> None:
    """A source its own note calls a copy, mirror or aggregator is marked as a relay."""
    for source, file, line in raw.sources:
        said = f"{source.publisher} {source.reliability or ''}"
        if not source.relay and RELAY_WORDS.search(said):
            problems.append(
                Problem(
                    file,
                    line,
                    source.id,
                    "relay",
                    "publisher or note calls it a copy, mirror, aggregator or relay: "
                    "add 'relay: true'",
                )
            )


def _check_translations(raw: RawBase, problems: list[Problem]) -> None:
    """Every text a reader sees, in every language: a German reader gets no English title."""
    for entry, file, line in raw.entries:
        for name, localized in entry.translatable().items():
            for language in localized.missing():
                problems.append(
                    Problem(file, line, entry.id, f"{name}.{language}", "translation missing")
                )


def _check_confusable(raw: RawBase, problems: list[Problem]) -> None:
    texts: list[str] = []
    owners: list[int] = []  # index into raw.entries; OFF_TOPIC for the off-topic questions
    for index, (entry, _, _) in enumerate(raw.entries):
        verdict = entry.verdict.questions.all() if entry.verdict else []
        for phrasings in [*entry.phrasings.by_language().values(), verdict]:
            for phrasing in phrasings:
                texts.append(normalize(phrasing))
                owners.append(index)
    for phrasing in raw.off_topic.texts():
        texts.append(normalize(phrasing))
        owners.append(OFF_TOPIC)
    if not texts:
        return
    scores = process.cdist(
        texts,
        texts,
        scorer=fuzz.token_sort_ratio,
        processor=None,
        score_cutoff=CONFUSABLE_AT,
        dtype=np.uint8,
        workers=-1,
    )
    rows, cols = np.nonzero(scores)
    reported: set[tuple[int, int, str]] = set()
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        a, b = owners[i], owners[j]
        if a == b or a == OFF_TOPIC or (b != OFF_TOPIC and a > b) or not texts[i]:
            continue  # each pair once, from the side of an entry
        key = (a, b, texts[i])
        if key in reported:
            continue
        reported.add(key)
        entry, file, line = raw.entries[a]
        if b == OFF_TOPIC:
            other = f"an off-topic question ({OFF_TOPIC_FILE})"
        else:
            other_entry, other_file, _ = raw.entries[b]
            other = f"entry '{other_entry.id}' ({other_file})"
        problems.append(
            Problem(
                file,
                line,
                entry.id,
                "phrasings",
                f"phrasing '{texts[i]}' cannot be told apart from '{texts[j]}' of {other}",
            )
        )
