"""The second look: whether a question the ranking left below its bars is answered after all.

The confidence and relevance models (knowledge.scoring) are linear and read each piece of evidence
alone; a question in other words than the phrasings ("how did Russian commentators pooh-pooh the
new plan?") often falls below both bars with its right entry first. The gate is a small ensemble
of decision trees (gradient boosting, fitted by `python -m bench.gate` on the blind calibration
sets and saved in `gate.json` beside this file) over the first candidates' evidence together and
how often the first entry was the right one there. It
reads only questions the engine would otherwise leave with "did you mean" or nothing, never a
near miss, and answers where it gives the first candidate at least `threshold`.

The doubt is the same kind of trees the other way round (`veto.json`, `python -m bench.gate
--veto`): of what the bars answer, how likely the first candidate does not answer the question
(another entry does, or none); from its `threshold` the answer is held back and offered as "did
you mean" instead. The linear bars read each piece of evidence alone there too: a wrong answer
and a right one often pass them with the same confidence.

The trees are walked here with numpy, all at once, one level a step: the fit needs scikit-learn,
answering does not.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.schema import Kind
from knowledge.search import Candidate

GATE_FILE = Path(__file__).with_name("gate.json")
VETO_FILE = Path(__file__).with_name("veto.json")

# The first candidate's evidence (knowledge.search), its two calibrated estimates, the second
# candidate's, the kind of entry the first is, and how often that entry, first below the bars, was
# the right one in the fit (`entry_rate`: some are asked about in words of their own, others are
# first for near misses, as Putin's profile for his age).
CANDIDATE_FEATURES = (
    "coverage",
    "entry_coverage",
    "foreign",
    "fuzzy",
    "fuzzy_coverage",
    "known",
    "lead",
    "off_topic",
    "other_person",
    "other_plan",
    "probability",
    "reverse",
    "semantic",
    "support",
    "title",
    "unknown",
    "words",
)
GATE_FEATURES = (
    *CANDIDATE_FEATURES,
    "confidence",
    "relevance",
    "confidence_2",
    "relevance_2",
    "kind",
    "entry_rate",
)
KINDS = tuple(kind.value for kind in Kind)  # a kind's number is its place here


def evidence(found: Sequence[Candidate], kind: Kind, entry_rate: float) -> dict[str, float]:
    """What the gate reads of a question's candidates, best first; `kind`: the first's, and
    `entry_rate` its rate (Gate.rate_of)."""
    top = found[0]
    second = found[1] if len(found) > 1 else None
    return {
        **{name: top.features[name] for name in CANDIDATE_FEATURES},
        "confidence": top.confidence,
        "relevance": top.relevance,
        "confidence_2": second.confidence if second else 0.0,
        "relevance_2": second.relevance if second else 0.0,
        "kind": float(KINDS.index(kind.value)),
        "entry_rate": entry_rate,
    }


@dataclass(frozen=True)
class Gate:
    """Decision trees as flat arrays: node i of all trees tests `feature[i] <= limit[i]` and goes
    to `left[i]` or `right[i]`; a leaf (feature -1) holds its share of the log-odds in `value`."""

    features: tuple[str, ...]
    roots: np.ndarray  # each tree's first node
    feature: np.ndarray
    limit: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    baseline: float  # log-odds before any tree
    threshold: float  # from this probability the first candidate is answered
    # by entry: how often it was right, first below the bars (the doubt: how often it was not
    # what the question asked, answered by the bars)
    rates: Mapping[str, float]
    prior: float  # the same of all entries: the rate of an entry the fit never saw first

    def rate_of(self, entry_id: str) -> float:
        return self.rates.get(entry_id, self.prior)

    def probability(self, evidence: Mapping[str, float]) -> float:
        """How likely the first candidate answers the question (the doubt: does not), by the
        trees."""
        x = np.array([evidence[name] for name in self.features] + [0.0])  # [-1]: leaves
        nodes = self.roots.copy()
        while True:
            feature = self.feature[nodes]
            inner = feature >= 0
            if not inner.any():
                break
            below = x[feature] <= self.limit[nodes]
            nodes = np.where(inner, np.where(below, self.left[nodes], self.right[nodes]), nodes)
        log_odds = self.baseline + float(self.value[nodes].sum())
        return float(1 / (1 + np.exp(-log_odds)))

    def answers(self, evidence: Mapping[str, float]) -> bool:
        return self.threshold <= 1 and self.probability(evidence) >= self.threshold

    @classmethod
    def never(cls) -> Gate:
        """No second look, or no doubt: the bars alone decide (what bench.gate fits on)."""
        empty = np.zeros(0, dtype=np.int64)
        return cls(
            GATE_FEATURES,
            *(empty, empty, np.zeros(0), empty, empty, np.zeros(0)),
            baseline=0.0,
            threshold=math.inf,
            rates={},
            prior=0.0,
        )

    @classmethod
    def load(cls, path: Path = GATE_FILE) -> Gate:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != GATE_FEATURES or tuple(data["kinds"]) != KINDS:
            raise ValueError(f"{path}: fitted for other features; run python -m bench.gate")
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Gate:
        """The gate of gate.json's content, as bench.gate writes it."""
        trees = data["trees"]
        roots, offset = [], 0
        for tree in trees:
            roots.append(offset)
            offset += len(tree["feature"])

        def joined(field: str, shift: bool = False) -> list[float]:
            out: list[float] = []
            for root, tree in zip(roots, trees, strict=True):
                out += [v + root if shift and v >= 0 else v for v in tree[field]]
            return out

        return cls(
            features=GATE_FEATURES,
            roots=np.array(roots, dtype=np.int64),
            feature=np.array(joined("feature"), dtype=np.int64),
            limit=np.array(joined("limit"), dtype=np.float64),
            left=np.array(joined("left", shift=True), dtype=np.int64),
            right=np.array(joined("right", shift=True), dtype=np.int64),
            value=np.array(joined("value"), dtype=np.float64),
            baseline=float(data["baseline"]),
            threshold=float(data["threshold"]),
            rates={entry: float(rate) for entry, rate in data["rates"].items()},
            prior=float(data["prior"]),
        )
