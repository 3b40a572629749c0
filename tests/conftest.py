"""Shared fixtures: the bundled knowledge base and its engine are loaded once per session."""

from __future__ import annotations

import pytest

from chat.render import answer_length
from knowledge.answer import Engine
from knowledge.loader import KnowledgeBase
from knowledge.validate import load_base


@pytest.fixture(scope="session")
def base() -> KnowledgeBase:
    return load_base(measure=answer_length)


@pytest.fixture(scope="session")
def engine(base: KnowledgeBase) -> Engine:
    return Engine(base)
