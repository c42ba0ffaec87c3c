"""Throughput: 8 concurrent clients for 25 s against /api/search, ours and the FTS5 service.

    python benchmarks/throughput.py                        # 50k passages, wrk if installed
    python benchmarks/throughput.py --size 5000 --seconds 20 --client python --json out.json

The load generator is wrk (Debian: `apt-get install wrk`): one thread, 8 keep-alive
connections, a Lua script rotating through benchmarks/queries.txt; it is written in C and
takes a few percent of one core, leaving the server its two. Without wrk (or with
--client python) a bounded Python client runs instead: 8 threads in one process on
keep-alive connections, which itself needs a good part of a core, so its figures are lower
for both servers. Both servers run side by side (`kil-search serve`, gunicorn, and the FTS5
service) but are loaded one at a time, in two alternating rounds so that other load on the
machine hits both alike, after --warmup seconds of the same load that are not counted (a
fresh worker first reads its index arrays and decodes the postings of the terms it meets).
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from _common import (OUT_DIR, add_sabotage_option, check_search_results, describe_check, empty_index, fts5_server,
                     load_queries, our_server, print_table, target, write_json)

from corpus_gen import build

CLIENTS = 8
ROUNDS = 2  # each server is loaded this many times, alternating, for seconds / ROUNDS each
LUA = """
local paths = {}
local counter = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
"""


def _add(total: dict, part: dict) -> None:
    """Add one round's counts to a server's totals (latency percentiles: the worst round's)."""
    total["requests"] = total.get("requests", 0) + part["requests"]
    for key in ("errors", "non_2xx", "timeouts"):
        total[key] = total.get(key, 0) + part.get(key, 0)
    for key in ("p50", "p99"):
        total[key] = max(filter(None, [total.get(key), part[key]]), key=_millis, default=None)


def _millis(text: str) -> float:
    """Turn wrk's "12.34ms" / "1.20s" / "850.00us" into milliseconds."""
    number = float(re.match(r"[\d.]+", text).group())
    return number * 1000 if text.endswith("s") and not text.endswith(("ms", "us")) else number / 1000 if text.endswith("us") else number


def run_wrk(base: str, paths_file: Path, seconds: int) -> dict:
    """Run wrk and parse requests/s and errors from its report."""
    script = OUT_DIR / "rotate.lua"
    script.write_text(LUA)
    command = ["wrk", "-t1", f"-c{CLIENTS}", f"-d{seconds}s", "--latency", "-s", str(script), base, "--", str(paths_file)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    bad_status = int(non_2xx.group(1)) if non_2xx else 0
    timeouts = int(socket_errors.group(4)) if socket_errors else 0
    errors = bad_status + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    latency = {p: value for p, value in re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE)}
    return {"requests": requests, "rps": rate, "errors": errors, "non_2xx": bad_status, "timeouts": timeouts,
            "p50": latency.get("50"), "p99": latency.get("99")}


def run_python(base: str, paths: list[str], seconds: int) -> dict:
    """Run 8 client threads on keep-alive connections for `seconds`; count answers and errors."""
    parts = urlsplit(base)
    counts = {"requests": 0, "errors": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        done = errors = 0
        index = offset
        while time.monotonic() < stop_at:
            try:
                connection.request("GET", paths[index % len(paths)])
                response = connection.getresponse()
                response.read()
                errors += response.status != 200
            except (http.client.HTTPException, OSError):
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            done += 1
            index += 1
        with lock:
            counts["requests"] += done
            counts["errors"] += errors

    threads = [threading.Thread(target=client, args=(number * 31,)) for number in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {**counts, "rps": round(counts["requests"] / elapsed, 1), "p50": None, "p99": None}


def main() -> None:
    """Load each server in turn and compare."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=50000)
    parser.add_argument("--seconds", type=int, default=25)
    parser.add_argument("--warmup", type=int, default=10, help="seconds of unmeasured load first (both servers)")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--json")
    add_sabotage_option(parser)
    args = parser.parse_args()
    corpus = build(args.size)
    paths = [f"/api/search?q={quote(query)}" for query in load_queries()]
    paths_file = OUT_DIR / "api-paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    part = max(1, args.seconds // ROUNDS)
    load = (lambda base: run_wrk(base, paths_file, part)) if args.client == "wrk" else \
        (lambda base: run_python(base, paths, part))
    warm = (lambda base: run_wrk(base, paths_file, args.warmup)) if args.client == "wrk" else \
        (lambda base: run_python(base, paths, args.warmup))
    results: dict[str, dict] = {}
    served = empty_index() if args.sabotage else corpus["index"]
    with our_server(served) as (ours, _), fts5_server(corpus["fts5"]) as (peer, _):
        check = check_search_results(ours, peer, corpus["index"], load_queries())
        bases = {"ours /api/search": ours, "fts5 service": peer}
        for base in bases.values():
            warm(base)  # a fresh worker first reads its arrays, facet table and the queries' postings
        for _round in range(ROUNDS):  # alternate, so that load from elsewhere on the machine hits both alike
            for name, base in bases.items():
                _add(results.setdefault(name, {}), load(base))
    for result in results.values():
        result["rps"] = round(result["requests"] / args.seconds, 1)
    print_table(f"Throughput, {CLIENTS} clients x {args.seconds} s ({ROUNDS} alternating rounds), {args.size} passages, "
                f"client: {args.client}",
                ["server", "requests", "req/s", "errors", "of which non-2xx", "of which wrk timeouts (>2 s)", "p50", "p99"],
                [[name, r["requests"], r["rps"], r["errors"], r["non_2xx"], r["timeouts"], r["p50"] or "-", r["p99"] or "-"]
                 for name, r in results.items()])
    ours, peer = results["ours /api/search"], results["fts5 service"]
    targets: list[dict] = []
    print()
    target(targets, "results are real (every PASS below requires it)", check["ok"], describe_check(check))
    target(targets, "requests/s >= half the FTS5 service's", check["ok"] and ours["rps"] >= peer["rps"] / 2,
           f"{ours['rps']:.1f} vs {peer['rps']:.1f} / 2 = {peer['rps'] / 2:.1f}")
    target(targets, "zero errors under load", check["ok"] and ours["errors"] == 0, f"{ours['errors']} errors")
    write_json(args.json, {"size": args.size, "seconds": args.seconds, "client": args.client,
                           "results": results, "result_check": check, "targets": targets})


if __name__ == "__main__":
    main()
