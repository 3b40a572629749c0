"""Where the engine keeps what it saves between processes (saved bases and indexes, compiled
patterns) when no directory is given."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """The user's cache directory ($XDG_CACHE_HOME, else ~/.cache), never the installed
    package."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "briefing-bot"
