"""Run `kil-search index ARGS...`, then print one JSON line with this process's and its workers' peak memory.

The indexer process's own peak (VmHWM) is what must stay bounded whatever the
files hold; the workers are capped by RLIMIT_AS and reported apart.
Usage: python tests/measured_index.py --corpus DIR --index DIR [--timeout S]
"""

import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kil_search.cli import main  # noqa: E402


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    try:
        main(["index", *sys.argv[1:]], prog_name="measured_index.py")
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"exit_code": code, "indexer_peak_mb": round(peak_rss_mb(), 1), "worker_peak_mb": round(workers, 1)}))
