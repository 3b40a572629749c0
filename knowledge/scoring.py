"""How evidence becomes a ranking and a confidence: two small linear models fitted on data.

The weights live in `scoring.json` beside this file and are written by `python -m bench.calibrate`,
which fits them on `bench/calibration_set.yaml` (questions written for that purpose only; the
evaluation sets are never fitted on).

- Ranking: an entry's score is a weighted sum of its evidence (RANK_FEATURES); a softmax over the
  candidates' scores gives each one's share, `probability`.
- Confidence: a logistic model over CONFIDENCE_FEATURES estimates how likely a candidate is the
  right answer; from the `answer` threshold the bot answers.
- Relevance: a second logistic model over the same features estimates how likely the question is
  within what the base covers at all; from the `suggest` threshold the bot offers "did you mean"
  (a question can be plainly on topic without its first candidate being the right one).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCORING_FILE = Path(__file__).with_name("scoring.json")

RANK_FEATURES = (
    "fuzzy",
    "coverage",
    "reverse",
    "support",
    "semantic",
    "fuzzy_coverage",
    "entry_coverage",
    "title",
)
CONFIDENCE_FEATURES = (  # what both the confidence and the relevance model read
    "fuzzy",
    "coverage",
    "reverse",
    "known",
    "semantic",
    "probability",
    "lead",
    "support",
    "unknown",
    "words",
    "topic",
    "off_topic",
    "entry_coverage",
    "foreign",
)


@dataclass(frozen=True)
class Scoring:
    rank_weights: tuple[float, ...]
    confidence_weights: tuple[float, ...]  # one per CONFIDENCE_FEATURES, then the intercept
    relevance_weights: tuple[float, ...]  # the same layout
    answer: float  # confidence from which the bot answers
    suggest: float  # relevance from which it offers "did you mean"
    suggest_share: float  # a further entry joins "did you mean" with at least this probability

    def rank(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """Ranking scores of several candidates from their features, one array per name."""
        return _weighted(self.rank_weights, RANK_FEATURES, features)

    def confidence(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        return _logistic(self.confidence_weights, features)

    def relevance(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        return _logistic(self.relevance_weights, features)

    @classmethod
    def load(cls, path: Path = SCORING_FILE) -> Scoring:
        data = json.loads(path.read_text(encoding="utf-8"))
        if (
            tuple(data["rank_features"]) != RANK_FEATURES
            or tuple(data["confidence_features"]) != CONFIDENCE_FEATURES
        ):
            raise ValueError(f"{path}: fitted for other features; run python -m bench.calibrate")
        return cls(
            tuple(data["rank_weights"]),
            tuple(data["confidence_weights"]),
            tuple(data["relevance_weights"]),
            data["answer"],
            data["suggest"],
            data["suggest_share"],
        )

    def save(self, path: Path = SCORING_FILE, fitted_on: Sequence[str] = ()) -> None:
        data = {
            "fitted_on": list(fitted_on),
            "rank_features": list(RANK_FEATURES),
            "rank_weights": [round(w, 4) for w in self.rank_weights],
            "confidence_features": list(CONFIDENCE_FEATURES),
            "confidence_weights": [round(w, 4) for w in self.confidence_weights],
            "relevance_weights": [round(w, 4) for w in self.relevance_weights],
            "answer": round(self.answer, 4),
            "suggest": round(self.suggest, 4),
            "suggest_share": self.suggest_share,
        }
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _weighted(
    weights: Sequence[float], names: Sequence[str], features: Mapping[str, np.ndarray]
) -> np.ndarray:
    return np.stack([features[n] for n in names], axis=-1) @ np.asarray(weights, dtype=np.float64)


def _logistic(
    weights_and_intercept: Sequence[float], features: Mapping[str, np.ndarray]
) -> np.ndarray:
    *weights, intercept = weights_and_intercept
    z = intercept + _weighted(weights, CONFIDENCE_FEATURES, features)
    return 1 / (1 + np.exp(-np.clip(z, -30.0, 30.0)))


# `lead`: how far the first candidate's ranking score is ahead of the second's, which the
# softmax share (`probability`) flattens once it nears 1. With it and `foreign` as confidence
# features (and `title` in the ranking, knowledge.search), 5-fold cross-validation on the fit sets
# answers 85.3% of in-scope questions (was 84.1%), 97.0% of them right (unchanged), out of scope
# rejected 97.8% (was 98.0%). A cap of 3 answered 84.0%, 8 as 5 did.
LEAD_CAP = 5.0  # hand-set: a ranking lead of this much or more counts as a clear one


def lead(scores: np.ndarray) -> np.ndarray:
    """Each candidate's ranking score above the best of the others, from 0 (not first) to 1 (first
    by LEAD_CAP or more)."""
    if len(scores) < 2:
        return np.ones(len(scores))
    best, second = np.sort(scores)[::-1][:2]
    others = np.where(scores == best, second, best)
    return np.clip(scores - others, 0.0, LEAD_CAP) / LEAD_CAP


def from_ranking(ranks: np.ndarray) -> dict[str, np.ndarray]:
    """The evidence the ranking itself gives each candidate, which the confidence and relevance
    models read: its share of the softmax (`probability`) and its `lead`. One place for the
    engine (knowledge.search) and the fit (bench/calibrate.py)."""
    return {"probability": softmax(ranks), "lead": lead(ranks)}


def softmax(scores: np.ndarray) -> np.ndarray:
    if not len(scores):
        return scores
    exps = np.exp(scores - scores.max())
    return exps / exps.sum()
