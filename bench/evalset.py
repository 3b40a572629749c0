"""Loads a question set (bench/*_set.yaml) and scores an answering function on it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EVAL_SET = Path(__file__).with_name("eval_set.yaml")
SETS = {
    "eval": EVAL_SET,
    "holdout": Path(__file__).with_name("holdout_set.yaml"),
    "calibration": Path(__file__).with_name("calibration_set.yaml"),
    "blind-calibration": Path(__file__).with_name("blind_calibration_set.yaml"),
    "blind-calibration-2": Path(__file__).with_name("blind_calibration_set_2.yaml"),
    "blind-calibration-3": Path(__file__).with_name("blind_calibration_set_3.yaml"),
    "blind-calibration-4": Path(__file__).with_name("blind_calibration_set_4.yaml"),
    "blind-calibration-5": Path(__file__).with_name("blind_calibration_set_5.yaml"),
    "blind-calibration-6": Path(__file__).with_name("blind_calibration_set_6.yaml"),
    "blind-calibration-7": Path(__file__).with_name("blind_calibration_set_7.yaml"),
    "blind-calibration-8": Path(__file__).with_name("blind_calibration_set_8.yaml"),
    "blind-calibration-9": Path(__file__).with_name("blind_calibration_set_9.yaml"),
    "blind-calibration-10": Path(__file__).with_name("blind_calibration_set_10.yaml"),
    "blind-calibration-11": Path(__file__).with_name("blind_calibration_set_11.yaml"),
    "blind-calibration-12": Path(__file__).with_name("blind_calibration_set_12.yaml"),
    "blind-calibration-13": Path(__file__).with_name("blind_calibration_set_13.yaml"),
    "blind-calibration-14": Path(__file__).with_name("blind_calibration_set_14.yaml"),
    "blind-calibration-15": Path(__file__).with_name("blind_calibration_set_15.yaml"),
    "blind-calibration-16": Path(__file__).with_name("blind_calibration_set_16.yaml"),
    "blind-calibration-17": Path(__file__).with_name("blind_calibration_set_17.yaml"),
    "blind-calibration-18": Path(__file__).with_name("blind_calibration_set_18.yaml"),
    "blind-calibration-19": Path(__file__).with_name("blind_calibration_set_19.yaml"),
    "blind-calibration-20": Path(__file__).with_name("blind_calibration_set_20.yaml"),
    "blind-calibration-21": Path(__file__).with_name("blind_calibration_set_21.yaml"),
    "blind-calibration-22": Path(__file__).with_name("blind_calibration_set_22.yaml"),
    "blind-calibration-23": Path(__file__).with_name("blind_calibration_set_23.yaml"),
    "blind-calibration-24": Path(__file__).with_name("blind_calibration_set_24.yaml"),
    "blind-calibration-25": Path(__file__).with_name("blind_calibration_set_25.yaml"),
    "blind-calibration-26": Path(__file__).with_name("blind_calibration_set_26.yaml"),
    "blind-calibration-27": Path(__file__).with_name("blind_calibration_set_27.yaml"),
    "blind-calibration-28": Path(__file__).with_name("blind_calibration_set_28.yaml"),
    "blind-calibration-29": Path(__file__).with_name("blind_calibration_set_29.yaml"),
    "blind-calibration-30": Path(__file__).with_name("blind_calibration_set_30.yaml"),
    "blind-calibration-31": Path(__file__).with_name("blind_calibration_set_31.yaml"),
    "blind-calibration-32": Path(__file__).with_name("blind_calibration_set_32.yaml"),
    "blind-calibration-33": Path(__file__).with_name("blind_calibration_set_33.yaml"),
    "blind-calibration-34": Path(__file__).with_name("blind_calibration_set_34.yaml"),
    "blind-calibration-35": Path(__file__).with_name("blind_calibration_set_35.yaml"),
    "blind-calibration-36": Path(__file__).with_name("blind_calibration_set_36.yaml"),
    "blind-calibration-37": Path(__file__).with_name("blind_calibration_set_37.yaml"),
    "blind-calibration-38": Path(__file__).with_name("blind_calibration_set_38.yaml"),
    "blind-calibration-39": Path(__file__).with_name("blind_calibration_set_39.yaml"),
    "blind-calibration-40": Path(__file__).with_name("blind_calibration_set_40.yaml"),
    "blind-calibration-41": Path(__file__).with_name("blind_calibration_set_41.yaml"),
    "blind-calibration-42": Path(__file__).with_name("blind_calibration_set_42.yaml"),
    "blind-calibration-43": Path(__file__).with_name("blind_calibration_set_43.yaml"),
    "blind-calibration-44": Path(__file__).with_name("blind_calibration_set_44.yaml"),
    "blind-calibration-45": Path(__file__).with_name("blind_calibration_set_45.yaml"),
    "blind-calibration-46": Path(__file__).with_name("blind_calibration_set_46.yaml"),
    "blind-calibration-47": Path(__file__).with_name("blind_calibration_set_47.yaml"),
    "blind-calibration-48": Path(__file__).with_name("blind_calibration_set_48.yaml"),
    "blind-calibration-49": Path(__file__).with_name("blind_calibration_set_49.yaml"),
    "blind-calibration-50": Path(__file__).with_name("blind_calibration_set_50.yaml"),
    "blind-calibration-51": Path(__file__).with_name("blind_calibration_set_51.yaml"),
    "blind-calibration-52": Path(__file__).with_name("blind_calibration_set_52.yaml"),
    "blind-calibration-53": Path(__file__).with_name("blind_calibration_set_53.yaml"),
    "blind-calibration-54": Path(__file__).with_name("blind_calibration_set_54.yaml"),
    "blind-calibration-55": Path(__file__).with_name("blind_calibration_set_55.yaml"),
    "blind-calibration-56": Path(__file__).with_name("blind_calibration_set_56.yaml"),
    "blind-calibration-57": Path(__file__).with_name("blind_calibration_set_57.yaml"),
    "blind-calibration-58": Path(__file__).with_name("blind_calibration_set_58.yaml"),
    "blind-calibration-59": Path(__file__).with_name("blind_calibration_set_59.yaml"),
    "blind-calibration-60": Path(__file__).with_name("blind_calibration_set_60.yaml"),
    "blind-calibration-61": Path(__file__).with_name("blind_calibration_set_61.yaml"),
    "blind-calibration-62": Path(__file__).with_name("blind_calibration_set_62.yaml"),
    "blind-calibration-63": Path(__file__).with_name("blind_calibration_set_63.yaml"),
    "blind-calibration-64": Path(__file__).with_name("blind_calibration_set_64.yaml"),
    "blind-calibration-65": Path(__file__).with_name("blind_calibration_set_65.yaml"),
    "blind-calibration-66": Path(__file__).with_name("blind_calibration_set_66.yaml"),
    "blind-calibration-67": Path(__file__).with_name("blind_calibration_set_67.yaml"),
    "blind-calibration-68": Path(__file__).with_name("blind_calibration_set_68.yaml"),
    "blind-calibration-69": Path(__file__).with_name("blind_calibration_set_69.yaml"),
    "blind-calibration-70": Path(__file__).with_name("blind_calibration_set_70.yaml"),
    "blind-calibration-71": Path(__file__).with_name("blind_calibration_set_71.yaml"),
    "blind-calibration-72": Path(__file__).with_name("blind_calibration_set_72.yaml"),
    "blind-calibration-73": Path(__file__).with_name("blind_calibration_set_73.yaml"),
    "blind-calibration-74": Path(__file__).with_name("blind_calibration_set_74.yaml"),
    "blind-calibration-75": Path(__file__).with_name("blind_calibration_set_75.yaml"),
    "blind-calibration-76": Path(__file__).with_name("blind_calibration_set_76.yaml"),
    "blind-calibration-77": Path(__file__).with_name("blind_calibration_set_77.yaml"),
    "blind-calibration-78": Path(__file__).with_name("blind_calibration_set_78.yaml"),
    "blind-calibration-79": Path(__file__).with_name("blind_calibration_set_79.yaml"),
    "blind-calibration-80": Path(__file__).with_name("blind_calibration_set_80.yaml"),
    "blind-calibration-81": Path(__file__).with_name("blind_calibration_set_81.yaml"),
    "blind-calibration-82": Path(__file__).with_name("blind_calibration_set_82.yaml"),
    "blind-calibration-83": Path(__file__).with_name("blind_calibration_set_83.yaml"),
    "blind-calibration-84": Path(__file__).with_name("blind_calibration_set_84.yaml"),
    "blind-calibration-85": Path(__file__).with_name("blind_calibration_set_85.yaml"),
    "blind-calibration-86": Path(__file__).with_name("blind_calibration_set_86.yaml"),
    "blind-calibration-87": Path(__file__).with_name("blind_calibration_set_87.yaml"),
    "blind-calibration-88": Path(__file__).with_name("blind_calibration_set_88.yaml"),
    "blind-calibration-89": Path(__file__).with_name("blind_calibration_set_89.yaml"),
    "blind-calibration-90": Path(__file__).with_name("blind_calibration_set_90.yaml"),
    "blind-calibration-91": Path(__file__).with_name("blind_calibration_set_91.yaml"),
    "blind-calibration-92": Path(__file__).with_name("blind_calibration_set_92.yaml"),
    "blind-calibration-93": Path(__file__).with_name("blind_calibration_set_93.yaml"),
    "blind-calibration-94": Path(__file__).with_name("blind_calibration_set_94.yaml"),
    "blind-calibration-95": Path(__file__).with_name("blind_calibration_set_95.yaml"),
    "after-calibration": Path(__file__).with_name("after_calibration_set.yaml"),
    # Reporting only: never tuned on, read as totals.
    "blind-report": Path(__file__).with_name("blind_report_set.yaml"),
    "blind-report-2": Path(__file__).with_name("blind_report_set_2.yaml"),
}
# What bench/calibrate.py and bench/gate.py fit on: the calibration sets up to the last one the
# shipped fit saw, never eval, holdout, after-calibration or the reporting-only sets. A set written
# later is judged by the fit before it is fitted on (raise FITTED_THROUGH and refit to add it).
FITTED_THROUGH = 77
FIT_SETS = (
    "calibration",
    "blind-calibration",
    *(f"blind-calibration-{n}" for n in range(2, FITTED_THROUGH + 1)),
)


@dataclass(frozen=True)
class Question:
    text: str
    expect: frozenset[str]  # empty: out of scope, or about a time after the knowledge date
    lang: str
    style: str
    after: bool = False  # about a time after the knowledge date: the right reply says so

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)


def read_yaml(path: Path) -> Any:
    """A question set's YAML, parsed by libyaml where PyYAML has it: bench's question sets took
    1.0 s instead of 10.8 s with the pure-Python loader (measured together, before sets 48 and
    49), and the suite reads them many times."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)


def load_questions(path: Path = EVAL_SET) -> list[Question]:
    data = read_yaml(path)
    out = []
    for item in data["questions"]:
        expect = item["expect"]
        after = expect == "after"
        ids = (
            frozenset()
            if expect in (None, "none") or after
            else frozenset([expect] if isinstance(expect, str) else expect)
        )
        out.append(Question(str(item["q"]), ids, item["lang"], item["style"], after))
    return out


# A decision: (first choice entry id or None, outcome) with outcome "answer", "suggest" or "none".
Decide = Callable[[str, str], tuple[str | None, str, float]]


# The outcomes whose reply names the knowledge date: the later-date reply (with or without
# choices), an answer of what was known then, and "I don't know", which says up to which day the
# base knows (tests/test_answering.py holds the replies to it).
NAMES_KNOWLEDGE_DATE = frozenset({"after", "after_suggest", "after_answer", "none"})


@dataclass
class Tally:
    total: int = 0
    top1: int = 0  # first choice acceptable (answered or first suggestion)
    answered_right: int = 0
    answered_wrong: int = 0
    suggested: int = 0
    rejected: int = 0
    dated: int = 0  # the reply names the knowledge date (NAMES_KNOWLEDGE_DATE)

    def row(self) -> dict[str, float]:
        n = max(self.total, 1)
        return {
            "n": self.total,
            "top1": self.top1 / n,
            "answered_right": self.answered_right / n,
            "answered_wrong": self.answered_wrong / n,
            "did_you_mean": self.suggested / n,
            "rejected": self.rejected / n,
            "after_knowledge_date": self.dated / n,
        }


@dataclass
class Report:
    groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    oos_max_answer_confidence: float = 0.0
    misses: list[tuple[Question, str | None, str, float]] = field(default_factory=list)


def evaluate(questions: list[Question], decide: Decide) -> Report:
    report = Report()
    for q in questions:
        first, outcome, confidence = decide(q.text, q.lang)
        group = "in_scope" if q.in_scope else "after" if q.after else "out_of_scope"
        keys = [group, f"{group}:{q.lang}"]
        if q.in_scope:
            keys += [f"style:{q.style}"]
        for key in keys:
            t = report.groups[key]
            t.total += 1
            right = first in q.expect
            # "disambiguation": the bot named the question as outside its scope (e.g. the Gaza
            # plan) and said why; a rejection for out-of-scope questions, and the right answer
            # for questions that ask exactly that ("is this the Gaza plan?").
            # "after_answer": asked about now, given what the base knew on its knowledge date,
            # said so first: the knowledge date named, never an answer (`answered` is false).
            answered = outcome == "answer" or (q.in_scope and outcome == "disambiguation")
            t.top1 += right and outcome != "none"
            t.answered_right += right and answered
            t.answered_wrong += (not right) and answered
            # Outside the base, "my knowledge ends on ..." is a refusal unless it offers choices.
            refused = outcome in ("none", "empty") or (
                not q.in_scope and outcome in ("disambiguation", "after")
            )
            t.suggested += outcome in ("suggest", "after_suggest") and not q.after
            t.rejected += refused
            t.dated += outcome in NAMES_KNOWLEDGE_DATE
        if not q.in_scope and not q.after and outcome in ("answer", "after_answer", "suggest"):
            report.oos_max_answer_confidence = max(report.oos_max_answer_confidence, confidence)
        rejected = outcome in ("none", "disambiguation", "empty", "after")
        if q.after:
            missed = outcome not in NAMES_KNOWLEDGE_DATE
        elif q.in_scope:
            missed = first not in q.expect or outcome in (
                "none",
                "after",
                "after_suggest",
                "empty",
            )
        else:
            missed = not rejected
        if missed:
            report.misses.append((q, first, outcome, confidence))
    return report
