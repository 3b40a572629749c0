"""Per-user flood control as a sliding window.

The handler that applies it lives in handlers/flood.py.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

MAX_TRACKED = 10_000  # users remembered before idle ones are forgotten
FORGET_AT_ONCE = 5_000


@dataclass
class FloodGate:
    """Sliding window of each user's recent messages."""

    limit: int
    window: float
    seen: dict[int, deque[float]] = field(default_factory=dict)
    warned: dict[int, float] = field(default_factory=dict)  # user -> when the window frees up

    def admit(self, user_id: int, now: float) -> tuple[bool, bool, float]:
        """(allowed, warn now, seconds to wait)."""
        times = self.seen.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self.warned.pop(user_id, None)
            return True, False, 0.0
        wait = self.window - (now - times[0])
        first_warning = user_id not in self.warned
        self.warned[user_id] = now + wait
        if len(self.seen) > MAX_TRACKED:  # forget idle users so memory stays bounded
            idle = [u for u, ts in self.seen.items() if not ts or now - ts[-1] >= self.window]
            for uid in idle[:FORGET_AT_ONCE]:
                self.seen.pop(uid, None)
        return False, first_warning, wait
