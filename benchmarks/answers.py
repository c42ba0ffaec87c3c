"""Measure extractive answers on the development question set (benchmarks/questions.toml).

    python benchmarks/answers.py [--corpus corpus] [--index DIR] [--json FILE] [--verbose]

Builds (or updates) an index of the corpus, answers every question, and prints the share
answered right on the first card (right text from an accepted document and page), within
the first three cards, the mean reciprocal rank, how often "no confident answer" is said
for questions the corpus does not answer and for those it does, and the time per answer
next to a plain search of the same text.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kil_search.config import load_settings  # noqa: E402
from kil_search.indexing import run_index  # noqa: E402
from kil_search.search import SearchService  # noqa: E402
from kil_search.search.answer import CONFIDENT_SCORE, answer_question  # noqa: E402

QUESTIONS_FILE = REPO / "benchmarks" / "questions.toml"
_SPACE = re.compile(r"\s+")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass
class DevQuestion:
    """One question of the set with what makes an answer right."""

    q: str
    answer: list[str] = field(default_factory=list)
    all: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    none: bool = False


def load_questions(path: Path = QUESTIONS_FILE) -> list[DevQuestion]:
    """Read the question set."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return [DevQuestion(**entry) for entry in data["question"]]


def normalise(text: str) -> str:
    """Fold case, quotes, dashes and spacing so phrases compare as a reader would."""
    return _SPACE.sub(" ", text.translate(_FOLD)).strip().lower()


def is_right(card, question: DevQuestion) -> bool:
    """True when a card's text holds an accepted phrase (and every listed one) and comes from an accepted place."""
    text = normalise(card.text)
    if not any(normalise(phrase) in text for phrase in question.answer):
        return False
    if not all(normalise(phrase) in text for phrase in question.all):
        return False
    if not question.sources:
        return True
    doc_id, page = card.document["id"], card.page
    return any(source == doc_id or source == f"{doc_id}#{page}" for source in question.sources)


def evaluate(service: SearchService, questions: list[DevQuestion], confident_score: float = CONFIDENT_SCORE) -> dict:
    """Answer every question; return the figures and one row per question."""
    rows = []
    for question in questions:
        started = time.perf_counter()
        result = answer_question(service, question.q, confident_score)
        answer_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        service.search(question.q)
        search_ms = (time.perf_counter() - started) * 1000
        cards = ([result.answer] if result.answer else []) + result.alternatives
        rank = next((position for position, card in enumerate(cards, start=1) if is_right(card, question)), None)
        rows.append({"question": question.q, "none_expected": question.none, "null": result.answer is None,
                     "rank": None if question.none else rank, "answer_ms": answer_ms, "search_ms": search_ms,
                     "score": result.answer.score if result.answer else 0.0, "card": _describe(result.answer)})
    return {"figures": figures(rows), "questions": rows}


def figures(rows: list[dict]) -> dict:
    """Summarise per-question rows into the figures the issue asks for."""
    answerable = [row for row in rows if not row["none_expected"]]
    unanswerable = [row for row in rows if row["none_expected"]]
    answer_ms = sorted(row["answer_ms"] for row in rows)
    search_ms = sorted(row["search_ms"] for row in rows)
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "first_card": _share(row["rank"] == 1 for row in answerable),
        "top_three": _share(row["rank"] is not None and row["rank"] <= 3 for row in answerable),
        "mrr": round(statistics.mean(1 / row["rank"] if row["rank"] else 0 for row in answerable), 3) if answerable else 0.0,
        "null_on_unanswerable": _share(row["null"] for row in unanswerable),
        "null_on_answerable": _share(row["null"] for row in answerable),
        "answer_ms_median": round(statistics.median(answer_ms), 1),
        "answer_ms_p95": round(_percentile(answer_ms, 95), 1),
        "search_ms_median": round(statistics.median(search_ms), 1),
        "search_ms_p95": round(_percentile(search_ms, 95), 1),
    }


def calibration(rows: list[dict]) -> list[tuple[float, float, float]]:
    """Return (threshold, first-card share, no-answer share on unanswerable) for thresholds from 0.3 to 0.8.

    rows must come from evaluate(..., confident_score=0), so that every question has its best card.
    """
    answerable = [row for row in rows if not row["none_expected"]]
    unanswerable = [row for row in rows if row["none_expected"]]
    table = []
    for step in range(21):
        threshold = round(0.3 + step * 0.025, 3)
        right = _share(row["rank"] == 1 and row["score"] >= threshold for row in answerable)
        silent = _share(row["score"] < threshold for row in unanswerable)
        table.append((threshold, right, silent))
    return table


def _share(flags) -> float:
    """Return the share of true flags (0 for none)."""
    flags = list(flags)
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def _percentile(values: list[float], percent: int) -> float:
    """Return the nearest-rank percentile of sorted values."""
    return values[min(len(values) - 1, max(0, round(percent / 100 * len(values)) - 1))]


def _describe(card) -> str:
    """Return a one-line account of a card for the verbose listing."""
    if card is None:
        return "(no confident answer)"
    return f"{card.score:.2f} {card.document['id']}#{card.page}: {' '.join(card.text.split())[:110]}"


def build_index(corpus: Path, index: Path) -> SearchService:
    """Index the corpus (incrementally if the index exists) and return a service over it."""
    settings = load_settings(corpus_dir=corpus, index_dir=index)
    run_index(settings)
    return SearchService(settings.index_dir)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--index", type=Path, help="index folder to build or reuse (default: a temporary one)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
    parser.add_argument("--json", type=Path, help="write the figures and per-question rows to this file")
    parser.add_argument("--verbose", action="store_true", help="print every question with its first card")
    parser.add_argument("--calibrate", action="store_true", help="print first-card and no-answer shares for a range of thresholds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        service = build_index(args.corpus, args.index or Path(scratch) / "index")
        service.search("warm up")
        if args.calibrate:
            rows = evaluate(service, load_questions(args.questions), confident_score=0.0)["questions"]
            print("threshold  first card  no answer on unanswerable")
            for threshold, right, silent in calibration(rows):
                marker = "  <- in use" if abs(threshold - CONFIDENT_SCORE) < 1e-9 else ""
                print(f"{threshold:9.3f}  {right:10.1%}  {silent:10.1%}{marker}")
        report = evaluate(service, load_questions(args.questions))
    if args.verbose:
        for row in report["questions"]:
            verdict = "null ok" if row["none_expected"] and row["null"] else "WRONG" if row["none_expected"] else \
                f"rank {row['rank']}" if row["rank"] else "miss"
            print(f"[{verdict:>7}] {row['question']}\n          {row['card']}")
    numbers = report["figures"]
    print(f"{numbers['questions']} questions ({numbers['answerable']} answerable, {numbers['unanswerable']} not in the corpus)")
    print(f"first card right:            {numbers['first_card']:.1%}")
    print(f"right within first three:    {numbers['top_three']:.1%}")
    print(f"mean reciprocal rank:        {numbers['mrr']:.3f}")
    print(f"no answer when none exists:  {numbers['null_on_unanswerable']:.1%}")
    print(f"no answer when one exists:   {numbers['null_on_answerable']:.1%}")
    print(f"time per answer:             median {numbers['answer_ms_median']} ms, p95 {numbers['answer_ms_p95']} ms")
    print(f"plain search, same text:     median {numbers['search_ms_median']} ms, p95 {numbers['search_ms_p95']} ms")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
