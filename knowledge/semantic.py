"""Sentence vectors for meaning-level similarity: paraphrases that share few words still meet.

The vectors are the average of static sub-word embeddings (WordLlama's `l2_supercat`, 256
dimensions, shipped inside the `wordllama` wheel with its tokenizer), so embedding a question is a
tokenizer call and a mean over a few rows: tens of microseconds, no model download, no GPU.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

MODEL = "l2_supercat"


class Embedder:
    """Maps text to unit vectors whose dot product measures similarity of meaning."""

    def __init__(self, tokenizer: Tokenizer, table: np.ndarray) -> None:
        self.tokenizer = tokenizer
        self.table = table

    @classmethod
    def load(cls) -> Embedder:
        """The embeddings that ship with the `wordllama` package (read from disk, never
        fetched; the package is found, not imported: importing it loads far more than this)."""
        tokenizer_file, weights_file = model_files()
        return cls(Tokenizer.from_file(str(tokenizer_file)), _mapped_table(weights_file))

    @staticmethod
    def shared() -> Embedder:
        """One embedder per process: the tables are read-only and loading costs ~0.1-0.3 s."""
        return _shared()

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit row per text (zeros for a text with no tokens)."""
        return self.pool(self.encode(texts))

    def encode(self, texts: list[str]) -> list[list[int]]:
        """Token ids per text; in Rust, without holding the GIL."""
        return [
            e.ids
            for e in self.tokenizer.encode_batch(
                [t.casefold() for t in texts], add_special_tokens=False
            )
        ]

    def pool(self, token_ids: list[list[int]]) -> np.ndarray:
        vectors = np.zeros((len(token_ids), self.table.shape[1]), dtype=np.float32)
        for row, ids in enumerate(
            token_ids
        ):  # small gathers stay in cache: faster than one big one
            vectors[row] = self._sum(ids)
        return _unit(vectors)

    def embed_one(self, text: str) -> np.ndarray:
        """The unit vector of one question (no batch: a single encode is cheaper)."""
        ids = self.tokenizer.encode(text.casefold(), add_special_tokens=False).ids
        return _unit(self._sum(ids)[None, :])[0]

    def _sum(self, ids: list[int]) -> np.ndarray:
        """The sum of the tokens' rows, in float32 (the table may be stored as float16)."""
        if not ids:
            return np.zeros(self.table.shape[1], dtype=np.float32)
        return self.table[ids].astype(np.float32, copy=False).sum(axis=0)


def model_files() -> tuple[Path, Path]:
    """The tokenizer and the embedding table inside the installed `wordllama` package."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    return (
        root / "tokenizers" / f"{MODEL}_tokenizer_config.json",
        root / "weights" / f"{MODEL}_256.safetensors",
    )


_SAFETENSORS_TYPES = {"F16": "<f2", "F32": "<f4"}


def _mapped_table(path: Path, name: str = "embedding.weight") -> np.ndarray:
    """A 2-d tensor of a safetensors file, memory-mapped where it lies in the file (the format is
    an 8-byte header length, a JSON header, then the raw little-endian data): the process reads
    only the rows its questions use, and processes on one machine share them."""
    with path.open("rb") as file:
        (length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(length))
    tensor = header[name]
    dtype = np.dtype(_SAFETENSORS_TYPES[tensor["dtype"]])
    rows, columns = tensor["shape"]
    start, end = tensor["data_offsets"]
    if end - start != rows * columns * dtype.itemsize:
        raise ValueError(f"{path}: {name} does not fill its stated shape")
    return np.memmap(path, dtype=dtype, mode="r", offset=8 + length + start, shape=(rows, columns))


@lru_cache(maxsize=1)
def _shared() -> Embedder:
    return Embedder.load()


_NO_ROWS = np.zeros(0, dtype=np.int64)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


class MeaningIndex:
    """The vectors of every phrasing, grouped by entry: how close in meaning a question is to
    each."""

    def __init__(
        self,
        embedder: Embedder,
        entry_ids: list[str],
        token_ids: list[list[int]],
        off_topic: list[list[int]] | None = None,
    ) -> None:
        """`token_ids`: each phrasing's, from `embedder.encode` (which can run in the background);
        `off_topic`: those of questions the base leaves unanswered."""
        self.embedder = embedder
        self.off_topic = embedder.pool(off_topic or [])
        order = sorted(range(len(token_ids)), key=lambda i: entry_ids[i])
        vectors = embedder.pool([token_ids[i] for i in order])
        # Kept in half precision: the saved index is read by memory mapping, and the vectors a
        # question's candidates gather are the pages it touches (8.7 of the 13 MiB the first
        # question added to the bot's resident memory as float32).
        self.vectors = vectors.astype(np.float16)
        rows: dict[str, list[int]] = {}  # entry -> its rows, contiguous after the sort
        for row, i in enumerate(order):
            rows.setdefault(entry_ids[i], []).append(row)
        self.rows = {entry: np.array(found) for entry, found in rows.items()}
        # The direction of the base as a whole: how close a question is to the topic at all.
        self.topic = (
            _unit(vectors.mean(axis=0, keepdims=True))[0]
            if len(vectors)
            else np.zeros(embedder.table.shape[1], dtype=np.float32)
        )

    @classmethod
    def restore(
        cls,
        embedder: Embedder,
        vectors: np.ndarray,
        off_topic: np.ndarray,
        topic: np.ndarray,
        entries: list[str],
        bounds: list[int],
    ) -> MeaningIndex:
        """The index as `saved` gave it: no vector computed again."""
        index = cls.__new__(cls)
        index.embedder = embedder
        index.vectors, index.off_topic, index.topic = vectors, off_topic, topic
        index.rows = {
            entry: np.arange(a, b)
            for entry, a, b in zip(entries, bounds, bounds[1:], strict=False)
        }
        return index

    def saved(self) -> tuple[dict[str, np.ndarray], list[str], list[int]]:
        """The arrays to save, the entries in row order and where each entry's rows start."""
        entries = list(self.rows)
        bounds = [0]
        for entry in entries:  # contiguous: rows[entry] is bounds[k]..bounds[k + 1] - 1
            rows = self.rows[entry]
            if len(rows) and (rows[0] != bounds[-1] or rows[-1] != bounds[-1] + len(rows) - 1):
                raise ValueError(f"the rows of {entry} are not contiguous")
            bounds.append(bounds[-1] + len(rows))
        arrays = {"vectors": self.vectors, "off_topic": self.off_topic, "topic": self.topic}
        return arrays, entries, bounds

    def off_topic_similarity(self, vector: np.ndarray) -> float:
        """The cosine of the question and the closest off-topic question (0 if there are none)."""
        return float((self.off_topic @ vector).max()) if len(self.off_topic) else 0.0

    def vector(self, question: str) -> np.ndarray:
        return self.embedder.embed_one(question)

    def similarities(self, vector: np.ndarray, entry_ids: list[str]) -> np.ndarray:
        """For each entry, the cosine of the question and the entry's closest phrasing (0 if
        none)."""
        out = np.zeros(len(entry_ids))
        spans = [self.rows.get(e, _NO_ROWS) for e in entry_ids]
        sizes = np.fromiter((len(r) for r in spans), dtype=np.int64, count=len(spans))
        if sizes.sum():
            cosines = self.vectors[np.concatenate(spans)].astype(np.float32) @ vector
            starts = np.cumsum(sizes) - sizes
            has = sizes > 0
            out[has] = np.maximum.reduceat(cosines, starts[has])
        return out
