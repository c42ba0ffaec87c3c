"""Start `kil-search index` as a separate process, so a reindex outlives the web request that asked for it."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from .config import Settings
from .run_status import read_run_status

LOG_FILE = "reindex.log"
SPAWN_LOCK_FILE = ".reindex-spawn.lock"
STARTUP_WAIT_SECONDS = 15.0


def start_index_run(settings: Settings, rebuild: bool = False) -> tuple[bool, str]:
    """Start a background index run unless one is running; return (started, message for staff)."""
    index_dir = Path(settings.index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / SPAWN_LOCK_FILE, "a+") as spawn_lock:
        fcntl.flock(spawn_lock, fcntl.LOCK_EX)  # one request at a time decides whether to start a run
        if read_run_status(index_dir).get("state") == "running":
            return False, "A reindex is already running; this page shows its progress."
        process = _spawn(settings, rebuild)
        deadline = time.monotonic() + STARTUP_WAIT_SECONDS
        while time.monotonic() < deadline:
            status = read_run_status(index_dir)
            if status.get("pid") == process.pid:
                return True, "Reindex started."
            if process.poll() is not None:
                return False, f"The reindex did not start: {last_log_line(index_dir) or 'exit code ' + str(process.returncode)}"
            time.sleep(0.05)
    return True, "Reindex starting."


def _spawn(settings: Settings, rebuild: bool) -> subprocess.Popen:
    """Launch the indexer with its output in reindex.log, and reap it from a thread when it ends."""
    command = [sys.executable, "-m", "kil_search.cli", "index", "--corpus", str(settings.corpus_dir),
               "--index", str(settings.index_dir), "--jobs", str(min(settings.jobs, 64)),
               "--timeout", str(settings.extract_timeout)]
    if rebuild:
        command.append("--rebuild")
    with open(Path(settings.index_dir) / LOG_FILE, "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True, env=dict(os.environ))
    threading.Thread(target=process.wait, name="reindex-reaper", daemon=True).start()
    return process


def last_log_line(index_dir: Path) -> str:
    """Return the last non-empty line the background indexer printed."""
    try:
        lines = (Path(index_dir) / LOG_FILE).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    lines = [line.strip() for line in lines if line.strip()]
    return lines[-1] if lines else ""
