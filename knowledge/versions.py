"""Content versions of a knowledge base: a stable hash, per-entry hashes, and what changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(base: KnowledgeBase, entry: Entry) -> str:
    """Changes when the entry or any source it cites changes."""
    cited = [base.sources[s].model_dump(mode="json") for s in entry.sources if s in base.sources]
    return _digest({"entry": entry.model_dump(mode="json"), "sources": cited})[:16]


def entry_hashes(base: KnowledgeBase) -> dict[str, str]:
    return {entry_id: entry_hash(base, entry) for entry_id, entry in base.entries.items()}


def content_version(base: KnowledgeBase) -> str:
    """The same for the same content, whatever the file layout or order.

    The off-topic questions count too: changing them changes what the bot answers, so a running
    bot must pick them up (their publish notifies nobody: no entry changed)."""
    topics = {t.id: t.model_dump(mode="json") for t in base.topics.values()}
    off_topic = base.off_topic.model_dump(mode="json")
    return _digest({"entries": entry_hashes(base), "topics": topics, "off_topic": off_topic})[:12]


class ChangeKind(StrEnum):
    """What happened to an entry between two versions (stored in the outbox as these strings)."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True)
class Change:
    entry_id: str
    title: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Diff:
    added: list[Change]
    changed: list[Change]
    removed: list[Change]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def by_kind(self) -> Iterator[tuple[ChangeKind, list[Change]]]:
        yield ChangeKind.ADDED, self.added
        yield ChangeKind.CHANGED, self.changed
        yield ChangeKind.REMOVED, self.removed

    def topics(self) -> set[str]:
        return {t for c in self.added + self.changed + self.removed for t in c.topics}


def diff_hashes(
    old: dict[str, str], new: dict[str, str], titles: dict[str, tuple[str, tuple[str, ...]]]
) -> Diff:
    """Compares two {entry id: hash} maps; `titles` gives title and topics for each id in
    either."""

    def change(entry_id: str) -> Change:
        title, topics = titles.get(entry_id, (entry_id, ()))
        return Change(entry_id, title, topics)

    return Diff(
        added=[change(i) for i in new if i not in old],
        changed=[change(i) for i in new if i in old and old[i] != new[i]],
        removed=[change(i) for i in old if i not in new],
    )


def describe(*bases: KnowledgeBase) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Title and topics of every entry of the given bases, later bases winning."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for base in bases:
        out.update({e.id: (e.title.en, tuple(e.topics)) for e in base.entries.values()})
    return out


def diff_bases(old: KnowledgeBase, new: KnowledgeBase) -> Diff:
    return diff_hashes(entry_hashes(old), entry_hashes(new), describe(old, new))
