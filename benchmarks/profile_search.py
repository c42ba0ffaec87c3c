"""Profile the in-process query path with pyinstrument over the benchmark queries.

    python benchmarks/profile_search.py --size 50000 [--html profile.html]
    python benchmarks/profile_search.py --size 0      # the 96 real reports of ../shared/testdata/realpdfs
"""

from __future__ import annotations

import argparse

from _common import load_queries

from corpus_gen import build
from realpdfs_corpus import build_real

from kil_search.search import SearchService


def main() -> None:
    """Run every query once to warm up, then once under the profiler; print the call tree."""
    from pyinstrument import Profiler

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=50000, help="passages of generated text; 0: the real reports")
    parser.add_argument("--html", help="also write pyinstrument's HTML view here")
    args = parser.parse_args()
    service = SearchService((build_real() if args.size == 0 else build(args.size))["index"])
    queries = load_queries()
    for query in queries:
        service.search(query)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for query in queries:
            service.search(query)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        profiler.write_html(args.html)


if __name__ == "__main__":
    main()
