"""Reads a knowledge-base directory of YAML files, keeping the line of every value for error
reports."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from knowledge import patterns
from knowledge.schema import Entry, OffTopic, Source, Topic
from knowledge.timeframe import YEAR

# PyYAML is imported where the YAML is read: a start from the saved base (knowledge.saved_index)
# reads none.
if TYPE_CHECKING:
    import yaml


SOURCES_FILE = "sources.yaml"
TOPICS_FILE = "topics.yaml"
OFF_TOPIC_FILE = "off_topic.yaml"  # optional
Path_ = tuple[str | int, ...]
Files = Mapping[str, str]
"""A base's source files, file name -> YAML text: what is read, validated and published."""


def bundled_dir() -> Path:
    """The knowledge base shipped inside the package (beside this file: importlib.resources
    cost every `ask` ~2 ms of imports to say so)."""
    return Path(__file__).with_name("base")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the base, printed as FILE:LINE: ENTRY_ID: FIELD: message."""

    file: str
    line: int
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.entry}: {self.field}: {self.message}"


class KnowledgeError(Exception):
    """The base could not be loaded; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


@dataclass
class Located:
    """A parsed YAML document with the line number of each value, keyed by its path."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of the deepest known value on `path`."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return 1


def _construct(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], loader: yaml.SafeLoader
) -> Any:
    import yaml

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = str(key) if not isinstance(key, str | int) else key
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            out[key] = _construct(value_node, (*path, key), lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), lines, loader) for i, item in enumerate(node.value)]
    # YAML reads 2025-12-24 as a date (and fails on 2025-13-40); keep the text the curator wrote
    # so pydantic validates dates in one place and names the field.
    if node.tag.endswith(":timestamp"):
        return node.value
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str) -> Located:
    """Parses YAML, raising yaml.YAMLError with a line on bad syntax."""
    import yaml

    loader = yaml.CSafeLoader(text) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = _construct(node, (), lines, loader) if node is not None else None
        return Located(data, lines)
    finally:
        loader.dispose()


_AS_OF = patterns.compile(r"^\s+as_of:\s*['\"]?(\d{4}-\d{2}-\d{2})", re.MULTILINE)


def knowledge_date_of(directory: Path) -> dt.date | None:
    """The latest `as_of` in a base's files, read as text (for help texts: no validation)."""
    found: list[dt.date] = []
    for path in directory.glob("*.yaml"):
        try:
            found += [
                dt.date.fromisoformat(d) for d in _AS_OF.findall(path.read_text(encoding="utf-8"))
            ]
        except (OSError, UnicodeDecodeError, ValueError):
            continue
    return max(found, default=None)


@dataclass(frozen=True)
class KnowledgeBase:
    """A loaded, validated base: sources, topics and entries by id, in file order."""

    sources: dict[str, Source]
    topics: dict[str, Topic]
    entries: dict[str, Entry]
    origin: dict[str, str] = field(default_factory=dict)  # entry id -> file name
    off_topic: OffTopic = field(default_factory=OffTopic)
    # The texts this base was read from: publishing stores exactly what was validated.
    files: Files = field(default_factory=dict, repr=False)

    def sources_of(self, entry: Entry) -> list[Source]:
        return [self.sources[s] for s in entry.sources]

    def entries_in(self, topic: str) -> list[Entry]:
        return [e for e in self.entries.values() if topic in e.topics]

    @cached_property
    def knowledge_date(self) -> dt.date:
        """The latest day the base is current as of: it knows nothing after it."""
        return max((e.as_of for e in self.entries.values()), default=dt.date.min)

    @cached_property
    def planned_years(self) -> frozenset[int]:
        """Years after the knowledge date that the entries speak of (a roadmap to 2040): a question
        naming one asks about the plan, not about that year's news."""
        years = {
            int(year)
            for entry in self.entries.values()
            for year in YEAR.findall(
                entry.answer.en + " " + (entry.details.en if entry.details else "")
            )
        }
        return frozenset(y for y in years if y > self.knowledge_date.year)


ModelT = TypeVar("ModelT", bound=BaseModel)  # the schema model an item is read as


@dataclass
class _Reader:
    """Collects every problem instead of stopping at the first."""

    problems: list[Problem] = field(default_factory=list)

    def report(self, file: str, line: int, entry: str, field_: str, message: str) -> None:
        self.problems.append(Problem(file, line, entry, field_, message))

    def read(self, name: str, text: str) -> Located | None:
        import yaml

        try:
            return parse_yaml(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark else 1
            problem = getattr(exc, "problem", None) or str(exc)
            self.report(name, line, "-", "-", f"YAML syntax error: {problem}")
        return None

    def items(
        self, name: str, text: str, key: str, model: type[ModelT]
    ) -> list[tuple[ModelT, int]]:
        """Validates each item of the list under `key` on its own, so one bad item hides no
        other."""
        located = self.read(name, text)
        if located is None:
            return []
        data = located.data
        if not isinstance(data, dict) or key not in data:
            self.report(name, 1, "-", key, f"the file must be a mapping with a '{key}' list")
            return []
        extra = sorted(str(k) for k in data if k != key)
        if extra:
            self.report(name, located.line_of((extra[0],)), "-", extra[0], "unknown field")
        items = data[key]
        if not isinstance(items, list):
            self.report(name, located.line_of((key,)), "-", key, "must be a list")
            return []
        out = []
        for index, raw in enumerate(items):
            label = (
                str(raw.get("id"))
                if isinstance(raw, dict) and raw.get("id")
                else f"{key}[{index}]"
            )
            item = self._validate(name, located, (key, index), label, model)
            if item is not None:
                out.append((item, located.line_of((key, index))))
        return out

    def mapping(self, name: str, text: str, key: str, model: type[ModelT]) -> ModelT | None:
        """Validates the one mapping under `key`."""
        located = self.read(name, text)
        if located is None:
            return None
        data = located.data
        if not isinstance(data, dict) or set(data) != {key}:
            self.report(
                name, 1, "-", key, f"the file must be a mapping with only a '{key}' mapping"
            )
            return None
        return self._validate(name, located, (key,), key, model)

    def _validate(
        self, name: str, located: Located, at: Path_, label: str, model: type[ModelT]
    ) -> ModelT | None:
        """The value at `at` as `model`, or None with each of its problems reported."""
        value: Any = located.data
        for step in at:
            value = value[step]
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                where = ".".join(str(p) for p in loc) or "-"
                self.report(name, located.line_of((*at, *loc)), label, where, _message(error))
        return None


def _message(error: Any) -> str:
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    return str(error["msg"])


@dataclass
class RawBase:
    """What was read, with lines, before cross-references are checked."""

    sources: list[tuple[Source, str, int]]
    topics: list[tuple[Topic, str, int]]
    entries: list[tuple[Entry, str, int]]
    problems: list[Problem]
    off_topic: OffTopic = field(default_factory=OffTopic)
    files: Files = field(default_factory=dict)


def source_files(directory: Path) -> tuple[dict[str, str], list[Problem]]:
    """The text of every *.yaml file in `directory`, and what could not be read."""
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            files[path.name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(path.name, 1, "-", "-", f"not UTF-8 text: {exc.reason}"))
    return files, problems


def read_base(source: Path | Files) -> RawBase:
    """Reads every file (of a directory, or given as texts) and validates each item against the
    schema; collects all problems."""
    if isinstance(source, Path):
        if not source.is_dir():
            return RawBase([], [], [], [Problem(str(source), 1, "-", "-", "not a directory")])
        files, problems = source_files(source)
    else:
        files, problems = dict(source), []
    reader = _Reader(problems)
    sources: list[tuple[Source, str, int]] = []
    topics: list[tuple[Topic, str, int]] = []
    entries: list[tuple[Entry, str, int]] = []
    off_topic = OffTopic()
    for required in (SOURCES_FILE, TOPICS_FILE):
        if required not in files and not any(p.file == required for p in problems):
            reader.report(required, 1, "-", "-", "file is missing")
    for name, text in sorted(files.items()):
        if name == SOURCES_FILE:
            sources += [(s, name, ln) for s, ln in reader.items(name, text, "sources", Source)]
        elif name == TOPICS_FILE:
            topics += [(t, name, ln) for t, ln in reader.items(name, text, "topics", Topic)]
        elif name == OFF_TOPIC_FILE:
            off_topic = reader.mapping(name, text, "off_topic", OffTopic) or off_topic
        else:
            entries += [(e, name, ln) for e, ln in reader.items(name, text, "entries", Entry)]
    return RawBase(sources, topics, entries, reader.problems, off_topic, files)
