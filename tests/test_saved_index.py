"""The search index as a saved artifact: built once per content version, memory-mapped after,
answering exactly as a freshly built one; a corrupt, stale or unwritable one is never trusted."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.evalset import SETS, load_questions
from bot.cli import main
from knowledge import saved_index
from knowledge.answer import Engine, index_of
from knowledge.columns import TextColumn
from knowledge.loader import KnowledgeBase, KnowledgeError
from knowledge.saved_index import MANIFEST, index_key, load_base_saved, load_index
from knowledge.search import SearchIndex
from knowledge.validate import load_base
from knowledge.versions import content_version
from testkit.kb_trees import entry, write_tree


def never_built(base: KnowledgeBase) -> SearchIndex:
    raise AssertionError("the saved index should have been used")


class CountingBuild:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, base: KnowledgeBase) -> SearchIndex:
        self.calls += 1
        return index_of(base)


def memory_mapped(array: np.ndarray) -> bool:
    """Whether the array's memory is a view of a memory-mapped file."""
    owner: object = array
    while isinstance(owner, np.ndarray):
        if isinstance(owner, np.memmap):
            return True
        owner = owner.base
    return False


@pytest.fixture
def small_base(tmp_path: Path) -> KnowledgeBase:
    return load_base(write_tree(tmp_path / "kb"))


@pytest.fixture(scope="module")
def built(base: KnowledgeBase) -> Engine:
    """The bundled base's engine on an index built here, not read from a saved one (the suite's
    `engine` reads the saved one). Its tests run in one worker (BUILT), which builds it once."""
    return Engine(base)


BUILT = pytest.mark.xdist_group("built-index")


@BUILT
def test_a_saved_index_answers_exactly_as_a_built_one(
    base: KnowledgeBase, built: Engine, bundled_index: Path
) -> None:
    saved = load_index(base, bundled_index, build=never_built)  # saved by conftest.py
    assert memory_mapped(saved.posting_docs) and memory_mapped(saved.meaning.vectors)
    loaded = Engine(base, index=saved)
    questions = [q.text for q in load_questions(SETS["calibration"])][::6]  # every sixth: 204
    assert len(questions) > 100
    for question in questions:
        assert loaded.candidates(question) == built.candidates(question), question
        assert loaded.ask(question) == built.ask(question), question


def test_the_index_is_built_once_per_content_version(tmp_path: Path) -> None:
    build = CountingBuild()
    first = load_base(write_tree(tmp_path / "a"))
    load_index(first, tmp_path / "cache", build=build)
    load_index(first, tmp_path / "cache", build=build)
    assert build.calls == 1
    changed = load_base(
        write_tree(tmp_path / "b", entry("alpha-entry", "alpha") + entry("gamma-entry", "gamma"))
    )
    index = load_index(changed, tmp_path / "cache", build=build)
    assert build.calls == 2 and "gamma-entry" in index.entry_ids
    assert {p.name for p in (tmp_path / "cache").iterdir()} == {
        index_key(first),
        index_key(changed),
    }


@pytest.mark.parametrize(
    "damage",
    ["flipped byte", "truncated array", "missing array", "other code's manifest", "bad json"],
)
def test_a_damaged_saved_index_is_built_again(
    small_base: KnowledgeBase,
    tmp_path: Path,
    damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    load_index(small_base, tmp_path)
    saved = tmp_path / index_key(small_base)
    tf = saved / "arrays.bin"
    if damage == "flipped byte":
        raw = bytearray(tf.read_bytes())
        raw[-3] ^= 0xFF
        tf.write_bytes(bytes(raw))
    elif damage == "truncated array":
        tf.write_bytes(tf.read_bytes()[:-8])
    elif damage == "missing array":
        tf.unlink()
    elif damage == "other code's manifest":
        manifest = json.loads((saved / MANIFEST).read_text())
        (saved / MANIFEST).write_text(json.dumps({**manifest, "format": -1}))
    else:
        (saved / "data.json").write_text("{")
    build = CountingBuild()
    with caplog.at_level(logging.WARNING, logger="knowledge.saved_index"):
        index = load_index(small_base, tmp_path, build=build)
    assert build.calls == 1
    question = "alpha two please"
    assert index.search(question) == index_of(small_base).search(question)
    load_index(small_base, tmp_path, build=never_built)  # saved again, sound this time
    if damage != "missing array":
        assert "unusable" in caplog.text


def test_files_as_written_are_not_hashed_again_and_changed_ones_are(
    small_base: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saved index whose files have the size and modification time the manifest keeps is read
    without hashing them (as Python trusts a .pyc); a file touched since is hashed, and used
    when its SHA-256 is still the one written."""
    load_index(small_base, tmp_path)
    hashed: list[str] = []
    digest = saved_index._digest

    def counted(path: Path) -> str:
        hashed.append(path.name)
        return digest(path)

    monkeypatch.setattr(saved_index, "_digest", counted)
    load_index(small_base, tmp_path, build=never_built)
    assert hashed == []
    arrays = tmp_path / index_key(small_base) / "arrays.bin"
    os.utime(arrays, ns=(arrays.stat().st_atime_ns, arrays.stat().st_mtime_ns + 1_000_000_000))
    load_index(small_base, tmp_path, build=never_built)
    assert hashed == ["arrays.bin"]


def test_an_unwritable_cache_costs_the_saving_not_the_answer(
    small_base: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory would be")
    with caplog.at_level(logging.WARNING, logger="knowledge.saved_index"):
        index = load_index(small_base, blocked)
    assert index.search("alpha two please")[0].entry_id == "alpha-entry"
    assert "cannot save the index" in caplog.text


def test_ask_saves_the_index_in_index_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = write_tree(tmp_path / "kb")
    monkeypatch.setenv("INDEX_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["ask", "alpha two please", "--knowledge-dir", str(tree), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    saved = tmp_path / "cache" / index_key(load_base(tree))
    assert (saved / MANIFEST).exists()
    assert main(["ask", "alpha two please", "--knowledge-dir", str(tree), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first and first["entry_id"] == "alpha-entry"


def test_the_command_writes_everything_before_it_leaves(tmp_path: Path) -> None:
    """The command ends without tearing the interpreter down (bot.cli.entry_point): a batch's
    last line still reaches a pipe, and the exit code is main()'s."""
    tree = write_tree(tmp_path / "kb")
    questions = tmp_path / "questions.txt"
    questions.write_text("alpha two please\n" * 40, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a buffered pipe
    env["INDEX_CACHE_DIR"] = str(tmp_path / "cache")
    ask = [sys.executable, "-m", "bot.cli", "ask", "--knowledge-dir", str(tree), "--json"]
    done = subprocess.run(
        [*ask, "--batch", str(questions)], capture_output=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 40 and json.loads(lines[-1])["entry_id"] == "alpha-entry"
    refused = subprocess.run(
        [*ask, "--batch", str(questions), "--after", "alpha-entry"],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert refused.returncode == 2 and b"--after goes with one QUESTION" in refused.stderr


def test_a_saved_base_is_the_base_its_files_load_as(tmp_path: Path) -> None:
    from chat.render import answer_length

    fresh = load_base(measure=answer_length)
    first, version = load_base_saved(None, tmp_path, measure=answer_length)
    again, same = load_base_saved(None, tmp_path, measure=answer_length)
    assert first == fresh and again == fresh  # every source, topic, entry, origin and file
    # and every value of the same type (read back without validation: a str-valued enum would
    # compare equal to its member, but not show so)
    assert repr(again) == repr(fresh)
    assert version == same == content_version(fresh)
    assert len(list(tmp_path.glob("base-*.json"))) == 1


def test_changed_files_or_a_damaged_saved_base_are_read_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tree = write_tree(tmp_path / "kb")
    cache = tmp_path / "cache"
    base, _ = load_base_saved(tree, cache)
    (saved,) = cache.glob("base-*.json")
    text = saved.read_text(encoding="utf-8")
    saved.write_text(text.replace("alpha", "omega"), encoding="utf-8")  # the digest no longer fits
    with caplog.at_level(logging.WARNING, logger="knowledge.saved_index"):
        assert load_base_saved(tree, cache)[0] == base
    assert "unusable" in caplog.text
    write_tree(tree, entry("alpha-entry", "alpha") + entry("delta-entry", "delta"))
    changed, version = load_base_saved(tree, cache)
    assert "delta-entry" in changed.entries and version == content_version(load_base(tree))


def test_a_broken_base_is_never_saved(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "kb", entry("alpha-entry", "alpha") + entry("alpha-entry", "beta")
    )
    with pytest.raises(KnowledgeError):
        load_base_saved(tree, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("base-*.json"))


@BUILT
def test_the_saved_spelling_index_corrects_as_the_built_one(
    base: KnowledgeBase, built: Engine, bundled_index: Path
) -> None:
    saved = load_index(base, bundled_index, build=never_built).speller
    speller = built.index.speller
    for language in speller.written:
        expected = speller.deletion_index(language)
        variants = sorted(expected)[::50]
        assert variants
        for variant in variants:
            assert saved._deletions_in(language).get(variant) == expected[variant]
            assert saved._deletions_in(language).get(variant + "qz") is None
    for word in ["russlnad", "negotiatoins", "украини", "waffenstilstand", "ceasfire", "zzzzzzz"]:
        for language in speller.written:
            assert saved.correct(word, language) == speller.correct(word, language), word


TRICKY = [
    "",
    " ",
    "what does putin want",
    "WHAT DOES PUTIN WANT?!",
    "  two  spaces  and a trailing one ",
    "«Кремль» і „Waffenstillstand“ — 20-point plan (28 points)?",
    "emoji 🙂 and 中文, soft\u00adhyphen, tab\tand newline\n",
    "ünïcödé ßtraße ЁЖИК ґанок",
    "the raw \u2581 marker",
    "special <s> and </s> and <unk>",
    "zzqxj vvkrrp ceasfire negotiatons",
]


@BUILT
def test_questions_are_embedded_without_the_tokenizer_to_its_ids(
    base: KnowledgeBase, built: Engine, bundled_index: Path
) -> None:
    """The saved word pieces and the tokenizer's merges give the tokenizer's own token ids, so
    a question is embedded without reading it (the special tokens' texts are left to it)."""
    tokenizer = built.index.meaning.embedder.tokenizer
    made = built.index.meaning.pieces
    saved = load_index(base, bundled_index, build=never_built).meaning.pieces
    assert made is not None and saved is not None and saved.pairs is not None
    assert memory_mapped(saved.keys)  # read from the saved index, not rebuilt
    questions = [q.text for q in load_questions(SETS["calibration"])][::2] + TRICKY
    for question in questions:
        expected = tokenizer.encode(question.casefold(), add_special_tokens=False).ids
        for pieces in (made, saved):
            got = pieces.ids(question)
            if got is None:
                assert "<s>" in question, question
            else:
                assert got == expected, question


def test_ask_never_reads_the_tokenizer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A saved index embeds any question (here with a word neither the base nor the vocabulary
    holds) from its word pieces and merges: `ask` never imports the tokenizer."""
    tree = write_tree(tmp_path / "kb")
    monkeypatch.setenv("INDEX_CACHE_DIR", str(tmp_path / "cache"))
    ask = ["ask", "--knowledge-dir", str(tree), "--json", "alpha two pleese zzqxv?"]
    assert main(ask) == 0  # builds and saves the index, answers in this process
    expected = json.loads(capsys.readouterr().out)
    code = (
        f"import sys; from bot.cli import main; main({ask!r}); print('tokenizers' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=dict(os.environ), timeout=120
    )
    assert done.returncode == 0, done.stderr
    *answer, tokenizer_read = done.stdout.decode().splitlines()
    assert tokenizer_read == "False"
    assert json.loads("".join(answer)) == expected


def test_a_text_column_reads_each_text_back_as_written() -> None:
    texts = ["", "point 4", "пункт 4 — армія", "Ä", "x" * 300]
    column = TextColumn.of(texts)
    assert list(column) == texts
    assert [column[i] for i in range(-len(texts), 0)] == texts
    assert column[1:4] == texts[1:4]
    with pytest.raises(IndexError):
        column[len(texts)]
    with pytest.raises(IndexError):
        column[-len(texts) - 1]
    assert list(TextColumn.of([])) == []


def test_a_saved_index_reads_its_arrays_as_plain_arrays(
    base: KnowledgeBase, bundled_index: Path
) -> None:
    """Memory-mapped, but not np.memmap: slicing one ran Python code on every posting list."""
    index = load_index(base, bundled_index, build=never_built)
    assert type(index.posting_docs) is np.ndarray and type(index.meaning.vectors) is np.ndarray
    assert memory_mapped(index.posting_docs) and not index.posting_docs.flags.writeable
