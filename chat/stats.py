"""/stats: the top of the curators' reports (`report suggestions`, `report stale`) in a chat."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from chat.render import escape, split_message
from chat.texts import t
from knowledge.answer import Engine
from knowledge.curation import StaleTopic, SuggestionsReport, stale_entries, suggestions_report
from storage import feedback as store
from storage.db import Database, utcnow

TOP = 5  # items shown per section
MAX_QUESTIONS = 5000  # the most recent questions analysed: /stats stays a few seconds at most
QUOTE_CHARS = 80  # a question is cut to this many characters in the chat


@dataclass
class Stats:
    days: int
    report: SuggestionsReport
    stale: list[StaleTopic]


async def gather_stats(db: Database, engine: Engine, days: int, language: str) -> Stats:
    """The last `days` days of questions and choices, and the entries older than `days`."""
    since = utcnow() - dt.timedelta(days=days)
    questions = (await store.questions_since(db, since))[-MAX_QUESTIONS:]
    choices = await store.choices_since(db, since)
    reached = await store.reached_since(db, since)
    # Matching a few hundred distinct questions again takes a moment: off the event loop.
    report = await asyncio.to_thread(
        suggestions_report, engine, questions, choices, days, limit=TOP
    )
    stale = stale_entries(engine.base, utcnow().date(), days, reached, language)
    return Stats(days, report, stale)


def _quote(text: str) -> str:
    cut = text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"
    return f"“{escape(cut)}”"


def render_stats(language: str, stats: Stats, engine: Engine) -> list[str]:
    """The /stats message(s) in Telegram HTML; every question and title escaped."""
    entries = engine.base.entries
    report = stats.report

    def title(entry_id: str) -> str:
        entry = entries.get(entry_id)
        return escape(entry.title.get(language) if entry else entry_id)

    totals = report.totals
    blocks = [
        t(
            language,
            "stats_title",
            days=stats.days,
            questions=totals.questions,
            answered=totals.answered,
            did_you_mean=totals.did_you_mean,
            unanswered=totals.unanswered,
            choices=totals.choices,
        )
    ]
    none = f"<i>{t(language, 'stats_none')}</i>"
    lines = [
        t(
            language,
            "stats_phrasing_line",
            question=_quote(q.text),
            count=q.count,
            lang=q.language,
            title=title(e.entry_id),
        )
        for e in report.phrasings
        for q in e.questions
    ][:TOP]
    blocks.append("\n".join([t(language, "stats_phrasings"), *(lines or [none])]))
    lines = [
        t(
            language,
            "stats_cluster_line",
            question=_quote(c.text),
            count=c.count,
            similar=len(c.questions) - 1,
            title=title(c.closest[0].entry_id) if c.closest else "—",
        )
        for c in report.clusters
    ]
    blocks.append("\n".join([t(language, "stats_clusters"), *(lines or [none])]))
    lines = [
        t(
            language,
            "stats_confused_line",
            first=title(c.entries[0]),
            second=title(c.entries[1]),
            instead=c.chosen_instead,
            together=c.offered_together,
        )
        for c in report.confused
    ]
    blocks.append("\n".join([t(language, "stats_confused"), *(lines or [none])]))
    stale = sorted(
        (e for topic in stats.stale for e in topic.entries),
        key=lambda e: (-e.questions, e.as_of, e.entry_id),
    )
    seen: set[str] = set()
    lines = []
    for item in stale:
        if item.entry_id in seen:
            continue
        seen.add(item.entry_id)
        lines.append(
            t(
                language,
                "stats_stale_line",
                title=title(item.entry_id),
                as_of=item.as_of.isoformat(),
                count=item.questions,
            )
        )
    blocks.append(
        "\n".join([t(language, "stats_stale", days=stats.days), *(lines[:TOP] or [none])])
    )
    blocks.append(t(language, "stats_more"))
    return split_message("\n\n".join(blocks))
