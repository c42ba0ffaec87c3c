"""Fit the answer model: logistic regression over candidate features, on SQuAD's fit split, our development set
and the real reports' fit set.

    python benchmarks/fit_answers.py [--squad FILE] [--real [--real-index DIR]] [--write]

Every sentence the answer code considers for a question becomes one row (kil_search/answer/features.py);
it is labelled 1 when it holds a gold answer (SQuAD, answerable questions of the fit split) or says the
keyed answer from a keyed page (benchmarks/answers-dev.toml over corpus/; with --real, benchmarks/realpdfs-fit.toml
over the 96 reports of ../shared/testdata/realpdfs, whose questions ask about the fit half of a split of those
reports: realpdfs-untouched-3.toml asks about the other half and is never read here). Weights are fitted with numpy: a
listwise ranking loss per question, then scaled into a probability (see fit_listwise). The confidence threshold is
then chosen on the fit data's trade-off curve, over its answerable and unanswerable questions: the one that makes
the most questions come out right (answered with a gold sentence, or unanswerable and not answered) while no
answer is given to at most MAX_SILENT_ON_ANSWERABLE of SQuAD's and our development set's answerable ones. SQuAD's held-out split is
never read here. With --write the result goes to kil_search/answer/weights.json.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from answers import build_index, load_questions, place_is_right, text_is_right  # noqa: E402
from realpdfs_corpus import REAL_PDFS, REAL_VECTORS  # noqa: E402
from squad_qa import SQUAD_FILE, holds_gold, index_articles, load_squad, split_of  # noqa: E402

from kil_search.answer.answer import candidate_rows  # noqa: E402
from kil_search.answer.features import FEATURES  # noqa: E402
from kil_search.answer.model import (CONFIDENCE_FEATURES, COVERAGE_FEATURES, WEIGHTS_FILE, Linear, Model,  # noqa: E402
                                     confidence_features, coverage_features, write_model)

DEV_SET = REPO / "benchmarks" / "answers-dev.toml"
REAL_SET = REPO / "benchmarks" / "realpdfs-fit.toml"  # questions over the fit half of the real reports only
LIBRARY = ("dev", "real")  # questions to a library of reports, weighed alike: ours, and the real reports'
PENALTY = 0.1  # the sentence scorer's L2 penalty (features standardised); 5-fold CV on the fit split: 0.001 and 0.01 rank worse
FOLDS = 5  # cross-validation folds over the fit questions, for the figure printed before fitting on them all
CONFIDENCE_PENALTY = 1.0  # the confidence model's
MAX_SILENT_ON_ANSWERABLE = 0.08  # leaves room under issue 15's 0.10 for the split not fitted on
CAPPED = ("squad", "dev")  # whose answerable questions the cap holds (issue 15's targets: SQuAD's no answer, our first card);
# the real reports' fit set weighs in the count of questions right, answered or rightly not
DEV_WEIGHT = 3.0  # a development question counts as this many SQuAD questions: the library is what we serve
CONFIDENCE_DEV_WEIGHT = 40.0  # ... in the coverage model and the thresholds, where our unanswerable questions must count


@dataclass
class Asked:
    """One question of the fitting data: where from, whether answerable, its candidates and which are right."""

    source: str  # "squad", "dev", "real" or "away" (a SQuAD question over an index without its article)
    answerable: bool
    rows: np.ndarray
    right: np.ndarray

    @property
    def covered(self) -> bool:
        """True when the library speaks of what is asked (SQuAD's unanswerable questions are about their article)."""
        return self.source == "squad" or (self.source in LIBRARY and self.answerable)


def squad_questions(path: Path) -> list[Asked]:
    """Return every question of the SQuAD fit split with its candidates (a sentence is right when it holds gold)."""
    articles, questions = load_squad(path)
    fit = [question for question in questions if split_of(question.id) == "fit"]
    asked = []
    with tempfile.TemporaryDirectory() as scratch:
        service = index_articles(Path(scratch), articles)
        for question in fit:
            _, _, units, rows = candidate_rows(service, question.text)
            right = np.asarray([holds_gold(unit.text, question.answers) for unit in units], bool)
            asked.append(Asked("squad", question.answerable, rows, right))
    print(f"SQuAD fit split: {len(fit)} questions ({sum(q.answerable for q in fit)} answerable)")
    return asked


def away_questions(path: Path) -> list[Asked]:
    """Return the SQuAD fit split's questions on odd-numbered articles, asked over an index of the even-numbered ones.

    They are off-topic questions as ours are: the library holds nothing on what they ask. Only the coverage
    model and the trade-off curve read them.
    """
    articles, questions = load_squad(path)
    kept = [article for number, article in enumerate(articles) if number % 2 == 0]
    away = [question for question in questions if split_of(question.id) == "fit" and question.article % 2 == 1]
    asked = []
    with tempfile.TemporaryDirectory() as scratch:
        service = index_articles(Path(scratch), kept)
        for question in away:
            _, _, units, rows = candidate_rows(service, question.text)
            asked.append(Asked("away", False, rows, np.zeros(len(units), bool)))
    print(f"off-topic: {len(asked)} SQuAD fit questions over the {len(kept)} articles they are not about")
    return asked


def dev_questions() -> list[Asked]:
    """Return every question of our development set with its candidates over the sample corpus."""
    with tempfile.TemporaryDirectory() as scratch:
        return library_questions("dev", DEV_SET, REPO / "corpus", Path(scratch) / "index")


def real_questions(index: Path | None) -> list[Asked]:
    """Return every question of the real reports' fit set with its candidates over all 96 reports (index: reuse it)."""
    if not REAL_SET.exists() or not REAL_PDFS.is_dir():
        print(f"no {REAL_SET.name} or {REAL_PDFS}: fitting without real reports")
        return []
    # The real reports' sentences are encoded once into a cache of their own (as the other benchmarks keep it):
    # encoding all of them again into another takes over half an hour.
    cache = os.environ.get("KIL_SEARCH_VECTOR_CACHE")
    os.environ["KIL_SEARCH_VECTOR_CACHE"] = str(REAL_VECTORS)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            return library_questions("real", REAL_SET, REAL_PDFS, index or Path(scratch) / "index")
    finally:
        if cache is None:
            os.environ.pop("KIL_SEARCH_VECTOR_CACHE", None)
        else:
            os.environ["KIL_SEARCH_VECTOR_CACHE"] = cache


def library_questions(source: str, path: Path, corpus: Path, index: Path) -> list[Asked]:
    """Return every question of a keyed set with its candidates over corpus (indexed into index); a candidate is
    right when it says a keyed phrase on a keyed page."""
    asked = []
    service = build_index(corpus, index)
    for question in load_questions(path):
        _, _, units, rows = candidate_rows(service, question.q)
        right = np.asarray([not question.none and text_is_right(unit.text, question)
                            and place_is_right(unit.page.fields["doc_id"], int(unit.page.fields.get("page", 0)), question)
                            for unit in units], bool)
        asked.append(Asked(source, not question.none, rows, right))
    print(f"{path.name}: {len(asked)} questions ({sum(item.answerable for item in asked)} answerable)")
    return asked


def standardise(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean and (non-zero) standard deviation of each column."""
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    return rows.mean(axis=0), scale


def fit_listwise(rows: np.ndarray, labels: np.ndarray, groups: np.ndarray, sample_weights: np.ndarray,
                 steps: int = 400) -> Linear:
    """Return a linear scorer fitted so each question's answer sentences rank first.

    The weights maximise, per question, the softmax probability of its right sentences over all its
    candidates (Adam steps, small L2 penalty); a one-feature logistic regression of the labels on the
    resulting score then scales it into a probability, so the threshold reads as a confidence.
    """
    mean, scale = standardise(rows)
    design = (rows - mean) / scale
    _, group = np.unique(groups, return_inverse=True)
    count = group.max() + 1
    right = np.bincount(group, weights=labels, minlength=count)
    keep = right[group] > 0  # a question none of whose candidates is right teaches the ranking nothing
    design_kept, labels_kept, group_kept = design[keep], labels[keep], group[keep]
    weight_of_group = np.bincount(group_kept, weights=sample_weights[keep], minlength=count) / np.maximum(
        1, np.bincount(group_kept, minlength=count))
    target = labels_kept / right[group_kept]
    weights = np.zeros(design.shape[1])
    moment, second = np.zeros_like(weights), np.zeros_like(weights)
    for step in range(1, steps + 1):
        score = design_kept @ weights
        top = np.full(count, -np.inf)
        np.maximum.at(top, group_kept, score)
        exp = np.exp(score - top[group_kept])
        share = exp / np.bincount(group_kept, weights=exp, minlength=count)[group_kept]
        gradient = design_kept.T @ ((share - target) * weight_of_group[group_kept]) / weight_of_group.sum() + PENALTY * weights
        moment = 0.9 * moment + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient ** 2
        weights -= 0.05 * (moment / (1 - 0.9 ** step)) / (np.sqrt(second / (1 - 0.999 ** step)) + 1e-8)
    slope, bias = _logistic(design @ weights, labels, sample_weights, 1e-3)
    return Linear(mean, scale, weights * slope[0], bias)


def _logistic(rows: np.ndarray, labels: np.ndarray, sample_weights: np.ndarray, penalty: float) -> tuple[np.ndarray, float]:
    """Return (weights, bias) of an L2-penalised logistic regression of labels on rows (Newton's method)."""
    rows = rows.reshape(len(rows), -1)
    design = np.column_stack([rows, np.ones(len(rows))])
    beta = np.zeros(design.shape[1])
    beta[0] = 1.0
    for _ in range(100):
        probability = 1 / (1 + np.exp(-np.clip(design @ beta, -30, 30)))
        gradient = design.T @ (sample_weights * (probability - labels)) + penalty * beta
        hessian = (design * (sample_weights * probability * (1 - probability))[:, None]).T @ design + penalty * np.eye(len(beta))
        step = np.clip(np.linalg.solve(hessian, gradient), -1.0, 1.0)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return beta[:-1], float(beta[-1])


def fit_scorer(ranked: list[Asked]) -> Linear:
    """Return the sentence scorer fitted on questions that have a right candidate (development ones weigh more)."""
    rows = np.vstack([item.rows for item in ranked])
    labels = np.concatenate([item.right for item in ranked]).astype(float)
    groups = np.concatenate([np.full(len(item.rows), number) for number, item in enumerate(ranked)])
    sample_weights = np.concatenate([np.full(len(item.rows), DEV_WEIGHT if item.source in LIBRARY else 1.0) for item in ranked])
    return fit_listwise(rows, labels, groups, sample_weights)


def print_losses(ranked: list[Asked]) -> None:
    """Print where answers are lost on the fit data: no right candidate at all, or a wrong one ranked first (cross-validated)."""
    picked: dict[str, list[bool]] = {"squad": [], "dev": [], "real": []}
    for fold in range(FOLDS):
        scorer = fit_scorer([item for number, item in enumerate(ranked) if number % FOLDS != fold and item.right.any()])
        for item in ranked[fold::FOLDS]:
            picked[item.source].append(bool(len(item.rows)) and bool(item.right[int(np.argmax(scorer.logits(item.rows)))]))
    for source, name in (("squad", "SQuAD fit split"), ("dev", "development set"), ("real", "real reports' fit set")):
        answerable = [item for item in ranked if item.source == source]
        if not answerable:
            continue
        reachable = [item for item in answerable if item.right.any()]
        first = picked[source]
        print(f"{name}, answerable: {len(answerable)}; some candidate holds the answer {len(reachable) / max(1, len(answerable)):.3f} "
              f"(the ceiling); the first-ranked does, {FOLDS}-fold cross-validated: {sum(first) / max(1, len(first)):.3f} "
              f"({sum(first) / max(1, len(reachable)):.3f} of those it can)")


def fit_confidence(asked: list[Asked], scorer: Linear) -> Linear:
    """Return the confidence model: a logistic regression of "the best-scored candidate is right" on the question's figures.

    It reads the questions the library speaks of (SQuAD's, and our answerable ones, each weighing DEV_WEIGHT).
    """
    rows, labels, weights = [], [], []
    for item in asked:
        if not len(item.rows) or not item.covered:
            continue
        scores = scorer.logits(item.rows)
        rows.append(confidence_features(item.rows, scores))
        labels.append(float(item.right[int(np.argmax(scores))]))
        weights.append(DEV_WEIGHT if item.source in LIBRARY else 1.0)
    return _fitted_logistic(np.asarray(rows), np.asarray(labels), np.asarray(weights))


def fit_coverage(asked: list[Asked]) -> Linear:
    """Return the coverage model: a logistic regression of "the library speaks of this" on what the pages hold of it.

    Our development questions weigh CONFIDENCE_DEV_WEIGHT each: the off-topic kind we must learn is theirs.
    """
    rows, labels, weights = [], [], []
    for item in asked:
        if len(item.rows):
            rows.append(coverage_features(item.rows))
            labels.append(float(item.covered))
            weights.append(CONFIDENCE_DEV_WEIGHT if item.source in LIBRARY else 1.0)
    return _fitted_logistic(np.asarray(rows), np.asarray(labels), np.asarray(weights))


def _fitted_logistic(rows: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> Linear:
    """Return a standardised, penalised logistic regression as a Linear model."""
    mean, scale = standardise(rows)
    coefficients, bias = _logistic((rows - mean) / scale, labels, weights, CONFIDENCE_PENALTY)
    return Linear(mean, scale, coefficients, bias)


def outcomes(asked: list[Asked], model: Model) -> list[tuple[str, bool, float, float, bool]]:
    """Return (source, answerable, sureness, coverage, best-scored candidate is right) for every question."""
    found = []
    for item in asked:
        scores = model.scores(item.rows)
        right = bool(len(scores)) and bool(item.right[int(np.argmax(scores))])
        found.append((item.source, item.answerable, model.sureness(item.rows, scores), model.covered(item.rows), right))
    return found


def trade_off(tops: list[tuple[str, bool, float, float, bool]], cut: float, coverage_cut: float) -> dict[str, float]:
    """Return, at one pair of thresholds, each source's share right when answerable and silent when answerable or not."""
    figures = {}
    for source in ("squad", "dev", "real", "away"):
        answerable = [top for top in tops if top[0] == source and top[1]]
        unanswerable = [top for top in tops if top[0] == source and not top[1]]
        said = lambda top: top[2] >= cut and top[3] >= coverage_cut  # noqa: E731
        figures[f"{source}_right"] = sum(said(top) and top[4] for top in answerable) / max(1, len(answerable))
        figures[f"{source}_silent"] = sum(not said(top) for top in answerable) / max(1, len(answerable))
        figures[f"{source}_honest"] = sum(not said(top) for top in unanswerable) / max(1, len(unanswerable))
        figures[f"{source}_count"] = float(len(answerable) + len(unanswerable))
        figures[f"{source}_all"] = (figures[f"{source}_right"] * len(answerable)
                                    + figures[f"{source}_honest"] * len(unanswerable)) / max(1, len(answerable) + len(unanswerable))
    return figures


def choose_thresholds(asked: list[Asked], scorer: Linear, confidence: Linear, coverage: Linear) -> tuple[float, float]:
    """Return the (confidence, coverage) thresholds from the fit data's trade-off curve (see the module docstring).

    "Right overall" counts SQuAD fit questions, off-topic ones and development questions (each weighing
    CONFIDENCE_DEV_WEIGHT) that come out right: answered with a right sentence, or unanswerable and not answered. Every
    pair on a grid is tried; the curve printed is the coverage threshold's at the chosen confidence threshold.
    """
    tops = outcomes(asked, Model(scorer, confidence, coverage, 0.0))
    best, best_right = (0.0, 0.0), -1.0
    for cut in np.round(np.arange(0.0, 0.401, 0.01), 2):
        for coverage_cut in np.round(np.arange(0.0, 0.951, 0.025), 3):
            f = trade_off(tops, cut, coverage_cut)
            right = _right_overall(f)
            quiet = all(f[f"{source}_silent"] <= MAX_SILENT_ON_ANSWERABLE for source in CAPPED)
            if quiet and right > best_right:
                best, best_right = (float(cut), float(coverage_cut)), right
    print(f"at confidence threshold {best[0]:.2f}:")
    print("           SQuAD fit split            | development set            | real reports' fit set      | off-topic")
    print("coverage   right  silent(ans.) (unans.) | right  silent(ans.) (unans.) | right  silent(ans.) (unans.) | silent "
          "| right overall")
    for coverage_cut in np.round(np.arange(0.0, 0.951, 0.05), 2):
        f = trade_off(tops, best[0], coverage_cut)
        print(f"{coverage_cut:8.2f}  " + " | ".join(f"{f[s + '_right']:5.3f}  {f[s + '_silent']:12.3f} {f[s + '_honest']:8.3f}"
                                                   for s in ("squad", "dev", "real"))
              + f" | {f['away_honest']:6.3f} | {_right_overall(f):13.3f}")
    print(f"chosen thresholds: confidence {best[0]:.2f}, coverage {best[1]:.3f} (most questions right with no answer on "
          f"at most {MAX_SILENT_ON_ANSWERABLE:.0%} of SQuAD's or the development set's answerable ones)")
    return best


def _right_overall(figures: dict[str, float]) -> float:
    """Return the weighted share of fit questions that come out right."""
    weights = {"squad": figures["squad_count"], "away": figures["away_count"],
               **{source: CONFIDENCE_DEV_WEIGHT * figures[f"{source}_count"] for source in LIBRARY}}
    return sum(figures[f"{source}_all"] * weight for source, weight in weights.items()) / sum(weights.values())


def main(argv: list[str] | None = None) -> int:
    """Fit, print the weights and the trade-off curve, and write the model file when asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, default=SQUAD_FILE)
    parser.add_argument("--write", action="store_true", help=f"write {WEIGHTS_FILE.relative_to(REPO)}")
    parser.add_argument("--real", action="store_true",
                        help=f"fit on {REAL_SET.name} too (tried in stop 26: no gain on the real reports not fitted on)")
    parser.add_argument("--real-index", type=Path, help="index of the real reports to build or reuse (default: a temporary one)")
    args = parser.parse_args(argv)
    os.environ.setdefault("KIL_SEARCH_VECTOR_CACHE", str(REPO / "benchmarks" / "out" / "vectors-answers"))  # as answers.py
    real = real_questions(args.real_index) if args.real else []
    asked = squad_questions(args.squad) + dev_questions() + real + away_questions(args.squad)
    answerable = [item for item in asked if item.answerable and item.source in ("squad", *LIBRARY)]
    print_losses(answerable)
    ranked = [item for item in answerable if len(item.rows)]
    labels = np.concatenate([item.right for item in ranked])
    print(f"sentence rows: {len(labels)} ({int(labels.sum())} right)")
    scorer = fit_scorer(ranked)
    print("sentence scorer: weight per standard deviation of each feature (largest first):")
    for name, weight in sorted(zip(FEATURES, scorer.weights), key=lambda item: -abs(item[1])):
        print(f"  {name:16} {weight:+.3f}")
    confidence = fit_confidence(asked, scorer)
    print("confidence model: weight per standard deviation:")
    for name, weight in sorted(zip(CONFIDENCE_FEATURES, confidence.weights), key=lambda item: -abs(item[1])):
        print(f"  {name:18} {weight:+.3f}")
    coverage = fit_coverage(asked)
    print("coverage model: weight per standard deviation:")
    for name, weight in sorted(zip(COVERAGE_FEATURES, coverage.weights), key=lambda item: -abs(item[1])):
        print(f"  {name:18} {weight:+.3f}")
    threshold, coverage_threshold = choose_thresholds(asked, scorer, confidence, coverage)
    if args.write:
        write_model(WEIGHTS_FILE, Model(scorer, confidence, coverage, threshold, coverage_threshold),
                    {"by": "benchmarks/fit_answers.py", "sentence_rows": int(len(labels)), "questions": len(asked),
                     "loss": "listwise softmax, then Platt scaling", "penalty": PENALTY,
                     "confidence_penalty": CONFIDENCE_PENALTY, "dev_weight": DEV_WEIGHT})
        print(f"wrote {WEIGHTS_FILE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
