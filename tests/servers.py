"""Start the real server (`kil-search serve`, gunicorn) on a free loopback port for tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
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
    """Run `kil-search serve` until the block ends; yield its base URL."""
    port = free_port()
    env = {**os.environ, "KIL_CORPUS_DIR": str(corpus_dir), "KIL_INDEX_DIR": str(index_dir), **(extra_env or {})}
    command = [sys.executable, "-m", "kil_search.cli", "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode("utf-8", "replace")
                raise RuntimeError(f"server exited with {process.returncode}:\n{output}")
            try:
                if get_json(f"{base}/healthz", timeout=2)["status"] == "ok":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in 120 s")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()
