"""Spelling correction and compound splitting over the words the base's phrasings use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection


def _deletions(word: str) -> list[str]:
    """The word with one letter left out, in a fixed order (a set's order would change per
    process)."""
    return list(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))


class Speller:
    """Maps a misspelt word to a known one within about one edit (SymSpell-style deletion index).

    It works on words as written ('russlnad' -> 'russland'), one index per language, so that an
    English question is corrected to English words first ('chicken' is not German 'schicken');
    it also splits compounds into known canonical words."""

    MIN_LENGTH = 6  # hand-set: one edit away from a shorter word is too often another word
    MIN_COMPOUND = 8  # hand-set: a shorter word is not split into two known words
    MIN_PART = 4  # hand-set: each part of a split compound has at least this many letters

    def __init__(self, written: dict[str, Counter[str]], vocabulary: Collection[str]) -> None:
        self.vocabulary = vocabulary
        self.written = written
        # Each language's deletion index, built when a word of it first needs correcting (most
        # questions need none; a command-line question rarely more than one language).
        self._by_deletion: dict[str, dict[str, str]] = {}

    def prepare(self) -> None:
        """Builds every language's deletion index now: a running bot does it while loading, not
        on a user's first misspelt question."""
        for language in self.written:
            self._deletions_in(language)

    def _deletions_in(self, language: str) -> dict[str, str]:
        index = self._by_deletion.get(language)
        if index is None:
            index = self._by_deletion[language] = {}
            for word, _count in self.written[language].most_common():
                if len(word) >= self.MIN_LENGTH:
                    for variant in _deletions(word):
                        index.setdefault(variant, word)
        return index

    def split(self, word: str) -> list[str] | None:
        """Two known words a compound is made of: 'kriegsende' -> 'krieg', 'ende'."""
        if len(word) < self.MIN_COMPOUND:
            return None
        for cut in range(self.MIN_PART, len(word) - self.MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            if head.endswith("s") and head[:-1] in self.vocabulary and len(head) > self.MIN_PART:
                head = head[:-1]  # the German linking s: Friedensplan
            if head in self.vocabulary and tail in self.vocabulary:
                return [head, tail]
        return None

    def correct(self, word: str, language: str) -> tuple[str, bool] | None:
        """A known written word within one edit, and whether it is of the question's language."""
        if len(word) < self.MIN_LENGTH or word.isdigit():
            return None
        order = sorted(self.written, key=lambda lang: lang != language)
        for lang in order:
            fixed = self._correct_in(word, lang)
            if fixed is not None:
                return fixed, lang == language
        return None

    def _correct_in(self, word: str, language: str) -> str | None:
        written, by_deletion = self.written[language], self._deletions_in(language)
        if word in written:
            return word
        if word in by_deletion:  # the user left a letter out
            return by_deletion[word]
        for variant in _deletions(word):  # an extra letter, or one replaced / swapped
            if variant in written and len(variant) >= self.MIN_LENGTH:
                return variant
            if variant in by_deletion:
                return by_deletion[variant]
        return None
