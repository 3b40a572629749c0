"""Telegram HTML for answers: every piece of text passes `escape` once, here at the boundary."""

from __future__ import annotations

import html
import re

from telegram.constants import MessageLimit

from knowledge.answer import Answer, Outcome, compose
from knowledge.loader import KnowledgeBase
from knowledge.messages import disagreement_note, wording
from knowledge.schema import Entry

_TAG = re.compile(r"<[^>]+>")


def escape(value: object) -> str:
    """The one escaping function: makes any text safe inside Telegram HTML."""
    return html.escape(str(value), quote=True)


def visible_length(markup: str) -> int:
    """Length Telegram counts for a message: UTF-16 code units of the text without tags."""
    plain = html.unescape(_TAG.sub("", markup))
    return len(plain.encode("utf-16-le")) // 2


def render_answer(answer: Answer) -> str:
    """The full message for an answer, "did you mean" or "I don't know"."""
    lang = answer.language
    if answer.outcome is Outcome.suggest:
        return escape(wording(lang, "did_you_mean"))
    if answer.outcome is Outcome.after:
        date = answer.knowledge_date.isoformat() if answer.knowledge_date else "?"
        lines = [escape(wording(lang, "after_knowledge_date").format(date=date))]
        if answer.suggestions:
            lines.append(escape(wording(lang, "known_until_then").format(date=date)))
        return "\n\n".join(lines)
    if answer.outcome is Outcome.empty:
        return escape(wording(lang, "empty"))
    if answer.outcome is Outcome.none:
        if answer.note:
            return f"{escape(wording(lang, 'out_of_scope'))}\n\n{escape(answer.note)}"
        return escape(wording(lang, "no_answer"))
    blocks = [f"<b>{escape(answer.title)}</b>", escape(answer.summary)]
    if answer.summary_language != lang:
        blocks.append(f"<i>{escape(wording(lang, 'translation_missing'))}</i>")
    if answer.positions:
        blocks.append("\n".join(f"• <b>{escape(p)}:</b> {escape(v)}" for p, v in answer.positions))
    if answer.details:
        blocks.append(escape(answer.details))
    if answer.disagreement:
        label, note = disagreement_note(lang, answer.disagreement)
        prefix = f"<i>{escape(label)}:</i> " if label else ""
        blocks.append(prefix + escape(note))
    as_of = answer.as_of.isoformat() if answer.as_of else "?"
    blocks.append(f"<i>{escape(wording(lang, 'as_of'))} {escape(as_of)}</i>")
    blocks.append(render_sources(answer))
    return "\n\n".join(b for b in blocks if b)


def render_sources(answer: Answer) -> str:
    if not answer.sources:
        return ""
    lines = [f"<b>{escape(wording(answer.language, 'sources'))}:</b>"]
    # Publisher and date only: titles and reliability notes are one tap away, behind "Sources".
    lines += [
        f'{s.number}. <a href="{escape(s.url)}">{escape(s.publisher)}</a>, {escape(s.published)}'
        for s in answer.sources
    ]
    return "\n".join(lines)


def split_message(markup: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Splits on blank lines (block boundaries), then lines, so no tag or entity is ever cut."""
    if visible_length(markup) <= limit:
        return [markup]
    parts: list[str] = []
    current = ""
    for block in _pieces(markup, limit):
        candidate = f"{current}\n\n{block}" if current else block
        if visible_length(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = block
    if current:
        parts.append(current)
    return parts


def _pieces(markup: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for block in markup.split("\n\n"):
        if visible_length(block) <= limit:
            pieces.append(block)
            continue
        for line in block.split("\n"):
            if visible_length(line) <= limit:
                pieces.append(line)
            else:  # one enormous line of plain escaped text: cut between words, outside entities
                pieces.extend(_cut_line(line, limit))
    return pieces


def _cut_line(line: str, limit: int) -> list[str]:
    words = re.split(r"(?<= )", _TAG.sub("", line))
    out, current = [], ""
    for word in words:
        if visible_length(current + word) > limit and current:
            out.append(current)
            current = ""
        current += word
    if current:
        out.append(current)
    return out


def answer_length(base: KnowledgeBase, entry: Entry, language: str) -> int:
    """How long an entry's answer is once rendered, for `kb check`."""
    return visible_length(render_answer(compose(base, entry, "", language)))


def render_sources_detail(
    base: KnowledgeBase, entry: Entry, heading: str, note_label: str, language: str = "en"
) -> str:
    """Every source of an entry with title, date and the reliability note."""
    lines = [heading.format(title=escape(entry.title.get(language))), ""]
    for number, source in enumerate(base.sources_of(entry), start=1):
        line = (
            f'{number}. <a href="{escape(source.url)}">{escape(source.publisher)}</a> — '
            f"{escape(source.title)} ({escape(source.date_label)})"
        )
        if source.reliability:
            line += f"\n   <i>{escape(note_label)}: {escape(source.reliability)}</i>"
        lines.append(line)
    return "\n".join(lines)
