"""Profile the in-process query path with pyinstrument over the benchmark queries.

    python benchmarks/profile_search.py --size 50000 [--html profile.html]
    python benchmarks/profile_search.py --size 0      # the 96 real reports of ../shared/testdata/realpdfs
    python benchmarks/profile_search.py --size 0 --first-sight   # cProfile, every cache emptied before each query
"""

from __future__ import annotations

import argparse

from _common import load_queries

from corpus_gen import build
from realpdfs_corpus import build_real

from kil_search.search import SearchService
from kil_search.search import excerpts, grouping, service as service_module


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


def main() -> None:
    """Run every query once to warm up, then once under the profiler; print the call tree."""

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=50000, help="passages of generated text; 0: the real reports")
    parser.add_argument("--html", help="also write pyinstrument's HTML view here")
    parser.add_argument("--first-sight", action="store_true", help="profile queries not seen before (cProfile)")
    args = parser.parse_args()
    service = SearchService((build_real() if args.size == 0 else build(args.size))["index"])
    queries = load_queries()
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
