"""Regular expressions compiled once per Python, not once per process.

The near-miss, timeframe and cleaning rules are ~190 hand-written patterns, compiled when their
modules are imported. `re` compiles in pure Python (parse, then code generation): 58 ms of every
`ask`, as much as the yardstick's imports of numpy and pydantic together. What it produces, the
program `re`'s C engine runs, depends only on the pattern, its flags and the Python that compiled
it, so it is kept as a .pyc file keeps a module's bytecode: in the cache directory, in a file
named by the Python and its regular-expression engine, handed to the engine again on the next
start (which checks a program before it accepts it). A pattern the file lacks is compiled as
usual; `save` writes the file again once a process has compiled patterns it lacked. Anything
wrong with the file, or a Python whose `re` is built otherwise, costs the saving, not a pattern:
`compile` then is `re.compile`.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import sys
from array import array
from pathlib import Path

from knowledge.cache import default_cache_dir

try:  # the engine and compiler behind `re`: private, so checked before they are relied on
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover (another Python)
    _sre = None

# A pattern's program as saved: its flags, its code (unsigned 32-bit words, as `array` writes
# them: all of them read in 1.3 ms, against 2.4 ms as lists of ints), its group count, and its
# group names in both directions: what the engine takes beside the pattern.
Program = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]
_Key = tuple[str, int]
_WORD = "I"  # an array's unsigned 32-bit word: what the engine's code is made of (_sre.CODESIZE)


class _Saved:
    """The programs read from the file, and those this process used."""

    def __init__(self) -> None:
        self.programs: dict[_Key, Program] = {}
        self.used: dict[_Key, Program] = {}
        self.new = False  # a pattern compiled here that the file lacked
        self.read = False


_saved = _Saved()


def cache_path() -> Path:
    """The file of saved programs: in INDEX_CACHE_DIR (where the saved index lives) or the
    user's cache directory, named by the Python and by its engine's version."""
    chosen = os.environ.get("INDEX_CACHE_DIR", "").strip()
    directory = Path(chosen) if chosen else default_cache_dir()
    magic = getattr(_sre, "MAGIC", 0)
    return directory / f"patterns-{sys.implementation.cache_tag}-{magic}.marshal"


def _read() -> None:
    _saved.read = True
    try:
        programs = marshal.loads(cache_path().read_bytes())
    except (OSError, ValueError, EOFError, TypeError):  # none yet, or not one we wrote
        return
    if isinstance(programs, dict):
        _saved.programs = programs


def _program(pattern: str, flags: int) -> Program:
    """What `re._compiler.compile` hands the engine for this pattern (Python 3.11 to 3.13)."""
    parsed = _parser.parse(pattern, flags)
    code = array(_WORD, _compiler._code(parsed, flags)).tobytes()
    names = dict(parsed.state.groupdict)
    groups: list[str | None] = [None] * parsed.state.groups
    for name, number in names.items():
        groups[number] = name
    return (flags | parsed.state.flags, code, parsed.state.groups - 1, names, tuple(groups))


def _compiled(pattern: str, program: Program) -> re.Pattern[str]:
    """The pattern the engine makes of a program; RuntimeError when it rejects the code."""
    flags, code, groups, names, numbered = program
    words = array(_WORD)
    words.frombytes(code)
    compiled: re.Pattern[str] = _sre.compile(
        pattern, flags, words.tolist(), groups, names, numbered
    )
    return compiled


def compile(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:  # noqa: A001
    """`re.compile(pattern, flags)`, from the saved program when there is one."""
    if _sre is None or _sre.CODESIZE != array(_WORD).itemsize:  # pragma: no cover
        return re.compile(pattern, flags)
    flags = int(flags)
    if not _saved.read:
        _read()
    key = (pattern, flags)
    saved = _saved.programs.get(key)
    if saved is not None:
        try:
            compiled = _compiled(pattern, saved)
        except (RuntimeError, TypeError, ValueError):  # not a program this engine accepts
            pass
        else:
            _saved.used[key] = saved
            return compiled
    compiled = re.compile(pattern, flags)
    try:
        program = _program(pattern, flags)
        same = _compiled(pattern, program) == compiled  # compares flags and code too
    except Exception:  # noqa: BLE001 (a `re` built otherwise: nothing saved)
        same = False
    if same:
        _saved.used[key] = program
        _saved.new = True
    return compiled


def save() -> None:
    """Writes the programs this process used when it compiled one the file lacked; a cache
    directory that cannot be written costs the saving only."""
    if not _saved.new:
        return
    path = cache_path()
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(marshal.dumps(_saved.used))
        os.replace(partial, path)  # whole or not at all, whoever else writes it
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        return
    _saved.programs.update(_saved.used)
    _saved.new = False
