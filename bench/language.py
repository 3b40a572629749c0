"""Language detection on every question set, without a hint, next to the former word-list detector.

python -m bench.language [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from bench.baselines import word_list_language
from bench.evalset import SETS, load_questions
from knowledge.answer import index_of
from knowledge.language import LANGUAGES
from knowledge.validate import load_base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--misses", action="store_true", help="list the questions detected wrongly"
    )
    parser.add_argument("--sets", nargs="*", default=sorted(SETS), help="which question sets")
    args = parser.parse_args()
    index = index_of(load_base())  # the lexicon of the shipped base's phrasings is evidence too
    print("| set | n | detector | " + " | ".join(LANGUAGES) + " | all | uk read as ru |")
    print("|---|---:|---|" + "---:|" * (len(LANGUAGES) + 2))
    for name in args.sets:
        questions = load_questions(SETS[name])
        for label, detect in (
            ("fastText + letters + lexicon", index.language_of),
            ("word lists (before)", word_list_language),
        ):
            right: Counter[str] = Counter()
            total: Counter[str] = Counter()
            uk_as_ru = 0
            for q in questions:
                found = detect(q.text)
                total[q.lang] += 1
                right[q.lang] += found == q.lang
                uk_as_ru += q.lang == "uk" and found == "ru"
                if args.misses and found != q.lang and label.startswith("fastText"):
                    print(f"  {name}: {q.lang} read as {found}: {q.text!r}", file=sys.stderr)
            cells = [f"{right[lang] / max(total[lang], 1):.1%}" for lang in LANGUAGES]
            overall = sum(right.values()) / max(sum(total.values()), 1)
            print(
                f"| {name} | {len(questions)} | {label} | "
                + " | ".join(cells)
                + f" | {overall:.1%} | {uk_as_ru} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
