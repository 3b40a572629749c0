"""Time zones as users write them, and the next daily digest in one.

Names are IANA's (`Europe/Kyiv`), from the standard library's zoneinfo with the `tzdata` package as
its database where the system has none (slim images). A user may write a name in any case, a
city alone (`Kyiv`, `new york`), or `UTC`; anything else gets suggestions, never a guess.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

UTC_NAME = "UTC"
DEFAULT_DIGEST_TIME = "09:00"
SUGGESTIONS = 3  # zones offered for a name that is not one
SUGGEST_SCORE = 70.0  # rapidfuzz WRatio a suggestion needs

# Offered as buttons by /settings, in this order; any other zone is one /digest away.
COMMON_ZONES = (
    "UTC",
    "Europe/Kyiv",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Warsaw",
    "Europe/Paris",
    "Europe/Moscow",
    "Asia/Tbilisi",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
)

# Old spellings tzdata keeps as links, written here as the current name.
_PREFERRED = {"europe/kiev": "Europe/Kyiv", "europe/zaporozhye": "Europe/Kyiv"}


@functools.cache
def _zones() -> dict[str, str]:
    """Every zone by its lowercase name and by its lowercase city (when only one zone has it)."""
    hidden = ("Etc/", "posix/", "right/", "SystemV/")  # Etc/GMT+2 is UTC-2: never offered
    names = {
        z
        for z in zoneinfo.available_timezones()
        if ("/" in z and not z.startswith(hidden)) or z == UTC_NAME
    }
    found = {z.lower(): z for z in names}
    cities: dict[str, set[str]] = {}
    for zone in names:
        if "/" in zone and not zone.startswith("US/"):
            city = zone.rsplit("/", 1)[1].lower()
            cities.setdefault(city, set()).add(zone)
            cities.setdefault(city.replace("_", " "), set()).add(zone)
    for city, zones in cities.items():
        if len(zones) == 1 and city not in found:
            found[city] = next(iter(zones))
    found.update(_PREFERRED)
    found["kiev"] = found["kyiv"] = "Europe/Kyiv"
    return found


def find_zone(text: str) -> str | None:
    """The IANA name the user meant by `text`, or None when it names no zone."""
    key = text.strip().lower().replace(" ", "_")
    return _zones().get(key) or _zones().get(key.replace("_", " "))


def suggest_zones(text: str) -> list[str]:
    """Up to SUGGESTIONS zone names close to a `text` that is none."""
    known = _zones()
    keys = sorted(known)
    found = process.extract(
        text.strip().lower().replace(" ", "_"),
        keys,
        scorer=fuzz.WRatio,
        limit=SUGGESTIONS * 4,
        score_cutoff=SUGGEST_SCORE,
    )
    names: list[str] = []
    for key, _score, _index in found:
        if known[key] not in names:
            names.append(known[key])
    return names[:SUGGESTIONS]


def zone_info(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone of a stored name; None, or a name the database no longer knows, is UTC."""
    try:
        return zoneinfo.ZoneInfo(name or UTC_NAME)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(UTC_NAME)


def next_digest_at(at: str | None, now: dt.datetime, time_zone: str | None = None) -> dt.datetime:
    """The next HH:MM on the clocks of `time_zone` (UTC when None) after `now`, in UTC.

    Computed on the local calendar, so a digest at 08:00 stays at 08:00 across daylight-saving
    changes; an HH:MM that a spring-forward skips is sent at the same offset as the hour before.
    """
    hour, minute = (int(part) for part in (at or DEFAULT_DIGEST_TIME).split(":"))
    zone = zone_info(time_zone)
    day = now.astimezone(zone).date()
    while True:
        local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
        candidate = local.astimezone(dt.UTC)
        if candidate > now:
            return candidate
        day += dt.timedelta(days=1)


HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class DailyTime:
    """What `/digest daily …` asked for; None keeps what the chat has."""

    at: str | None  # "HH:MM"
    time_zone: str | None  # an IANA name


@dataclass(frozen=True)
class WrongPart:
    """The part of `/digest daily …` that is wrong, as the user wrote it."""

    part: Literal["time", "zone"]
    given: str
    suggestions: list[str]


def parse_daily(words: list[str]) -> DailyTime | WrongPart:
    """`[HH:MM] [ZONE]` as written after `/digest daily`: `08:00 Europe/Kyiv`, `7:30`, `Kyiv`,
    `8:00 new york`; otherwise which part is wrong."""
    if not words:
        return DailyTime(None, None)
    clock = HHMM.match(words[0])
    rest = words[1:] if clock else words
    at = f"{int(clock.group(1)):02d}:{clock.group(2)}" if clock else None
    if not rest:
        return DailyTime(at, None)
    written = " ".join(rest)
    zone = find_zone(written)
    if zone is not None:
        return DailyTime(at, zone)
    if clock is None and any(c.isdigit() for c in words[0]):
        return WrongPart("time", words[0], [])
    suggestions = suggest_zones(written)
    if clock is None and "/" not in written and not suggestions:
        return WrongPart("time", words[0], [])
    return WrongPart("zone", written, suggestions)


def local_time(moment: dt.datetime, time_zone: str | None) -> str:
    """`2026-01-16 08:00 Europe/Kyiv`: a moment as the chat's clocks show it."""
    local = moment.astimezone(zone_info(time_zone))
    return f"{local:%Y-%m-%d %H:%M} {time_zone or UTC_NAME}"
