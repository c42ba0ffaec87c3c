"""Start the real server (`kil-search serve`, gunicorn) on a free loopback port for tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """Return a port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str, timeout: float = 10.0):
    """Fetch a URL and decode its JSON body."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


@contextmanager
def running_server(corpus_dir: Path, index_dir: Path, workers: int = 2, extra_env: dict | None = None):
    """Run `kil-search serve` until the block ends; yield its base URL.

    The server's output goes to a file (a pipe nobody reads fills up and blocks the server's
    logging, and with it every thread that logs). When the block ends, any traceback the
    server logged fails the test: a logged exception is an error page some user saw.
    """
    port = free_port()
    env = {**os.environ, "KIL_CORPUS_DIR": str(corpus_dir), "KIL_INDEX_DIR": str(index_dir), **(extra_env or {})}
    command = [sys.executable, "-m", "kil_search.cli", "serve", "--port", str(port), "--workers", str(workers)]
    log = tempfile.NamedTemporaryFile(prefix="kil-serve-", suffix=".log", delete=False)
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    failed = False
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{_read(log.name)}")
            try:
                if get_json(f"{base}/healthz", timeout=2)["status"] == "ok":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in 120 s")
            time.sleep(0.2)
        yield base
    except BaseException:
        failed = True
        raise
    finally:
        stop(process)
        log.close()
        output = _read(log.name)
        os.unlink(log.name)
    if not failed and "Traceback (most recent call last)" in output:
        raise AssertionError(f"the server logged an exception:\n{output[-6000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server started in its own session: SIGTERM to its group, SIGKILL if it lingers."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _read(path: str) -> str:
    """Return a log file's text."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()
