"""Figures the statistics finder reads out of a corpus, and how long /api/statistics takes per query.

    python benchmarks/statistics_finder.py              # the sample library, corpus/
    python benchmarks/statistics_finder.py --corpus ../shared/testdata/realpdfs   # the 96 real reports
    python benchmarks/statistics_finder.py --sample 30  # also print 30 random figures to judge by hand

Counts every figure in every passage by kind, checks each value stands in its sentence, and times
find_query_statistics (what /api/statistics serves) over the benchmark queries: median and p90.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from _common import REPO_ROOT, load_queries, print_table, summarise_ms, target

from kil_search.config import load_settings
from kil_search.enrich.statistics import find_statistics
from kil_search.index import KIND_PASSAGE, open_live_index
from kil_search.indexing import run_index
from kil_search.search import SearchService
from kil_search.search.statistics import find_query_statistics

QUERY_BUDGET_MS = 1000  # a 2-core machine shared with other work; a page should still come back within a second


def passages(index_dir: Path) -> list[str]:
    """Return the text of every passage record of an index."""
    index = open_live_index(index_dir)
    try:
        with index.reader() as reader:
            return [fields.get("text", "") for _docnum, fields in reader.iter_docs() if fields.get("kind") == KIND_PASSAGE]
    finally:
        index.close()


def count_figures(texts: list[str]) -> tuple[Counter, int, list]:
    """Return figures by kind, how many values do not stand at their span, and all figures."""
    kinds, misplaced, every = Counter(), 0, []
    for text in texts:
        for figure in find_statistics(text):
            kinds[figure.kind] += 1
            misplaced += figure.sentence[figure.start:figure.end] != figure.value
            every.append(figure)
    return kinds, misplaced, every


def time_queries(index_dir: Path, queries: list[str]) -> tuple[list[float], int]:
    """Run every query once to warm up, then time each; return the seconds and the figures served."""
    service = SearchService(index_dir)
    for query in queries:
        find_query_statistics(service, query)
    seconds, served = [], 0
    for query in queries:
        started = time.perf_counter()
        served += find_query_statistics(service, query)["total"]
        seconds.append(time.perf_counter() - started)
    return seconds, served


def main() -> None:
    """Index the chosen corpus, count its figures and time the statistics query."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "corpus", help="the folder to index (a scratch index)")
    parser.add_argument("--sample", type=int, default=0, help="print this many random figures (seed 18)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = Path(scratch) / "index"
        run_index(load_settings(corpus_dir=args.corpus.resolve(), index_dir=index_dir, jobs=2))
        texts = passages(index_dir)
        kinds, misplaced, every = count_figures(texts)
        print_table(f"Figures in {len(texts)} passages", ["kind", "figures"], [[kind, n] for kind, n in kinds.most_common()])
        print(f"total figures: {sum(kinds.values())}")
        seconds, served = time_queries(index_dir, load_queries())
        timing = summarise_ms(seconds)
        print(f"find_query_statistics over {timing['n']} queries: median {timing['p50']} ms, p90 {timing['p90']} ms, "
              f"{served} figures served")
        for figure in random.Random(18).sample(every, min(args.sample, len(every))):
            print(f"  {figure.kind:10} {figure.value!r:24} unit={figure.unit!r:14} | {figure.sentence[:110]}")
    results: list[dict] = []
    target(results, "values stand in their sentence", misplaced == 0, f"{misplaced} misplaced of {sum(kinds.values())}")
    target(results, "figures found", sum(kinds.values()) > 0, f"{sum(kinds.values())} figures")
    target(results, "statistics query median", timing["p50"] <= QUERY_BUDGET_MS,
           f"{timing['p50']} ms (budget {QUERY_BUDGET_MS} ms)")


if __name__ == "__main__":
    main()
