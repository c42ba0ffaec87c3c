"""The indexer's progress file: written by the run holding the lock, read by the admin and status pages."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .index.store import read_json, write_json_atomically

PROGRESS_FILE = "progress.json"
WRITE_EVERY_SECONDS = 0.5

ProgressCallback = Callable[[str, object], None]


def _now() -> str:
    """Return the time as an ISO string in UTC."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RunRecorder:
    """A progress callback that also records the run in progress.json, then passes events on."""

    def __init__(self, index_dir: Path, forward: ProgressCallback):
        self.path = Path(index_dir) / PROGRESS_FILE
        self.forward = forward
        self.status: dict = {}
        self._written = 0.0

    def start(self, rebuild: bool) -> None:
        """Record that a run started."""
        self.status = {"state": "running", "pid": os.getpid(), "rebuild": rebuild, "started_at": _now(),
                       "total": None, "done": 0, "current": "", "finished_at": "", "error": ""}
        self._write()

    def __call__(self, event: str, detail: object) -> None:
        if event == "plan":
            self.status["total"] = int(detail)
        elif event == "file":
            self.status["done"] += 1
            self.status["current"] = str(detail)
        if time.monotonic() - self._written >= WRITE_EVERY_SECONDS or event == "plan":
            self._write()
        self.forward(event, detail)

    def finish(self, summary) -> None:
        """Record a finished run with its counts."""
        self.status.update(state="finished", finished_at=_now(), current="",
                           indexed=len(summary.indexed), failed=len(summary.failed))
        self._write()

    def fail(self, error: BaseException) -> None:
        """Record a run that stopped on an error."""
        self.status.update(state="failed", finished_at=_now(), error=str(error) or type(error).__name__)
        self._write()

    def _write(self) -> None:
        write_json_atomically(self.path, self.status)
        self._written = time.monotonic()


def read_run_status(index_dir: Path) -> dict:
    """Return the last or current run's progress; a "running" run whose process is gone is "interrupted"."""
    return read_status_file(Path(index_dir) / PROGRESS_FILE)


def read_status_file(path: Path) -> dict:
    """Return a run's recorded state ({"state": "idle"} if none); "running" by a process now gone is "interrupted"."""
    status = read_json(path, default=None)
    if not isinstance(status, dict):
        return {"state": "idle"}
    if status.get("state") == "running" and not process_is_alive(status.get("pid")):
        status["state"] = "interrupted"
    return status


def process_is_alive(pid) -> bool:
    """True when a process with this id runs (a zombie counts as gone)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
