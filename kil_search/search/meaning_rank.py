"""Rank the best word matches again with what their sentences mean (kil_search/meaning.py).

BM25 finds the passages sharing the question's words; among the first of them, the one whose
sentence is closest in meaning to the question is often the one that answers it. Each of the
TOP passages by words gets score / best word score + WEIGHT × its closest sentence's cosine;
the rest keep their order below them. Only plain questions of a few words get this: a one- or
two-word search, a quoted phrase or OR / NOT is asked for exactly as typed.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

import numpy as np

from .. import meaning

TOP = 100
# Fitted on the tuning halves of Cranfield and SQuAD-dev-8 (benchmarks/relevance.py --meaning-weight).
WEIGHT = 1.5
MIN_WORDS = 3
_OPERATORS = re.compile(r"\"|\b(?:AND|OR|NOT)\b|(?:^|\s)[-+]\w|\w:\S")
_WORD = re.compile(r"\w+")
_STORED_ROWS = 50_000  # passages whose vectors are kept in memory per process (about 15 KB each)


def wanted(text: str, exact: bool = False) -> bool:
    """True when text is a plain question or phrase of several words that meaning may help rank."""
    if exact or meaning.encoder() is None or _OPERATORS.search(text):
        return False
    return len(_WORD.findall(text)) >= MIN_WORDS


class QueryVectors:
    """The vectors of recent query texts (a results page asks for the same text several times)."""

    def __init__(self, size: int = 512):
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        encoder = meaning.encoder()
        if encoder is None:
            return None
        with self._lock:
            found = self._items.get(text)
            if found is not None:
                self._items.move_to_end(text)
                return found
        vector = encoder.encode([text])[0]
        with self._lock:
            self._items[text] = vector
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return vector


_questions = QueryVectors()


def vector_of(text: str) -> np.ndarray | None:
    """Return text's vector (kept among the recent ones), or None without the model."""
    return _questions.get(text)


class StoredVectors:
    """Passages' sentence vectors, read from the stored fields of one index generation when first needed."""

    def __init__(self):
        self._key = None
        self._rows: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def of(self, searcher, key, docnums) -> list[np.ndarray]:
        with self._lock:
            if key != self._key:
                self._key, self._rows = key, {}
            rows = self._rows
        out = []
        for docnum in docnums:
            docnum = int(docnum)
            found = rows.get(docnum)
            if found is None:
                found = meaning.unpack(searcher.stored_fields(docnum).get("vectors"))
                if len(rows) < _STORED_ROWS:
                    rows[docnum] = found
            out.append(found)
        return out


def closeness(query: np.ndarray, matrices: list[np.ndarray]) -> np.ndarray:
    """Return, per passage, the cosine of its sentence closest to the query (nan when it has none)."""
    out = np.full(len(matrices), np.nan)
    for i, matrix in enumerate(matrices):
        if len(matrix):
            out[i] = float((matrix @ query).max())
    return out


def blend(scores: np.ndarray, ids: np.ndarray, query: np.ndarray, vectors_of) -> np.ndarray:
    """Return scores re-ranked by meaning over the TOP passages; unchanged when they carry no vectors.

    vectors_of(docnums) gives each passage's sentence vectors.
    """
    if len(scores) == 0:
        return scores
    top = np.argsort(-scores, kind="stable")[:TOP]
    close = closeness(query, vectors_of(ids[top]))
    if np.isnan(close).all():
        return scores  # an index built without the model
    best = float(scores[top[0]]) or 1.0
    blended = scores / best - (WEIGHT + 2.0)  # below every re-ranked passage
    blended[top] = scores[top] / best + WEIGHT * np.nan_to_num(close, nan=0.0)
    return blended
