"""Engine speed: build time, per-query p50/p99 and peak memory, next to a plain WRatio scan.

    python -m bench.speed [--sizes 1000,10000,100000] [--queries 1000]

Runs on the shipped base and on synthetic bases made by recombining the shipped phrasings' words
(seeded, so every run measures the same bases). For the shipped base it also times loading its
saved index (knowledge.saved_index), as every start after the first does. Memory is reported two
ways: the Python allocations traced during a build (tracemalloc), and the process's peak resident
memory so far (getrusage ru_maxrss: numpy, the tokenizer and memory-mapped pages included).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench.baselines import WRatioScan
from bench.evalset import load_questions
from bench.measure import pct, peak_rss_mib, timed
from bot.app import freeze_long_lived
from chat.render import answer_length
from knowledge.answer import Engine, phrasings_of
from knowledge.saved_index import load_index, read_index
from knowledge.search import Phrasing, SearchIndex
from knowledge.validate import load_base


def synthetic(phrasings: list[Phrasing], size: int, seed: int = 7) -> list[Phrasing]:
    """`size` phrasings for size // 12 entries, built from the vocabulary of the real ones."""
    rng = random.Random(seed)
    words = [w for p in phrasings for w in p.text.split()]
    out = list(phrasings[: min(size, len(phrasings))])
    while len(out) < size:
        entry = f"synthetic-{len(out) // 12}"
        out.append(
            Phrasing(entry, " ".join(rng.choice(words) for _ in range(rng.randint(3, 9))), "en")
        )
    return out


def build_measured(make: Callable[[], object]) -> tuple[object, float, float]:
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    built = make()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return built, seconds, peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--scan-queries", type=int, default=60, help="queries for the slow WRatio scan"
    )
    args = parser.parse_args()

    loads, indexes = [], []
    for _ in range(5):  # the median of five cold builds: one is at the mercy of the machine
        start = time.perf_counter()
        base = load_base(measure=answer_length)
        loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        engine = Engine(base)
        freeze_long_lived()  # as the bot does after loading
        indexes.append(time.perf_counter() - start)
    load_s, index_s = statistics.median(loads), statistics.median(indexes)
    print(
        f"shipped base (median of 5): load+validate {load_s * 1000:.0f} ms, "
        f"index build {index_s * 1000:.0f} ms, "
        f"total {(load_s + index_s) * 1000:.0f} ms ({len(base.entries)} entries); "
        f"peak RSS {peak_rss_mib():.0f} MiB",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as cache:
        saved = Path(cache)
        load_index(base, saved)  # built and saved once, as at `kb publish` or a first start
        reads = []
        for _ in range(5):
            start = time.perf_counter()
            read_index(next(saved.glob("index-*")))
            reads.append(time.perf_counter() - start)
    print(
        f"shipped base, saved index (median of 5): load {statistics.median(reads) * 1000:.0f} ms "
        f"(checksums, JSON, memory-mapped arrays); total with load+validate "
        f"{(load_s + statistics.median(reads)) * 1000:.0f} ms",
        flush=True,
    )

    questions = [q.text for q in load_questions()]
    rng = random.Random(1)
    queries = [rng.choice(questions) for _ in range(args.queries)]
    for q in queries[:20]:
        engine.ask(q)  # warm caches

    real, off_topic = phrasings_of(base), base.off_topic.texts()
    sizes = [len(real)] + [int(s) for s in args.sizes.split(",") if s]
    print(
        "\n| phrasings | build s (traced) | traced peak MiB | engine p50 ms | engine p99 ms "
        "| scan p50 ms | scan p99 ms | speed-up (p50) | process peak RSS MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        phrasings = real if size == len(real) else synthetic(real, size)

        def build(items: list[Phrasing] = phrasings) -> SearchIndex:
            return SearchIndex(items, off_topic=off_topic)

        index, build_s, peak = build_measured(build)
        freeze_long_lived()
        assert isinstance(index, SearchIndex)
        if size == len(real):
            samples = timed(engine.ask, queries)  # the whole answer, not just the search
        else:
            samples = timed(index.search, queries)
        scan = WRatioScan(phrasings)
        scan_samples = timed(scan.best, queries[: args.scan_queries])
        p50, scan_p50 = statistics.median(samples), statistics.median(scan_samples)
        print(
            f"| {size:,} | {build_s:.2f} | {peak:.0f} | {p50:.3f} | {pct(samples, 0.99):.3f} | "
            f"{scan_p50:.2f} | {pct(scan_samples, 0.99):.2f} | {scan_p50 / p50:.0f}x "
            f"| {peak_rss_mib():.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
