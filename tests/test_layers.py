"""The layers import downwards only, and the command registry is the one source of commands."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from chat.texts import TEXTS
from handlers.commands import COMMANDS, command_handlers, command_help, menus
from knowledge.schema import LANGUAGES
from testkit.snippets import python_output

ROOT = Path(__file__).resolve().parent.parent
# Each package and the packages it may import; anything else (telegram, sqlalchemy...) is not ours.
LAYERS = {
    "knowledge": set(),
    "storage": {"knowledge"},
    "chat": {"knowledge", "storage"},
    "handlers": {"chat", "knowledge", "storage"},
    "bot": {"handlers", "chat", "knowledge", "storage"},
    "testkit": {"bot", "handlers", "chat", "knowledge", "storage"},
    "bench": {"testkit", "bot", "handlers", "chat", "knowledge", "storage"},
}


def imported_packages(path: Path) -> set[str]:
    """Our top-level packages a module imports, at any depth (function-level imports count)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & (set(LAYERS) | {"tests"})


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_package_imports_only_the_layers_below(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {other}"
        for path in (ROOT / package).rglob("*.py")
        for other in imported_packages(path) - LAYERS[package] - {package}
    }
    assert not wrong, sorted(wrong)


def test_layer_rules_have_no_cycle() -> None:
    """The rules order the packages: peeling off those with nothing left below them empties it."""
    left = {package: set(allowed) for package, allowed in LAYERS.items()}
    while left:
        bottom = {package for package, allowed in left.items() if not allowed & set(left)}
        assert bottom, f"a cycle among {sorted(left)}"
        left = {package: allowed for package, allowed in left.items() if package not in bottom}


def test_every_command_has_help_text_in_every_language() -> None:
    missing = [
        f"{language}: {c.help_key}"
        for c in COMMANDS
        for language in LANGUAGES
        if c.listed and c.help_key not in TEXTS[language]
    ]
    assert not missing


def test_handlers_menus_and_help_come_from_the_registry() -> None:
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    assert [sorted(h.commands)[0] for h in command_handlers()] == names
    listed = [c.name for c in COMMANDS if c.listed]
    assert [name for name, _key in command_help()] == listed
    assert {c.name for scope in menus().values() for c in scope} == set(listed)
    assert "publish" in names and "publish" not in listed  # the admins' command is not advertised


def test_answering_runs_one_blas_thread(tmp_path: Path, index_cache_dir: Path) -> None:
    """OpenBLAS starts a thread per core when numpy loads; the engine's products are small, and the
    second thread doubled their CPU for nothing (knowledge/__init__.py). Unless the environment
    asks for more, the engine's process has the threads it has with OPENBLAS_NUM_THREADS=1."""
    script = (
        "import os\n"
        "from knowledge.answer import Engine\n"
        "from knowledge.validate import load_base\n"
        "Engine(load_base()).ask('what does putin want')\n"
        "print(len(os.listdir('/proc/self/task')))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "INDEX_CACHE_DIR": str(index_cache_dir)}
    threads = [
        python_output(script, {**env, **extra}) for extra in ({}, {"OPENBLAS_NUM_THREADS": "1"})
    ]
    assert threads[0] == threads[1], threads


def test_ask_imports_neither_telegram_nor_the_database_layer(tmp_path: Path) -> None:
    """`briefing-bot ask` loads what answering needs and nothing of the bot around it."""
    script = (
        "import json, sys\n"
        "from bot.cli import main\n"
        "code = main(['ask', 'what does putin want', '--json'])\n"
        "tops = sorted({name.split('.')[0] for name in sys.modules})\n"
        "print(json.dumps({'code': code, 'modules': tops}))\n"
    )
    output = python_output(script, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    *answer, last = output.split("\n")  # ask's JSON, then what the process had imported
    found = json.loads(last)
    assert found["code"] == 0 and json.loads("\n".join(answer))["answered"]
    loaded = set(found["modules"])
    assert "knowledge" in loaded and "numpy" in loaded  # the check sees what was imported
    heavy = {"telegram", "sqlalchemy", "alembic", "httpx", "chat", "handlers", "storage"}
    assert not heavy & loaded, sorted(heavy & loaded)
