"""Finds the entries a question is about: an inverted index for candidates, then evidence per
entry.

Candidates come from BM25 over word and character-trigram features (so the cost depends on the
query's features, not on the size of the base); the best few phrasings are compared with
rapidfuzz's token ratios, each candidate entry's closeness in meaning is added
(knowledge.semantic), with how much of the question the entry's words cover at all and how close
the question comes to the base's off-topic questions, and the fitted models of knowledge.scoring
turn that evidence into a ranking, a confidence and a relevance in [0, 1].
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from knowledge import patterns
from knowledge.columns import TextColumn
from knowledge.language import LAYOUT_SLIP, Lexicon, detect_language
from knowledge.layout import retyped
from knowledge.normalize import (
    MAX_QUERY_CHARS,
    canonical,
    clean,
    replace_words,
    surface_tokens,
    written_names,
)
from knowledge.scoring import Scoring, from_ranking
from knowledge.semantic import Embedder, MeaningIndex
from knowledge.spelling import SavedDeletions, Speller, slip_of_stop_word

# The numbers below are hand-set tuning choices, not fitted: the fitted weights (how the evidence
# becomes a ranking, a confidence and a relevance) live in knowledge/scoring.json.

# BM25 over word and character-trigram features.
K1 = 1.2  # hand-set: how soon a feature's repeats in one phrasing stop adding to its score
B = 0.5  # hand-set: how far a long phrasing's scores are scaled down (0: not at all, 1: in full)
WORD_WEIGHT = 2.0  # hand-set: weight of a whole word's feature, against its trigrams
GRAM_WEIGHT = 1.0  # hand-set: weight a word's character trigrams share between them

# Candidates.
SHORTLIST = 30  # hand-set: phrasings, best by BM25, that rapidfuzz compares with the question
SUPPORT_POOL = 60  # hand-set: phrasings whose BM25 scores add up to each entry's `support`
SEMANTIC_MIN_WEIGHT = 0.95  # hand-set: vectors for phrasings and titles, not answer sentences
# An entry's title weighs a little less than a written phrasing (hand-set); the phrasings of this
# weight are the titles, which the `title` ranking feature reads. As a ranking feature, fitted:
# answered right on calibration + blind-calibration + blind-calibration-2 1025 -> 1030 of 1226,
# wrong 34 -> 30; eval + holdout 472 -> 471 of 519, wrong 9 -> 6; out of scope unchanged.
TITLE_WEIGHT = 0.95

# How much of the question the base knows (the `known` feature) and how unknown words weigh.
CORRECTED_KNOWN = 0.75  # hand-set: a word known only after spelling correction counts for less
OTHER_LANGUAGE_KNOWN = 0.4  # hand-set: ... and less again when that word is of another language
# A word the base does not know even after spelling correction ("шо", "wieviel", a synonym the
# aliases lack) weighs this much of a known word in the question's evidence mass, and stays out of
# the fuzzy comparison: one odd word must not sink a question its other words answer. Hand-set.
UNKNOWN_WORD_WEIGHT = 0.25
# A known word that a question has and an entry lacks tells against that entry as much as the word
# says which entry a question is about: its `concentration` (SearchIndex.concentration) scales its
# weight in `entry_coverage` and `foreign` from this floor (a word spread one phrasing per entry,
# "nimmt", "west") to 1 (a word gathered in few entries, "Dmitriev"). Hand-set: floors
# 0.0 / 0.1 / 0.2 / 0.35 / 0.5 / none (1.0) scored 1823 / 1829 / 1831 / 1828.5 / 1826.5 / 1821 on
# the calibration sets (right + half the good suggestions - 2 x (wrong + out of scope answered or
# suggested) - later dates answered), each refitted.
SPREAD_WORD_FLOOR = 0.2

# The `fuzzy` feature, and the lexical score that picks each entry's best phrasing.
FUZZY_SCALE = 200  # hand-set even blend of the two token ratios (0-100 each), scaled to [0, 1]
LEXICAL_FUZZY = 0.5  # hand-set: weight of the fuzzy ratio in the lexical score
LEXICAL_COVERAGE = 0.3  # hand-set: weight of the share of the question a phrasing matches
LEXICAL_REVERSE = 0.2  # hand-set: weight of the share of the phrasing the question matches

# Caps of the question-wide features, each scaled to [0, 1].
UNKNOWN_CAP = 3  # hand-set: `unknown` counts the question's unknown words up to this many
# `words` measures how much the question says by the letters of its content words, up to this
# many (hand-set; 45 and 80 tried, 60 ~ 80 > 45), not by their number: a German compound says in
# one word what English says in three ('Gefangenenaustausch' / 'prisoner exchange'), and counted
# as words German questions looked short and got low confidence (blind-calibration de 60.7%
# answered right against en 75.0%).
LETTERS_CAP = 60
# The numbered plans (the November 28-point draft, the December 20-point plan; their entries'
# topics are plan-20 and plan-28), named by their number before a word for "point" (canonical
# "point"; "пунктний", "пунктного" keep their stem).
PLAN_NUMBERS = ("20", "28")
PLAN_WORDS = ("point", "пункт")


@dataclass(frozen=True)
class Phrasing:
    entry_id: str
    text: str
    language: str
    weight: float = 1.0  # below 1 for text that was not written as a question (titles, answers)
    trigrams: bool = (
        True  # index character trigrams too (typo tolerance); off for long answer text
    )


@dataclass(frozen=True)
class Candidate:
    """An entry with the evidence that the question is about it."""

    entry_id: str
    confidence: float  # calibrated: how likely the question is about this entry
    relevance: float  # calibrated: how likely the question is within the base at all
    score: float  # ranking score: what orders the candidates
    probability: float  # the entry's share of the candidates' ranking (softmax of the scores)
    phrasing: str  # the entry's phrasing closest in words to the question
    features: dict[str, float]  # the evidence, by name (see knowledge.scoring)


# Two words side by side, as a first name and a surname are written.
_NAME_PAIR = patterns.compile(r"(?=(?<![\w'’-])([^\W\d_]+)\s+([^\W\d_]+))")


def _grams(token: str) -> list[str]:
    padded = f" {token} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


@lru_cache(maxsize=200_000)
def _word_features(word: str, trigrams: bool = True) -> tuple[tuple[str, float], ...]:
    """A word's features with their weights: the whole word counts most, trigrams share the
    rest."""
    whole = ("w:" + word, WORD_WEIGHT)
    if not trigrams:
        return (whole,)
    return (whole, *(("c:" + g, GRAM_WEIGHT / len(word)) for g in _grams(word)))


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """np.concatenate([np.arange(a, a + n) for a, n in zip(starts, sizes)]) without the loop."""
    ends = np.cumsum(sizes)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total, dtype=np.int64) - np.repeat(ends - sizes - starts, sizes)


def _encode(texts: list[str]) -> tuple[Embedder, list[np.ndarray]]:
    embedder = Embedder.shared()
    return embedder, embedder.encode(texts)


@dataclass(frozen=True)
class Query:
    """A question prepared for matching."""

    words: list[str]  # content words after spelling correction
    known: float  # share of the question's content words the base knows
    text: str  # normalised text for rapidfuzz: the known words (all words if none is known)
    unknown: frozenset[str] = (
        frozenset()
    )  # content words the base does not know even after correction
    fixes: tuple[tuple[str, str], ...] = ()  # (word as typed, as corrected): for the embedder
    # Unknown words written as names (capitalised inside an English, Ukrainian or Russian
    # sentence: 'Iran', 'Abraham Accords'): they name what is asked about, so they weigh fully.
    names: frozenset[str] = frozenset()

    @property
    def light(self) -> frozenset[str]:
        """The unknown words that weigh less (UNKNOWN_WORD_WEIGHT): slang, not names."""
        return self.unknown - self.names


def _about_another(
    named: Collection[str], about: Sequence[Sequence[str]], numbers: np.ndarray
) -> np.ndarray:
    """For each entry (by number), 1 if it is about something of a kind (a plan, a person) and
    not about what the question `named` of that kind, else 0; all 0 when nothing is named."""
    other = np.zeros(len(numbers))
    if named:
        for i, number in enumerate(numbers.tolist()):
            things = about[number]
            other[i] = float(bool(things) and not set(named).intersection(things))
    return other


def aside(features: Mapping[str, np.ndarray]) -> np.ndarray:
    """Whether each candidate goes after all the others, whatever its ranking score: it is about
    the other numbered plan than the one the question names, or is the profile of another person
    than the one it names. The two plans share most of their words, as the profiles do, and the
    wrong one was a confident wrong answer (blind-calibration: elections asked of the 28-point
    plan answered from the 20-point plan's, Witkoff's role from Trump's profile): blind-calibration
    76.5 -> 76.8% answered right, wrong 3.0 -> 2.1%, calibration wrong 2.3 -> 2.2%, no other
    answer of the five calibration and evaluation sets changed. A rule after the fitted ranking,
    as Thresholds.clear_lead is after the fitted confidence (bench/calibrate fits without it):
    fitted as weights, or with the fit seeing the rule, they concern ~20 of 1,653 calibration
    questions yet moved the confidence weights enough to flip near ties that name neither
    (blind-calibration-2 wrong 5.6 -> 6.2-6.9%, eval 0.9 -> 1.3%)."""
    return np.maximum(features["other_plan"], features["other_person"]) > 0


class SearchIndex:
    """Index of every phrasing of every entry."""

    def __init__(
        self,
        phrasings: Iterable[Phrasing],
        scoring: Scoring | None = None,
        off_topic: Sequence[str] = (),
        plans: Mapping[str, Collection[str]] | None = None,
        people: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        """`off_topic`: questions the base leaves unanswered (knowledge.schema.OffTopic);
        `plans`: for each entry, the numbered plans it is about ("20", "28"), if any; `people`:
        for each profile of a person, the surnames it is about (canonical words)."""
        phrasings = list(phrasings)
        self.texts: Sequence[str] = [p.text for p in phrasings]
        self.weights = np.array([p.weight for p in phrasings], dtype=np.float64)
        self.scoring = scoring or Scoring.load()
        with_vectors = [p for p in phrasings if p.weight >= SEMANTIC_MIN_WEIGHT]
        # The tokenizer loads and encodes in Rust without holding the GIL: let it work meanwhile.
        # (Imported here: a saved index is loaded without it.)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as background:
            encoding = background.submit(_encode, [p.text for p in with_vectors] + list(off_topic))
            # Then the token ids of every word (knowledge.semantic.WordPieces), saved with the
            # index: its questions are embedded without reading the tokenizer.
            piecing = background.submit(
                Embedder.shared().pieces, [p.text for p in phrasings] + list(off_topic)
            )
            self._build_lexical(phrasings)
        self.entry_plans = [sorted((plans or {}).get(e, ())) for e in self.entry_ids]
        self.entry_people = [sorted((people or {}).get(e, ())) for e in self.entry_ids]
        embedder, token_ids = encoding.result()
        split = len(with_vectors)
        self.meaning = MeaningIndex(
            embedder,
            [p.entry_id for p in with_vectors],
            token_ids[:split],
            off_topic=token_ids[split:],
            pieces=piecing.result(),
        )

    def _build_lexical(self, phrasings: list[Phrasing]) -> None:
        written: dict[str, Counter[str]] = defaultdict(Counter)
        normalized = []
        for phrasing in phrasings:
            words = surface_tokens(phrasing.text)
            written[phrasing.language].update(words)
            normalized.append(" ".join(canonical(w) for w in words))
        self.normalized: Sequence[str] = normalized
        # Every word of every phrasing as a number, with the number of its phrasing.
        count = len(phrasings)
        word_number: dict[str, int] = {}
        split = [text.split() for text in normalized]
        words_per_doc = np.fromiter(map(len, split), dtype=np.int64, count=count)
        token_word = np.fromiter(
            (word_number.setdefault(w, len(word_number)) for words in split for w in words),
            dtype=np.int64,
            count=int(words_per_doc.sum()),
        )
        token_doc = np.repeat(np.arange(count, dtype=np.int64), words_per_doc)
        self.written = dict(written)  # words as written, per language, most used first on ties
        self.word_number = word_number
        self.speller = Speller(self.written, word_number)
        self.lexicon = Lexicon.from_words(written)
        self._index_entries(phrasings, list(word_number), token_word, token_doc)
        self._index_features(phrasings, list(word_number), token_word, token_doc)

    def _index_entries(
        self,
        phrasings: list[Phrasing],
        words: list[str],
        token_word: np.ndarray,
        token_doc: np.ndarray,
    ) -> None:
        """Entry numbers, each phrasing's, and which entries know each word (in any phrasing)."""
        self.entry_number: dict[str, int] = {}
        self.doc_entry = np.fromiter(
            (self.entry_number.setdefault(p.entry_id, len(self.entry_number)) for p in phrasings),
            dtype=np.int64,
            count=len(phrasings),
        )
        self.entry_ids = list(self.entry_number)  # entry number -> id
        n_entries = max(len(self.entry_ids), 1)
        known = np.unique(token_word * n_entries + self.doc_entry[token_doc])
        # The entries of word number w: word_entries[word_bounds[w] : word_bounds[w + 1]].
        self.word_bounds = np.searchsorted(known // n_entries, np.arange(len(words) + 1))
        self.word_entries = known % n_entries
        self._word_cuts: list[int] = self.word_bounds.tolist()

    def entries_knowing(self, word: str) -> int:
        """How many entries have the word (as written; compared in its canonical form) in any
        phrasing, title or answer sentence: 0 for a word the base does not know."""
        found = self._entries_with(canonical(word))
        return 0 if found is None else len(found)

    def _entries_with(self, word: str) -> np.ndarray | None:
        """The numbers of the entries any of whose phrasings has the word (None: no phrasing)."""
        number = self.word_number.get(word)
        if number is None:
            return None
        return self.word_entries[self._word_cuts[number] : self._word_cuts[number + 1]]

    def _index_features(
        self,
        phrasings: list[Phrasing],
        words: list[str],
        token_word: np.ndarray,
        token_doc: np.ndarray,
    ) -> None:
        """BM25 postings per feature, idf, and each phrasing's evidence mass, built as arrays: each
        distinct (word, with trigrams or not) gets its features once, every word occurrence is
        expanded into its features by one gather, and one np.unique counts the (feature, phrasing)
        pairs."""
        count = len(phrasings)
        doc_trigrams = np.fromiter((p.trigrams for p in phrasings), dtype=np.int64, count=count)
        keys, token_key = np.unique(token_word * 2 + doc_trigrams[token_doc], return_inverse=True)
        feature_ids: dict[str, int] = {}
        key_features: list[int] = []
        key_weights: list[float] = []
        key_sizes = np.zeros(len(keys), dtype=np.int64)
        for k, key in enumerate(keys.tolist()):
            features = _word_features(words[key // 2], bool(key % 2))
            key_features.extend(
                feature_ids.setdefault(name, len(feature_ids)) for name, _ in features
            )
            key_weights.extend(weight for _, weight in features)
            key_sizes[k] = len(features)
        slot_feature = np.array(key_features, dtype=np.int32)
        sizes = key_sizes[token_key]
        # Occurrences (a feature in a phrasing) are the big arrays: ~14M at 285k phrasings, kept
        # to one int64 (the pair) and sorted in place; the build's peak was 1.2 GiB with
        # np.unique over int64 temporaries.
        gather = _ranges((np.cumsum(key_sizes) - key_sizes)[token_key], sizes)
        pairs = slot_feature.astype(np.int64)[gather]
        del gather
        n_docs = max(count, 1)
        pairs *= n_docs
        pairs += np.repeat(token_doc.astype(np.int32), sizes)
        pairs.sort()
        first = np.ones(len(pairs), dtype=bool)  # where each distinct pair starts
        np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
        firsts = np.flatnonzero(first)
        del first
        tf = np.diff(np.append(firsts, len(pairs))).astype(np.float32)
        pairs = pairs[firsts]
        del firsts
        lengths = np.bincount(token_doc, weights=sizes, minlength=count).astype(np.float32)
        avg = float(lengths.mean()) if len(lengths) else 1.0
        norm = K1 * (1 - B + B * lengths / max(avg, 1e-9))
        docs = (pairs % n_docs).astype(np.int32)
        saturated = tf * (K1 + 1) / (tf + norm[docs])
        del tf
        bounds = np.searchsorted(pairs, np.arange(len(feature_ids) + 1, dtype=np.int64) * n_docs)
        del pairs
        df = np.diff(bounds)
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        # Feature number f has posting_docs and posting_tf [bounds[f] : bounds[f + 1]].
        self.feature_number = feature_ids
        self.feature_bounds = bounds
        self.posting_docs = docs
        self.posting_tf = saturated
        self.idf_values = idf
        self._feature_cuts: list[int] = bounds.tolist()
        self.idf: dict[str, float] = dict(zip(feature_ids, idf.tolist(), strict=True))
        # The evidence mass of each phrasing: its features' weights times their idf, summed
        # (per word: each distinct word's share first).
        slot_key = np.repeat(np.arange(len(keys)), key_sizes)
        key_mass = np.bincount(
            slot_key, weights=np.array(key_weights) * idf[slot_feature], minlength=len(keys)
        )
        mass = np.bincount(token_doc, weights=key_mass[token_key], minlength=count)
        self.doc_mass = np.where(mass > 0, mass, 1.0)
        self.max_idf = math.log(1 + (n_docs + 0.5) / 0.5)

    # What `saved` writes and `from_saved` reads back: arrays (memory-mapped when loaded) and
    # plain data (JSON). Change either and bump knowledge.saved_index.INDEX_FORMAT.
    ARRAYS = (
        "weights",
        "doc_entry",
        "word_bounds",
        "word_entries",
        "feature_bounds",
        "posting_docs",
        "posting_tf",
        "idf_values",
        "doc_mass",
    )

    def saved(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The index as arrays and plain data, everything `from_saved` needs."""
        meaning, entries, bounds = self.meaning.saved()
        arrays = {name: getattr(self, name) for name in self.ARRAYS}
        arrays.update({"meaning_" + name: array for name, array in meaning.items()})
        for name in ("texts", "normalized"):
            column = TextColumn.of(getattr(self, name))
            arrays[f"{name}_blob"], arrays[f"{name}_offsets"] = column.blob, column.offsets
        for number, language in enumerate(self.written):  # JSON keeps the languages' order
            deletions = SavedDeletions.arrays(
                self.speller.deletion_index(language), list(self.written[language])
            )
            arrays.update({f"speller_{number}_{k}": v for k, v in deletions.items()})
        data = {
            "entry_ids": self.entry_ids,
            "words": list(self.word_number),
            "features": list(self.feature_number),
            "written": {language: list(words.items()) for language, words in self.written.items()},
            "max_idf": self.max_idf,
            "entry_plans": self.entry_plans,
            "entry_people": self.entry_people,
            "meaning_entries": entries,
            "meaning_bounds": bounds,
        }
        return arrays, data

    @classmethod
    def from_saved(
        cls,
        arrays: Mapping[str, np.ndarray],
        data: Mapping[str, Any],
        scoring: Scoring | None = None,
    ) -> SearchIndex:
        """The index `saved` described, with nothing computed again; ValueError if the parts do
        not fit together."""
        index = cls.__new__(cls)
        for name in cls.ARRAYS:
            setattr(index, name, arrays[name])
        index.texts = TextColumn(arrays["texts_blob"], arrays["texts_offsets"])
        index.normalized = TextColumn(arrays["normalized_blob"], arrays["normalized_offsets"])
        index.entry_ids = list(data["entry_ids"])
        index.entry_number = {entry: n for n, entry in enumerate(index.entry_ids)}
        index.word_number = {word: n for n, word in enumerate(data["words"])}
        index.feature_number = {feature: n for n, feature in enumerate(data["features"])}
        index.written = {
            language: Counter(dict(words)) for language, words in data["written"].items()
        }
        index.max_idf = float(data["max_idf"])
        index.entry_plans = [list(plans) for plans in data["entry_plans"]]
        index.entry_people = [list(names) for names in data["entry_people"]]
        count = len(index.texts)
        parts_fit = (
            len(index.normalized) == count
            and all(len(arrays[n]) == count for n in ("weights", "doc_entry", "doc_mass"))
            and len(index.word_bounds) == len(index.word_number) + 1
            and len(index.feature_bounds) == len(index.feature_number) + 1
            and len(index.idf_values) == len(index.feature_number)
            and len(index.posting_docs) == len(index.posting_tf) == int(index.feature_bounds[-1])
            and len(index.word_entries) == int(index.word_bounds[-1])
            and len(arrays["meaning_vectors"]) == data["meaning_bounds"][-1]
            and len(arrays["meaning_scales"]) == data["meaning_bounds"][-1]
        )
        if not parts_fit:
            raise ValueError("the saved index's parts do not fit together")
        index._word_cuts = index.word_bounds.tolist()
        index._feature_cuts = index.feature_bounds.tolist()
        index.idf = dict(zip(data["features"], index.idf_values.tolist(), strict=True))
        index.scoring = scoring or Scoring.load()
        index.speller = Speller(
            index.written,
            index.word_number,
            saved={
                language: SavedDeletions(
                    TextColumn(arrays[f"speller_{n}_blob"], arrays[f"speller_{n}_offsets"]),
                    arrays[f"speller_{n}_heads"],
                    arrays[f"speller_{n}_words"],
                    list(words),
                )
                for n, (language, words) in enumerate(index.written.items())
            },
        )
        index.lexicon = Lexicon.from_words(index.written)
        index.meaning = MeaningIndex.restore(
            Embedder.shared(),
            arrays["meaning_vectors"],
            arrays["meaning_scales"],
            arrays["meaning_off_topic"],
            arrays["meaning_topic"],
            list(data["meaning_entries"]),
            list(data["meaning_bounds"]),
            saved=arrays,
        )
        return index

    @staticmethod
    def _weights(words: list[str], unknown: Collection[str] = ()) -> dict[str, float]:
        """Feature weights of a text: whole words count most, trigrams spread over their word;
        words the base does not know count UNKNOWN_WORD_WEIGHT as much."""
        weights: dict[str, float] = {}
        for word in words:
            scale = UNKNOWN_WORD_WEIGHT if word in unknown else 1.0
            for feature, weight in _word_features(word):
                weights[feature] = weights.get(feature, 0.0) + weight * scale
        return weights

    def retyped(self, question: str) -> str:
        """The question with the words typed on the wrong keyboard layout as meant ("gkfy" is
        "план": knowledge.layout), where the base knows them so."""
        written = self.speller.written.values()
        return retyped(question, lambda word: any(word in words for words in written))

    def language_of(self, text: str, hint: str | None = None) -> str:
        """The language of a question, with the words of this base's phrasings as evidence."""
        return detect_language(text, hint, self.lexicon)

    def prepare(self, question: str) -> Query:
        raw = surface_tokens(question)
        language = self.language_of(question)
        words: list[str] = []
        fixes: dict[str, str] = {}
        counted = len(raw)
        known = 0.0
        unknown: set[str] = set()
        first_names = self._first_names(question)
        for word in raw:
            # Ukrainian has no ы, э, ъ: in a Ukrainian question "пысля" was typed on the
            # Russian layout, read as meant word by word
            if language == "uk":
                word = word.translate(LAYOUT_SLIP)
            canon = canonical(word)
            if word in first_names and canon not in self.speller.vocabulary:
                counted -= 1  # "Kiril Dmitriyev": a first name the base spells otherwise
                continue
            if canon in self.speller.vocabulary:
                known += 1
                words.append(canon)
            elif language == "de" and (inflected := self.speller.inflected(word)) is not None:
                known += 1
                words.append(canonical(inflected))
            elif (fixed := self.speller.correct(word, language)) is not None:
                known += CORRECTED_KNOWN if fixed[1] else OTHER_LANGUAGE_KNOWN
                words.append(canonical(fixed[0]))
                fixes[word] = fixed[0]
            elif language == "de" and (parts := self.speller.split(word)):
                known += 1
                words.extend(parts)
            elif stop := slip_of_stop_word(word, language):  # 'whta': left out, as 'what' is
                counted -= 1
                fixes[word] = stop
            else:
                unknown.add(canon)
                words.append(canon)
        share = known / counted if counted else 0.0
        compared = [w for w in words if w not in unknown] or words
        names = (
            frozenset(canonical(w) for w in written_names(question)) & unknown
            if unknown and language != "de"  # every German noun is capitalised
            else frozenset()
        )
        return Query(
            words, share, " ".join(compared), frozenset(unknown), tuple(fixes.items()), names
        )

    def _first_names(self, question: str) -> set[str]:
        """The capitalised words written right before the surname of someone the base profiles
        ("Kiril Dmitriyev", "Wolodymyr Selenskyj"), cleaned."""
        found = set()
        for first, last in _NAME_PAIR.findall(question[:MAX_QUERY_CHARS]):
            if first[0].isupper() and canonical(clean(last)) in self.surnames:
                found.add(clean(first))
        return found

    def spelt(self, question: str, query: Query) -> str:
        """The question with its slips corrected, for the embedder: its subword pieces of
        'coallition of the wiling' are far from those of 'coalition of the willing' (cosine
        0.30 against 1.00 for the entry's phrasing)."""
        if not query.fixes:
            return question
        return replace_words(question, dict(query.fixes))

    def _entry_coverage(
        self, words: list[str], numbers: np.ndarray, unknown: Collection[str] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each entry (by number), the share of the question's word weight (idf) that any of
        its phrasings contains: a question about Putin's age finds his profile, which knows nothing
        of age; and the share that other entries know but it does not (`foreign`: "age" is in the
        base, the slang of a chat question is not, and a word no entry knows should lower the
        confidence less than one that another entry answers). Each word weighs its idf times its
        concentration (SPREAD_WORD_FLOOR): 'nimmt' in 'nimmt die nato die ukraine auf' is in
        four phrasings of four entries and says little against the NATO entries."""
        known_weight = np.zeros(len(self.entry_number))
        total = known = 0.0
        for word in dict.fromkeys(
            words
        ):  # in order: the same sum, to the last bit, in every process
            entries = self._entries_with(word)
            if word in unknown:
                scale = UNKNOWN_WORD_WEIGHT
            elif entries is None:  # a name the base does not know
                scale = 1.0
            else:
                concentration = self.concentration(word, len(entries))
                scale = SPREAD_WORD_FLOOR + (1 - SPREAD_WORD_FLOOR) * concentration
            idf = self.idf.get("w:" + word, self.max_idf) * scale
            total += idf
            if entries is not None:
                known_weight[entries] += idf
                known += idf
        return known_weight[numbers] / total, (known - known_weight[numbers]) / total

    def concentration(self, word: str, entries: int) -> float:
        """How much more a known word gathers in few entries than chance would put it, 0-1:
        its phrasings spread at random over the base's entries would meet `expected` of them;
        a word met in as many entries as it has phrasings (four phrasings of 'nimmt', four
        entries) is 0.2, 'Dmitriev' (257 phrasings, 15 entries) 0.87; a word of one phrasing, of
        which nothing can be told, 0.5 (a residual idf over entries, smoothed by one)."""
        number = self.feature_number.get("w:" + word)
        if number is None:
            return 1.0
        phrasings = self._feature_cuts[number + 1] - self._feature_cuts[number]
        n = len(self.entry_ids)
        expected = n * (1 - (1 - 1 / n) ** phrasings)
        return min(1.0, max(0.0, (expected - entries + 1) / (expected + 1)))

    def _other_plan(self, words: list[str], numbers: np.ndarray) -> np.ndarray:
        """For each entry (by number), 1 if the question names one numbered plan ("the 28-point
        plan", "20 пунктів") and the entry is about the other plan only, else 0."""
        named = {
            word
            for word, after in zip(words, [*words[1:], ""], strict=True)
            if word in PLAN_NUMBERS and after.startswith(PLAN_WORDS)
        }
        return _about_another(named if len(named) == 1 else set(), self.entry_plans, numbers)

    def _other_person(self, words: list[str], numbers: np.ndarray) -> np.ndarray:
        """For each entry (by number), 1 if the question names a person (by surname) and the
        entry is the profile of someone else, else 0."""
        return _about_another(self.surnames.intersection(words), self.entry_people, numbers)

    @cached_property
    def _title_docs(self) -> list[list[int]]:
        """Each entry's titles (the phrasings of weight TITLE_WEIGHT), as document numbers."""
        out: list[list[int]] = [[] for _ in self.entry_ids]
        for doc in np.flatnonzero(self.weights == TITLE_WEIGHT).tolist():
            out[int(self.doc_entry[doc])].append(doc)
        return out

    @cached_property
    def _title_words(self) -> dict[int, list[tuple[frozenset[str], float]]]:
        return {}  # _titles, by entry number, as they are first read

    def _titles(self, number: int) -> list[tuple[frozenset[str], float]]:
        """An entry's titles, each as its canonical words with the sum of their idf; read when
        the entry is first a candidate (all 560 titles at once cost 7 ms of every `ask`)."""
        titles = self._title_words.get(number)
        if titles is None:
            titles = []
            for doc in self._title_docs[number]:
                words = frozenset(self.normalized[doc].split())
                if words:
                    titles.append(
                        (words, math.fsum(self.idf.get("w:" + w, self.max_idf) for w in words))
                    )
            self._title_words[number] = titles
        return titles

    def title_words(self, entry_id: str) -> frozenset[str]:
        """The canonical words of an entry's titles in every language (knowledge.normalize's
        content_tokens of each), read from the index, not tokenized again."""
        number = self.entry_number.get(entry_id)
        if number is None:
            return frozenset()
        return frozenset().union(*(words for words, _ in self._titles(number)))

    def _title_match(self, words: list[str], numbers: np.ndarray) -> np.ndarray:
        """For each entry (by number), the largest share of one of its titles' word weight (idf)
        that the question has: a title names what the entry is about ("Russia's control of the
        Donetsk region"), and a question that leaves out its subject is less likely about it.

        The sums are over sets, whose order changes from process to process (string hashing):
        `math.fsum` gives the same sum, to the last bit, in every one. With `sum` the last bit
        moved, and a tree of the second look splitting exactly there answered a question in one
        process and offered it in the next."""
        asked = set(words)
        out = np.zeros(len(numbers))
        for i, number in enumerate(numbers.tolist()):
            for title, total in self._titles(number):
                if total > 0:
                    found = math.fsum(self.idf.get("w:" + w, self.max_idf) for w in title & asked)
                    out[i] = max(out[i], found / total)
        return out

    @cached_property
    def surnames(self) -> frozenset[str]:
        """Every surname a profile of the base is about."""
        return frozenset(name for names in self.entry_people for name in names)

    def search(
        self,
        question: str,
        limit: int = 5,
        set_aside: bool = True,
        shortlist_size: int = SHORTLIST,
    ) -> list[Candidate]:
        """The best entries for a question, most confident first; with `set_aside`, those `aside`
        names after the rest (a follow-up's rewritten question carries the previous question's
        plan or person, which its own subject need not share: "and europe?" after the Kremlin's
        reply to the 20-point plan); `shortlist_size`: how many phrasings, best by BM25, are
        compared with the question (the candidates come from their entries)."""
        query = self.prepare(question)
        if not query.words or not self.texts:
            return []
        weights = self._weights(query.words, query.light)
        total_mass = sum(w * self.idf.get(f, self.max_idf) for f, w in weights.items())
        doc_parts, tf_parts, masses, sizes = [], [], [], []
        cuts = self._feature_cuts
        for feature, weight in weights.items():
            number = self.feature_number.get(feature)
            if number is None:
                continue
            start, end = cuts[number], cuts[number + 1]
            doc_parts.append(self.posting_docs[start:end])
            tf_parts.append(self.posting_tf[start:end])
            masses.append(weight * self.idf[feature])
            sizes.append(end - start)
        if not doc_parts:
            return []
        docs = np.concatenate(doc_parts)
        mass = np.repeat(np.array(masses, dtype=np.float32), sizes)
        n = len(self.texts)
        scores = np.bincount(docs, weights=np.concatenate(tf_parts) * mass, minlength=n)
        matched_mass = np.bincount(docs, weights=mass, minlength=n)
        # Every matched phrasing scores above 0 (tf and mass are): a boolean array is scanned
        # 6x faster than the floats (285k phrasings: 0.21 against 1.30 ms, a quarter of a query).
        matched = np.flatnonzero(scores > 0)
        top = min(max(SUPPORT_POOL, shortlist_size), len(matched))
        if top < len(matched):
            pool = matched[np.argpartition(-scores[matched], top - 1)[:top]]
        else:
            pool = matched
        pool = pool[np.argsort(-scores[pool], kind="stable")]
        shortlist = pool[:shortlist_size]
        texts = [
            self.normalized[doc] for doc in shortlist
        ]  # every one matched at least one feature
        kind_weight = self.weights[
            shortlist
        ]  # lexical evidence from titles and answers counts less
        fuzzy = (
            kind_weight
            * (
                cdist([query.text], texts, scorer=fuzz.token_sort_ratio, processor=None)[0]
                + cdist([query.text], texts, scorer=fuzz.token_set_ratio, processor=None)[0]
            )
            / FUZZY_SCALE
        )
        coverage = kind_weight * np.minimum(
            1.0, matched_mass[shortlist] / total_mass
        )  # idf > 0: mass > 0
        reverse = kind_weight * np.minimum(1.0, matched_mass[shortlist] / self.doc_mass[shortlist])
        lexical = LEXICAL_FUZZY * fuzzy + LEXICAL_COVERAGE * coverage + LEXICAL_REVERSE * reverse
        # Each entry once, at its best phrasing in the shortlist, best first.
        order = np.argsort(-lexical, kind="stable")
        entry_of = self.doc_entry[shortlist[order]]
        firsts = np.sort(np.unique(entry_of, return_index=True)[1])
        at, numbers = order[firsts], entry_of[firsts]
        entry_ids = [self.entry_ids[n] for n in numbers.tolist()]
        # An entry several of whose phrasings fit is a safer bet than one lucky phrasing.
        support = np.bincount(
            self.doc_entry[pool], weights=scores[pool], minlength=len(self.entry_ids)
        )
        covered, foreign = self._entry_coverage(query.words, numbers, query.light)
        features = {
            "fuzzy": fuzzy[at],
            "coverage": coverage[at],
            "reverse": reverse[at],
            "support": support[numbers] / (support.max() or 1.0),
            "semantic": self.meaning.similarities(
                vector := self.meaning.vector(self.spelt(question, query)), entry_ids
            ),
            "topic": np.full(len(at), float(self.meaning.topic @ vector)),
            "off_topic": np.full(len(at), self.meaning.off_topic_similarity(vector)),
            "known": np.full(len(at), query.known),
            "unknown": np.full(len(at), min(len(query.unknown), UNKNOWN_CAP) / UNKNOWN_CAP),
            "words": np.full(len(at), min(sum(map(len, query.words)), LETTERS_CAP) / LETTERS_CAP),
            "entry_coverage": covered,
            "foreign": foreign,
            "title": self._title_match(query.words, numbers),
            "other_plan": self._other_plan(query.words, numbers),
            "other_person": self._other_person(query.words, numbers),
        }
        features["fuzzy_coverage"] = features["fuzzy"] * features["coverage"]
        ranks = self.scoring.rank(features)
        features.update(from_ranking(ranks))
        confidence = self.scoring.confidence(features)
        relevance = self.scoring.relevance(features)
        return [
            Candidate(
                entry_ids[i],
                float(confidence[i]),
                float(relevance[i]),
                float(ranks[i]),
                float(features["probability"][i]),
                self.texts[shortlist[at[i]]],
                {name: float(v[i]) for name, v in features.items()},
            )
            for i in np.lexsort((-ranks, aside(features) & set_aside))[:limit]
        ]
