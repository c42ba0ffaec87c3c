"""Search over the 96 real public-sector reports: does the first results page hold the report, and the page, that
answers a question? Ours through SearchService.search (as /api/search) beside bm25s over the same passages.

    python benchmarks/realpdfs_search.py [--questions benchmarks/realpdfs-untouched-3.toml ...]

The questions are the answerable ones of the question sets over ../shared/testdata/realpdfs (written from
pdftotext by people who had not seen the search's results; none was tuned on for search). Each keys the
report pages that state its answer. Per set:
- report first: the top result is a keyed report;
- report on page 1: one of the first ten results is;
- page shown: one of the passages the first results page shows (up to three per result) is on a keyed page.
bm25s (k1 1.2, b 0.75, English stop words and stemmer) ranks the indexed passages; its results are reports in the
order of their best passage, each showing its three best passages, as ours shows up to three. No targets: the
figures are printed for the note.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from realpdfs_corpus import REAL_VECTORS, build_real  # noqa: E402
from relevance import bm25s_rank  # noqa: E402

from kil_search.search import SearchService  # noqa: E402

PER_PAGE = 10
SHOWN = 3  # passages a result shows at most
DEFAULT_SETS = ("realpdfs-untouched-3.toml", "realpdfs-untouched-2.toml", "realpdfs-fresh.toml", "realpdfs-untouched.toml",
                "realpdfs-fit.toml")


def keyed(question: dict) -> tuple[set[str], set[tuple[str, int]]]:
    """Return the keyed reports and (report, page) pairs; a source without a page keys every page of its report."""
    reports, pages = set(), set()
    for source in question["sources"]:
        report, _, page = source.partition("#")
        reports.add(report)
        if page:
            pages.add((report, int(page)))
    return reports, pages


def hits(first_page: list[tuple[str, list[int]]], reports: set[str], pages: set[tuple[str, int]]) -> tuple[bool, bool, bool]:
    """Return (report first, report on page 1, keyed page shown) for one first results page."""
    ids = [report for report, _ in first_page]
    shown = any(report in reports and (not {p for r, p in pages if r == report} or (report, page) in pages)
                for report, numbers in first_page for page in numbers)
    return bool(ids) and ids[0] in reports, bool(reports & set(ids)), shown


def ours(service: SearchService, text: str) -> list[tuple[str, list[int]]]:
    """Return our first results page: (report, pages of the passages shown)."""
    return [(hit.id, [passage.page for passage in hit.passages][:SHOWN])
            for hit in service.search(text, page=1, per_page=PER_PAGE).results]


def peer(passages: list[dict], ranked: list[int]) -> list[tuple[str, list[int]]]:
    """Return bm25s's first results page: reports in the order of their best passage, each with its best three."""
    order: dict[str, list[int]] = {}
    for place in ranked:
        report = passages[place]["doc_id"]
        if report not in order and len(order) >= PER_PAGE:
            continue
        shown = order.setdefault(report, [])
        if len(shown) < SHOWN:
            shown.append(int(passages[place]["page"]))
    return list(order.items())


def main() -> int:
    """Print the three figures per question set, ours beside bm25s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, action="append", help="a question set over the real reports (repeatable)")
    args = parser.parse_args()
    os.environ.setdefault("KIL_SEARCH_VECTOR_CACHE", str(REAL_VECTORS))

    built = build_real()
    passages = [json.loads(line) for line in Path(built["passages"]).read_text(encoding="utf-8").splitlines() if line]
    service = SearchService(Path(built["index"]))
    paths = args.questions or [BENCH_DIR / name for name in DEFAULT_SETS if (BENCH_DIR / name).exists()]
    print(f"{len(passages)} passages of {built['documents_count']} reports")
    print(f"{'set (answerable questions)':38} {'report first':>16} {'report on page 1':>18} {'page shown':>16}")
    print(f"{'':38} {'ours   bm25s':>16} {'ours   bm25s':>18} {'ours   bm25s':>16}")
    sets = {path: [q for q in tomllib.loads(path.read_text(encoding="utf-8"))["question"]
                   if not q.get("none") and q.get("sources")] for path in paths}
    every = [question["q"] for questions in sets.values() for question in questions]
    ranked_all = iter(bm25s_rank([f"{p.get('title', '')}\n{p['text']}" for p in passages], every, 1000))
    for path, questions in sets.items():
        peer_runs = [next(ranked_all) for _ in questions]
        totals = [[0, 0], [0, 0], [0, 0]]
        for question, ranked in zip(questions, peer_runs):
            reports, pages = keyed(question)
            for system, first_page in enumerate((ours(service, question["q"]), peer(passages, ranked))):
                for measure, hit in enumerate(hits(first_page, reports, pages)):
                    totals[measure][system] += hit
        count = max(1, len(questions))
        cells = [f"{a / count:6.1%} {b / count:6.1%}" for a, b in totals]
        print(f"{path.name + f' ({len(questions)})':38} {cells[0]:>16} {cells[1]:>18} {cells[2]:>16}")
    service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
