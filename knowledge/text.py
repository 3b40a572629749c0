"""Plain-text form of an answer, as the command line prints it."""

from __future__ import annotations

from knowledge.answer import Answer, Outcome
from knowledge.messages import disagreement_note, text


def as_text(answer: Answer) -> str:
    """The answer as a person reads it in a terminal: title, summary, date, numbered sources."""
    lang = answer.language
    if answer.outcome is Outcome.suggest:
        lines = [text(lang, "did_you_mean")]
        lines += [f"  - {s.title} [{s.entry_id}]" for s in answer.suggestions]
        return "\n".join(lines)
    if answer.outcome is Outcome.none:
        lines = [text(lang, "out_of_scope"), answer.note] if answer.note else [text(lang, "no_answer")]
        lines += _sources(answer)
        return "\n".join(lines)
    lines = [answer.title, "", answer.summary]
    if answer.summary_language != lang:
        lines.append(text(lang, "translation_missing"))
    if answer.positions:
        lines.append("")
        lines += [f"- {party}: {view}" for party, view in answer.positions]
    if answer.details:
        lines += ["", answer.details]
    if answer.disagreement:
        label, note = disagreement_note(lang, answer.disagreement)
        lines += ["", f"{label}: {note}" if label else note]
    lines += ["", f"{text(lang, 'as_of')} {answer.as_of.isoformat() if answer.as_of else '?'}"]
    lines += _sources(answer)
    return "\n".join(lines)


def _sources(answer: Answer) -> list[str]:
    if not answer.sources:
        return []
    lines = [f"{text(answer.language, 'sources')}:"]
    lines += [f"  [{s.number}] {s.publisher}: {s.title} ({s.published}) {s.url}" for s in answer.sources]
    return lines
