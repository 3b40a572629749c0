"""The two baselines the engine is measured against, run on the same base in the same process."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from rapidfuzz import fuzz, process, utils

from knowledge.normalize import _TOKEN, STOP_WORDS, clean, content_tokens
from knowledge.search import Phrasing


class WRatioScan:
    """A plain `process.extractOne` WRatio scan over every phrasing (rapidfuzz's
    default_process)."""

    def __init__(self, phrasings: list[Phrasing], answer_at: float = 86.0) -> None:
        self.phrasings = phrasings
        self.choices = [utils.default_process(p.text) for p in phrasings]
        self.answer_at = answer_at

    def best(self, question: str) -> tuple[str | None, float]:
        found = process.extractOne(
            utils.default_process(question), self.choices, scorer=fuzz.WRatio, processor=None
        )
        if found is None:
            return None, 0.0
        _, score, index = found
        return self.phrasings[index].entry_id, score / 100

    def decide(self, question: str) -> tuple[str | None, bool]:
        entry_id, score = self.best(question)
        return entry_id, score * 100 >= self.answer_at


class BM25:
    """Word-level BM25 over the normalised phrasings, best phrasing wins."""

    def __init__(self, phrasings: list[Phrasing], answer_at: float = 0.5) -> None:
        self.phrasings = phrasings
        self.docs = [content_tokens(p.text) for p in phrasings]
        self.avg = sum(len(d) for d in self.docs) / max(len(self.docs), 1)
        df: Counter[str] = Counter()
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            for word, tf in Counter(doc).items():
                df[word] += 1
                self.postings[word].append((i, tf))
        n = len(self.docs)
        self.idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}
        self.answer_at = answer_at

    def best(self, question: str) -> tuple[str | None, float]:
        words = content_tokens(question)
        scores: dict[int, float] = defaultdict(float)
        for word in set(words):
            for doc, tf in self.postings.get(word, ()):
                norm = 1.2 * (0.25 + 0.75 * len(self.docs[doc]) / self.avg)
                scores[doc] += self.idf[word] * tf * 2.2 / (tf + norm)
        if not scores:
            return None, 0.0
        doc = max(scores, key=scores.__getitem__)
        ceiling = (
            sum(self.idf.get(w, max(self.idf.values(), default=1.0)) for w in set(words)) * 1.5
        )
        return self.phrasings[doc].entry_id, min(scores[doc] / ceiling, 1.0) if ceiling else 0.0

    def decide(self, question: str) -> tuple[str | None, bool]:
        entry_id, score = self.best(question)
        return entry_id, score >= self.answer_at


_UK_LETTERS = set("іїєґ")
_RU_LETTERS = set("ыэъ")
_UK_WORDS = frozenset(
    "що як чи це який яка які хто де коли чому буде україна україни його та".split()
)
_RU_WORDS = frozenset(
    "что как ли это какой какая какие кто где когда почему будет россия его".split()
)
_DE_WORDS = frozenset(
    """was wie wer wo wann warum ist sind der die das und nicht ein eine gibt es wird werden
    mit von fur uber auf russland ukraine selenskyj putin plan krieg frieden""".split()
)
_DE_ONLY = frozenset(
    "was wie wer wo wann warum ist sind der die das und nicht ein eine gibt wird werden mit von "
    "fur uber auf auch noch".split()
)


def word_list_language(text: str, hint: str | None = None) -> str:
    """The detector before knowledge.language: script and common words (a hint wins a tie)."""
    lowered = clean(text)
    cyrillic = sum(1 for ch in lowered if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in lowered if "a" <= ch <= "z")
    words = set(_TOKEN.findall(lowered))
    if cyrillic > latin:
        uk = sum(ch in _UK_LETTERS for ch in lowered) * 2 + len(words & _UK_WORDS)
        ru = sum(ch in _RU_LETTERS for ch in lowered) * 2 + len(words & _RU_WORDS)
        if uk == ru and hint in ("uk", "ru"):
            return hint
        return "uk" if uk > ru else "ru" if ru > uk else (hint if hint in ("uk", "ru") else "ru")
    if latin == 0:
        return hint if hint in STOP_WORDS else "en"
    german = len(words & _DE_ONLY) + sum(ch in "äöüß" for ch in text.casefold()) * 2
    english = len(words & STOP_WORDS["en"] - _DE_ONLY)
    if german > english:
        return "de"
    if german == english and hint == "de":
        return "de"
    return "en" if english or hint not in STOP_WORDS else hint
