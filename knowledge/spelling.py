"""Spelling correction and compound splitting over the words the base's phrasings use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Protocol

import numpy as np
from rapidfuzz.distance import OSA

from knowledge.columns import TextColumn
from knowledge.normalize import STOP_WORDS, canonical


def _swaps(word: str) -> list[str]:
    """The word with two neighbouring letters swapped, its first letter kept (people rarely
    mistype a word's first letter: one_slip)."""
    swapped = (word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1))
    return [variant for variant in dict.fromkeys(swapped) if variant != word]


def _deletions(word: str) -> list[str]:
    """The word with one letter left out, in a fixed order (a set's order would change per
    process)."""
    return list(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))


class Deletions(Protocol):
    """Variant (a word with one letter left out) -> the known word it comes from."""

    def get(self, variant: str, /) -> str | None: ...


class SavedDeletions:
    """A language's deletion index as saved: the variants sorted (a TextColumn), the first
    HEAD bytes of each as a fixed-width array, and for each the number of its word among the
    language's written words. Looked up by np.searchsorted on the heads, so it is never turned
    back into a dict; bisecting the column itself decoded ~270 texts an `ask` (a fifth of it)."""

    HEAD = 16  # bytes of UTF-8: eight Cyrillic letters; few variants share so long a start

    def __init__(
        self, variants: TextColumn, heads: np.ndarray, words: np.ndarray, written: Sequence[str]
    ) -> None:
        if not len(words) == len(heads) == len(variants):
            raise ValueError("the variants and their words do not fit together")
        self.variants, self.heads, self.words, self.written = variants, heads, words, written

    @classmethod
    def arrays(cls, index: Mapping[str, str], written: Sequence[str]) -> dict[str, np.ndarray]:
        """A deletion index as the arrays SavedDeletions reads."""
        number = {word: n for n, word in enumerate(written)}
        variants = sorted(index)  # code point order, which is UTF-8's byte order
        column = TextColumn.of(variants)
        heads = np.array([v.encode("utf-8")[: cls.HEAD] for v in variants], dtype=f"S{cls.HEAD}")
        words = np.array([number[index[v]] for v in variants], dtype=np.int32)
        return {"blob": column.blob, "offsets": column.offsets, "heads": heads, "words": words}

    def get(self, variant: str, /) -> str | None:
        head = np.bytes_(variant.encode("utf-8")[: self.HEAD])
        at = int(self.heads.searchsorted(head, side="left"))
        end = int(self.heads.searchsorted(head, side="right"))
        for candidate in range(at, end):
            if self.variants[candidate] == variant:
                return self.written[int(self.words[candidate])]
        return None


class Speller:
    """Maps a misspelt word to a known one within about one edit (SymSpell-style deletion index).

    It works on words as written ('russlnad' -> 'russland'), one index per language, so that an
    English question is corrected to English words first ('chicken' is not German 'schicken');
    it also splits compounds into known canonical words."""

    MIN_LENGTH = 6  # hand-set: one edit away from a shorter word is too often another word
    MIN_SWAPPED = 4  # hand-set: below MIN_LENGTH, two swapped letters are corrected from this
    MIN_COMPOUND = 8  # hand-set: a shorter word is not split into two known words
    MIN_PART = 4  # hand-set: each part of a split compound has at least this many letters
    MIN_DOUBLED = 4  # hand-set: a word typed with a letter twice is corrected from this long

    def __init__(
        self,
        written: dict[str, Counter[str]],
        vocabulary: Collection[str],
        saved: Mapping[str, Deletions] | None = None,
    ) -> None:
        """`saved`: deletion indexes by language, as a saved index has them (SavedDeletions)."""
        self.vocabulary = vocabulary
        self.written = written
        # Each language's deletion index, saved or built when a word of it first needs
        # correcting (most questions need none; a command-line question rarely more than one).
        self._by_deletion: dict[str, Deletions] = dict(saved or {})

    def prepare(self) -> None:
        """Builds every language's deletion index now: a running bot does it while loading, not
        on a user's first misspelt question."""
        for language in self.written:
            self._deletions_in(language)

    def _deletions_in(self, language: str) -> Deletions:
        found = self._by_deletion.get(language)
        if found is None:
            found = self._by_deletion[language] = self.deletion_index(language)
        return found

    def deletion_index(self, language: str) -> dict[str, str]:
        """Every variant of the language's words (of MIN_LENGTH letters or more) -> its word, the
        more used word first where two share a variant."""
        index: dict[str, str] = {}
        for word, _count in self.written[language].most_common():
            if len(word) >= self.MIN_LENGTH:
                for variant in _deletions(word):
                    index.setdefault(variant, word)
        return index

    def split(self, word: str) -> list[str] | None:
        """Two known words a compound is made of, canonical: 'kriegsende' -> 'krieg', 'ende';
        'friedensvertrag' -> the canonical forms of 'frieden' and 'vertrag', as the base's
        phrasings have them ('Frieden', 'Vertrag'), the longest known last part first. A first
        part of two or three letters ('olpreis': 'Öl', 'Preis') counts where it is a known word
        and no prefix or particle ('abzug', 'umsatz', 'nachwahl' stay whole), after the longer
        first parts."""
        if word.endswith(NOT_NOUN_ENDINGS) or word.startswith(VERB_PARTICLES):
            return None
        found = None
        if len(word) >= self.MIN_COMPOUND:
            found = self._split_at(word, range(self.MIN_PART, len(word) - self.MIN_PART + 1))
        return found or self._split_at(word, (2, 3), short=True)

    def _split_at(self, word: str, cuts: Iterable[int], short: bool = False) -> list[str] | None:
        for cut in cuts:
            if short and (word[:cut] in SHORT_PREFIXES or len(word) - cut <= self.MIN_PART):
                continue
            tail = canonical(word[cut:])
            if tail not in self.vocabulary:
                continue
            head = word[:cut]
            heads = [head, head[:-1]] if head.endswith("s") and cut > self.MIN_PART else [head]
            for part in map(canonical, heads):  # the German linking s: Friedensplan
                if part in self.vocabulary:
                    return [part, tail]
        return None

    def inflected(self, word: str) -> str | None:
        """A German word the base has in another inflection: the base's most used German word
        that leaves the same stem when a verb, noun or adjective ending is taken off ('endet' /
        'endete', 'regelten' / 'regeln', 'kanale' / 'kanal'), the participle's 'ge' too ('gemeint'
        / 'meint'). The base's light stemmer leaves these apart, and as unknown words they sank
        the German questions that used them."""
        if len(word) < MIN_STEM + 1:
            return None
        forms = [word, word[2:]] if word.startswith("ge") and len(word) > MIN_STEM + 2 else [word]
        if word[:1] == "g" and word[1:2] in SOUTHERN_GE and len(word) > MIN_STEM + 1:
            forms.append("ge" + word[1:])  # southern German "gmacht", "gstanden": "gemacht"
        for form in forms:
            for stem in sorted(_german_stems(form), key=len, reverse=True):
                if (known := self._stem_index.get(stem)) is not None:
                    return known
        return None

    @cached_property
    def _stem_index(self) -> dict[str, str]:
        """Each stem of the base's German words, to the most used word that leaves it."""
        index: dict[str, str] = {}
        for word, _count in self.written.get("de", Counter()).most_common():
            for stem in _german_stems(word):
                index.setdefault(stem, word)
        return index

    def correct(self, word: str, language: str) -> tuple[str, bool] | None:
        """A known written word within one edit, and whether it is of the question's language.
        A shorter word (of MIN_SWAPPED letters or more) only for two neighbours swapped in it
        ('paln', 'nato'), which rarely makes one real word of another."""
        if word.isdigit():
            return None
        if (single := self._doubled(word, language)) is not None:
            return single
        if len(word) == self.MIN_LENGTH - 1 and language in self.written:
            # A known word of MIN_LENGTH letters with one left out ("ocupy", "genva"), in the
            # question's language: 67 tuned sets, answered right +12, wrong +3, out of scope +1.
            fixed = self._deletions_in(language).get(word)
            if fixed is not None and one_slip(word, fixed):
                return fixed, True
        if len(word) < self.MIN_LENGTH:
            return self._swapped(word, language) if len(word) >= self.MIN_SWAPPED else None
        for lang in self._languages_from(language):
            fixed = self._correct_in(word, lang)
            if fixed is not None:
                return fixed, lang == language
        return None

    def _doubled(self, word: str, language: str) -> tuple[str, bool] | None:
        """A known word of MIN_DOUBLED letters or more typed with one of its letters twice
        ('rubbio', 'dumma'), shorter than MIN_LENGTH too: a letter pressed twice seldom makes one
        real word of another (61 tuned and 2 new blind sets: answered right +1, nothing else
        changed)."""
        if len(word) <= self.MIN_DOUBLED:
            return None
        singles = [
            word[:i] + word[i + 1 :] for i in range(1, len(word) - 1) if word[i] == word[i + 1]
        ]
        for lang in self._languages_from(language):
            for single in singles:
                if single in self.written[lang]:
                    return single, lang == language
        return None

    def _languages_from(self, language: str) -> list[str]:
        """The base's languages, the question's first ('chicken' is not German 'schicken')."""
        return sorted(self.written, key=lambda lang: lang != language)

    def _swapped(self, word: str, language: str) -> tuple[str, bool] | None:
        for lang in self._languages_from(language):
            for variant in _swaps(word):
                if variant in self.written[lang]:
                    return variant, lang == language
        return None

    def _correct_in(self, word: str, language: str) -> str | None:
        written, by_deletion = self.written[language], self._deletions_in(language)
        if word in written:
            return word
        fixed = by_deletion.get(word)
        if fixed is not None and one_slip(word, fixed):  # the user left a letter out
            return fixed
        for variant in _deletions(word):  # an extra letter, or one replaced / swapped
            if variant in written and len(variant) >= self.MIN_LENGTH and one_slip(word, variant):
                return variant
            fixed = by_deletion.get(variant)
            if fixed is not None and one_slip(word, fixed):
                return fixed
        return None


# German prefixes, prepositions and particles of two or three letters: not the first part of a
# compound ('abzug', 'anteil', 'vorlage', 'umsatz' are words of their own).
SHORT_PREFIXES = frozenset(
    """ab an ans auf aus bei bis da dar ein ent er ex ge gar her hin ins je los mit nie nix nu nun
    nur ob oft per pro rum um ums un ur vor weg zu zer zur zum""".split()
)
# What a split compound is not: an adverb or adjective ('letztendlich' is no 'letzt' + 'endlich',
# 'offensichtlich', 'gleichzeitig'), nor a verb with a separable particle ('stattgefunden',
# 'zugesagt', 'zusammenbringen', 'offenlassen', 'fernbleibt'), whose parts matched unrelated
# phrasings. German compounds the base is asked with are nouns ('Friedensplan', 'Kriegsende').
NOT_NOUN_ENDINGS = ("lich", "ig", "isch", "bar", "sam", "haft")
VERB_PARTICLES = ("statt", "zuge", "zusammen", "offen", "fern", "weiter", "fest", "zuruck")
# Southern German drops the participle's "e" before these letters ("gmacht", "gsagt", "gwählt").
SOUTHERN_GE = "bdfhklmnrsvwz"
MIN_STEM = 4  # hand-set: an ending is taken off only where this many letters remain
# German inflection endings (verbs: -e, -en, -t, -et, -st, -te, -ten; nouns and adjectives: -e,
# -en, -em, -er, -es, -n, -s, -ern), and Swabian -a for -en ("Treffa", "Streifa", "inzwischa").
GERMAN_ENDINGS = sorted(
    "e en em er es n s t et st est te ten tet ter tes tem ern a".split(), key=len, reverse=True
)


def _german_stems(word: str) -> set[str]:
    """The word and what is left of it with one German inflection ending taken off."""
    return {word} | {
        word[: -len(e)]
        for e in GERMAN_ENDINGS
        if word.endswith(e) and len(word) - len(e) >= MIN_STEM
    }


def one_slip(word: str, known: str) -> bool:
    """Whether `known` is `word` with one slip of the keyboard: a letter left out, added,
    replaced or two swapped (a deletion on each side also pairs words two edits apart:
    'brauchen' / 'brachten'), the first letter kept: people rarely mistype a word's first
    letter, and a real word the base lacks is often one first letter away from one it has
    ('gestern' / 'western', 'morgen' / 'sorgen', 'winter' / 'hinter', 'pension' / 'tension')."""
    return word[:1] == known[:1] and OSA.distance(word, known, score_cutoff=1) <= 1


# The stop words of each language by first letter, of four letters or more: a shorter one is one
# slip from too many words ('war' / 'was', 'eu' / 'er').
_STOP_BY_FIRST: dict[tuple[str, str], list[str]] = {}
for _language, _words in STOP_WORDS.items():
    for _word in sorted(w for w in _words if len(w) >= 4):
        _STOP_BY_FIRST.setdefault((_language, _word[0]), []).append(_word)


def slip_of_stop_word(word: str, language: str) -> str | None:
    """The stop word of the question's language that a word the base does not know is with a
    letter left out or two swapped ('whta', 'wat' -> 'what', 'abut' -> 'about'), if any: it is
    then left out as the stop word is, not counted as a word the base lacks (which says the
    question is outside the base)."""
    if len(word) < 3:
        return None
    for stop in _STOP_BY_FIRST.get((language, word[:1]), ()):
        if _left_out_or_swapped(word, stop):
            return stop
    return None


def _left_out_or_swapped(word: str, stop: str) -> bool:
    """A letter left out or two neighbours swapped, the first letter kept; not a letter
    replaced: one letter replaced makes other real words of a stop word ('live' / 'like',
    'mine' / 'mind')."""
    return word[:1] == stop[:1] and (word in _deletions(stop) or word in _swaps(stop))
