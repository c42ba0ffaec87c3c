"""Helpers the benchmark scripts share: paths, timing statistics, tables, servers, PASS/FAIL."""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
QUERIES_FILE = BENCH_DIR / "queries.txt"

# `python benchmarks/x.py` puts benchmarks/ first on sys.path; the package under test is this checkout's.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def load_queries(path: Path = QUERIES_FILE) -> list[str]:
    """Return the benchmark queries, one per line, blank lines and # comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile (fraction in 0..1) of values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), -(-int(fraction * len(ordered) * 1000) // 1000)))
    return ordered[rank - 1]


def summarise_ms(seconds: list[float]) -> dict:
    """Return count, median, p90, p99 and max in milliseconds."""
    millis = [value * 1000 for value in seconds]
    return {
        "n": len(millis),
        "p50": round(statistics.median(millis), 3),
        "p90": round(percentile(millis, 0.90), 3),
        "p99": round(percentile(millis, 0.99), 3),
        "max": round(max(millis), 3),
    }


def print_table(title: str, headers: list[str], rows: list[list]) -> None:
    """Print an aligned plain-text table."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    print(f"\n{title}")
    for number, row in enumerate(cells):
        print("  ".join(cell.rjust(width) if column else cell.ljust(width) for column, (cell, width) in enumerate(zip(row, widths))))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def target(results: list[dict], name: str, passed: bool, detail: str) -> None:
    """Print one PASS/FAIL line and remember it for the JSON output."""
    print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")
    results.append({"target": name, "passed": bool(passed), "detail": detail})


def write_json(path: str | None, data: dict) -> None:
    """Write the results as JSON when --json was given."""
    if path:
        Path(path).write_text(json.dumps(data, indent=2))
        print(f"\nwrote {path}")


def get_json(url: str, timeout: float = 30) -> dict:
    """Fetch a URL and decode its JSON body."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def check_search_results(ours_base: str, peer_base: str, index_dir: Path, queries: list[str]) -> dict:
    """Check that a server under test returned real results, not just fast 200s.

    For every query: the total /api/search reports must equal a single in-process search of the
    same index; where the peer (FTS5 over the same passages) finds something we must too; and
    the documents of our first page should share at least one with the peer's top ten.
    """
    from urllib.parse import quote

    from kil_search.search import SearchService

    service = SearchService(index_dir)
    wrong_totals, empty_where_peer_found, overlapping, both_found = [], [], 0, 0
    for query in queries:
        expected = service.search(query).total
        ours = get_json(f"{ours_base}/api/search?q={quote(query)}")
        peer_ids = {result["id"] for result in get_json(f"{peer_base}/api/search?q={quote(query)}")["results"]}
        if ours["total"] != expected:
            wrong_totals.append((query, ours["total"], expected))
        if peer_ids and not ours["results"]:
            empty_where_peer_found.append(query)
        if peer_ids and ours["results"]:
            both_found += 1
            overlapping += bool(peer_ids & {result["id"] for result in ours["results"]})
    service.close()
    overlap_share = overlapping / both_found if both_found else 0.0
    return {"queries": len(queries), "wrong_totals": wrong_totals, "empty_where_peer_found": empty_where_peer_found,
            "overlap_share": round(overlap_share, 3), "found": both_found,
            "ok": not wrong_totals and not empty_where_peer_found and both_found > 0 and overlap_share >= MIN_TOP_OVERLAP}


# Share of queries (where both find something) whose first page shares a document with the peer's top ten.
MIN_TOP_OVERLAP = 0.8


def describe_check(check: dict) -> str:
    """Say in one line what the result check found."""
    return (f"{len(check['wrong_totals'])} of {check['queries']} totals differ from an in-process search, "
            f"{len(check['empty_where_peer_found'])} empty where FTS5 finds something, top-10 overlap with FTS5 on "
            f"{check['overlap_share']:.0%} of {check['found']} queries (needs {MIN_TOP_OVERLAP:.0%})")


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    """Poll url until it answers 200, or raise if the process dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds:g} s")


@contextmanager
def running(command: list[str], health_url: str, env: dict | None = None):
    """Run a server process in its own session until the block ends; stop it by its group id."""
    process = subprocess.Popen(command, cwd=REPO_ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(health_url, process)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def empty_index() -> Path:
    """Build (once) an index of an empty library: a server over it answers 200 with no results."""
    empty_corpus, index = OUT_DIR / "empty-corpus", OUT_DIR / "empty-index"
    empty_corpus.mkdir(parents=True, exist_ok=True)
    if not index.is_dir():
        subprocess.run([sys.executable, "-m", "kil_search.cli", "index", "--corpus", str(empty_corpus), "--index", str(index)],
                       cwd=REPO_ROOT, check=True, capture_output=True)
    return index


def add_sabotage_option(parser, what: str = "serve an empty index (fast 200s with no results)") -> None:
    """Add --sabotage: make the system under test do wrong work, to show that the PASS lines then fail."""
    parser.add_argument("--sabotage", action="store_true", help=f"{what}: every target must then FAIL")


@contextmanager
def our_server(index_dir: Path, workers: int = 2, threads: int | None = None):
    """Run `kil-search serve` (gunicorn) over a prepared index; yield (base URL, master process)."""
    port = free_port()
    empty_corpus = OUT_DIR / "empty-corpus"
    empty_corpus.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "kil_search.cli", "serve", "--port", str(port), "--workers", str(workers),
               "--index", str(index_dir), "--corpus", str(empty_corpus)]
    if threads:
        command += ["--threads", str(threads)]
    base = f"http://127.0.0.1:{port}"
    with running(command, f"{base}/healthz") as process:
        yield base, process


@contextmanager
def fts5_server(database: Path):
    """Run the FTS5 peer service over a prepared database; yield (base URL, process)."""
    port = free_port()
    command = [sys.executable, str(BENCH_DIR / "fts5_service.py"), str(database), "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with running(command, f"{base}/healthz") as process:
        yield base, process


def children_of(pid: int) -> list[int]:
    """Return the ids of a process's direct children (gunicorn's workers for its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid: int) -> float:
    """Return a process's resident set size in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")

