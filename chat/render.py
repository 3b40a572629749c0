"""Telegram HTML for answers: every piece of text passes `escape` once, here at the boundary."""

from __future__ import annotations

import html
import re

from telegram.constants import MessageLimit

from knowledge.answer import Answer, Outcome, SourceRef, compose
from knowledge.loader import KnowledgeBase
from knowledge.messages import disagreement_note, short_date, source_date, wording
from knowledge.schema import MARKER, Entry, cited_numbers

_TAG = re.compile(r"<[^>]+>")


def escape(value: object) -> str:
    """The one escaping function: makes any text safe inside Telegram HTML."""
    return html.escape(str(value), quote=True)


def visible_length(markup: str) -> int:
    """Length Telegram counts for a message: UTF-16 code units of the text without tags."""
    plain = html.unescape(_TAG.sub("", markup))
    return len(plain.encode("utf-16-le")) // 2


def render_answer(answer: Answer, more: bool = False) -> str:
    """The message for an answer, "did you mean" or "I don't know".

    An answer fits a phone screen: the yes or no first where the base settles the question, the
    title, the summary with its [n] markers linked to the sources, the date it is current as of and
    a compact source line. Positions, details and where sources differ come with `more` (the More
    button); every source with its reliability note behind Sources (render_sources_detail).
    """
    lang = answer.language
    if answer.outcome is Outcome.suggest:
        return escape(wording(lang, "did_you_mean"))
    if answer.outcome is Outcome.after:
        date = answer.known_until
        lines = [escape(wording(lang, "after_knowledge_date").format(date=date))]
        if answer.suggestions:
            lines.append(escape(wording(lang, "known_until_then").format(date=date)))
        return "\n\n".join(lines)
    if answer.outcome is Outcome.empty:
        return escape(wording(lang, "empty"))
    if answer.outcome is Outcome.none:
        if answer.note:
            return f"{escape(wording(lang, 'out_of_scope'))}\n\n{escape(answer.note)}"
        return escape(wording(lang, "no_answer").format(date=answer.known_until))
    blocks = []
    if answer.known_then:
        said = wording(lang, "known_then").format(date=answer.known_until)
        blocks.append(f"<i>{escape(said)}</i>")
    if answer.verdict is not None:
        verdict = f"<b>{escape(wording(lang, answer.verdict.value))}</b>"
        reason = _with_markers(answer.verdict_reason or "", answer.sources)
        blocks.append(f"{verdict} — {reason}" if reason else verdict)
    blocks += [f"<b>{escape(answer.title)}</b>", _with_markers(answer.summary, answer.sources)]
    if answer.summary_language != lang:
        blocks.append(f"<i>{escape(wording(lang, 'translation_missing'))}</i>")
    if more:
        if answer.positions:
            blocks.append(
                "\n".join(f"• <b>{escape(p)}:</b> {escape(v)}" for p, v in answer.positions)
            )
        if answer.details:
            blocks.append(_with_markers(answer.details, answer.sources))
        if answer.disagreement:
            label, note = disagreement_note(lang, answer.disagreement)
            prefix = f"<i>{escape(label)}:</i> " if label else ""
            blocks.append(prefix + escape(note))
    elif answer.disagreement:
        blocks.append(f"<i>{escape(wording(lang, 'sources_differ_more'))}</i>")
    as_of = answer.as_of.isoformat() if answer.as_of else "?"
    footer = f"<i>{escape(wording(lang, 'as_of'))} {escape(as_of)}</i>"
    sources = render_sources(answer)
    blocks.append(f"{footer}\n{sources}" if sources else footer)
    return "\n\n".join(b for b in blocks if b)


def has_more(answer: Answer) -> bool:
    """Whether the More view shows anything the first message does not."""
    return bool(answer.positions or answer.details or answer.disagreement)


COMPACT_SOURCES = 3  # publishers shown under an answer; the rest behind the Sources button


def _with_markers(text: str, sources: list[SourceRef]) -> str:
    """Escaped text whose [n] markers link to source n (a marker out of range stays plain)."""
    by_number = {s.number: s for s in sources}

    def link(match: re.Match[str]) -> str:
        source = by_number.get(int(match.group(1)))
        if source is None:
            return match.group(0)
        return f'<a href="{escape(source.url)}">{match.group(0)}</a>'

    return MARKER.sub(link, escape(text))


def relay_label(language: str) -> str:
    """The label of a weak relay (a mirror, an aggregator, a republished copy)."""
    return f"<i>({escape(wording(language, 'relay'))})</i>"


def source_label(source: SourceRef, language: str) -> str:
    """A source as shown in a compact line: linked publisher, short date, relay label."""
    when = short_date(language, source.when) if source.when else source.published
    label = f'<a href="{escape(source.url)}">{escape(source.publisher)}</a>, {escape(when)}'
    if source.relay:
        label += f" {relay_label(language)}"
    return label


def render_sources(answer: Answer) -> str:
    """One compact line: "Sources: [1] Reuters, 24 Dec 2025 · [2] AP, 23 Dec 2025 · +4".

    The sources the answer's markers cite come first, then the entry's others in order; at most
    COMPACT_SOURCES are named, the rest counted (all of them, with notes, behind Sources)."""
    if not answer.sources:
        return ""
    lang = answer.language
    cited = cited_numbers(" ".join([answer.verdict_reason or "", answer.summary]))
    order = [n for n in cited if 1 <= n <= len(answer.sources)]
    order += [s.number for s in answer.sources if s.number not in order]
    shown = sorted(order[:COMPACT_SOURCES])
    parts = [f"[{n}] {source_label(answer.sources[n - 1], lang)}" for n in shown]
    hidden = len(answer.sources) - len(shown)
    if hidden:
        parts.append(escape(wording(lang, "more_sources").format(count=hidden)))
    return f"{escape(wording(lang, 'sources'))}: " + " · ".join(parts)


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
    """How long an entry's answer is once rendered in full (its More view), for `kb check`."""
    return visible_length(render_answer(compose(base, entry, "", language), more=True))


def render_sources_detail(
    base: KnowledgeBase, entry: Entry, heading: str, note_label: str, language: str = "en"
) -> str:
    """Every source of an entry with title, date and the reliability note."""
    lines = [heading.format(title=escape(entry.title.get(language))), ""]
    relay = f" {relay_label(language)}"
    for number, source in enumerate(base.sources_of(entry), start=1):
        when = source_date(language, source.when, source.published is not None)
        line = (
            f'[{number}] <a href="{escape(source.url)}">{escape(source.publisher)}</a>'
            f"{relay if source.relay else ''} — "
            f"{escape(source.title)} ({escape(when)})"
        )
        if source.reliability:
            note = source.reliability.get(language)
            line += f"\n   <i>{escape(note_label)}: {escape(note)}</i>"
        lines.append(line)
    return "\n".join(lines)
