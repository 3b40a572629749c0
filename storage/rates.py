"""Shared rate limits: one booking log per key, kept where every replica sees it.

A key allows `count` actions in any `per` seconds. Each key keeps its `count` latest booked slots,
in time order; the next slot is the earliest time at or after the caller's floor when the oldest
of them has left the window and no hold is in force. A caller either books that slot (and acts
then) or is refused when it lies more than `max_delay` beyond its floor. A caller that cannot act
on a slot it booked may move it instead (`replace`), to any later time: while the slot is among
the `count` latest, no window that gains it holds more than the `count` - 1 slots after it, so
the limit holds and the window's slot is not spent twice. With
count=1 this is a strict spacing (GCRA's "theoretical arrival time"); with count=N it is an exact
sliding window, where GCRA with a burst of N would let up to 2N-1 through in one window: Telegram
counts 20 messages a minute per group, and FLOOD_LIMIT questions per window, that way.

Three stores share these semantics: Redis (one Lua script on the server's clock), PostgreSQL (one
INSERT ... ON CONFLICT DO UPDATE ... RETURNING on the database's clock) and process memory (a
single replica). Times (`Booking.at`, `after`) are on the store's clock; callers pass back only
times they were given and otherwise use `wait`, so replicas' clocks never need to agree.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, DOUBLE_PRECISION, Boolean, Float, String, Text, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base

logger = logging.getLogger(__name__)

PEEK = -1.0  # as max_delay: book nothing, only say when the key is free
NO_LIMIT = 1e12  # stands for an unbounded max_delay where a store wants a finite number
PRUNE_EVERY = 60.0  # seconds between sweeps of expired PostgreSQL rows (per process)
MAX_TRACKED = 10_000  # keys one process remembers before expired ones are forgotten


@dataclass(frozen=True)
class Limit:
    """At most `count` actions in any `per` seconds."""

    count: int
    per: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.per < 0:
            raise ValueError(f"a limit needs count >= 1 and per >= 0, not {self}")


class Booking(NamedTuple):
    """The answer to one take()."""

    granted: bool
    at: float  # the booked slot, or the earliest slot when refused (store clock)
    wait: float  # seconds from the store's now until `at`


class Rates(ABC):
    """A store of booking logs, one per key."""

    async def take(
        self,
        key: str,
        limit: Limit,
        *,
        after: float = 0.0,
        lead: float = 0.0,
        max_delay: float = math.inf,
        replace: float | None = None,
    ) -> Booking:
        """Books the earliest slot for `key` at or after the floor max(now + lead, after).

        Refused (nothing booked) when that slot lies more than `max_delay` beyond the floor.
        `replace`, a slot of `key` this caller booked and will not use: while it is among the
        key's `count` latest it is moved (to the floor, or later for a hold, never earlier), not
        kept beside the new one; otherwise the new slot is booked as without it.
        """
        return await self._take(key, limit, after, lead, min(max_delay, NO_LIMIT), replace)

    @abstractmethod
    async def _take(
        self,
        key: str,
        limit: Limit,
        after: float,
        lead: float,
        max_delay: float,
        replace: float | None,
    ) -> Booking:
        """take() in this store; max_delay is finite."""

    @abstractmethod
    async def hold(self, key: str, seconds: float) -> None:
        """No slot of `key` before `seconds` from now (after a 429's retry_after)."""

    async def close(self) -> None:  # noqa: B027  # memory has nothing to release
        """Releases connections the store opened itself."""


def _decide(
    slots: list[float],
    held: float,
    limit: Limit,
    floor: float,
    max_delay: float,
    replace: float | None,
) -> tuple[bool, float, list[float]]:
    """(granted, slot, the log after it): the one rule all three stores implement.

    `slots` are the key's latest slots in time order, at most `count` of them.
    """
    earliest = max(floor, held)
    kept = list(slots)
    if replace is not None and replace in kept:
        # Moved later, the slot stays among the latest `count`: no window gains more than it.
        kept.remove(replace)
        earliest = max(earliest, replace)
    elif len(kept) >= limit.count:
        earliest = max(earliest, kept[-limit.count] + limit.per)
    granted = earliest - floor <= max_delay
    if granted:
        bisect.insort(kept, earliest)
        del kept[: -limit.count]
    return granted, earliest, kept if granted else list(slots)


# --- process memory --------------------------------------------------------------------------


@dataclass
class _Log:
    slots: list[float] = field(default_factory=list)
    held: float = 0.0
    expires: float = 0.0  # after this, the log is as good as empty


@dataclass
class MemoryRates(Rates):
    """One process's limits: a single replica with SQLite needs nothing else installed."""

    logs: dict[str, _Log] = field(default_factory=dict)

    async def _take(
        self,
        key: str,
        limit: Limit,
        after: float,
        lead: float,
        max_delay: float,
        replace: float | None,
    ) -> Booking:
        now = time.monotonic()
        log = self.logs.setdefault(key, _Log())
        floor = max(now + lead, after)
        granted, at, log.slots = _decide(log.slots, log.held, limit, floor, max_delay, replace)
        if granted:
            log.expires = max(log.expires, at + limit.per)
            if len(self.logs) > MAX_TRACKED:
                self._forget_expired(now)
        return Booking(granted, at, at - now)

    async def hold(self, key: str, seconds: float) -> None:
        log = self.logs.setdefault(key, _Log())
        log.held = max(log.held, time.monotonic() + seconds)
        log.expires = max(log.expires, log.held)

    def _forget_expired(self, now: float) -> None:
        for key in [key for key, log in self.logs.items() if log.expires < now]:
            del self.logs[key]


# --- PostgreSQL ------------------------------------------------------------------------------


class RateLog(Base):
    """One key's booking log (PostgreSQL store; migration 0003_rates)."""

    __tablename__ = "rate_logs"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    slots: Mapped[list[float]] = mapped_column(  # oldest first
        ARRAY(DOUBLE_PRECISION).with_variant(Text(), "sqlite")
    )
    held_until: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
    # The outcome of the latest take(), written under the row lock so RETURNING can report it.
    checked_at: Mapped[float] = mapped_column(Float)
    last_at: Mapped[float] = mapped_column(Float)
    last_granted: Mapped[bool] = mapped_column(Boolean)


# In the conflict branch the proposed row carries this call's clock reading (checked_at) and
# floor (last_at); r is the existing row, locked. :replace is -1 for none (times are positive).
_MOVING = "(CAST(:replace AS float8) = ANY(r.slots))"
_EARLIEST = f"""greatest(
    EXCLUDED.last_at,
    r.held_until,
    CASE WHEN {_MOVING} THEN CAST(:replace AS float8)
         WHEN cardinality(r.slots) >= :count
         THEN r.slots[cardinality(r.slots) - :count + 1] + :per
         ELSE EXCLUDED.last_at END)"""
_GRANTED = f"({_EARLIEST} - EXCLUDED.last_at <= :max_delay)"
# The log without the slot being moved (one copy of it).
_KEPT = f"""CASE WHEN {_MOVING}
    THEN r.slots[1:array_position(r.slots, CAST(:replace AS float8)) - 1]
         || r.slots[array_position(r.slots, CAST(:replace AS float8)) + 1:]
    ELSE r.slots END"""
# The `count` latest of the kept slots and the new one, in time order: appended when it is the
# latest (nearly always), else sorted in.
_LATEST = f"""CASE WHEN NOT {_MOVING}
         AND {_EARLIEST} >= coalesce(r.slots[cardinality(r.slots)], 0)
    THEN (r.slots || {_EARLIEST})[(cardinality(r.slots) + 2 - :count) :]
    ELSE ARRAY(SELECT s FROM (
        SELECT s FROM unnest({_KEPT} || {_EARLIEST}) AS s ORDER BY s DESC LIMIT :count
    ) AS latest ORDER BY s) END"""
_TAKE = text(
    f"""
WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS now),
clock AS (SELECT now, greatest(now + :lead, :after) AS floor FROM now)
INSERT INTO rate_logs AS r
    (key, slots, held_until, expires_at, checked_at, last_at, last_granted)
SELECT :key,
       CASE WHEN CAST(:max_delay AS float8) >= 0 THEN ARRAY[floor] ELSE '{{}}' END,
       0, floor + :per, now, floor, CAST(:max_delay AS float8) >= 0
FROM clock
ON CONFLICT (key) DO UPDATE SET
    slots = CASE WHEN {_GRANTED} THEN {_LATEST} ELSE r.slots END,
    expires_at = CASE WHEN {_GRANTED}
                      THEN greatest(r.expires_at, {_EARLIEST} + :per)
                      ELSE r.expires_at END,
    last_granted = {_GRANTED},
    last_at = {_EARLIEST},
    checked_at = EXCLUDED.checked_at
RETURNING last_granted, last_at, checked_at
"""
)
_HOLD = text(
    """
WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS now)
INSERT INTO rate_logs AS r
    (key, slots, held_until, expires_at, checked_at, last_at, last_granted)
SELECT :key, '{}', now + :seconds, now + :seconds, now, 0, false FROM clock
ON CONFLICT (key) DO UPDATE SET
    held_until = greatest(r.held_until, EXCLUDED.held_until),
    expires_at = greatest(r.expires_at, EXCLUDED.held_until)
"""
)
# An expired row behaves exactly like a missing one, so sweeping it changes no answer.
_PRUNE = text(
    "DELETE FROM rate_logs WHERE expires_at < extract(epoch FROM clock_timestamp())::float8"
)


# PostgreSQL connections of one replica's rate store (the README: replicas x
# (DATABASE_POOL_SIZE + this) must stay under the server's max_connections).
RATES_CONNECTIONS = 4


class PostgresRates(Rates):
    """Limits shared by every replica on one PostgreSQL database."""

    def __init__(self, url: str) -> None:
        # A pool of its own: a send never queues behind the handlers' queries for a connection.
        # Autocommit and no pre-ping: a take is one statement, so one round trip. With the
        # UNLOGGED table (migration 0003) a take measured 0.26 ms on localhost, 4.2 ms logged.
        # A take holds its connection for one round trip: a few serve a replica's sends.
        self.engine = create_async_engine(
            url, isolation_level="AUTOCOMMIT", pool_size=RATES_CONNECTIONS, max_overflow=0
        )
        self.next_prune = 0.0

    async def _take(
        self,
        key: str,
        limit: Limit,
        after: float,
        lead: float,
        max_delay: float,
        replace: float | None,
    ) -> Booking:
        await self._prune_now_and_then()
        values: dict[str, Any] = {
            "key": key,
            "count": limit.count,
            "per": float(limit.per),
            "after": float(after),
            "lead": float(lead),
            "max_delay": float(max_delay),
            "replace": -1.0 if replace is None else float(replace),
        }
        async with self.engine.connect() as conn:
            granted, at, now = (await conn.execute(_TAKE, values)).one()
        return Booking(bool(granted), float(at), float(at) - float(now))

    async def hold(self, key: str, seconds: float) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(_HOLD, {"key": key, "seconds": float(seconds)})

    async def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        if now < self.next_prune:
            return
        self.next_prune = now + PRUNE_EVERY
        async with self.engine.connect() as conn:
            await conn.execute(_PRUNE)

    async def close(self) -> None:
        await self.engine.dispose()


# --- Redis -----------------------------------------------------------------------------------

# KEYS[1]: the log (a list of slots, in time order); KEYS[2]: the hold. ARGV: count, per, after,
# lead, max_delay, replace ('' for none). Numbers travel as strings: Redis would truncate a Lua
# number to an integer; slots are kept as '%.6f' strings, so a slot given back matches exactly.
_TAKE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local count, per = tonumber(ARGV[1]), tonumber(ARGV[2])
local floor = math.max(now + tonumber(ARGV[4]), tonumber(ARGV[3]))
local earliest = math.max(floor, tonumber(redis.call('GET', KEYS[2]) or '0'))
local n = redis.call('LLEN', KEYS[1])
local slots, moving = nil, nil
if ARGV[6] ~= '' and n > 0 then
  slots = redis.call('LRANGE', KEYS[1], 0, -1)
  for i, slot in ipairs(slots) do
    if slot == ARGV[6] then moving = i break end
  end
end
if moving then
  earliest = math.max(earliest, tonumber(slots[moving]))
elseif n >= count then
  earliest = math.max(earliest, tonumber(redis.call('LINDEX', KEYS[1], n - count)) + per)
end
local granted = 0
local at = string.format('%.6f', earliest)
if earliest - floor <= tonumber(ARGV[5]) then
  granted = 1
  local last = tonumber(redis.call('LINDEX', KEYS[1], -1) or '0')
  if moving or last > earliest then
    -- Moved, or booked before a later slot: the log is written again, in time order.
    slots = slots or redis.call('LRANGE', KEYS[1], 0, -1)
    if moving then table.remove(slots, moving) end
    local i = #slots + 1
    while i > 1 and tonumber(slots[i - 1]) > earliest do i = i - 1 end
    table.insert(slots, i, at)
    while #slots > count do table.remove(slots, 1) end
    redis.call('DEL', KEYS[1])
    redis.call('RPUSH', KEYS[1], unpack(slots))
    last = tonumber(slots[#slots])
  else
    redis.call('RPUSH', KEYS[1], at)
    redis.call('LTRIM', KEYS[1], -count, -1)
    last = earliest
  end
  redis.call('PEXPIRE', KEYS[1], math.ceil((last + per - now) * 1000) + 1000)
end
return {granted, at, string.format('%.6f', now)}
"""
_HOLD_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local seconds = tonumber(ARGV[1])
local until_ = math.max(now + seconds, tonumber(redis.call('GET', KEYS[1]) or '0'))
local ttl = math.ceil((until_ - now) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', ttl)
return 1
"""


REDIS_TIMEOUT = 5.0  # seconds


class RedisRates(Rates):
    """Limits shared by every replica through one Redis server (REDIS_URL)."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        # Never wait forever on Redis: a send whose booking cannot be made in this time fails
        # (and is retried as any send error) instead of hanging its handler.
        self.client = Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        self.take_script = self.client.register_script(_TAKE_LUA)
        self.hold_script = self.client.register_script(_HOLD_LUA)

    @staticmethod
    def _keys(key: str) -> list[str]:
        # One hash tag per key: both live on one node of a Redis Cluster too.
        return [f"rate:{{{key}}}", f"rate:{{{key}}}:held"]

    async def _take(
        self,
        key: str,
        limit: Limit,
        after: float,
        lead: float,
        max_delay: float,
        replace: float | None,
    ) -> Booking:
        moving = "" if replace is None else f"{replace:.6f}"
        args: list[str | float] = [limit.count, limit.per, after, lead, max_delay, moving]
        granted, at, now = await self.take_script(keys=self._keys(key), args=args)
        return Booking(int(granted) == 1, float(at), float(at) - float(now))

    async def hold(self, key: str, seconds: float) -> None:
        await self.hold_script(keys=self._keys(key)[1:], args=[repr(float(seconds))])

    async def close(self) -> None:
        await self.client.aclose()


def open_rates(database_url: str, redis_url: str | None) -> Rates:
    """Redis when configured, else PostgreSQL when the database is PostgreSQL, else memory."""
    if redis_url:
        return RedisRates(redis_url)
    if make_url(database_url).get_backend_name() == "postgresql":
        return PostgresRates(database_url)
    return MemoryRates()
