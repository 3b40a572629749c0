"""Per-user flood control: FLOOD_LIMIT questions in any FLOOD_WINDOW_SECONDS, counted in the
shared rate store (storage/rates.py), so every replica sees the same count.

The handler that applies it lives in handlers/flood.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from storage.rates import Limit, Rates

# Two refusals belong to one run of refusals when they wait for the same moment; a warning books
# a slot at that moment, so the second booking (this much later) is refused and stays silent.
SAME_RUN = 0.001


class Admission(NamedTuple):
    allowed: bool
    warn: bool  # the first refusal of a run: tell the user, once
    wait: float  # seconds until the user may ask again


@dataclass
class FloodGate:
    """A sliding window of each user's recent questions, shared by all replicas."""

    rates: Rates
    limit: int
    window: float
    prefix: str = ""  # "bot<id>:", so bots sharing a store keep apart

    async def admit(self, user_id: int) -> Admission:
        asked = await self.rates.take(
            f"{self.prefix}flood:{user_id}", Limit(self.limit, self.window), max_delay=0
        )
        if asked.granted:
            return Admission(True, False, 0.0)
        # Refusals book nothing, so every refusal of one run waits for the same slot (asked.at):
        # the first warning booked there is granted, any later one of the run refused.
        warning = await self.rates.take(
            f"{self.prefix}flood-warned:{user_id}",
            Limit(1, SAME_RUN),
            after=asked.at,
            max_delay=0,
        )
        return Admission(False, warning.granted, asked.wait)
