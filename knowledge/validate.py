"""Checks a knowledge base as a whole: cross-references, duplicates, lengths, confusable
phrasings."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from knowledge import patterns
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
RELAY_WORDS = patterns.compile(
    r"\b(cop(y|ies)|mirror|aggregat\w*|relay\w*|repost\w*|republish\w*)\b", re.I
)

Measure = Callable[[KnowledgeBase, Entry, str], int]


def check_base(
    source: Path | Files | None = None,
    measure: Measure | None = None,
    limit: int = 4096,
    confusable: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Everything wrong with the base in `source`: a directory (the bundled one by default) or
    the texts of its files (a published bundle).

    `confusable` finds phrasings too alike to tell apart (near_duplicates: about a second for the
    shipped base) and requires every text in all four languages: `kb check` and publishing check
    both; loading at start-up, where the base was checked, does not (a missing translation falls
    back to English). `progress` hears what each step did as it finishes.
    """
    report = progress or (lambda _line: None)
    raw = read_base(bundled_dir() if source is None else source)
    report(f"read {len(raw.files)} files, {len(raw.entries)} entries")
    problems = list(raw.problems)
    base = _cross_check(raw, problems)
    _check_markers(raw, problems)
    _check_verdicts(raw, problems)
    _check_openings(raw, problems)
    _check_relays(raw, problems)
    if measure is not None:
        _check_lengths(base, raw, measure, limit, problems)
        report("measured the rendered answers")
    if confusable:
        compared = _check_confusable(raw, problems)
        report(f"compared {compared} phrasings for ones too alike to tell apart")
        _check_translations(raw, problems)
    problems.sort(key=lambda p: (p.file, p.line))
    return (base if not problems else None), problems


def load_base(
    source: Path | Files | None = None,
    measure: Measure | None = None,
    confusable: bool = False,
    progress: Callable[[str], None] | None = None,
) -> KnowledgeBase:
    """The validated base, or KnowledgeError naming every problem."""
    base, problems = check_base(source, measure, confusable=confusable, progress=progress)
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


# A bare yes or no opening an answer ("Yes, ...", "Nein.", "Так,"): every question gets it, "how
# many ...?" too. A yes/no question the entry settles gets its `verdict` instead.
_BARE_YES_NO = patterns.compile(r"(?:yes|no|ja|nein|так|ні|да|нет)\s*[.,!:;]", re.IGNORECASE)


def _check_openings(raw: RawBase, problems: list[Problem]) -> None:
    """No answer opens with a bare yes or no (_BARE_YES_NO)."""
    for entry, file, line in raw.entries:
        for language in LANGUAGES:
            if _BARE_YES_NO.match(getattr(entry.answer, language) or ""):
                problems.append(
                    Problem(
                        file,
                        line,
                        entry.id,
                        f"answer.{language}",
                        "opens with a bare yes or no, which every question would get: "
                        "say it in the entry's verdict",
                    )
                )


def _check_relays(raw: RawBase, problems: list[Problem]) -> None:
    """A source its own note calls a copy, mirror or aggregator is marked as a relay."""
    for source, file, line in raw.sources:
        said = f"{source.publisher} {source.reliability.en if source.reliability else ''}"
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
    """Every text a reader sees, in every language: a German reader gets no English title, nor
    an English note on a source."""
    items: list[tuple[Entry | Source, str, int]] = [*raw.entries, *raw.sources]
    for item, file, line in items:
        for name, localized in item.translatable().items():
            for language in localized.missing():
                problems.append(
                    Problem(file, line, item.id, f"{name}.{language}", "translation missing")
                )


def _check_confusable(raw: RawBase, problems: list[Problem]) -> int:
    """Reports phrasings of different entries too alike to tell apart; returns how many phrasings
    it compared."""
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
    found = near_duplicates(texts, CONFUSABLE_AT, groups=owners)
    # Both ways round, in the order of the all-pairs matrix this lint once scanned: the same
    # lines, in the same order, as comparing every phrasing with every other.
    ordered = sorted({pair for i, j in found for pair in ((i, j), (j, i))})
    reported: set[tuple[int, int, str]] = set()
    for i, j in ordered:
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
    return len(texts)


GRAM = 3  # characters per gram of the near-duplicate search


def near_duplicates(
    texts: Sequence[str], cutoff: float, groups: Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """Every pair (i < j) of non-empty texts whose token sort ratio is at least `cutoff`, and
    (with `groups`) whose groups differ: the pairs an all-pairs comparison finds, at a cost that
    follows the near pairs rather than the square of the number of texts.

    Exact, not approximate. Token sort ratio is the Indel similarity of the texts' sorted words:
    at `cutoff` c two strings of lengths la and lb differ by at most d <= (1 - c/100)(la + lb)
    insertions and deletions, so their lengths are close, and (the q-gram lemma) they share at
    least max(la, lb) - q + 1 - q*d of their q-grams. With the grams of every text in one order,
    rarest first, two texts sharing at least t_a and t_b grams share one of the first n_a - t_a + 1
    grams of the one and the first n_b - t_b + 1 of the other (their prefixes): only texts whose
    prefixes meet are compared. Texts too short for the bound (t <= 0) are compared with every
    text of a length they could match.
    """
    slack = (100.0 - cutoff) / 100.0  # the share of the combined length that may differ
    if not 0.0 <= slack < 1.0:
        raise ValueError(f"cutoff {cutoff} is not in (0, 100]")
    spread = (1 + slack) / (1 - slack)  # how much longer a match can be
    keys = [" ".join(sorted(text.split())) for text in texts]
    lengths = np.array([len(k) for k in keys], dtype=np.int64)
    # The most a text can differ from any match, and the grams it must share with it.
    most_apart = np.floor(slack * lengths * (1 + spread) + 1e-6).astype(np.int64)
    needed = lengths - GRAM + 1 - GRAM * most_apart
    gram_ids: dict[tuple[str, int], int] = {}
    doc_grams: list[list[int]] = []
    for key in keys:
        seen: dict[str, int] = {}
        grams = []
        for start in range(len(key) - GRAM + 1):
            gram = key[start : start + GRAM]
            seen[gram] = seen.get(gram, 0) + 1  # the n-th repeat is a gram of its own
            grams.append(gram_ids.setdefault((gram, seen[gram]), len(gram_ids)))
        doc_grams.append(grams)
    frequency = np.bincount(
        np.fromiter((g for grams in doc_grams for g in grams), dtype=np.int64),
        minlength=len(gram_ids),
    )
    rank = np.empty(len(gram_ids), dtype=np.int64)  # rarest first, ties by id
    rank[np.lexsort((np.arange(len(gram_ids)), frequency))] = np.arange(len(gram_ids))
    prefix_gram: list[np.ndarray] = []
    prefix_doc: list[np.ndarray] = []
    short: list[int] = []
    for doc, grams in enumerate(doc_grams):
        if not keys[doc]:
            continue
        if needed[doc] <= 0:
            short.append(doc)
            continue
        ranks = np.sort(rank[grams])[: len(grams) - int(needed[doc]) + 1]
        prefix_gram.append(ranks)
        prefix_doc.append(np.full(len(ranks), doc, dtype=np.int64))
    pairs: list[np.ndarray] = []  # a * n + b for each pair of texts to compare, a < b
    n = len(keys)
    if prefix_gram:
        grams_of = np.concatenate(prefix_gram)
        docs_of = np.concatenate(prefix_doc)
        order = np.lexsort((docs_of, grams_of))
        grams_of, docs_of = grams_of[order], docs_of[order]
        cuts = np.flatnonzero(np.diff(grams_of)) + 1
        starts = np.concatenate(([0], cuts))
        sizes = np.diff(np.concatenate((starts, [len(grams_of)])))
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
            first, second = _upper_pairs(size)
            sharing = docs_of[start : start + size]
            pairs.append(sharing[first] * n + sharing[second])
    by_length = np.argsort(lengths, kind="stable")
    sorted_lengths = lengths[by_length]
    for doc in short:  # every text of a length it could match
        low = np.searchsorted(sorted_lengths, lengths[doc] / spread - 1e-6, side="left")
        high = np.searchsorted(sorted_lengths, lengths[doc] * spread + 1e-6, side="right")
        others = by_length[low:high]
        others = others[(others != doc) & (lengths[others] > 0)]
        pairs.append(np.minimum(others, doc) * n + np.maximum(others, doc))
    if not pairs:
        return []
    joined = np.unique(np.concatenate(pairs))
    first, second = joined // n, joined % n
    keep = (
        np.abs(lengths[first] - lengths[second])
        <= slack * (lengths[first] + lengths[second]) + 1e-6
    )
    if groups is not None:
        group_of = np.asarray(groups)
        keep &= group_of[first] != group_of[second]
    found = []
    for a, b in zip(first[keep].tolist(), second[keep].tolist(), strict=True):
        if fuzz.token_sort_ratio(texts[a], texts[b], processor=None, score_cutoff=cutoff):
            found.append((a, b))
    return found


@lru_cache(maxsize=256)
def _upper_pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    """The index pairs (i < j) of `size` items."""
    first, second = np.triu_indices(size, 1)
    return first, second
