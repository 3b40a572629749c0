"""Sentence vectors for meaning-level similarity: paraphrases that share few words still meet.

The vectors are the average of static sub-word embeddings (WordLlama's `l2_supercat`, 256
dimensions, shipped inside the `wordllama` wheel with its tokenizer), so embedding a question is a
tokenizer call and a mean over a few rows: tens of microseconds, no model download, no GPU.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import numpy as np
from safetensors.numpy import load_file
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
        fetched)."""
        root = files("wordllama")
        tokenizer = Tokenizer.from_file(
            str(root / "tokenizers" / f"{MODEL}_tokenizer_config.json")
        )
        weights = load_file(str(root / "weights" / f"{MODEL}_256.safetensors"))["embedding.weight"]
        return cls(tokenizer, weights.astype(np.float32))

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
        return (
            self.table[ids].sum(axis=0) if ids else np.zeros(self.table.shape[1], dtype=np.float32)
        )


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
        self.vectors = embedder.pool([token_ids[i] for i in order])
        rows: dict[str, list[int]] = {}  # entry -> its rows, contiguous after the sort
        for row, i in enumerate(order):
            rows.setdefault(entry_ids[i], []).append(row)
        self.rows = {entry: np.array(found) for entry, found in rows.items()}
        # The direction of the base as a whole: how close a question is to the topic at all.
        self.topic = (
            _unit(self.vectors.mean(axis=0, keepdims=True))[0]
            if len(self.vectors)
            else np.zeros(embedder.table.shape[1], dtype=np.float32)
        )

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
            cosines = self.vectors[np.concatenate(spans)] @ vector
            starts = np.cumsum(sizes) - sizes
            has = sizes > 0
            out[has] = np.maximum.reduceat(cosines, starts[has])
        return out
