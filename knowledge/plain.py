"""Plain-text form of an answer, as the command line prints it."""

from __future__ import annotations

from knowledge.answer import Answer, Outcome
from knowledge.messages import disagreement_note, source_date, wording


def as_text(answer: Answer) -> str:
    """The answer as a person reads it in a terminal: title, summary, date, numbered sources."""
    return (
        "\n".join([body_text(answer), *_sources(answer)]) if answer.sources else body_text(answer)
    )


def body_text(answer: Answer) -> str:
    """Everything but the source list, in the answer's language (for `ask --json`'s `body`)."""
    lang = answer.language
    if answer.outcome is Outcome.suggest:
        lines = [wording(lang, "did_you_mean")]
        lines += [f"  - {s.title} [{s.entry_id}]" for s in answer.suggestions]
        return "\n".join(lines)
    if answer.outcome is Outcome.after:
        date = answer.known_until
        lines = [wording(lang, "after_knowledge_date").format(date=date)]
        if answer.suggestions:
            lines += ["", wording(lang, "known_until_then").format(date=date)]
            lines += [f"  - {s.title} [{s.entry_id}]" for s in answer.suggestions]
        return "\n".join(lines)
    if answer.outcome is Outcome.empty:
        return wording(lang, "empty")
    if answer.outcome is Outcome.none:
        return "\n".join(
            [wording(lang, "out_of_scope"), answer.note]
            if answer.note
            else [wording(lang, "no_answer").format(date=answer.known_until)]
        )
    lines = [answer.summary]
    if answer.verdict is not None:
        verdict = wording(lang, answer.verdict.value)
        lines = [f"{verdict} — {answer.verdict_reason}" if answer.verdict_reason else verdict, ""]
        lines.append(answer.summary)
    if answer.summary_language != lang:
        lines.append(wording(lang, "translation_missing"))
    if answer.positions:
        lines.append("")
        lines += [f"- {party}: {view}" for party, view in answer.positions]
    if answer.details:
        lines += ["", answer.details]
    if answer.disagreement:
        label, note = disagreement_note(answer.summary_language, answer.disagreement)
        lines += ["", f"{label}: {note}" if label else note]
    lines += ["", f"{wording(lang, 'as_of')} {answer.as_of.isoformat() if answer.as_of else '?'}"]
    first = [wording(lang, "known_then").format(date=answer.known_until), ""]
    return "\n".join([*(first if answer.known_then else []), answer.title, "", *lines])


def _sources(answer: Answer) -> list[str]:
    lines = [f"{wording(answer.language, 'sources')}:"]
    relay = f" ({wording(answer.language, 'relay')})"
    lines += [
        f"  [{s.number}] {s.publisher}{relay if s.relay else ''}: "
        f"{s.title} ({source_date(answer.language, s.when, s.dated) if s.when else s.published}) "
        f"{s.url}"
        for s in answer.sources
    ]
    return lines
