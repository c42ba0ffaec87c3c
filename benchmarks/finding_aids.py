"""Print how long the finding aids take on an index: searches with facets, filters, sorts,
suggestions, related documents and the case-study list (median of repeated runs, one thread).

    python benchmarks/finding_aids.py [--index var/index] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from kil_search.config import load_settings
from kil_search.search import SearchService

SEARCHES = [
    ("social value", {}, "relevance"),
    ("council", {}, "relevance"),
    ("VCSE", {}, "relevance"),
    ("commisioning", {}, "relevance"),
    ("case studies adult social care", {"council_type": ["metropolitan district"]}, "relevance"),
    ("community asset transfer", {"region": ["Yorkshire and The Humber"], "type": ["research report"]}, "newest"),
]


def median_ms(action, repeat: int) -> float:
    """Run action repeat times and return the median wall time in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    """Warm the service once, then time each operation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: KIL_INDEX_DIR or var/index)")
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()
    settings = load_settings(index_dir=arguments.index)
    service = SearchService(settings.index_dir)
    service.search("warm up")
    for text, filters, sort in SEARCHES:
        page = service.search(text, filters=filters, sort=sort)
        took = median_ms(lambda: service.search(text, filters=filters, sort=sort), arguments.repeat)
        print(f"search {text!r} {filters or ''} sort={sort}: {took:.1f} ms ({page.total} documents)")
    first = service.documents()[0]["doc_id"]
    print(f"suggest 'comm': {median_ms(lambda: service.suggest('comm'), arguments.repeat):.1f} ms")
    print(f"related {first}: {median_ms(lambda: service.related(first), arguments.repeat):.1f} ms")
    print(f"case studies ({len(service.case_studies())}): {median_ms(service.case_studies, arguments.repeat):.1f} ms")


if __name__ == "__main__":
    main()
