"""Follow-up questions in context: each pair's first question is asked alone, then the follow-up
with the context the bot would keep (the entry answered, or the first "did you mean" choice, and
the first question's words), and the follow-up's answer is checked against the acceptable entries.

    python -m bench.followups [--set calibration|calibration-2|...|calibration-4|report] [--misses]

`calibration` (bench/followup_calibration_set.yaml) is what the resolver was developed on;
`calibration-2` (bench/followup_calibration_set_2.yaml, 120 pairs) is a second calibration set,
written and labelled later by other hands, to see whether what was fitted on the first holds;
`calibration-3` (80 pairs) a third, written the same way; `calibration-4` (24 pairs) the
follow-ups of the writers of blind calibration set 12;
`report` (bench/followup_report_set.yaml) is for reporting only: its figures are printed, its
questions never (--misses is refused for it). Both were written blind, from the sources alone.

Columns, per language and per style of follow-up:
- alone: the follow-up asked without context (every message answered alone, as before);
- entry only: with the previous entry alone as context (what `ask --after ENTRY_ID` does);
- in context: with the entry and the first question's words (what the bot does).
"Resolved right" counts a follow-up answered with an acceptable entry; "first choice" also counts
a "did you mean" whose first choice is acceptable.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.evalset import read_yaml
from knowledge.answer import Answer, Engine, Outcome, previous_of
from knowledge.followup import Previous
from knowledge.validate import load_base

SETS = {
    "calibration": Path(__file__).with_name("followup_calibration_set.yaml"),
    "calibration-2": Path(__file__).with_name("followup_calibration_set_2.yaml"),
    "calibration-3": Path(__file__).with_name("followup_calibration_set_3.yaml"),
    "calibration-4": Path(__file__).with_name("followup_calibration_set_4.yaml"),
    "report": Path(__file__).with_name("followup_report_set.yaml"),  # reporting only
}
REPORT_ONLY = {"report"}


@dataclass(frozen=True)
class Pair:
    first: str
    first_expect: frozenset[str]
    then: str
    expect: frozenset[str]
    lang: str
    style: str


# `expect: none`: the follow-up is outside the base ("how do I cook borscht?") and must be refused.
REFUSE = frozenset({"none"})


def _expected(value: str | list[str]) -> frozenset[str]:
    return REFUSE if value == "none" else frozenset(value)


def load_pairs(path: Path) -> list[Pair]:
    data = read_yaml(path)
    return [
        Pair(
            str(item["first"]),
            _expected(item["first_expect"]),
            str(item["then"]),
            _expected(item["expect"]),
            item["lang"],
            item.get("style", "-"),
        )
        for item in data["pairs"]
    ]


def chosen(answer: Answer) -> tuple[str | None, bool]:
    """The entry an answer gives or offers first, and whether it was given (not only offered).
    A note that the question is about something else (the Gaza plan) is given, as bench.eval
    counts it: the right answer when that is what the question asks. What was known then, for
    a question about a later time, is offered, not given (`Answer.answered`)."""
    if answer.outcome is Outcome.answer:
        return answer.entry_id, answer.answered
    if answer.note_entry_id is not None:
        return answer.note_entry_id, True
    if answer.suggestions:
        return answer.suggestions[0].entry_id, False
    return None, False


def refused(answer: Answer) -> bool:
    """Nothing given or offered: "I don't know", a note that the question is about something
    else, or where the base's knowledge ends without choices (as bench.eval counts a refusal)."""
    return answer.outcome in (Outcome.none, Outcome.empty) or (
        answer.outcome is Outcome.after and not answer.suggestions
    )


def judged(answer: Answer, expect: frozenset[str]) -> tuple[bool, bool]:
    """Whether an answer is right (given) and right as a first choice (given or offered)."""
    if expect == REFUSE:
        return refused(answer), refused(answer)
    entry, given = chosen(answer)
    return entry in expect and given, entry in expect


@dataclass
class Tally:
    total: int = 0
    right: int = 0  # answered with an acceptable entry
    first_choice: int = 0  # answered or offered first

    def add(self, right: bool, first_choice: bool) -> None:
        self.total += 1
        self.right += right
        self.first_choice += first_choice

    def cell(self) -> str:
        n = max(self.total, 1)
        return f"{self.right / n:.1%} / {self.first_choice / n:.1%}"


@dataclass
class Run:
    groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    # (pair, the first answer's outcome and entry, the follow-up's entry, how it was read)
    misses: list[tuple[Pair, str, str | None, str]] = field(default_factory=list)


Context = Callable[[Answer], Previous | None]

MODES: dict[str, Context] = {
    "alone": lambda first: None,
    "entry only": lambda first: (
        Previous(kept.entry_id) if (kept := previous_of(first)) and kept.entry_id else None
    ),
    "in context": previous_of,  # what the bot keeps of the first answer
}


def evaluate(
    engine: Engine, pairs: list[Pair], modes: dict[str, Context] | None = None
) -> tuple[dict[str, Run], Tally]:
    """Each pair's first question alone, then its follow-up in each of `modes` (all of MODES)."""
    modes = MODES if modes is None else modes
    runs = {mode: Run() for mode in modes}
    firsts = Tally()
    for pair in pairs:
        first = engine.ask(pair.first)
        entry = chosen(first)[0]
        first_right = judged(first, pair.first_expect)
        firsts.add(*first_right)
        for mode, context in modes.items():
            answer = engine.ask(pair.then, after=context(first))
            got = chosen(answer)[0]
            right = judged(answer, pair.expect)
            for key in ("all", f"lang:{pair.lang}", f"style:{pair.style}"):
                runs[mode].groups[key].add(*right)
            if not right[0]:
                shift = answer.follow_up.shift.value if answer.follow_up else "-"
                mark = "" if first_right[1] else " (wrong)"
                before = f"{first.outcome.value}:{entry}{mark}"
                runs[mode].misses.append((pair, before, got, f"{answer.outcome.value}/{shift}"))
    return runs, firsts


def table(runs: dict[str, Run]) -> str:
    keys = sorted(
        {k for run in runs.values() for k in run.groups},
        key=lambda k: (k != "all", not k.startswith("lang:"), k),
    )
    lines = [
        "| group | n | "
        + " | ".join(f"{mode}: resolved right / first choice" for mode in runs)
        + " |",
        "|---|---:|" + "---|" * len(runs),
    ]
    for key in keys:
        n = next(iter(runs.values())).groups[key].total
        cells = " | ".join(run.groups[key].cell() for run in runs.values())
        lines.append(f"| {key} | {n} | {cells} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=sorted(SETS), default="calibration")
    parser.add_argument(
        "--misses", action="store_true", help="list the follow-ups resolved wrongly (in context)"
    )
    args = parser.parse_args()
    if args.misses and args.set in REPORT_ONLY:
        parser.error(f"the {args.set} set is for reporting only: its questions are not listed")
    engine = Engine(load_base())
    pairs = load_pairs(SETS[args.set])
    runs, firsts = evaluate(engine, pairs)
    print(
        f"{len(pairs)} pairs ({args.set}); first questions answered right "
        f"{firsts.right / max(firsts.total, 1):.1%}, first choice right "
        f"{firsts.first_choice / max(firsts.total, 1):.1%}\n"
    )
    print(table(runs))
    if args.misses:
        print("\nmisses in context:")
        for pair, entry, got, how in runs["in context"].misses:
            print(
                f"  [{pair.lang}/{pair.style}] {pair.first!r} -> {entry} ; {pair.then!r} "
                f"expected {sorted(pair.expect)} got {got} ({how})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
