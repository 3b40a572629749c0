"""Compact columns for saved indexes: texts as one UTF-8 byte array, memory-mapped when loaded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np


class TextColumn(Sequence[str]):
    """Texts as one UTF-8 byte array and their offsets (memory-mapped when loaded from a saved
    index): a text is decoded when it is read, and none is a Python object until then."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        if len(offsets) == 0 or int(offsets[-1]) != len(blob):
            raise ValueError("the offsets do not fit the texts")
        self.blob, self.offsets = blob, offsets
        # Read through a memoryview: decoding a numpy slice's bytes cost twice as much (a
        # question reads its shortlist's texts and the speller's candidate variants).
        self._bytes = np.ascontiguousarray(blob, dtype=np.uint8).data
        self._count = len(offsets) - 1

    @classmethod
    def of(cls, texts: Sequence[str]) -> TextColumn:
        encoded = [text.encode("utf-8") for text in texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        if index < 0:
            index += self._count
        start, end = self.offsets[index : index + 2].tolist()
        return str(self._bytes[start:end], "utf-8")
