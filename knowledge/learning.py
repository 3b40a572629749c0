"""`kb learn`: accepted suggestions become phrasings in the base's YAML, each in its entry's file
and language list, the rest of the file untouched; nothing is written unless the result passes the
full `kb check`.

The accepted suggestions are YAML (JSON is YAML too, so `report suggestions --json`, edited, is
one):

    phrasings:
      - entry_id: p20-point-04-army
        questions:
          - text: how big may ukraines army get
            language: en
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from knowledge.curation import tidy
from knowledge.loader import Problem, parse_yaml, source_files
from knowledge.normalize import normalize
from knowledge.schema import Id, Language, Phrasing
from knowledge.validate import Measure, check_base


class _Question(BaseModel):
    # The report's own fields (count, via) may stay in an edited report: they are ignored.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    text: Phrasing
    language: Language


class _Accepted(BaseModel):
    model_config = ConfigDict(extra="ignore")

    entry_id: Id
    questions: list[_Question]


@dataclass(frozen=True)
class NewPhrasing:
    """One phrasing to add, and where it was asked for in the FILE."""

    entry_id: str
    language: str
    text: str
    line: int


@dataclass(frozen=True)
class Learned:
    """What `learn` did: the phrasings added, per file of the base."""

    added: list[tuple[str, NewPhrasing]]  # (base file, phrasing)
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def read_accepted(path: Path) -> tuple[list[NewPhrasing], list[Problem]]:
    """The phrasings a FILE of accepted suggestions asks for, or what is wrong with it (each
    problem names the file, line, entry and field)."""
    name = str(path)
    try:
        located = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(name, 1, "-", "-", f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [
            Problem(name, mark.line + 1 if mark else 1, "-", "-", f"YAML syntax error: {exc}")
        ]
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("phrasings"), list):
        return [], [Problem(name, 1, "-", "phrasings", "the file must have a 'phrasings' list")]
    found: list[NewPhrasing] = []
    problems: list[Problem] = []
    for index, raw in enumerate(data["phrasings"]):
        at = ("phrasings", index)
        label = (
            str(raw.get("entry_id"))
            if isinstance(raw, dict) and raw.get("entry_id")
            else f"phrasings[{index}]"
        )
        try:
            accepted = _Accepted.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                field = ".".join(str(p) for p in loc) or "-"
                message = (
                    "required field is missing" if error["type"] == "missing" else error["msg"]
                )
                problems.append(Problem(name, located.line_of((*at, *loc)), label, field, message))
            continue
        for number, question in enumerate(accepted.questions):
            found.append(
                NewPhrasing(
                    accepted.entry_id,
                    question.language.value,
                    tidy(question.text),
                    located.line_of((*at, "questions", number)),
                )
            )
    return found, problems


def learn(
    directory: Path, accepted: list[NewPhrasing], source: str, measure: Measure | None = None
) -> Learned:
    """Adds the phrasings to the base in `directory` and writes its files, unless a phrasing is
    a duplicate, names an unknown entry, or the base would then fail `kb check` (then nothing is
    written). `source` names the FILE in problems."""
    # The quick read (no confusable or translation check, a second or more on a large base):
    # the full check runs once, on the result.
    base, before = check_base(directory, confusable=False)
    if base is None:
        return Learned([], before)
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    wanted: list[NewPhrasing] = []
    for item in accepted:
        entry = base.entries.get(item.entry_id)
        if entry is None:
            problems.append(
                Problem(
                    source, item.line, item.entry_id, "entry_id", f"no such entry in {directory}"
                )
            )
            continue
        key = (item.entry_id, normalize(item.text) or item.text.casefold())
        existing = {
            normalize(p) or p.casefold()
            for items in entry.phrasings.by_language().values()
            for p in items
        }
        if key[1] in existing:
            problems.append(
                Problem(
                    source,
                    item.line,
                    item.entry_id,
                    "questions.text",
                    f"'{item.text}' is already a phrasing of this entry",
                )
            )
        elif key in seen:
            problems.append(
                Problem(
                    source,
                    item.line,
                    item.entry_id,
                    "questions.text",
                    f"'{item.text}' is asked for twice (first at line {seen[key]})",
                )
            )
        else:
            seen[key] = item.line
            wanted.append(item)
    if problems:
        return Learned([], problems)
    files, unreadable = source_files(directory)
    if unreadable:
        return Learned([], unreadable)
    changed: dict[str, str] = {}
    added: list[tuple[str, NewPhrasing]] = []
    for name in sorted({base.origin[item.entry_id] for item in wanted}):
        here = [item for item in wanted if base.origin[item.entry_id] == name]
        text, missing = _insert(files[name], here)
        problems += [
            Problem(source, item.line, item.entry_id, f"phrasings.{item.language}", message)
            for item, message in missing
        ]
        changed[name] = text
        added += [(name, item) for item in here if all(item is not m for m, _ in missing)]
    if problems:
        return Learned([], problems)
    _, after = check_base({**files, **changed}, measure=measure)
    if after:
        return Learned([], after)
    for name, text in changed.items():
        _write(directory / name, text)
    return Learned(added, [])


def _quoted(text: str, style: str | None) -> str:
    """The phrasing as a YAML scalar in the list's own quoting (double quotes for plain lists)."""
    if style == "'":
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _insert(text: str, items: list[NewPhrasing]) -> tuple[str, list[tuple[NewPhrasing, str]]]:
    """`text` with each phrasing appended to its entry's list for its language, formatted as the
    list around it; and the items whose list was not found."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lists: dict[tuple[str, str], yaml.SequenceNode] = {}
    entries = _value(root, "entries")
    for node in entries.value if isinstance(entries, yaml.SequenceNode) else ():
        entry_id = _value(node, "id")
        phrasings = _value(node, "phrasings")
        if not isinstance(entry_id, yaml.ScalarNode) or not isinstance(
            phrasings, yaml.MappingNode
        ):
            continue
        for key, value in phrasings.value:
            if isinstance(value, yaml.SequenceNode) and value.value:
                lists[(entry_id.value, key.value)] = value
    newline = "\r\n" if "\r\n" in text else "\n"
    inserts: list[tuple[int, str]] = []
    missing: list[tuple[NewPhrasing, str]] = []
    for item in items:
        sequence = lists.get((item.entry_id, item.language))
        if sequence is None:
            missing.append((item, "no non-empty phrasings list for this language in the file"))
            continue
        last = sequence.value[-1]
        scalar = _quoted(item.text, last.style if isinstance(last, yaml.ScalarNode) else None)
        if sequence.flow_style:
            inserts.append((last.end_mark.index, f", {scalar}"))
            continue
        end = last.end_mark.index
        while end > 0 and text[end - 1] in " \t\r\n":
            end -= 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_end - 1 : line_end] == "\r":
            line_end -= 1
        dash = " " * sequence.start_mark.column
        inserts.append((line_end, f"{newline}{dash}- {scalar}"))
    # From the end backwards, so earlier positions stay valid; the same spot keeps FILE order.
    for _order, addition in sorted(
        enumerate(inserts), key=lambda pair: (pair[1][0], pair[0]), reverse=True
    ):
        index, snippet = addition
        text = text[:index] + snippet + text[index:]
    return text, missing


def _value(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def _write(path: Path, text: str) -> None:
    """Replaces the file at once: a crash leaves the old file or the new one, never half."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, path.stat().st_mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
