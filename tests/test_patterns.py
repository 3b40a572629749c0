"""Compiled patterns saved between processes (knowledge.patterns): the next `ask` reads them,
they are the programs `re` makes, and a broken or rejected one costs the saving, not an answer."""

from __future__ import annotations

import json
import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import patterns
from testkit.kb_trees import write_tree


def ask(tree: Path, cache: Path, question: str = "alpha two please") -> dict[str, object]:
    env = {**os.environ, "INDEX_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "bot.cli", "ask", "--knowledge-dir", str(tree), "--json"]
    done = subprocess.run([*command, question], capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def saved_file(cache: Path) -> Path:
    (path,) = cache.glob("patterns-*.marshal")
    return path


def test_the_next_ask_reads_the_patterns_the_first_saved(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "kb")
    first = ask(tree, tmp_path / "cache")
    path = saved_file(tmp_path / "cache")
    written = path.read_bytes()
    written_at = path.stat().st_mtime_ns
    assert ask(tree, tmp_path / "cache") == first and first["entry_id"] == "alpha-entry"
    # It found every pattern it needed, so it wrote nothing.
    assert path.stat().st_mtime_ns == written_at and path.read_bytes() == written
    programs = marshal.loads(written)
    assert len(programs) > 100  # the near-miss, timeframe and cleaning rules
    for (pattern, flags), program in programs.items():
        assert patterns._compiled(pattern, program) == re.compile(pattern, flags), pattern


def test_a_broken_patterns_file_is_written_again(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "kb")
    clean = ask(tree, tmp_path / "clean")
    broken = tmp_path / "broken" / saved_file(tmp_path / "clean").name
    broken.parent.mkdir()
    broken.write_bytes(b"not a marshal file \x00\xff")
    assert ask(tree, tmp_path / "broken") == clean
    assert isinstance(marshal.loads(broken.read_bytes()), dict)


def test_a_program_the_engine_rejects_is_compiled_by_re(monkeypatch: pytest.MonkeyPatch) -> None:
    key = (r"\bpoint (\d+)", 0)
    monkeypatch.setattr(patterns._saved, "programs", {key: (32, b"\xff" * 8, 0, {}, (None,))})
    monkeypatch.setattr(patterns._saved, "used", {})
    monkeypatch.setattr(patterns._saved, "new", False)
    compiled = patterns.compile(*key)
    assert compiled == re.compile(*key)
    match = compiled.search("plan point 12")
    assert match is not None and match.group(1) == "12"
    assert patterns._saved.new  # the next save writes the program re made
