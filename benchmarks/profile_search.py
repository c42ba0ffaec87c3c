"""Profile the in-process query path with pyinstrument over the benchmark queries.

    python benchmarks/profile_search.py --size 50000 [--html profile.html]
    python benchmarks/profile_search.py --size 0      # the 96 real reports of ../shared/testdata/realpdfs
    python benchmarks/profile_search.py --size 0 --first-sight   # cProfile, every cache emptied before each query
    python benchmarks/profile_search.py --size 0 --first-pass    # a new service's first pass, timed by part
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time

from _common import load_queries

from corpus_gen import build
from realpdfs_corpus import build_real

from kil_search.search import SearchService
from kil_search.search import best_passage, excerpts, grouping, postings, query as query_module, service as service_module


def forget_first_sights(service: SearchService) -> None:
    """Empty every per-generation cache, so the next query is seen for the first time."""
    service._prepared.clear()
    service._corrections.clear()
    service_module._variants_by_generation.clear()
    grouping._stored_by_generation.clear()
    excerpts.shown_excerpt.cache_clear()
    service.searcher().reader().doc_frequency.known.clear()


def profile_first_sight(service: SearchService, queries: list[str]) -> None:
    """Profile each query on first sight (caches emptied before it) with cProfile; print the costliest calls."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    for query in queries:
        forget_first_sights(service)
        profiler.enable()
        service.search(query)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


# (owner, function name, label) of the parts a search's time is split into by --first-pass; parts nest
# (postings reads happen inside ranking, stored passages and excerpts inside the page).
PARTS = [(service_module.SearchService, "_prepare", "prepare"), (query_module, "parse_query", "  parse"),
         (service_module.SearchService, "_rank", "rank"), (postings.GenerationArrays, "_read", "  postings read"),
         (best_passage, "add_proximity", "  proximity"), (best_passage, "add_feedback", "  feedback"),
         (service_module, "page_of_ranking", "page"), (grouping, "_stored_fields", "  stored passages"),
         (grouping._Folder, "excerpts", "  excerpts"), (service_module, "count_facets_of", "facets"),
         (service_module.SearchService, "_did_you_mean", "did you mean")]


def _time_parts(spent: dict[str, float]) -> None:
    """Replace each PARTS function by one adding its time to spent[label] (for this process only)."""
    for owner, name, label in PARTS:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, _original=original, _label=label, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - started
        setattr(owner, name, timed)
    import kil_search.search.prepare as prepare_module
    prepare_module.parse_query = query_module.parse_query  # prepare imported it by name


def profile_first_pass(index, queries: list[str]) -> None:
    """Time a new service's first pass over the queries (one warm-up search builds the arrays first); print the
    median, and per part the mean over the middle 40% of queries and the total."""
    spent: dict[str, float] = {}
    _time_parts(spent)
    service = SearchService(index)
    service.search("warm up the generation arrays")
    rows = []
    for query in queries:
        spent.clear()
        started = time.perf_counter()
        service.search(query)
        rows.append((time.perf_counter() - started, dict(spent)))
    rows.sort(key=lambda row: row[0])
    middle = rows[int(len(rows) * 0.3):int(len(rows) * 0.7)]
    print(f"first pass over {len(rows)} queries: p50 {statistics.median(row[0] for row in rows) * 1000:.2f} ms, "
          f"mean {statistics.mean(row[0] for row in rows) * 1000:.2f} ms, middle 40% mean "
          f"{statistics.mean(row[0] for row in middle) * 1000:.2f} ms")
    print(f"{'part':20s} {'middle 40% mean ms':>18s} {'total ms':>9s}")
    for _owner, _name, label in PARTS:
        print(f"{label:20s} {statistics.mean(row[1].get(label, 0.0) for row in middle) * 1000:18.3f} "
              f"{sum(row[1].get(label, 0.0) for row in rows) * 1000:9.0f}")


def main() -> None:
    """Run every query once to warm up, then once under the profiler; print the call tree."""

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=50000, help="passages of generated text; 0: the real reports")
    parser.add_argument("--html", help="also write pyinstrument's HTML view here")
    parser.add_argument("--first-sight", action="store_true", help="profile queries not seen before (cProfile)")
    parser.add_argument("--first-pass", action="store_true", help="time a new service's first pass, by part")
    args = parser.parse_args()
    index = (build_real() if args.size == 0 else build(args.size))["index"]
    queries = load_queries()
    if args.first_pass:
        profile_first_pass(index, queries)
        return
    service = SearchService(index)
    for query in queries:
        service.search(query)
    if args.first_sight:
        profile_first_sight(service, queries)
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for query in queries:
            service.search(query)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        profiler.write_html(args.html)


if __name__ == "__main__":
    main()
