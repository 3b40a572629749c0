"""What the benches share to time and size a process: per-call milliseconds, a percentile, peak
resident memory. Standard library only, so a measured process imports nothing else for it."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable


def timed(fn: Callable[[str], object], queries: list[str]) -> list[float]:
    """Milliseconds of each call of `fn`, one per query."""
    samples = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def peak_rss_mib() -> float:
    """The process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
