"""Yes or no: whether a question asks for one, and whether the base settles it.

A verdict is never inferred. An entry's `verdict` (knowledge/base) names the yes/no questions its
sources settle; a question gets that yes or no only when it is itself a yes/no question (by the
rules of its language) and reads as one of those questions: close in words, with no number and no
negation the written question lacks ("is the army capped at 600,000?" must not get the "yes" of
"is the army capped at 800,000?").
"""

from __future__ import annotations

from rapidfuzz import fuzz

from knowledge import patterns
from knowledge.normalize import clean, normalize
from knowledge.schema import Entry, Verdict

# Hand-set: how close (rapidfuzz token_sort_ratio of the normalised texts, 0-100) a question must
# come to one of a verdict's written questions to get its yes or no.
VERDICT_MATCH = 80.0

_WORD = patterns.compile(r"[\w'’-]+")
_NUMBER = patterns.compile(r"\d+")

# English: an auxiliary or modal first ("does the plan ...", "is ukraine ...", "can russia ...").
_EN_FIRST = frozenset(
    "am is are was were do does did have has had can could will would shall should may might "
    "must isn't aren't wasn't weren't don't doesn't didn't haven't hasn't hadn't can't couldn't "
    "won't wouldn't shouldn't".split()
)
# German: the finite verb first ("Wird die Ukraine ...", "Gibt es ...", "Bleibt ...").
_DE_VERBS = frozenset(
    "ist sind war waren wäre wären hat haben hatte hatten hätte wird werden wurde wurden würde "
    "würden kann können konnte könnte darf dürfen durfte dürfte soll sollen sollte muss müssen "
    "musste will wollen wollte gibt gab gäbe gilt galt bleibt bleiben blieb enthält enthalten "
    "sieht sehen stimmt stimmen akzeptiert akzeptieren erlaubt erlauben verlangt verlangen "
    "fordert fordern bekommt bekommen erhält erhalten garantiert garantieren verzichtet "
    "verzichten tritt "
    "treten gehört gehören liegt liegen steht stehen plant planen verspricht versprechen "
    "verbietet verbieten bricht brechen nutzt nutzen verwendet verwenden zahlt zahlen bezahlt "
    "unterstützt unterstützen droht drohen kommt kommen geht gehen endet enden beinhaltet regelt "
    "schließt schließen räumt räumen zieht ziehen sanktioniert liefert liefern sichert sichern "
    "verlangte forderte akzeptierte stimmte sah gibt's".split()
)
# Interrogative words: a question that starts with (or, in Ukrainian and Russian, holds) one asks
# what, who, when or how, not whether.
_WH = {
    "en": frozenset("what who whom whose when where why how which".split()),
    "de": frozenset(
        "was wer wen wem wessen wann wo wie warum wieso weshalb welche welcher welches welchen "
        "welchem wozu woher wohin womit worüber wofür".split()
    ),
    "uk": frozenset(
        "що хто коли де чому навіщо скільки який яка яке які якого якої яких як куди звідки "
        "чого чим кому кого".split()
    ),
    "ru": frozenset(
        "что кто когда где почему зачем сколько какой какая какое какие какого какой каких как "
        "куда откуда чего чем кому кого".split()
    ),
}
# Ukrainian "чи", Russian "ли", and the particles of a doubting question.
_PARTICLES = {
    "uk": frozenset({"чи", "хіба", "невже"}),
    "ru": frozenset({"ли", "разве", "неужели", "ль"}),
}
_NEGATIONS = frozenset(
    {"not", "no", "never", "nicht", "kein", "keine", "keinen", "nie", "не", "ні", "нет", "ни"}
)


def _cleaned(words: frozenset[str]) -> frozenset[str]:
    """Words as questions are compared: knowledge.normalize.clean (casefolded, accents dropped)."""
    return frozenset(clean(w) for w in words)


_DE_FIRST = _cleaned(_DE_VERBS)
_WH = {language: _cleaned(words) for language, words in _WH.items()}
_PARTICLES = {language: _cleaned(words) for language, words in _PARTICLES.items()}


def _words(text: str) -> list[str]:
    return _WORD.findall(clean(text))


def asks_yes_or_no(question: str, language: str) -> bool:
    """Whether `question` asks for a yes or a no, by the rules of `language`."""
    words = _words(question)
    if not words:
        return False
    first = words[0]
    wh = _WH.get(language, _WH["en"])
    if language in _PARTICLES:
        if any(w in _PARTICLES[language] for w in words):
            return True
        # "Україна вступить до НАТО?": no question word, a question mark.
        return question.rstrip().endswith("?") and not any(w in wh for w in words)
    if language == "de":
        return first in _DE_FIRST
    # English, and any other language: an auxiliary first.
    return first in _EN_FIRST or first.endswith("n't")


def _negated(text: str) -> bool:
    return any(w in _NEGATIONS or w.endswith("n't") for w in _words(text))


def verdict_for(entry: Entry, question: str, language: str) -> Verdict | None:
    """The entry's verdict when `question` is one of the yes/no questions it settles, else None."""
    verdict = entry.verdict
    if verdict is None or not asks_yes_or_no(question, language):
        return None
    asked = normalize(question)
    numbers = set(_NUMBER.findall(asked))
    negated = _negated(question)
    for written in verdict.questions.all():
        target = normalize(written)
        if (
            fuzz.token_sort_ratio(asked, target) >= VERDICT_MATCH
            and numbers <= set(_NUMBER.findall(target))
            and negated == _negated(written)
        ):
            return verdict
    return None
