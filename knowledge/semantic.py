"""Sentence vectors for meaning-level similarity: paraphrases that share few words still meet.

The vectors are the average of static sub-word embeddings (WordLlama's `l2_supercat`, 256
dimensions, shipped inside the `wordllama` wheel with its tokenizer), so embedding a question is a
tokenizer call and a mean over a few rows: tens of microseconds, no model download, no GPU.

Reading the tokenizer's JSON costs ~55 ms and 12 MiB of resident memory, more than all the rest of
a question: a saved index keeps the token ids of the words it has seen (`WordPieces`), and the
tokenizer is read only for a question with a word outside them.
"""

from __future__ import annotations

import bisect
import importlib.util
import json
import struct
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge import patterns

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL = "l2_supercat"
# What the tokenizer's normalizer writes for a space, and before the text (its JSON: "Prepend"
# and "Replace" normalizers, no pre-tokenizer: the BPE model sees the whole text as one word).
SPACE = "\u2581"
# Its added tokens, matched in the raw text before anything else: a text with one is left to it.
SPECIAL = ("<unk>", "<s>", "</s>")
ENCODE_CHUNK = 4096  # texts tokenized, and rows pooled, at a time in an index build
TokenIds = Sequence[int] | np.ndarray  # a text's token ids


class Embedder:
    """Maps text to unit vectors whose dot product measures similarity of meaning."""

    def __init__(self, tokenizer: Tokenizer | Path, table: np.ndarray) -> None:
        """`tokenizer`: the tokenizer, or its file, read when a text first needs it."""
        if isinstance(tokenizer, Path):
            self.tokenizer_file = tokenizer
        else:
            self.tokenizer = tokenizer
        self.table = table

    @cached_property
    def tokenizer(self) -> Tokenizer:
        from tokenizers import Tokenizer

        return Tokenizer.from_file(str(self.tokenizer_file))

    def release(self) -> None:
        """Lets go of the tokenizer when it can be read again from its file."""
        if hasattr(self, "tokenizer_file"):
            self.__dict__.pop("tokenizer", None)

    @classmethod
    def load(cls) -> Embedder:
        """The embeddings that ship with the `wordllama` package (read from disk, never
        fetched; the package is found, not imported: importing it loads far more than this);
        the tokenizer is read when first used."""
        tokenizer_file, weights_file = model_files()
        return cls(tokenizer_file, _mapped_table(weights_file))

    @staticmethod
    def shared() -> Embedder:
        """One embedder per process: the table is read-only and memory-mapped, the tokenizer
        read only when a text needs it (index builds; questions use a saved index's pieces)."""
        return _shared()

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit row per text (zeros for a text with no tokens)."""
        return self.pool(self.encode(texts))

    def encode(self, texts: list[str]) -> list[np.ndarray]:
        """Token ids per text (int32); in Rust, without holding the GIL. A few thousand texts at
        a time: the tokenizer's Encoding objects of 285k texts at once held ~660 MiB."""
        out: list[np.ndarray] = []
        for start in range(0, len(texts), ENCODE_CHUNK):
            out.extend(
                np.array(e.ids, dtype=np.int32)
                for e in self.tokenizer.encode_batch(
                    [t.casefold() for t in texts[start : start + ENCODE_CHUNK]],
                    add_special_tokens=False,
                )
            )
        return out

    def pool(self, token_ids: Sequence[TokenIds]) -> np.ndarray:
        vectors = np.zeros((len(token_ids), self.table.shape[1]), dtype=np.float32)
        for row, ids in enumerate(
            token_ids
        ):  # small gathers stay in cache: faster than one big one
            vectors[row] = self._sum(ids)
        return _unit(vectors)

    def embed_one(self, text: str, pieces: WordPieces | None = None) -> np.ndarray:
        """The unit vector of one question (no batch: a single encode is cheaper); with
        `pieces`, the tokenizer is not needed when they know every word."""
        ids = pieces.ids(text) if pieces is not None else None
        if ids is None:
            ids = self.tokenizer.encode(text.casefold(), add_special_tokens=False).ids
        return _unit(self._sum(ids)[None, :])[0]

    def pieces(self, texts: Iterable[str]) -> WordPieces:
        """The token ids of every word of `texts` (a base's: most of its questions' words) and
        the tokenizer's merges for other words, for questions embedded without the tokenizer."""
        words = {word for text in texts for word in _words(text.casefold())}
        keys = sorted(w for w in words if "\0" not in w and not any(s in w for s in SPECIAL))
        # A word as a text of its own: the space the normalizer prepends is its first SPACE.
        # One at a time: encode_batch's threads kept ~20 MiB of the process's memory after
        # ~32k words (malloc arenas of their own), and were no faster.
        encoded = [
            self.tokenizer.encode(key[1:].replace(SPACE, " "), add_special_tokens=False).ids
            for key in keys
        ]
        return WordPieces.of([k.encode("utf-8") for k in keys], encoded, self.byte_pairs)

    @cached_property
    def byte_pairs(self) -> BytePairs | None:
        """The tokenizer's merges as arrays, read once (each index build saves them)."""
        return BytePairs.of(self.tokenizer.to_str())

    def _sum(self, ids: TokenIds) -> np.ndarray:
        """The sum of the tokens' rows, in float32 (the table may be stored as float16)."""
        if len(ids) == 0:
            return np.zeros(self.table.shape[1], dtype=np.float32)
        return self.table[ids].astype(np.float32, copy=False).sum(axis=0)


_WORD = patterns.compile(f"{SPACE}+[^{SPACE}]*")


def _words(casefolded: str) -> list[str]:
    """The text as the BPE model gets it, cut before each SPACE that follows another character:
    no token of the vocabulary has a SPACE after another character, so no merge crosses a cut
    and the text's tokens are its words' tokens one after the other."""
    return _WORD.findall(SPACE + casefolded.replace(" ", SPACE)) if casefolded else []


class WordPieces:
    """Token ids of words (each with the SPACE before it, as `_words` cuts a text), sorted for a
    binary search in arrays that a saved index memory-maps, and the tokenizer's merges
    (`BytePairs`) for the other words: a question is embedded without the tokenizer, to the same
    ids."""

    def __init__(
        self, keys: np.ndarray, ids: np.ndarray, bounds: np.ndarray, pairs: BytePairs | None
    ) -> None:
        if len(bounds) != len(keys) + 1 or int(bounds[-1]) != len(ids):
            raise ValueError("the word pieces do not fit together")
        self.keys, self.ids_, self.bounds = (a.view(np.ndarray) for a in (keys, ids, bounds))
        self.pairs = pairs

    @classmethod
    def of(cls, keys: list[bytes], ids: list[list[int]], pairs: BytePairs | None) -> WordPieces:
        width = max((len(k) for k in keys), default=1)
        array = np.array(keys, dtype=f"S{width}")
        order = np.argsort(array, kind="stable")
        counts = np.array([len(ids[i]) for i in order], dtype=np.int64)
        bounds = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        flat = np.array([t for i in order for t in ids[i]], dtype=np.int32)
        return cls(array[order], flat, bounds, pairs)

    @classmethod
    def restore(cls, arrays: Mapping[str, np.ndarray], prefix: str = "") -> WordPieces:
        """The pieces `arrays` gave, read from `arrays` (each name after `prefix`)."""
        found = {
            name.removeprefix(prefix): a for name, a in arrays.items() if name.startswith(prefix)
        }
        pairs = BytePairs(**{n: found[n] for n in BytePairs.NAMES}) if "merges" in found else None
        return cls(found["piece_keys"], found["piece_ids"], found["piece_bounds"], pairs)

    def arrays(self) -> dict[str, np.ndarray]:
        arrays = {"piece_keys": self.keys, "piece_ids": self.ids_, "piece_bounds": self.bounds}
        if self.pairs is not None:
            arrays.update({name: getattr(self.pairs, name) for name in BytePairs.NAMES})
        return arrays

    def get(self, key: str) -> list[int] | None:
        raw = key.encode("utf-8")
        if len(raw) > self.keys.dtype.itemsize or b"\0" in raw:
            return None
        at = int(np.searchsorted(self.keys, raw))
        if at == len(self.keys) or self.keys[at] != raw:
            return None
        return self.ids_[self.bounds[at] : self.bounds[at + 1]].tolist()

    def ids(self, text: str) -> list[int] | None:
        """The text's token ids, as the tokenizer gives them (no special tokens); None when a
        word is not here."""
        casefolded = text.casefold()
        if any(s in casefolded for s in SPECIAL):
            return None
        out: list[int] = []
        for word in _words(casefolded):
            found = self.get(word)
            if found is None:
                if self.pairs is None:
                    return None
                found = self.pairs.tokens(word)
            out += found
        return out


class BytePairs:
    """The tokenizer's BPE model as arrays: its one-character tokens, its byte tokens (for other
    characters) and its merges by rank. `tokens` merges a word as the tokenizer's BPE model does
    (the adjacent pair of lowest rank first, the leftmost of equal ones, until no pair merges),
    tested to the same ids as the tokenizer on every bench question and base text."""

    NAMES = ("chars", "char_ids", "byte_ids", "merges", "merge_ranks", "merged")

    def __init__(
        self,
        chars: np.ndarray,
        char_ids: np.ndarray,
        byte_ids: np.ndarray,
        merges: np.ndarray,
        merge_ranks: np.ndarray,
        merged: np.ndarray,
    ) -> None:
        if not (len(chars) == len(char_ids) and len(byte_ids) == 256):
            raise ValueError("the tokenizer's characters do not fit together")
        if not len(merges) == len(merge_ranks) == len(merged):
            raise ValueError("the tokenizer's merges do not fit together")
        # Plain arrays over the same (memory-mapped) memory: np.memmap indexes in Python, and
        # `_pair` indexes ~16 times a lookup (3x the time of a whole merge).
        self.chars, self.char_ids, self.byte_ids, self.merges, self.merge_ranks, self.merged = (
            a.view(np.ndarray) for a in (chars, char_ids, byte_ids, merges, merge_ranks, merged)
        )

    @classmethod
    def of(cls, serialized: str) -> BytePairs | None:
        """From the tokenizer's JSON; None for a tokenizer this does not reproduce."""
        config = json.loads(serialized)
        model = config["model"]
        expected_normalizer = {
            "type": "Sequence",
            "normalizers": [
                {"type": "Prepend", "prepend": SPACE},
                {"type": "Replace", "pattern": {"String": " "}, "content": SPACE},
            ],
        }
        if (
            config.get("normalizer") != expected_normalizer
            or config.get("pre_tokenizer") is not None
            or model.get("type") != "BPE"
            or model.get("dropout") not in (None, 0.0)
            or model.get("continuing_subword_prefix")
            or model.get("end_of_word_suffix")
            or model.get("ignore_merges")
            or not model.get("byte_fallback")
        ):
            return None
        vocabulary: dict[str, int] = model["vocab"]
        singles = sorted((ord(t), i) for t, i in vocabulary.items() if len(t) == 1)
        byte_ids = np.array([vocabulary.get(f"<0x{b:02X}>", -1) for b in range(256)])
        if (byte_ids < 0).any():  # then unknown characters are <unk>: not reproduced here
            return None
        # Arrays, not a dict of tuples: this runs beside the rest of an index's build, and the
        # 61k merges' objects it left behind were 9 MiB of the process's memory after it.
        merged = np.fromiter(
            (
                vocabulary[left] << 32 | vocabulary[right] if k == 0 else vocabulary[left + right]
                for merge in model["merges"]
                for left, right in [merge.split(" ") if isinstance(merge, str) else merge]
                for k in (0, 1)
            ),
            dtype=np.int64,
        ).reshape(-1, 2)
        del config, model
        # Sorted by pair; of a pair listed twice, the last rank stands, as in the tokenizer.
        ranks = np.arange(len(merged), dtype=np.int64)
        order = np.lexsort((-ranks, merged[:, 0]))
        pairs = merged[order, 0]
        kept = np.concatenate(([True], pairs[1:] != pairs[:-1]))
        return cls(
            np.array([c for c, _ in singles], dtype=np.int64),
            np.array([i for _, i in singles], dtype=np.int64),
            byte_ids.astype(np.int64),
            pairs[kept],
            ranks[order][kept],
            merged[order, 1][kept],
        )

    def tokens(self, word: str) -> list[int]:
        codes = np.fromiter(map(ord, word), dtype=np.int64, count=len(word))
        at = np.minimum(np.searchsorted(self.chars, codes), len(self.chars) - 1)
        known = self.chars[at] == codes
        if known.all():
            ids = self.char_ids[at]
        else:  # byte fallback: each UTF-8 byte of a character outside the vocabulary
            parts = [
                self.char_ids[at[k] : at[k] + 1]
                if known[k]
                else self.byte_ids[np.frombuffer(char.encode("utf-8"), dtype=np.uint8)]
                for k, char in enumerate(word)
            ]
            ids = np.concatenate(parts)
        if len(ids) < 2:
            return ids.tolist()
        # The ranks of the adjacent pairs at once, then only the two pairs each merge makes: a
        # word of the bench questions took 0.34 ms merged in arrays at each step.
        ranks, merged = (a.tolist() for a in self._pairs(ids[:-1] << 32 | ids[1:]))
        symbols = ids.tolist()
        while True:
            best = min(range(len(ranks)), key=ranks.__getitem__, default=-1)
            if best < 0 or ranks[best] == _NO_RANK:
                return symbols
            symbols[best : best + 2] = [merged[best]]
            del ranks[best], merged[best]
            for left in (best - 1, best):
                if 0 <= left < len(ranks):
                    ranks[left], merged[left] = self._pair(symbols[left], symbols[left + 1])

    def _pair(self, left: int, right: int) -> tuple[int, int]:
        key = left << 32 | right
        found = bisect.bisect_left(self.merges, key)  # no array made for one key: 4x faster
        if found < len(self.merges) and self.merges[found] == key:
            return int(self.merge_ranks[found]), int(self.merged[found])
        return _NO_RANK, -1

    def _pairs(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each pair (left id << 32 | right id), its merge's rank (_NO_RANK for none) and
        the id it merges into."""
        found = np.minimum(np.searchsorted(self.merges, keys), len(self.merges) - 1)
        hit = self.merges[found] == keys
        return np.where(hit, self.merge_ranks[found], _NO_RANK), self.merged[found]


_NO_RANK = int(np.iinfo(np.int64).max)


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


def _as_bytes(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows as signed bytes, and the scale that makes each a float again (row * scale)."""
    scales = (np.abs(vectors).max(axis=1) / 127).astype(np.float32)
    safe = np.where(scales > 0, scales, 1)[:, None]
    return np.round(vectors / safe).astype(np.int8), scales


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
        token_ids: Sequence[TokenIds],
        off_topic: Sequence[TokenIds] | None = None,
        pieces: WordPieces | None = None,
    ) -> None:
        """`token_ids`: each phrasing's, from `embedder.encode` (which can run in the background);
        `off_topic`: those of questions the base leaves unanswered; `pieces`: from
        `embedder.pieces`, for questions embedded without the tokenizer."""
        self.embedder = embedder
        self.pieces = pieces
        self.off_topic = embedder.pool(off_topic or [])
        order = sorted(range(len(token_ids)), key=lambda i: entry_ids[i])
        # Kept as bytes, each row with its scale: the saved index is read by memory mapping, and
        # the vectors a question's candidates gather are the pages it touches (8.7 of the 13 MiB
        # the first question added to the bot's resident memory as float32). Half precision
        # took as little room, but widening the gathered rows cost a third of an `ask` (0.45 ms
        # for 800 rows, against 0.065 ms from bytes); cosines move by 0.0015 at most.
        # Pooled and made bytes a few thousand rows at a time: all of them as float32 at once,
        # with their unit copy, were ~580 MiB of a 285k-phrasing build's peak.
        dim = embedder.table.shape[1]
        self.vectors = np.zeros((len(order), dim), dtype=np.int8)
        self.scales = np.zeros(len(order), dtype=np.float32)
        total = np.zeros(dim, dtype=np.float64)
        for start in range(0, len(order), ENCODE_CHUNK):
            chunk = embedder.pool([token_ids[i] for i in order[start : start + ENCODE_CHUNK]])
            end = start + len(chunk)
            self.vectors[start:end], self.scales[start:end] = _as_bytes(chunk)
            total += chunk.sum(axis=0, dtype=np.float64)
        rows: dict[str, list[int]] = {}  # entry -> its rows, contiguous after the sort
        for row, i in enumerate(order):
            rows.setdefault(entry_ids[i], []).append(row)
        self.rows = {entry: np.array(found) for entry, found in rows.items()}
        # The direction of the base as a whole: how close a question is to the topic at all.
        self.topic = _unit(total.astype(np.float32)[None, :])[0]

    @classmethod
    def restore(
        cls,
        embedder: Embedder,
        vectors: np.ndarray,
        scales: np.ndarray,
        off_topic: np.ndarray,
        topic: np.ndarray,
        entries: list[str],
        bounds: list[int],
        saved: Mapping[str, np.ndarray] | None = None,
    ) -> MeaningIndex:
        """The index as `saved` gave it: no vector computed again. `saved`: the saved index's
        arrays, where the word pieces are (each name after "meaning_"), if it has them."""
        index = cls.__new__(cls)
        index.embedder = embedder
        index.pieces = None
        if saved is not None and "meaning_piece_keys" in saved:
            index.pieces = WordPieces.restore(saved, "meaning_")
        index.vectors, index.scales = vectors, scales
        index.off_topic, index.topic = off_topic, topic
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
        arrays = {
            "vectors": self.vectors,
            "scales": self.scales,
            "off_topic": self.off_topic,
            "topic": self.topic,
        }
        if self.pieces is not None:
            arrays.update(self.pieces.arrays())
        return arrays, entries, bounds

    def off_topic_similarity(self, vector: np.ndarray) -> float:
        """The cosine of the question and the closest off-topic question (0 if there are none)."""
        return float((self.off_topic @ vector).max()) if len(self.off_topic) else 0.0

    def vector(self, question: str) -> np.ndarray:
        return self.embedder.embed_one(question, self.pieces)

    def similarities(self, vector: np.ndarray, entry_ids: list[str]) -> np.ndarray:
        """For each entry, the cosine of the question and the entry's closest phrasing (0 if
        none)."""
        out = np.zeros(len(entry_ids))
        spans = [self.rows.get(e, _NO_ROWS) for e in entry_ids]
        sizes = np.fromiter((len(r) for r in spans), dtype=np.int64, count=len(spans))
        if sizes.sum():
            rows = np.concatenate(spans)
            cosines = (self.vectors[rows].astype(np.float32) @ vector) * self.scales[rows]
            starts = np.cumsum(sizes) - sizes
            has = sizes > 0
            out[has] = np.maximum.reduceat(cosines, starts[has])
        return out
