"""The fitted answer model, read from weights.json: which sentence answers, and how sure to be of it.

Three small linear models: one scores every candidate sentence (FEATURES); one reads the
question's best candidate against the rest (CONFIDENCE_FEATURES) and gives the probability that
it is right if the library speaks of what is asked at all; one (COVERAGE_FEATURES) gives the
probability that it does (an off-topic question finds its rarest words nowhere). No answer is
given when either falls below its threshold. benchmarks/fit_answers.py fits both and writes weights.json beside this file;
nothing else is needed at run time. The file also carries the confidence below which no answer
is given, chosen on the fit split's trade-off curve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .features import FEATURES

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
CONFIDENCE_FEATURES = ("top_score", "margin", "top_overlap", "top_rarest_missing", "unknown", "best_page", "off_pages",
                       "strength")

COVERAGE_FEATURES = ("off_pages", "best_page", "best_overlap", "least_missing", "unknown", "strength", "rare_page", "rare_near",
                     "typed_near")


def coverage_features(rows: np.ndarray) -> np.ndarray:
    """Return what the coverage model reads of one question's candidates: how much of the question the pages hold."""
    column = FEATURES.index
    first = rows[0]
    return np.array([first[column("off_pages")], rows[:, column("page")].max(), rows[:, column("overlap")].max(),
                     rows[:, column("rarest_missing")].min(), first[column("unknown")], first[column("strength")],
                     rows[:, column("rare_page")].max(), rows[:, column("rare_near")].max(),
                     rows[:, column("typed_near")].max()])


def confidence_features(rows: np.ndarray, scores: np.ndarray, chosen: int | None = None) -> np.ndarray:
    """Return what the confidence model reads of one question's candidates (rows), their scores and the chosen one.

    The chosen candidate is the best-scored one unless given; its margin is its lead over the best of the others.
    """
    chosen = int(np.argmax(scores)) if chosen is None else chosen
    others = np.delete(scores, chosen)
    margin = scores[chosen] - (others.max() if len(others) else scores[chosen] - 1.0)
    best = rows[chosen]
    column = FEATURES.index
    return np.array([scores[chosen], margin, best[column("overlap")], best[column("rarest_missing")],
                     best[column("unknown")], rows[:, column("page")].max(), best[column("off_pages")],
                     best[column("strength")]])


@dataclass(frozen=True)
class Linear:
    """A standardised linear model: (x - mean) / scale . weights + bias."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def logits(self, rows: np.ndarray) -> np.ndarray:
        """Return the model's logit for each row."""
        return ((rows - self.mean) / self.scale) @ self.weights + self.bias

    def to_json(self) -> dict:
        """Return the model as plain data."""
        return {"mean": _rounded(self.mean), "scale": _rounded(self.scale), "weights": _rounded(self.weights),
                "bias": round(float(self.bias), 6)}

    @classmethod
    def from_json(cls, data: dict) -> "Linear":
        """Read a model written by to_json."""
        return cls(np.asarray(data["mean"], float), np.asarray(data["scale"], float), np.asarray(data["weights"], float),
                   float(data["bias"]))


@dataclass(frozen=True)
class Model:
    """The sentence scorer, the confidence and coverage models and the threshold below which no answer is given."""

    scorer: Linear
    confidence: Linear
    coverage: Linear
    threshold: float
    coverage_threshold: float = 0.0

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Return each candidate's score (higher is likelier the answer)."""
        return self.scorer.logits(rows) if len(rows) else np.zeros(0)

    def sureness(self, rows: np.ndarray, scores: np.ndarray, chosen: int | None = None) -> float:
        """Return the probability that the chosen (default: best-scored) candidate is a right answer; 0 with none."""
        if not len(rows):
            return 0.0
        logit = float(self.confidence.logits(confidence_features(rows, scores, chosen)[None, :])[0])
        return _sigmoid(logit)

    def covered(self, rows: np.ndarray) -> float:
        """Return the probability that the library speaks of what the question asks (0 with no candidates)."""
        if not len(rows):
            return 0.0
        return _sigmoid(float(self.coverage.logits(coverage_features(rows)[None, :])[0]))


def _sigmoid(logit: float) -> float:
    """Return the logistic function of a logit."""
    return float(1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30))))


@lru_cache(maxsize=4)
def load_model(path: Path = WEIGHTS_FILE) -> Model:
    """Read a model file; stop with a clear error when it does not fit the features this code computes."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if (tuple(data["features"]) != FEATURES or tuple(data["confidence_features"]) != CONFIDENCE_FEATURES
            or tuple(data.get("coverage_features", ())) != COVERAGE_FEATURES):
        raise ValueError(f"{path} was fitted for other features; run benchmarks/fit_answers.py --write again")
    return Model(Linear.from_json(data["scorer"]), Linear.from_json(data["confidence"]), Linear.from_json(data["coverage"]),
                 float(data["threshold"]), float(data["coverage_threshold"]))


def write_model(path: Path, model: Model, note: dict) -> None:
    """Write a fitted model in the shape load_model reads."""
    data = {"features": list(FEATURES), "scorer": model.scorer.to_json(),
            "confidence_features": list(CONFIDENCE_FEATURES), "confidence": model.confidence.to_json(),
            "coverage_features": list(COVERAGE_FEATURES), "coverage": model.coverage.to_json(),
            "threshold": round(float(model.threshold), 4), "coverage_threshold": round(float(model.coverage_threshold), 4),
            "fitted": note}
    Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _rounded(values) -> list[float]:
    """Return values as a list of rounded floats."""
    return [round(float(value), 6) for value in values]
