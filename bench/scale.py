"""The search index at scale beside the sparse BM25 anchor, each measured in its own process.

    python -m bench.scale [--size 285000] [--queries 1000]

A synthetic base of `--size` phrasings (bench.speed.synthetic: the shipped phrasings plus
recombinations of their words, seeded) is measured four ways, each in a fresh Python process so
that its peak resident memory (getrusage ru_maxrss) is its own:

* bm25: bench.baselines.BM25 built on it and queried (the anchor of issue #13);
* build: knowledge.search.SearchIndex built on it and saved (knowledge.saved_index.write_index),
  as `kb publish` does;
* serve: that saved index memory-mapped (knowledge.saved_index.read_index) and queried, as every
  start of the bot and of `ask` does;
* a baseline: the same process that only imports what serving imports and reads the eval set,
  so the index's own share of the memory shows.

Each query process runs `--queries` questions drawn (seeded) from bench/eval_set.yaml and reports
p50/p99 per query and top-1: of the eval questions that name entries, the share whose first result
is one of them, over the synthetic distractors.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench.measure import pct, peak_rss_mib, timed

if TYPE_CHECKING:
    from knowledge.search import Phrasing

PARTS = ("baseline", "bm25", "build", "serve")


def _phrasings(size: int) -> list[Phrasing]:
    from bench.speed import synthetic
    from knowledge.answer import phrasings_of
    from knowledge.validate import load_base

    return synthetic(phrasings_of(load_base()), size)


def _queries(count: int) -> tuple[list[str], list[tuple[str, frozenset[str]]]]:
    """`count` questions for timing, and every eval question with the entries it names."""
    from bench.evalset import load_questions

    questions = load_questions()
    rng = random.Random(1)
    timing = [rng.choice(questions).text for _ in range(count)]
    return timing, [(q.text, q.expect) for q in questions if q.expect]


def _measure(first: Callable[[str], str | None], queries: int) -> dict[str, float]:
    """p50/p99 in ms and top-1 of `first` (question -> the first result's entry id or None)."""
    timing, labelled = _queries(queries)
    for text in timing[:20]:
        first(text)  # warm caches
    samples = timed(first, timing)
    right = sum(first(text) in expect for text, expect in labelled)
    return {
        "p50_ms": statistics.median(samples),
        "p99_ms": pct(samples, 0.99),
        "top1": right / len(labelled),
    }


def part(name: str, size: int, directory: Path, queries: int) -> dict[str, float]:
    """One measurement, in this process."""
    out: dict[str, float] = {}
    if name == "baseline":
        import knowledge.saved_index  # noqa: F401  (what serving imports)

        _queries(queries)
    elif name == "bm25":
        from bench.baselines import BM25

        phrasings = _phrasings(size)
        start = time.perf_counter()
        bm25 = BM25(phrasings)
        out["build_s"] = time.perf_counter() - start
        out.update(_measure(lambda q: bm25.best(q)[0], queries))
    elif name == "build":
        from knowledge.saved_index import write_index
        from knowledge.search import SearchIndex

        phrasings = _phrasings(size)
        start = time.perf_counter()
        index = SearchIndex(phrasings)
        out["build_s"] = time.perf_counter() - start
        write_index(index, directory / "index")
    elif name == "serve":
        from knowledge.saved_index import read_index

        start = time.perf_counter()
        index = read_index(directory / "index")
        out["load_s"] = time.perf_counter() - start

        def first(text: str) -> str | None:
            found = index.search(text)
            return found[0].entry_id if found else None

        out.update(_measure(first, queries))
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def run_part(name: str, size: int, directory: Path, queries: int) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.scale", "--part", name, "--size", str(size)]
    command += ["--dir", str(directory), "--queries", str(queries)]
    print(f"  {name} ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"part {name} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=int, default=285_000, help="phrasings in the synthetic base"
    )
    parser.add_argument("--queries", type=int, default=1000, help="timed questions per part")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        print(json.dumps(part(args.part, args.size, args.dir, args.queries)))
        return 0
    print(f"synthetic base of {args.size:,} phrasings, one process a part:", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        results = {name: run_part(name, args.size, Path(tmp), args.queries) for name in PARTS}
    base, bm25 = results["baseline"], results["bm25"]
    print(
        f"\n{args.size:,} phrasings; baseline process (imports and questions only): "
        f"peak RSS {base['peak_rss_mib']:.0f} MiB\n"
    )
    print("| what | build s | load s | p50 ms | p99 ms | top-1 | peak RSS MiB | RSS / BM25 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, label in (
        ("bm25", "sparse BM25 (anchor)"),
        ("build", "index build + save (kb publish)"),
        ("serve", "saved index, memory-mapped (bot, ask)"),
    ):
        r = results[name]

        def cell(key: str, fmt: str, r: dict[str, float] = r) -> str:
            return format(r[key], fmt) if key in r else "-"

        print(
            f"| {label} | {cell('build_s', '.1f')} | {cell('load_s', '.2f')} "
            f"| {cell('p50_ms', '.2f')} | {cell('p99_ms', '.2f')} | "
            f"{'-' if 'top1' not in r else format(r['top1'], '.1%')} | "
            f"{r['peak_rss_mib']:.0f} | {r['peak_rss_mib'] / bm25['peak_rss_mib']:.2f}x |"
        )
    print("\ntarget (issue #13): p50 <= 5 ms, memory <= 3x the BM25 anchor, top-1 no worse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
