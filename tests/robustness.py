"""Shared by the robustness suites: CI or long size, and the figures they report (a plain module).

`python -m pytest --long` (or KIL_LONG_TESTS=1) runs the long size; the figures
each suite records are printed at the end of the run, under "robustness figures".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

LONG_ENV = "KIL_LONG_TESTS"
REPO_ROOT = Path(__file__).resolve().parents[1]
FIGURES: dict[str, str] = {}


def is_long() -> bool:
    """True when the long run was asked for (read at import time by hypothesis settings too)."""
    return os.environ.get(LONG_ENV, "") not in ("", "0")


def sized(ci: int, long: int) -> int:
    """Return the CI or the long figure."""
    return long if is_long() else ci


def record(name: str, text: str) -> None:
    """Keep one figure for the end-of-run summary."""
    FIGURES[name] = text


def run_indexer(corpus: Path, index: Path, *options: str, env: dict | None = None, timeout: float = 300) -> dict:
    """Run `python indexer.py` to the end; return its exit code, output, seconds and last_run.json."""
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "indexer.py", "--corpus", str(corpus), "--index", str(index), *options],
        cwd=REPO_ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
    )
    last_run = index / "last_run.json"
    return {
        "code": finished.returncode,
        "output": finished.stdout + finished.stderr,
        "seconds": time.monotonic() - started,
        "summary": json.loads(last_run.read_text()) if last_run.exists() else None,
    }
