"""Web page main content: word 4-gram F1 against Readability's expected output, and pages per second.

Scorer as ../shared/testdata/html/README.md describes it: truth is the visible text of
expected.html (BeautifulSoup, lxml parser, get_text(' ')); text is lower-cased, split into \\w+
words, every run of 4 words is a shingle (a multiset); overlaps and counts are summed over the
130 pages (micro P/R/F1); macro F1 is the mean page F1 over pages with truth shingles.
Every 4th page (sorted by name) is a held-out split never looked at while choosing options.

Run: python3 benchmarks/html_extraction.py [--pages DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bs4 import BeautifulSoup  # noqa: E402

from kil_search.extract import extract_file  # noqa: E402
from kil_search.extract.html_rules import extract_html_by_rules  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "html" / "readability-test-pages"
WORD = re.compile(r"\w+")
TARGET_F1 = 0.96
TARGET_PAGES_PER_SECOND = 20.0


def visible_text(html: str) -> str:
    """Return a page's visible text as the README's truth: lxml parser, get_text(' '), whitespace collapsed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(html, "lxml")
    return " ".join(soup.get_text(" ").split())


def whole_page_text(path: Path) -> str:
    """Return the floor: the page's visible text without <script> and <style>."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def shingles(text: str | None) -> Counter:
    """Return the multiset of lower-cased word 4-grams of text."""
    words = WORD.findall((text or "").lower())
    return Counter(tuple(words[i:i + 4]) for i in range(len(words) - 3))


def document_text(document) -> str:
    """Join a Document's section texts."""
    return "\n".join(page.text for page in document.pages)


def trafilatura_text(path: Path, favor_recall: bool) -> str:
    """Return trafilatura.extract's plain text for the page (defaults otherwise)."""
    import trafilatura
    return trafilatura.extract(path.read_text(encoding="utf-8", errors="replace"), favor_recall=favor_recall) or ""


METHODS = {
    "ours-before (our rules alone)": lambda path: document_text(extract_html_by_rules(path / "source.html")),
    "ours-now (kil-search extract)": lambda path: document_text(extract_file(path / "source.html")),
    "trafilatura defaults": lambda path: trafilatura_text(path / "source.html", False),
    "trafilatura favor_recall=True": lambda path: trafilatura_text(path / "source.html", True),
    "whole page visible text": lambda path: whole_page_text(path / "source.html"),
}


def score(pages: list[Path], truths: dict[str, Counter], texts: dict[str, str]) -> dict[str, float]:
    """Return micro precision/recall/F1 and macro F1 of texts against truths over pages."""
    overlap = predicted = expected = 0
    page_f1: list[float] = []
    for page in pages:
        truth, guess = truths[page.name], shingles(texts[page.name])
        common = sum((truth & guess).values())
        overlap, predicted, expected = overlap + common, predicted + sum(guess.values()), expected + sum(truth.values())
        if truth:
            page_f1.append(f1(common, sum(guess.values()), sum(truth.values())))
    precision = overlap / predicted if predicted else 0.0
    recall = overlap / expected if expected else 0.0
    return {"precision": precision, "recall": recall, "f1": f1(overlap, predicted, expected),
            "macro_f1": statistics.mean(page_f1) if page_f1 else 0.0}


def f1(overlap: int, predicted: int, expected: int) -> float:
    """Return F1 from an overlap and the two shingle counts."""
    if not overlap:
        return 0.0
    precision, recall = overlap / predicted, overlap / expected
    return 2 * precision * recall / (precision + recall)


def run_method(method, pages: list[Path]) -> tuple[dict[str, str], float]:
    """Run a method over all pages; return its texts and the seconds it took."""
    texts: dict[str, str] = {}
    started = time.perf_counter()
    for page in pages:
        texts[page.name] = method(page)
    return texts, time.perf_counter() - started


def page_scores(pages: list[Path], truths: dict[str, Counter], texts: dict[str, str]) -> dict[str, float]:
    """Return each page's F1."""
    scores = {}
    for page in pages:
        truth, guess = truths[page.name], shingles(texts[page.name])
        scores[page.name] = f1(sum((truth & guess).values()), sum(guess.values()), sum(truth.values()))
    return scores


def main() -> int:
    """Score every method, print the table, the biggest per-page disagreements and PASS/FAIL lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES_DIR)
    parser.add_argument("--repeats", type=int, default=3, help="timing runs per method (median quoted)")
    args = parser.parse_args()
    pages = sorted(path for path in args.pages.iterdir() if (path / "source.html").exists())
    held_out = pages[3::4]
    truths = {page.name: shingles(visible_text((page / "expected.html").read_text(encoding="utf-8", errors="replace")))
              for page in pages}
    results, speeds = {}, {}
    for name, method in METHODS.items():
        runs = [run_method(method, pages) for _ in range(max(1, args.repeats))]
        results[name] = runs[0][0]
        speeds[name] = len(pages) / statistics.median(seconds for _, seconds in runs)
    print(f"{len(pages)} pages ({len(held_out)} held out); one process, one core; pages/s is the median of "
          f"{args.repeats} runs\n")
    print(f"| method | precision | recall | F1 (micro) | macro F1 | held-out F1 | pages/s |\n|---|---|---|---|---|---|---|")
    for name, texts in results.items():
        every, kept = score(pages, truths, texts), score(held_out, truths, texts)
        print(f"| {name} | {every['precision']:.4f} | {every['recall']:.4f} | **{every['f1']:.4f}** | "
              f"{every['macro_f1']:.4f} | {kept['f1']:.4f} | {speeds[name]:.1f} |")
    print_disagreements(pages, truths, results)
    return print_verdict(pages, truths, results, speeds)


def print_disagreements(pages: list[Path], truths: dict[str, Counter], results: dict[str, dict[str, str]]) -> None:
    """Print the pages where our old rules and what we extract now differ most in F1."""
    before = page_scores(pages, truths, results["ours-before (our rules alone)"])
    now = page_scores(pages, truths, results["ours-now (kil-search extract)"])
    ranked = sorted(pages, key=lambda page: now[page.name] - before[page.name])
    print("\nPages where ours-before and ours-now disagree most (page F1 before -> now):")
    for page in ranked[:8] + ranked[-8:]:
        print(f"  {page.name:40s} {before[page.name]:.3f} -> {now[page.name]:.3f}")
    better = sum(now[page.name] > before[page.name] + 0.01 for page in pages)
    worse = sum(now[page.name] < before[page.name] - 0.01 for page in pages)
    print(f"  now better on {better} pages, worse on {worse} (by more than 0.01 F1)")


def print_verdict(pages, truths, results, speeds) -> int:
    """Print PASS/FAIL for F1, empty pages and speed; return the exit code."""
    ours = results["ours-now (kil-search extract)"]
    every = score(pages, truths, ours)
    empty = [page.name for page in pages if truths[page.name] and not ours[page.name].strip()]
    checks = [
        (every["f1"] >= TARGET_F1, f"F1 {every['f1']:.4f} >= {TARGET_F1}"),
        (not empty, f"no page with text extracted empty ({', '.join(empty) or 'none empty'})"),
        (speeds["ours-now (kil-search extract)"] >= TARGET_PAGES_PER_SECOND,
         f"{speeds['ours-now (kil-search extract)']:.1f} pages/s >= {TARGET_PAGES_PER_SECOND:.0f} on one core"),
    ]
    print()
    for passed, text in checks:
        print(f"{'PASS' if passed else 'FAIL'}: {text}")
    return 0 if all(passed for passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
