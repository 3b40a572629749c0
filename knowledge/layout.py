"""Words typed on the wrong keyboard layout: "gkfy" is "план" typed with the Latin layout on,
"Зуылщм" is "Peskov" typed with the Cyrillic one. A word the base does not know is read on the
other layout (Russian and Ukrainian ЙЦУКЕН against the US QWERTY keys) and kept so when the
base knows it there; in a question of Cyrillic letters only, when most of its words are. A
question of Latin letters only most of whose words are known in Cyrillic is read so whole.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from knowledge import patterns
from knowledge.normalize import clean

_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_RUSSIAN_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюё"
_UKRAINIAN_KEYS = "йцукенгшщзхїфівапролджєячсмитьбю'"
_TO_RUSSIAN = str.maketrans(_LATIN_KEYS, _RUSSIAN_KEYS)
_TO_UKRAINIAN = str.maketrans(_LATIN_KEYS, _UKRAINIAN_KEYS)
_FROM_RUSSIAN = str.maketrans(_RUSSIAN_KEYS, _LATIN_KEYS)
_FROM_UKRAINIAN = str.maketrans("іїє", "s]'")
# A word as typed: Latin letters with the keys that are Cyrillic letters inside it ("gfhb;s",
# "hfp,jh"; "," and "." only between letters, where no sentence puts them), or Cyrillic letters.
# A whole word only: "geh" and "ren" of "gehören" are no words.
_TYPED = patterns.compile(r"(?<!\w)(?:[a-z\[\];'`]+(?:[,.][a-z\[\];'`]+)*|[а-яёіїєґ]+)(?!\w)")
MIN_LETTERS = 3  # hand-set: shorter words are too often another word on the other layout
# A word cleaned as the base's words are, once: every Russian and Ukrainian question is read word
# by word here (retyped took 37.7 us a question with clean called afresh, 22.5 us with this, on
# 600 of them).
_clean_word = lru_cache(maxsize=65536)(clean)


def retyped(text: str, known: Callable[[str], bool]) -> str:
    """The text with each word the base does not know (`known`, of a cleaned word as written:
    not its canonical form, which a prefix makes of many a short word) but knows on the other
    keyboard layout written so; the rest as written."""
    typed = list(_TYPED.finditer(text.casefold()))
    unknown = [
        m for m in typed if len(m.group(0)) >= MIN_LETTERS and not known(_clean_word(m.group(0)))
    ]
    cyrillic_only = not any(match.group(0).isascii() for match in typed)
    latin_only = all(match.group(0).isascii() for match in typed)
    words = sum(len(match.group(0)) >= MIN_LETTERS for match in typed)
    if cyrillic_only and (len(unknown) < 2 or 2 * len(unknown) < words):
        return text  # most words known as written: no other layout can make most of them known
    replaced: list[tuple[int, int, str]] = []
    for match in unknown:
        for other in _other_layouts(match.group(0)):
            if known(_clean_word(other)):
                replaced.append((match.start(), match.end(), other))
                break
    if cyrillic_only:
        # Cyrillic only: a Russian or Ukrainian word the base does not know is now and then an
        # English one on the other layout ("ров" is "hjd"); only a question most of whose words
        # are English or German typed on the Cyrillic layout is ("акуу усщтщьшс ящту": "free
        # economic zone"), and then every word of it ("рщц" is "how").
        if len(replaced) < 2 or 2 * len(replaced) < words:
            return text
        replaced = [(m.start(), m.end(), _other_layouts(m.group(0))[0]) for m in typed]
    elif latin_only and len(replaced) >= 2 and 2 * len(replaced) >= words:
        # Latin only, most of its words Russian or Ukrainian typed on the Latin layout ("yf
        # crskmrb hjrsd cif lf.nm ufhfyns"): every word of it, short ones ("yf": "на") and
        # misspelt ones too, on the layout that made most of them known.
        layout = _layout_of(replaced)
        replaced = [(m.start(), m.end(), m.group(0).translate(layout)) for m in typed]
    if not replaced:
        return text
    out, last = [], 0
    for start, end, other in replaced:
        out += [text[last:start], other]
        last = end
    return "".join([*out, text[last:]])


def _layout_of(replaced: list[tuple[int, int, str]]) -> dict[int, int]:
    """The Cyrillic layout the retyped words were found on: Ukrainian where one has a letter
    only Ukrainian writes."""
    ukrainian = any(set(other) & set("іїє") for _, _, other in replaced)
    return _TO_UKRAINIAN if ukrainian else _TO_RUSSIAN


def _other_layouts(word: str) -> list[str]:
    """The word as the same keys give it on the other layouts."""
    if word.isascii():
        return [word.translate(_TO_RUSSIAN), word.translate(_TO_UKRAINIAN)]
    return [word.translate(_FROM_UKRAINIAN).translate(_FROM_RUSSIAN)]
