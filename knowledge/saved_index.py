"""The search index as a file artifact: built once per content version, memory-mapped after;
and the validated base beside it, read again only when its files change.

Building the index of the shipped base takes seconds (text cleaning, tokenising, embedding);
loading a saved one takes milliseconds and shares its pages between processes. A saved index
lives in its own directory under a cache directory, named by what it was built from: the base's
content version (knowledge.versions) and the code's index version (INDEX_FORMAT, and a digest of
the code and model files that shape the index, so that an edited matcher never trusts an index
the old code built). A missing, partial, corrupt or stale index is built again, never trusted:
each file is the one written where its size and modification time are those the manifest keeps
(as Python trusts a .pyc), and otherwise only where its SHA-256 is the one written.

Reading and validating the YAML of a base costs more than loading its index: `load_base_saved`
keeps the validated base as JSON, named by a digest of its files' texts and of the code that
validates them, and validates that JSON against the schema again when it reads it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.cache import default_cache_dir
from knowledge.loader import Files, KnowledgeBase, bundled_dir, source_files
from knowledge.schema import Entry, OffTopic, Source, Topic, rebuilt
from knowledge.scoring import Scoring
from knowledge.search import SearchIndex

if TYPE_CHECKING:  # not imported to read a saved base: `ask` needs neither (~2 ms)
    from knowledge.validate import Measure


def _warn(message: str, *args: object) -> None:
    """A warning on this module's logger; logging is imported only then (`ask` needs it not)."""
    import logging

    logging.getLogger(__name__).warning(message, *args)


# The layout of a saved index: bump it when SearchIndex.saved/from_saved change.
# 10: the manifest keeps each file's size and modification time (a 9's would be hashed on every
# read); 9: the speller's variants with fixed-width heads for np.searchsorted
INDEX_FORMAT = 10
# The code whose changes change the index built from the same base.
SHAPING_MODULES = (
    "search.py",
    "answer.py",
    "normalize.py",
    "concepts.tsv",
    "phrases.tsv",
    "semantic.py",
    "spelling.py",
)
KEEP = 4  # saved indexes kept in one cache directory, newest first; older ones are removed
# The layout of a saved base: bump it when base_data/base_from_data change.
BASE_FORMAT = 2  # 2: a source's reliability note per language
# The code whose changes change what a base's files load as (or whether they pass).
VALIDATING_MODULES = ("schema.py", "loader.py", "validate.py", "timeframe.py")
KEEP_BASES = 8  # saved bases kept, newest first
MANIFEST = "manifest.json"
DATA = "data.json"
# Every array in one file, each at an offset the manifest gives: one file mapped, not 37 read
# by np.load (whose headers cost an `ask` ~4 ms).
ARRAYS = "arrays.bin"
ALIGN = 64  # bytes: where each array starts


@lru_cache(maxsize=1)
def code_version() -> str:
    """INDEX_FORMAT and a digest of the modules and model files that shape the index."""
    here = Path(__file__).parent
    digest = hashlib.sha256(f"format {INDEX_FORMAT}".encode())
    for name in SHAPING_MODULES:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    from knowledge.semantic import model_files

    for path in model_files():
        stat = path.stat()
        digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}".encode())
    return f"{INDEX_FORMAT}-{digest.hexdigest()[:12]}"


def index_key(base: KnowledgeBase, version: str | None = None) -> str:
    """The name of the base's saved index: its content version and the code's index version."""
    if version is None:
        from knowledge.versions import content_version

        version = content_version(base)
    return f"index-{version}-{code_version()}"


def load_index(
    base: KnowledgeBase,
    cache_dir: Path | None = None,
    build: Callable[[KnowledgeBase], SearchIndex] | None = None,
    scoring: Scoring | None = None,
    version: str | None = None,
) -> SearchIndex:
    """The base's index: the saved one when it is there and sound, else built (by `build`,
    knowledge.answer.index_of by default) and saved for the next start. A cache directory that
    cannot be written costs the saving, not the answer. `version`: the base's content version,
    when the caller has it."""
    directory = (cache_dir or default_cache_dir()) / index_key(base, version)
    try:
        return read_index(directory, scoring)
    except FileNotFoundError:
        pass
    except Exception as exc:  # anything wrong with it: build it again
        _warn("saved index %s is unusable (%s); building it again", directory, exc)
    if build is None:
        from knowledge.answer import index_of

        build = index_of
    index = build(base)
    # Its questions are embedded from its word pieces: the tokenizer the build read (12 MiB) is
    # not needed again until the next build.
    index.meaning.embedder.release()
    try:
        write_index(index, directory)
        return read_index(directory, scoring)  # memory-mapped from the first start on
    except OSError as exc:
        _warn("cannot save the index in %s (%s); it is rebuilt on every start", directory, exc)
    return index


def read_index(directory: Path, scoring: Scoring | None = None) -> SearchIndex:
    """A saved index, its arrays memory-mapped; FileNotFoundError when there is none, ValueError
    (or OSError) when it is not what was written."""
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != INDEX_FORMAT or manifest.get("key") != directory.name:
        raise ValueError("written by another version of the code")
    files: dict[str, str] = manifest["files"]
    # A file as written (size and modification time as the manifest keeps them) is not hashed
    # again: hashing the shipped base's 17 MiB took ~10 ms of every start and `ask`. Any other is
    # hashed in a thread while the index is read from them (hashlib lets go of the GIL); the
    # index is returned only once every file has been found to be what was written.
    written: dict[str, list[int]] = manifest.get("stat", {})
    unsure = {
        name: digest
        for name, digest in files.items()
        if _stat(directory / name) != written.get(name)
    }
    checked: list[list[str]] = []  # the damaged files' names, once all were checked
    checking = threading.Thread(target=lambda: checked.append(_damaged(directory, unsure)))
    checking.start()
    try:
        data = json.loads((directory / DATA).read_bytes())
        index = SearchIndex.from_saved(
            _mapped(directory / ARRAYS, manifest["arrays"]), data, scoring
        )
    finally:
        checking.join()
    if not checked:
        raise ValueError("its files could not be checked")
    if checked[0]:
        raise ValueError(f"{checked[0][0]} is not what was written")
    return index


def _mapped(path: Path, layout: dict[str, dict[str, Any]]) -> dict[str, np.ndarray]:
    """The arrays `_write_arrays` wrote, as views of the file memory-mapped."""
    size = path.stat().st_size
    # Plain arrays over the mapping (the memmap keeps it open): a slice of a np.memmap runs
    # its Python-level __getitem__ and __array_finalize__, ~0.9 ms of a 285k-phrasing query.
    blob = (
        np.memmap(path, dtype=np.uint8, mode="r").view(np.ndarray)
        if size
        else np.zeros(0, dtype=np.uint8)
    )
    arrays = {}
    for name, where in layout.items():
        dtype, shape, start = np.dtype(where["dtype"]), tuple(where["shape"]), where["offset"]
        end = start + dtype.itemsize * int(np.prod(shape, dtype=np.int64))
        if dtype.hasobject or end > size:
            raise ValueError(f"{name} does not fit in {path.name}")
        arrays[name] = blob[start:end].view(dtype).reshape(shape)
    return arrays


def _write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Writes the arrays one after the other (each at a multiple of ALIGN); their layout."""
    layout: dict[str, dict[str, Any]] = {}
    with path.open("wb") as file:
        for name, array in arrays.items():
            contiguous = np.ascontiguousarray(array)
            if contiguous.dtype.hasobject:
                raise ValueError(f"{name}: an array of objects cannot be saved")
            file.write(b"\0" * (-file.tell() % ALIGN))
            layout[name] = {
                "dtype": contiguous.dtype.str,
                "shape": list(contiguous.shape),
                "offset": file.tell(),
            }
            file.write(contiguous.tobytes())
    return layout


def _damaged(directory: Path, files: dict[str, str]) -> list[str]:
    """The files whose SHA-256 is not the one written, or that cannot be read."""
    out = []
    for name, expected in files.items():
        try:
            if _digest(directory / name) != expected:
                out.append(name)
        except OSError:
            out.append(name)
    return out


def write_index(index: SearchIndex, directory: Path) -> None:
    """Saves the index under `directory`, whole or not at all: written beside it, then renamed
    into place (a reader sees no half-written index); older saved indexes beyond KEEP go."""
    import shutil  # here, not at import: reading a saved index needs neither
    import tempfile

    arrays, data = index.saved()
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        layout = _write_arrays(staging / ARRAYS, arrays)
        _write_json(staging / DATA, data)
        files = {name: _digest(staging / name) for name in (ARRAYS, DATA)}
        stat = {name: _stat(staging / name) for name in files}  # a rename keeps both
        manifest = {"format": INDEX_FORMAT, "key": directory.name, "files": files, "stat": stat}
        _write_json(staging / MANIFEST, {**manifest, "arrays": layout})
        if directory.exists():  # unusable (it was just read): make way for the new one
            shutil.rmtree(directory, ignore_errors=True)
        try:
            staging.rename(directory)
        except OSError:
            if not (directory / MANIFEST).exists():  # not another process saving it first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _prune(directory.parent, keep=directory)


def _stat(path: Path) -> list[int] | None:
    """A file's size and modification time (ns), as the manifest keeps them; None if it is gone."""
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


def _digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _prune(cache_dir: Path, keep: Path) -> None:
    """Removes all but the KEEP newest saved indexes (a process still using one keeps its mapped
    pages: the files go when it lets go of them)."""
    import shutil

    saved = sorted(
        (p for p in cache_dir.glob("index-*") if p.is_dir() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in saved[KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def load_base_saved(
    source: Path | Files | None = None,
    cache_dir: Path | None = None,
    measure: Measure | None = None,
) -> tuple[KnowledgeBase, str]:
    """knowledge.validate.load_base, and the base's content version, without reading the YAML
    again when the same files were loaded (and passed) before: then the saved JSON is validated
    against the schema instead. KnowledgeError when the base is broken, as load_base."""
    if source is None:
        source = bundled_dir()
    if isinstance(source, Path):
        if not source.is_dir():
            return _loaded(source, measure)
        files, problems = source_files(source)
        if problems:
            return _loaded(source, measure)
    else:
        files = dict(source)
    path = (cache_dir or default_cache_dir()) / f"base-{_base_key(files, measure)}.json"
    try:
        digest, _, payload = path.read_bytes().partition(b"\n")  # hashed as read, not re-encoded
        if hashlib.sha256(payload).hexdigest().encode() != digest:
            raise ValueError("not what was written")
        data = json.loads(payload)
        return base_from_data(data, files), data["version"]
    except FileNotFoundError:
        pass
    except Exception as exc:  # anything wrong with it: read the files again
        _warn("saved base %s is unusable (%s); reading the files again", path, exc)
    import tempfile

    base, version = _loaded(files, measure)
    text = json.dumps(base_data(base, version), ensure_ascii=False, separators=(",", ":"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as staging:
            staging.write(hashlib.sha256(text.encode("utf-8")).hexdigest() + "\n" + text)
        Path(staging.name).replace(path)
        _prune_files(path.parent, "base-*.json", KEEP_BASES)
    except OSError as exc:
        _warn("cannot save the base in %s (%s)", path.parent, exc)
    return base, version


def _loaded(source: Path | Files, measure: Measure | None) -> tuple[KnowledgeBase, str]:
    from knowledge.validate import load_base
    from knowledge.versions import content_version

    base = load_base(source, measure=measure)
    return base, content_version(base)


def _base_key(files: Files, measure: Measure | None) -> str:
    """A digest of the files' names and texts, and of the code that loads and checks them (the
    length check's module too: what renders an answer decides whether it fits)."""
    here = Path(__file__).parent
    digest = hashlib.sha256(f"base format {BASE_FORMAT}".encode())
    modules = [here / name for name in VALIDATING_MODULES]
    if measure is not None:
        modules.append(Path(measure.__code__.co_filename))
    for module in modules:
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    for name in sorted(files):
        digest.update(b"\0file\0" + name.encode() + b"\0" + files[name].encode("utf-8"))
    return digest.hexdigest()[:24]


def base_data(base: KnowledgeBase, version: str) -> dict[str, Any]:
    """A validated base as JSON data (its files are not kept: they are what names it)."""
    return {
        "version": version,
        "sources": [s.model_dump(mode="json") for s in base.sources.values()],
        "topics": [t.model_dump(mode="json") for t in base.topics.values()],
        "entries": [e.model_dump(mode="json") for e in base.entries.values()],
        "origin": base.origin,
        "off_topic": base.off_topic.model_dump(mode="json"),
    }


def base_from_data(data: dict[str, Any], files: Files) -> KnowledgeBase:
    """The base `base_data` described, rebuilt without validating it again: it passed the checks
    of this very code when it was saved (the file's name is a digest of those modules and of
    the files), and its digest says it is what was written. Validating it again cost an `ask`
    16 ms, and building the validators 30 ms more (schema models are built on first use)."""
    sources = [rebuilt(Source, item) for item in data["sources"]]
    topics = [rebuilt(Topic, item) for item in data["topics"]]
    entries = [rebuilt(Entry, item) for item in data["entries"]]
    return KnowledgeBase(
        {s.id: s for s in sources},
        {t.id: t for t in topics},
        {e.id: e for e in entries},
        dict(data["origin"]),
        rebuilt(OffTopic, data["off_topic"]),
        dict(files),
    )


def _prune_files(cache_dir: Path, pattern: str, keep: int) -> None:
    saved = sorted(cache_dir.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in saved[keep:]:
        old.unlink(missing_ok=True)
