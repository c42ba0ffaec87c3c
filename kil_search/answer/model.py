"""The fitted answer model: logistic regression over the candidate features, read from weights.json.

benchmarks/fit_answers.py fits it and writes weights.json beside this file; nothing else is
needed at run time. The file also carries the confidence below which no answer is given,
chosen on the fit split's trade-off curve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .features import FEATURES

WEIGHTS_FILE = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Model:
    """Feature scaling, weights, bias and the confidence threshold."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Return each candidate's probability of holding the answer."""
        if not len(rows):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(((rows - self.mean) / self.scale) @ self.weights + self.bias)))


@lru_cache(maxsize=4)
def load_model(path: Path = WEIGHTS_FILE) -> Model:
    """Read a model file; stop with a clear error when it does not fit the features this code computes."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was fitted for other features; run benchmarks/fit_answers.py again")
    return Model(np.asarray(data["mean"], float), np.asarray(data["scale"], float), np.asarray(data["weights"], float),
                 float(data["bias"]), float(data["threshold"]))


def write_model(path: Path, mean, scale, weights, bias: float, threshold: float, note: dict) -> None:
    """Write a fitted model in the shape load_model reads."""
    data = {"features": list(FEATURES), "mean": [round(float(v), 6) for v in mean],
            "scale": [round(float(v), 6) for v in scale], "weights": [round(float(v), 6) for v in weights],
            "bias": round(float(bias), 6), "threshold": round(float(threshold), 4), "fitted": note}
    Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
