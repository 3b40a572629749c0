"""Answer quality on the evaluation set, next to two baselines on the same base in the same run.

    python -m bench.eval [--set NAME] [--misses]

`eval` (the default) is the set the engine was developed on; `holdout` was written later by
someone who saw neither the phrasings nor the other sets, and is not used for tuning; the ranking,
the confidence and its thresholds (bench/calibrate.py) and the second look and the doubt
(bench/gate.py) are fitted on `calibration`, `blind-calibration` and `blind-calibration-2` to
`-77` (bench.evalset.FIT_SETS); `-78` to `-95` were written blind after that fit, as the
reporting-only `blind-report` and `blind-report-2` were.
"""

from __future__ import annotations

import argparse
import sys

from bench.baselines import BM25, WRatioScan
from bench.evalset import SETS, Decide, Report, evaluate, load_questions
from knowledge.answer import Engine, Outcome, phrasings_of
from knowledge.validate import load_base


def engine_decider(engine: Engine) -> Decide:
    def decide(question: str, lang: str) -> tuple[str | None, str, float]:
        answer = engine.ask(question)
        if answer.outcome is Outcome.answer:
            # Asked about now and answered with what was known then, said so first.
            outcome = "after_answer" if answer.known_then else "answer"
            return answer.entry_id, outcome, answer.confidence
        if answer.outcome is Outcome.suggest:
            return answer.suggestions[0].entry_id, "suggest", answer.confidence
        if (
            answer.outcome is Outcome.after and answer.suggestions
        ):  # "what I knew up to then": choices
            return None, "after_suggest", answer.confidence
        if answer.outcome in (Outcome.after, Outcome.empty):
            return None, answer.outcome.value, answer.confidence
        if answer.note_entry_id:
            return answer.note_entry_id, "disambiguation", answer.confidence
        return None, "none", answer.confidence

    return decide


def baseline_decider(baseline: WRatioScan | BM25) -> Decide:
    def decide(question: str, lang: str) -> tuple[str | None, str, float]:
        entry_id, answered = baseline.decide(question)
        return (entry_id, "answer", 1.0) if answered else (None, "none", 0.0)

    return decide


def table(reports: dict[str, Report]) -> str:
    order = {"in_scope": 0, "out_of_scope": 1, "after": 2, "style": 3}
    keys = sorted(
        {k for r in reports.values() for k in r.groups}, key=lambda k: (order[k.split(":")[0]], k)
    )
    lines = [
        "| group | n | "
        + " | ".join(
            f"{name}: top-1 / answered-right / answered-wrong / did-you-mean / rejected"
            for name in reports
        )
        + " |"
    ]
    lines.append("|---|---:|" + "---|" * len(reports))
    for key in keys:
        cells = []
        n = 0
        for report in reports.values():
            row = report.groups[key].row()
            n = int(row["n"])
            if key.startswith("out_of_scope"):
                cells.append(
                    f"rejected {row['rejected']:.1%} (answered {row['answered_wrong']:.1%}, "
                    f"did-you-mean {row['did_you_mean']:.1%})"
                )
            elif key.startswith("after"):
                cells.append(
                    f"knowledge date named {row['after_knowledge_date']:.1%} "
                    f"(answered {row['answered_wrong']:.1%})"
                )
            else:
                cells.append(
                    f"{row['top1']:.1%} / {row['answered_right']:.1%} / "
                    f"{row['answered_wrong']:.1%} / {row['did_you_mean']:.1%} / "
                    f"{row['rejected']:.1%}"
                )
        lines.append(f"| {key} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=sorted(SETS), default="eval", help="which question set")
    parser.add_argument(
        "--misses", action="store_true", help="list the questions the engine got wrong"
    )
    args = parser.parse_args()
    base = load_base()
    questions = load_questions(SETS[args.set])
    engine = Engine(base)
    phrasings = phrasings_of(base)
    reports = {
        "engine": evaluate(questions, engine_decider(engine)),
        "WRatio scan": evaluate(questions, baseline_decider(WRatioScan(phrasings))),
        "BM25": evaluate(questions, baseline_decider(BM25(phrasings))),
    }
    print(f"{len(questions)} questions, {len(base.entries)} entries, {len(phrasings)} phrasings\n")
    print(table(reports))
    print(
        "\nhighest confidence of an out-of-scope question that got an answer or a "
        f"'did you mean': {reports['engine'].oos_max_answer_confidence:.3f} "
        f"(answer threshold {engine.thresholds.answer})"
    )
    if args.misses:
        print("\nengine misses:")
        for q, first, outcome, confidence in reports["engine"].misses:
            print(
                f"  [{q.lang}/{q.style}] {q.text!r} expected {sorted(q.expect) or 'none'} "
                f"got {first} ({outcome}, {confidence:.2f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
