"""The second look (knowledge.gate): its trees, and what the engine lets it answer."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from knowledge.answer import Engine, Outcome
from knowledge.gate import GATE_FEATURES, KINDS, Gate, evidence
from knowledge.loader import KnowledgeBase
from knowledge.schema import Kind


def _gate_file(path: Path, trees: list[dict[str, list[float]]], baseline: float = 0.0) -> Path:
    path.write_text(
        json.dumps(
            {
                "features": list(GATE_FEATURES),
                "kinds": list(KINDS),
                "baseline": baseline,
                "threshold": 0.5,
                "trees": trees,
                "rates": {"econ-overview": 0.25},
                "prior": 0.2,
            }
        ),
        encoding="utf-8",
    )
    return path


def _leaf(value: float) -> dict[str, list[float]]:
    return {"feature": [-1], "limit": [0.0], "left": [-1], "right": [-1], "value": [value]}


def test_the_gate_walks_each_tree_to_a_leaf_and_adds_their_log_odds(tmp_path: Path) -> None:
    relevance = GATE_FEATURES.index("relevance")
    fuzzy = GATE_FEATURES.index("fuzzy")
    split: dict[
        str, list[float]
    ] = {  # relevance <= 0.5: left (-1.0), else fuzzy <= 0.3: -0.5, else 2.0
        "feature": [relevance, -1, fuzzy, -1, -1],
        "limit": [0.5, 0.0, 0.3, 0.0, 0.0],
        "left": [1, -1, 3, -1, -1],
        "right": [2, -1, 4, -1, -1],
        "value": [0.0, -1.0, 0.0, -0.5, 2.0],
    }
    gate = Gate.load(_gate_file(tmp_path / "gate.json", [split, _leaf(0.25)], baseline=0.5))
    asked = dict.fromkeys(GATE_FEATURES, 0.0)

    def probability(log_odds: float) -> float:
        return 1 / (1 + math.exp(-log_odds))

    assert gate.probability({**asked, "relevance": 0.5}) == pytest.approx(probability(-0.25))
    assert gate.probability({**asked, "relevance": 0.6, "fuzzy": 0.3}) == pytest.approx(
        probability(0.25)
    )
    assert gate.probability({**asked, "relevance": 0.6, "fuzzy": 0.9}) == pytest.approx(
        probability(2.75)
    )
    assert gate.answers({**asked, "relevance": 0.6, "fuzzy": 0.9})
    assert not gate.answers({**asked, "relevance": 0.1})
    assert not Gate.never().answers({**asked, "relevance": 1.0, "fuzzy": 1.0})
    assert gate.rate_of("econ-overview") == 0.25
    assert gate.rate_of("an-entry-the-fit-never-saw-first") == 0.2


def test_a_gate_file_for_other_features_is_refused_by_name(tmp_path: Path) -> None:
    stale = _gate_file(tmp_path / "gate.json", [_leaf(1.0)])
    data = json.loads(stale.read_text(encoding="utf-8"))
    stale.write_text(json.dumps({**data, "features": data["features"][:-1]}), encoding="utf-8")
    with pytest.raises(ValueError, match="gate.json: fitted for other features"):
        Gate.load(stale)


@pytest.mark.parametrize(
    "question",
    [
        # Written for the test: slang the bars leave below "did you mean" or at nothing.
        "will russias economy go bust",
        "is the russian economy cratering",
    ],
)
def test_the_second_look_answers_what_the_bars_leave(
    base: KnowledgeBase, engine: Engine, question: str
) -> None:
    bars_alone = Engine(base, index=engine.index, gate=Gate.never()).ask(question)
    assert bars_alone.outcome in (Outcome.none, Outcome.suggest)
    answer = engine.ask(question)
    assert answer.outcome is Outcome.answer
    assert answer.entry_id == "econ-overview"


@pytest.mark.parametrize(
    ("question", "note"),
    [
        # Near misses: the closest entry has the person or the place, not what is asked of it.
        ("how old is vladimir putin", None),
        ("what's the weather like in geneva", None),
        # An entry naming the question as outside the base keeps saying so.
        ("is this trump's gaza plan?", "gaza-plan"),
    ],
)
def test_the_second_look_never_answers_a_near_miss_nor_past_a_disambiguation(
    tmp_path: Path, base: KnowledgeBase, engine: Engine, question: str, note: str | None
) -> None:
    always = Gate.load(_gate_file(tmp_path / "gate.json", [_leaf(30.0)]))
    found = engine.shortlist(engine.prepared(question))
    assert always.answers(evidence(found, Kind.fact, always.rate_of(found[0].entry_id)))
    answer = Engine(base, index=engine.index, gate=always).ask(question)
    assert answer.outcome is Outcome.none
    assert answer.note_entry_id == note


def test_the_doubt_holds_back_what_the_bars_answer_as_did_you_mean(
    tmp_path: Path, base: KnowledgeBase, engine: Engine
) -> None:
    """A doubt that is sure of every first candidate's being wrong turns each answer the bars
    give into "did you mean" with that entry first; the fitted one leaves a clear answer be."""
    question = "what does the 20-point plan say about the zaporizhzhia nuclear plant"
    bars = Engine(base, index=engine.index, veto=Gate.never()).ask(question)
    assert bars.outcome is Outcome.answer
    fitted = engine.ask(question)  # the fitted doubt: no doubt here
    assert fitted.outcome is Outcome.answer and fitted.entry_id == bars.entry_id
    always = Gate.load(_gate_file(tmp_path / "veto.json", [_leaf(30.0)]))
    doubted = Engine(base, index=engine.index, veto=always).ask(question)
    assert doubted.outcome is Outcome.suggest
    assert doubted.suggestions[0].entry_id == bars.entry_id


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("is this trump's gaza plan?", Outcome.none),  # an entry naming it as outside the base
        ("who is kirill dmitriev", Outcome.answer),  # a profile asked for by name
        ("how old is vladimir putin", Outcome.none),  # a near miss
    ],
)
def test_the_doubt_reads_only_the_bars_answers(
    tmp_path: Path, base: KnowledgeBase, engine: Engine, question: str, outcome: Outcome
) -> None:
    always = Gate.load(_gate_file(tmp_path / "veto.json", [_leaf(30.0)]))
    assert Engine(base, index=engine.index, veto=always).ask(question).outcome is outcome
    assert engine.ask(question).outcome is outcome
