"""The curator's reports, from plain records of what users asked and chose: questions worth
adding as phrasings, unanswered questions clustered, entries confused with each other, and entries
gone stale. No Telegram, no database: the records come in as plain data."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz, process

from knowledge.answer import Answer, Engine, Outcome
from knowledge.loader import KnowledgeBase
from knowledge.normalize import normalize

# Hand-set: two non-answered questions whose content words score this much (the even blend of
# rapidfuzz's token sort and token set ratios, 0-100) are one cluster.
CLUSTER_AT = 75.0
REPHRASE_DEPTH = 3  # hand-set: how far back a chain of rephrasings is followed
EXAMPLES = 3  # example questions shown per cluster and per confused pair
# Hand-set: an entry below this confidence is not "close" to a cluster (nothing in the base is).
CLOSEST_AT = 0.05
PHRASING_MAX = 200  # the longest phrasing knowledge.schema accepts


class Via(str, Enum):
    """How a question came to an entry."""

    did_you_mean = "did_you_mean"  # a "did you mean" button
    related = "related"  # a related entry under the answer
    inline = "inline"  # an inline result chosen after typing the question
    rephrase = "rephrase"  # asked again in other words after a non-answer (reports only)


@dataclass(frozen=True)
class AskedQuestion:
    """A question as stored: no user, no chat."""

    id: int
    text: str
    language: str
    outcome: str  # an Outcome value
    entry_id: str | None = None  # the entry answered (or the note given, e.g. Gaza)
    offered: tuple[str, ...] = ()  # the "did you mean" choices, best first
    rephrase_of: int | None = None

    @property
    def non_answer(self) -> bool:
        """Nothing was answered: "did you mean", or "I don't know" without a note."""
        return self.outcome == Outcome.suggest.value or (
            self.outcome == Outcome.none.value and self.entry_id is None
        )

    @property
    def top(self) -> str | None:
        """The entry the bot put first: the answer, or the first "did you mean" choice."""
        return self.entry_id or (self.offered[0] if self.offered else None)


@dataclass(frozen=True)
class Choice:
    """An entry chosen after a question, as stored."""

    text: str
    language: str
    entry_id: str
    via: Via
    top_entry_id: str | None = None  # what the bot had put first
    question_id: int | None = None


@dataclass(frozen=True)
class Evidence:
    """One sign that `text` asks for `entry_id`."""

    text: str
    language: str
    entry_id: str
    via: Via
    top_entry_id: str | None = None


def tidy(text: str) -> str:
    """A question as a phrasing: whitespace collapsed, ends trimmed."""
    return " ".join(text.split())


def evidence(questions: Iterable[AskedQuestion], choices: Iterable[Choice]) -> list[Evidence]:
    """Every sign of what a question meant: its choices, and the entry that answered (or was
    chosen for) the question that asked it again in other words."""
    by_id = {q.id: q for q in questions}
    out: list[Evidence] = []
    for choice in choices:
        out.append(
            Evidence(
                choice.text, choice.language, choice.entry_id, choice.via, choice.top_entry_id
            )
        )
        asked = by_id.get(choice.question_id) if choice.question_id is not None else None
        if asked is not None and choice.via is not Via.related:
            out += _rephrased(asked, choice.entry_id, by_id)
    for asked in by_id.values():
        if asked.outcome == Outcome.answer.value and asked.entry_id:
            out += _rephrased(asked, asked.entry_id, by_id)
    return out


def _rephrased(
    asked: AskedQuestion, entry_id: str, by_id: dict[int, AskedQuestion]
) -> Iterator[Evidence]:
    """The non-answers `asked` rephrased, each now known to mean `entry_id`."""
    for _ in range(REPHRASE_DEPTH):
        earlier = by_id.get(asked.rephrase_of) if asked.rephrase_of is not None else None
        if earlier is None or not earlier.non_answer:
            return
        yield Evidence(earlier.text, earlier.language, entry_id, Via.rephrase, earlier.top)
        asked = earlier


# --- questions worth adding as phrasings ---------------------------------------------------------


@dataclass
class SuggestedPhrasing:
    text: str
    language: str
    count: int = 0
    via: list[str] = field(default_factory=list)


@dataclass
class EntrySuggestions:
    """The questions worth adding as phrasings of one entry."""

    entry_id: str
    title: str
    file: str
    questions: list[SuggestedPhrasing]

    @property
    def count(self) -> int:
        return sum(q.count for q in self.questions)

    @property
    def languages(self) -> list[str]:
        return sorted({q.language for q in self.questions})


class AnswerCache:
    """engine.ask once per question and language."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._answers: dict[tuple[str, str], Answer] = {}

    def ask(self, text: str, language: str) -> Answer:
        key = (text, language)
        if key not in self._answers:
            self._answers[key] = self.engine.ask(text, language=language)
        return self._answers[key]


def suggested_phrasings(
    engine: Engine,
    signs: Iterable[Evidence],
    answers: AnswerCache | None = None,
    limit: int | None = None,
) -> list[EntrySuggestions]:
    """Per entry, most asked first: the questions that came to it by a choice or a rephrasing and
    that the base does not already answer with it (nor has as a phrasing)."""
    base = engine.base
    answers = answers or AnswerCache(engine)
    grouped: dict[str, dict[tuple[str, str], SuggestedPhrasing]] = defaultdict(dict)
    for sign in signs:
        text = tidy(sign.text)
        if sign.entry_id not in base.entries or not 2 <= len(text) <= PHRASING_MAX:
            continue
        key = (text.casefold(), sign.language)
        found = grouped[sign.entry_id].setdefault(key, SuggestedPhrasing(text, sign.language))
        found.count += 1
        if sign.via.value not in found.via:
            found.via.append(sign.via.value)
    out: list[EntrySuggestions] = []
    for entry_id, found_by_text in grouped.items():
        entry = base.entries[entry_id]
        known = {
            normalize(p) for items in entry.phrasings.by_language().values() for p in items
        } | {p.casefold() for items in entry.phrasings.by_language().values() for p in items}
        worth = []
        for suggestion in sorted(found_by_text.values(), key=lambda s: (-s.count, s.text)):
            if suggestion.text.casefold() in known or normalize(suggestion.text) in known:
                continue
            answer = answers.ask(suggestion.text, suggestion.language)
            if answer.answered and answer.entry_id == entry_id:
                continue
            worth.append(suggestion)
        if worth:
            out.append(
                EntrySuggestions(
                    entry_id, entry.title.get("en"), base.origin.get(entry_id, ""), worth
                )
            )
    out.sort(key=lambda e: (-e.count, e.entry_id))
    return out[:limit] if limit is not None else out


# --- unanswered and "did you mean" questions, clustered ------------------------------------------


@dataclass
class ClusterQuestion:
    text: str
    language: str
    count: int


@dataclass
class Closest:
    entry_id: str
    title: str
    confidence: float


@dataclass
class Cluster:
    """Questions alike in words that the base did not answer."""

    text: str  # the most asked of them
    count: int
    languages: list[str]
    unanswered: int  # "I don't know"
    did_you_mean: int
    questions: list[ClusterQuestion]
    closest: list[Closest]
    chosen: dict[str, int]  # entries users went on to choose, by how often


def similarity(a: str, b: str, **_: Any) -> float:
    """The cluster score of two normalised questions (0-100)."""
    return (fuzz.token_sort_ratio(a, b) + fuzz.token_set_ratio(a, b)) / 2


def clusters(
    engine: Engine,
    questions: Iterable[AskedQuestion],
    signs: Iterable[Evidence] = (),
    limit: int | None = None,
    threshold: float = CLUSTER_AT,
) -> list[Cluster]:
    """The non-answered questions grouped by likeness (most asked first joins first), each group
    with the entries closest to it and the entries its askers chose."""
    counts: dict[str, dict[str, Any]] = {}
    for asked in questions:
        if not asked.non_answer:
            continue
        text = tidy(asked.text)
        item = counts.setdefault(
            text.casefold(),
            {"text": text, "languages": Counter(), "unanswered": 0, "did_you_mean": 0},
        )
        item["languages"][asked.language] += 1
        item["did_you_mean" if asked.outcome == Outcome.suggest.value else "unanswered"] += 1
    resolved: dict[str, Counter[str]] = defaultdict(Counter)
    for sign in signs:
        if sign.via in (Via.did_you_mean, Via.rephrase):
            resolved[tidy(sign.text).casefold()][sign.entry_id] += 1
    order = sorted(
        counts, key=lambda k: (-(counts[k]["unanswered"] + counts[k]["did_you_mean"]), k)
    )
    leaders: list[str] = []  # normalised text of each cluster's first question
    members: list[list[str]] = []
    for key in order:
        norm = normalize(counts[key]["text"]) or key
        best = process.extractOne(
            norm, leaders, scorer=similarity, processor=None, score_cutoff=threshold
        )
        if best is None:
            leaders.append(norm)
            members.append([key])
        else:
            members[best[2]].append(key)

    def asked_times(key: str) -> int:
        return int(counts[key]["unanswered"] + counts[key]["did_you_mean"])

    members.sort(key=lambda group: -sum(asked_times(k) for k in group))  # stable: ties keep order
    out: list[Cluster] = []
    for group in members[:limit] if limit is not None else members:
        first = counts[group[0]]
        languages: Counter[str] = Counter()
        chosen: Counter[str] = Counter()
        for key in group:
            languages.update(counts[key]["languages"])
            chosen.update(resolved.get(key, Counter()))
        language = languages.most_common(1)[0][0]
        closest = [
            Closest(c.entry_id, engine.base.entries[c.entry_id].title.get("en"), c.confidence)
            for c in engine.candidates(first["text"], limit=3)
            if c.confidence >= CLOSEST_AT
        ]
        out.append(
            Cluster(
                text=first["text"],
                count=sum(asked_times(k) for k in group),
                languages=sorted(languages),
                unanswered=sum(counts[k]["unanswered"] for k in group),
                did_you_mean=sum(counts[k]["did_you_mean"] for k in group),
                questions=[
                    ClusterQuestion(
                        counts[k]["text"],
                        counts[k]["languages"].most_common(1)[0][0] or language,
                        asked_times(k),
                    )
                    for k in group
                ],
                closest=closest,
                chosen=dict(chosen.most_common()),
            )
        )
    return out


# --- entries confused with each other ------------------------------------------------------------


@dataclass
class ClosestPhrasing:
    entry_id: str
    phrasing: str
    score: float


@dataclass
class Confusion:
    """Two entries whose phrasings draw the same questions."""

    entries: tuple[str, str]
    titles: tuple[str, str]
    chosen_instead: int  # the bot put one first, the user chose the other
    offered_together: int  # both were "did you mean" choices of one question
    examples: list[str]
    closest: list[ClosestPhrasing]  # per entry, its phrasing closest to the first example


def closest_phrasing(
    base: KnowledgeBase, entry_id: str, question: str, language: str
) -> ClosestPhrasing:
    """The phrasing of the entry most like the question in words, in the question's language."""
    entry = base.entries[entry_id]
    by_language = entry.phrasings.by_language()
    phrasings = by_language.get(language) or [p for items in by_language.values() for p in items]
    found = process.extractOne(
        normalize(question),
        [normalize(p) for p in phrasings],
        scorer=fuzz.token_sort_ratio,
        processor=None,
    )
    if found is None:
        return ClosestPhrasing(entry_id, "", 0.0)
    return ClosestPhrasing(entry_id, phrasings[found[2]], round(float(found[1]), 1))


def confusions(
    base: KnowledgeBase,
    questions: Iterable[AskedQuestion],
    signs: Iterable[Evidence],
    limit: int | None = None,
) -> list[Confusion]:
    """Pairs of entries users mixed up, most often first: the bot put one first and the user
    chose (or, asking again, got) the other; and entries offered together as "did you mean"."""
    instead: Counter[tuple[str, str]] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    languages: dict[tuple[str, str], str] = {}

    def pair(a: str, b: str) -> tuple[str, str]:
        first, second = sorted((a, b))
        return first, second

    for sign in signs:
        top = sign.top_entry_id
        if top and top != sign.entry_id and top in base.entries and sign.entry_id in base.entries:
            key = pair(top, sign.entry_id)
            instead[key] += 1
            if tidy(sign.text) not in examples[key]:
                examples[key].append(tidy(sign.text))
                languages.setdefault(key, sign.language)
    for asked in questions:
        if asked.outcome != Outcome.suggest.value:
            continue
        offered = [e for e in asked.offered if e in base.entries]
        for a, b in combinations(offered, 2):
            key = pair(a, b)
            together[key] += 1
            if tidy(asked.text) not in examples[key]:
                examples[key].append(tidy(asked.text))
                languages.setdefault(key, asked.language)
    keys = sorted(set(instead) | set(together), key=lambda k: (-instead[k], -together[k], k))
    out = []
    for key in keys[:limit] if limit is not None else keys:
        shown = examples[key][:EXAMPLES]
        out.append(
            Confusion(
                entries=key,
                titles=(
                    base.entries[key[0]].title.get("en"),
                    base.entries[key[1]].title.get("en"),
                ),
                chosen_instead=instead[key],
                offered_together=together[key],
                examples=shown,
                closest=[closest_phrasing(base, e, shown[0], languages[key]) for e in key]
                if shown
                else [],
            )
        )
    return out


# --- the whole suggestions report ----------------------------------------------------------------


@dataclass
class Totals:
    questions: int
    answered: int
    did_you_mean: int
    unanswered: int
    choices: int


@dataclass
class SuggestionsReport:
    since_days: float
    totals: Totals
    phrasings: list[EntrySuggestions]
    clusters: list[Cluster]
    confused: list[Confusion]

    def as_json(self) -> dict[str, Any]:
        """The --json form; its `phrasings` list is what `kb learn` reads back."""
        return {
            "since_days": self.since_days,
            "totals": vars(self.totals),
            "phrasings": [
                {
                    "entry_id": e.entry_id,
                    "title": e.title,
                    "file": e.file,
                    "count": e.count,
                    "languages": e.languages,
                    "questions": [vars(q) for q in e.questions],
                }
                for e in self.phrasings
            ],
            "clusters": [
                {
                    "text": c.text,
                    "count": c.count,
                    "languages": c.languages,
                    "unanswered": c.unanswered,
                    "did_you_mean": c.did_you_mean,
                    "questions": [vars(q) for q in c.questions],
                    "closest": [
                        {**vars(e), "confidence": round(e.confidence, 3)} for e in c.closest
                    ],
                    "chosen": c.chosen,
                }
                for c in self.clusters
            ],
            "confused": [
                {
                    "entries": list(c.entries),
                    "titles": list(c.titles),
                    "chosen_instead": c.chosen_instead,
                    "offered_together": c.offered_together,
                    "examples": c.examples,
                    "closest_phrasings": [vars(p) for p in c.closest],
                }
                for c in self.confused
            ],
        }


def suggestions_report(
    engine: Engine,
    questions: list[AskedQuestion],
    choices: list[Choice],
    since_days: float,
    limit: int | None = None,
) -> SuggestionsReport:
    """Everything `report suggestions` prints, `limit` items per section (all when None)."""
    signs = evidence(questions, choices)
    totals = Totals(
        questions=len(questions),
        answered=sum(q.outcome == Outcome.answer.value for q in questions),
        did_you_mean=sum(q.outcome == Outcome.suggest.value for q in questions),
        unanswered=sum(q.outcome == Outcome.none.value and q.entry_id is None for q in questions),
        choices=len(choices),
    )
    return SuggestionsReport(
        since_days=since_days,
        totals=totals,
        phrasings=suggested_phrasings(engine, signs, limit=limit),
        clusters=clusters(engine, questions, signs, limit=limit),
        confused=confusions(engine.base, questions, signs, limit=limit),
    )


# --- stale entries -------------------------------------------------------------------------------


@dataclass
class StaleEntry:
    entry_id: str
    title: str
    as_of: dt.date
    age_days: int
    questions: int  # questions that reached it in the period


@dataclass
class StaleTopic:
    topic_id: str
    title: str
    entries: list[StaleEntry]

    @property
    def questions(self) -> int:
        return sum(e.questions for e in self.entries)


def stale_entries(
    base: KnowledgeBase,
    today: dt.date,
    days: int,
    reached: Counter[str],
    language: str = "en",
) -> list[StaleTopic]:
    """Per topic, the entries whose as_of is more than `days` before `today`, the most read first
    (an entry of two topics is listed under both); topics with the most questions first."""
    cutoff = today - dt.timedelta(days=days)
    out = []
    for topic in base.topics.values():
        entries = [
            StaleEntry(e.id, e.title.get(language), e.as_of, (today - e.as_of).days, reached[e.id])
            for e in base.entries_in(topic.id)
            if e.as_of < cutoff
        ]
        if entries:
            entries.sort(key=lambda s: (-s.questions, s.as_of, s.entry_id))
            out.append(StaleTopic(topic.id, topic.title_in(language), entries))
    out.sort(key=lambda t: -t.questions)  # stable: ties keep the order of topics.yaml
    return out


def stale_json(topics: list[StaleTopic], today: dt.date, days: int) -> dict[str, Any]:
    return {
        "today": today.isoformat(),
        "days": days,
        "topics": [
            {
                "topic": t.topic_id,
                "title": t.title,
                "questions": t.questions,
                "entries": [{**vars(e), "as_of": e.as_of.isoformat()} for e in t.entries],
            }
            for t in topics
        ],
    }
