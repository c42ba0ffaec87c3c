"""Fit the answer model: logistic regression over candidate features, on SQuAD's fit split and our development set.

    python benchmarks/fit_answers.py [--squad FILE] [--write]

Every sentence the answer code considers for a question becomes one row (kil_search/answer/features.py);
it is labelled 1 when it holds a gold answer (SQuAD, answerable questions of the fit split) or says the
keyed answer from a keyed page (benchmarks/answers-dev.toml). Weights are fitted with numpy: a listwise
ranking loss per question, then scaled into a probability (see fit_listwise). The confidence threshold is then chosen on the fit split's trade-off curve, over its
answerable and unanswerable questions: the one that makes the most questions come out right (answered
with a gold sentence, or unanswerable and not answered) while no answer is given to at most
MAX_SILENT_ON_ANSWERABLE of the answerable ones. The held-out split is never read here.
With --write the result goes to kil_search/answer/weights.json.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from answers import build_index, load_questions, place_is_right, text_is_right  # noqa: E402
from squad_qa import SQUAD_FILE, holds_gold, index_articles, load_squad, split_of  # noqa: E402

from kil_search.answer import score_candidates  # noqa: E402
from kil_search.answer.features import FEATURES  # noqa: E402
from kil_search.answer.model import CONFIDENCE_FEATURES, WEIGHTS_FILE, Linear, Model, confidence_features, write_model  # noqa: E402

DEV_SET = REPO / "benchmarks" / "answers-dev.toml"
PENALTY = 0.01  # the sentence scorer's L2 penalty (features standardised)
CONFIDENCE_PENALTY = 1.0  # the confidence model's
MAX_SILENT_ON_ANSWERABLE = 0.08  # leaves room under issue 15's 0.10 for the split not fitted on
DEV_WEIGHT = 3.0  # a development question counts as this many SQuAD questions: the library is what we serve


@dataclass
class Asked:
    """One question of the fitting data: where from, whether answerable, its candidates and which are right."""

    source: str  # "squad" or "dev"
    answerable: bool
    rows: np.ndarray
    right: np.ndarray


def squad_questions(path: Path) -> list[Asked]:
    """Return every question of the SQuAD fit split with its candidates (a sentence is right when it holds gold)."""
    articles, questions = load_squad(path)
    fit = [question for question in questions if split_of(question.id) == "fit"]
    asked = []
    with tempfile.TemporaryDirectory() as scratch:
        service = index_articles(Path(scratch), articles)
        for question in fit:
            scored = score_candidates(service, question.text)
            right = np.asarray([holds_gold(unit.text, question.answers) for unit in scored.units], bool)
            asked.append(Asked("squad", question.answerable, scored.rows, right))
    print(f"SQuAD fit split: {len(fit)} questions ({sum(q.answerable for q in fit)} answerable)")
    return asked


def dev_questions() -> list[Asked]:
    """Return every question of our development set with its candidates over the sample corpus."""
    asked = []
    with tempfile.TemporaryDirectory() as scratch:
        service = build_index(REPO / "corpus", Path(scratch) / "index")
        for question in load_questions(DEV_SET):
            scored = score_candidates(service, question.q)
            right = np.asarray([not question.none and text_is_right(unit.text, question)
                                and place_is_right(unit.page.fields["doc_id"], int(unit.page.fields.get("page", 0)), question)
                                for unit in scored.units], bool)
            asked.append(Asked("dev", not question.none, scored.rows, right))
    print(f"development set: {len(asked)} questions ({sum(item.answerable for item in asked)} answerable)")
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


def fit_confidence(asked: list[Asked], scorer: Linear) -> Linear:
    """Return the confidence model: a logistic regression of "the best-scored candidate is right" on the question's figures."""
    rows, labels, weights = [], [], []
    for item in asked:
        if not len(item.rows):
            continue
        scores = scorer.logits(item.rows)
        rows.append(confidence_features(item.rows, scores))
        labels.append(float(item.right[int(np.argmax(scores))]))
        weights.append(DEV_WEIGHT if item.source == "dev" else 1.0)
    rows = np.asarray(rows)
    mean, scale = standardise(rows)
    coefficients, bias = _logistic((rows - mean) / scale, np.asarray(labels), np.asarray(weights), CONFIDENCE_PENALTY)
    return Linear(mean, scale, coefficients, bias)


def choose_threshold(asked: list[Asked], scorer: Linear, confidence: Linear) -> float:
    """Return the confidence threshold from the SQuAD fit split's trade-off curve (see the module docstring)."""
    model = Model(scorer, confidence, 0.0)
    tops = []
    for item in asked:
        if item.source != "squad":
            continue
        scores = scorer.logits(item.rows) if len(item.rows) else np.zeros(0)
        right = bool(len(scores)) and bool(item.right[int(np.argmax(scores))])
        tops.append((item.answerable, model.sureness(item.rows, scores), right))
    answerable = [top for top in tops if top[0]]
    unanswerable = [top for top in tops if not top[0]]
    best_cut, best_right = 0.0, -1.0
    print("threshold  holds gold  no answer (answerable)  no answer (unanswerable)  right overall")
    for cut in np.round(np.arange(0.0, 0.801, 0.01), 2):
        silent = sum(top[1] < cut for top in answerable) / len(answerable)
        holds = sum(top[1] >= cut and top[2] for top in answerable) / len(answerable)
        unanswerable_silent = sum(top[1] < cut for top in unanswerable) / max(1, len(unanswerable))
        right = (holds * len(answerable) + unanswerable_silent * len(unanswerable)) / len(tops)
        if round(cut * 100) % 5 == 0:
            print(f"{cut:9.2f}  {holds:10.3f}  {silent:22.3f}  {unanswerable_silent:24.3f}  {right:13.3f}")
        if silent <= MAX_SILENT_ON_ANSWERABLE and right > best_right:
            best_cut, best_right = float(cut), right
    print(f"chosen threshold {best_cut:.2f} (most questions right with no answer on at most "
          f"{MAX_SILENT_ON_ANSWERABLE:.0%} of answerable ones)")
    return best_cut


def main(argv: list[str] | None = None) -> int:
    """Fit, print the weights and the trade-off curve, and write the model file when asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, default=SQUAD_FILE)
    parser.add_argument("--write", action="store_true", help=f"write {WEIGHTS_FILE.relative_to(REPO)}")
    args = parser.parse_args(argv)
    asked = squad_questions(args.squad) + dev_questions()
    ranked = [item for item in asked if item.answerable and len(item.rows)]
    rows = np.vstack([item.rows for item in ranked])
    labels = np.concatenate([item.right for item in ranked]).astype(float)
    groups = np.concatenate([np.full(len(item.rows), number) for number, item in enumerate(ranked)])
    sample_weights = np.concatenate([np.full(len(item.rows), DEV_WEIGHT if item.source == "dev" else 1.0) for item in ranked])
    print(f"sentence rows: {len(labels)} ({int(labels.sum())} right)")
    scorer = fit_listwise(rows, labels, groups, sample_weights)
    print("sentence scorer: weight per standard deviation of each feature (largest first):")
    for name, weight in sorted(zip(FEATURES, scorer.weights), key=lambda item: -abs(item[1])):
        print(f"  {name:16} {weight:+.3f}")
    confidence = fit_confidence(asked, scorer)
    print("confidence model: weight per standard deviation:")
    for name, weight in sorted(zip(CONFIDENCE_FEATURES, confidence.weights), key=lambda item: -abs(item[1])):
        print(f"  {name:18} {weight:+.3f}")
    threshold = choose_threshold(asked, scorer, confidence)
    if args.write:
        write_model(WEIGHTS_FILE, Model(scorer, confidence, threshold),
                    {"by": "benchmarks/fit_answers.py", "sentence_rows": int(len(labels)), "questions": len(asked),
                     "loss": "listwise softmax, then Platt scaling", "penalty": PENALTY,
                     "confidence_penalty": CONFIDENCE_PENALTY, "dev_weight": DEV_WEIGHT})
        print(f"wrote {WEIGHTS_FILE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
