"""A Python snippet run in a fresh process of its own, in the checkout: what a new process sees
(its environment, its string hashing, the threads its libraries start)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

from testkit.replicas import ROOT


def python_output(script: str, env: Mapping[str, str]) -> str:
    """What `script` prints, stripped; CalledProcessError if it fails."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env=dict(env),
    )
    return done.stdout.strip()
