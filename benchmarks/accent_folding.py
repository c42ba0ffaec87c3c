"""What accent folding costs and whom it helps (issue 14).

Cost: CPU per passage of the index's analysis (position_postings) and of an excerpt (make_excerpt)
over the real public-sector reports' text (pdftotext of ../shared/testdata/realpdfs, cut into
250-word passages), with folding and with fold_accents replaced by "leave the text as it is", in
alternate rounds of one run; the least of the rounds (CPU time of this process: the machine is shared).
Reach: the SQuAD-dev-8 questions with a word that their paragraph writes only with other
accents (the relevance itself is measured by benchmarks/relevance.py).

    python benchmarks/accent_folding.py [--rounds N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time

from _common import REPO_ROOT, print_table, target, write_json

from kil_search.index import analysis
from kil_search.index.analysis import fold_accents, position_postings
from kil_search.search import excerpts
from kil_search.search.excerpts import make_excerpt
from kil_search.search.query import parse_query

TESTDATA = REPO_ROOT.parent / "shared" / "testdata"
REAL_PDFS = TESTDATA / "realpdfs"
SQUAD = TESTDATA / "qa" / "squad2-dev-8.json"
PASSAGE_WORDS = 250
REPORTS = 24
QUERY = "children social care inspection"
MAX_OVERHEAD = 0.10  # folding may add at most this share to either cost
_WORD = re.compile(r"\w+")


def real_passages() -> list[str]:
    """Return the first REPORTS reports' text in passages of PASSAGE_WORDS words."""
    passages = []
    for pdf in sorted(REAL_PDFS.glob("*/*.pdf"))[:REPORTS]:
        words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
        passages += [" ".join(words[start:start + PASSAGE_WORDS]) for start in range(0, len(words), PASSAGE_WORDS)]
    return passages


def cpu_us(work, passages: list[str]) -> float:
    """Return the CPU microseconds per passage that work took over all passages."""
    started = time.process_time()
    for passage in passages:
        work(passage)
    return (time.process_time() - started) / len(passages) * 1e6


def one_round(passages: list[str], fold) -> dict[str, float]:
    """Return the CPU cost per passage of indexing and of an excerpt, with fold as fold_accents."""
    terms = parse_query(QUERY).highlight_terms
    saved = analysis.fold_accents, excerpts.fold_accents
    analysis.fold_accents = excerpts.fold_accents = fold
    try:
        return {"index analysis": cpu_us(lambda text: position_postings(text, 1.0), passages),
                "excerpt": cpu_us(lambda text: make_excerpt(text, terms), passages)}
    finally:
        analysis.fold_accents, excerpts.fold_accents = saved


def costs(passages: list[str], rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Return the least costs without and with folding, measured in alternate rounds after one warm-up of each."""
    variants = {"plain": str, "folded": fold_accents}  # str(text) is text itself: no folding
    best: dict[str, dict[str, float]] = {name: {} for name in variants}
    for number in range(rounds + 1):
        for name, fold in variants.items():
            measured = one_round(passages, fold)
            if number:  # the first round fills the stem and position caches
                best[name] = {step: min(cost, best[name].get(step, cost)) for step, cost in measured.items()}
    return best["plain"], best["folded"]


def squad_reach() -> tuple[int, int]:
    """Return (questions with a word their paragraph has only with other accents, answerable questions)."""
    reached = total = 0
    for article in json.loads(SQUAD.read_text())["data"]:
        for paragraph in article["paragraphs"]:
            written = {word.lower() for word in _WORD.findall(paragraph["context"])}
            folded = {fold_accents(word) for word in written}
            for question in paragraph["qas"]:
                if question.get("is_impossible"):
                    continue
                total += 1
                missing = {word.lower() for word in _WORD.findall(question["question"])} - written
                reached += any(fold_accents(word) in folded for word in missing)
    return reached, total


def main() -> None:
    """Print the cost of folding on real text and how many SQuAD questions it reaches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json")
    args = parser.parse_args()
    passages = real_passages()
    plain, folded = costs(passages, args.rounds)
    non_ascii = sum(not passage.isascii() for passage in passages)
    print_table(f"CPU per passage, {len(passages)} passages of {REPORTS} real reports ({non_ascii} not plain ASCII)",
                ["step", "no folding us", "folding us", "added"],
                [[name, f"{plain[name]:.1f}", f"{folded[name]:.1f}", f"{folded[name] / plain[name] - 1:+.1%}"]
                 for name in folded])
    reached, total = squad_reach()
    print(f"\nSQuAD-dev-8: {reached} of {total} questions have a word their paragraph writes only with other accents")
    results: list[dict] = []
    for name in folded:
        overhead = folded[name] / plain[name] - 1
        target(results, f"folding adds at most {MAX_OVERHEAD:.0%} to {name}", overhead <= MAX_OVERHEAD, f"{overhead:+.1%}")
    write_json(args.json, {"no_folding_us": plain, "folding_us": folded, "squad_reached": reached, "squad_questions": total,
                           "targets": results})


if __name__ == "__main__":
    main()
