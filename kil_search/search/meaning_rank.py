"""Rank the best word matches again with what their sentences mean (kil_search/meaning.py).

BM25 finds the passages sharing the question's words; among the first of them, the one whose
sentence is closest in meaning to the question is often the one that answers it. Each of the
TOP passages by words gets score / best word score + WEIGHT × its closest sentence's cosine;
the rest keep their order below them. Only plain questions of a few words get this: a one- or
two-word search, a quoted phrase or OR / NOT is asked for exactly as typed.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .. import meaning
from ..index.meaning_stage import MEANING_FILE, state_name
from ..index.store import read_json

TOP = 100
# Fitted on the tuning halves of Cranfield and SQuAD-dev-8 (benchmarks/relevance.py --meaning-weight).
WEIGHT = 1.5
MIN_WORDS = 3
_OPERATORS = re.compile(r"\"|\b(?:AND|OR|NOT)\b|(?:^|\s)[-+]\w|\w:\S")
_WORD = re.compile(r"\w+")
_STORED_ROWS = 10_000  # passages whose vectors are kept in memory per process (float16: about 4 KB each)


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
    """Passages' sentence vectors, read from the vector cache the indexer's meaning stage filled
    (index/meaning_stage.py) and kept in memory per index generation.

    Only once the stage has finished for the very index state searched (meaning.json names it: the
    generation folder and Whoosh's commit number) are vectors read, from the cache that record names;
    until then every passage has None and ranking is by words alone, at no cost.
    """

    def __init__(self, index_dir: Path):
        self._index_dir = Path(index_dir)
        self._caches: dict[str, meaning.VectorCache] = {}
        self._record: tuple[int | None, dict] = (None, {})
        self._fingerprint: str | None | bool = False
        self._key = None
        self._rows: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def _cache_for(self, state: str) -> meaning.VectorCache | None:
        """Return the cache holding every sentence of the index in this state, or None if the stage has not finished it."""
        path = self._index_dir / MEANING_FILE
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        if stamp != self._record[0]:
            self._record = (stamp, read_json(path, default={}) or {})
        record = self._record[1]
        if self._fingerprint is False:
            self._fingerprint = meaning.fingerprint()
        if (record.get("state") != "finished" or record.get("index") != state or self._fingerprint is None
                or record.get("model") != self._fingerprint or not record.get("cache")):
            return None
        where = record["cache"]
        with self._lock:
            cache = self._caches.get(where)
            if cache is None:
                try:
                    cache = self._caches[where] = meaning.VectorCache(Path(where), self._fingerprint)
                except (sqlite3.Error, OSError):
                    return None
        return cache

    def of_fields(self, passages: list[dict], state: str) -> list[np.ndarray | None]:
        """Return each stored passage's sentence vectors (no rows for a contents page), None where not encoded."""
        cache = self._cache_for(state)
        return [None] * len(passages) if cache is None else self._read(cache, passages)

    @staticmethod
    def _read(cache: meaning.VectorCache, passages: list[dict]) -> list[np.ndarray | None]:
        keys = [[cache.key(unit) for unit in meaning.passage_units(fields)] for fields in passages]
        try:
            found = cache.stored([key for row in keys for key in row])
        except sqlite3.Error:
            return [None] * len(passages)
        empty = np.zeros((0, meaning.DIMENSIONS), np.float16)
        return [(np.frombuffer(b"".join(found[key] for key in row), np.float16).reshape(-1, meaning.DIMENSIONS) if row else empty)
                if all(key in found for key in row) else None for row in keys]

    def of(self, searcher, key, state: str, docnums) -> list[np.ndarray | None]:
        """Return the sentence vectors of these passages (by docnum in the searcher's generation key)."""
        cache = self._cache_for(state)
        if cache is None:
            return [None] * len(docnums)
        with self._lock:
            if key != self._key:
                self._key, self._rows = key, {}
            rows = self._rows
        wanted = [int(docnum) for docnum in docnums if int(docnum) not in rows]
        fresh: dict[int, np.ndarray | None] = {}
        if wanted:
            for docnum, found in zip(wanted, self._read(cache, [searcher.stored_fields(docnum) for docnum in wanted])):
                if found is not None and len(rows) < _STORED_ROWS:
                    rows[docnum] = found
                fresh[docnum] = found
        return [rows.get(int(docnum), fresh.get(int(docnum))) for docnum in docnums]


def index_state(index, searcher) -> str:
    """Name the index state a searcher reads as the meaning stage records it."""
    return state_name(Path(index.storage.folder), searcher.reader().generation())


def closeness(query: np.ndarray, matrices: list[np.ndarray]) -> np.ndarray:
    """Return, per passage, the cosine of its sentence closest to the query (nan when it has none)."""
    out = np.full(len(matrices), np.nan)
    for i, matrix in enumerate(matrices):
        if len(matrix):
            out[i] = float((matrix @ query).max())
    return out


def blend(scores: np.ndarray, ids: np.ndarray, query, vectors_of) -> np.ndarray:
    """Return scores re-ranked by meaning over the TOP passages; unchanged when they carry no vectors.

    vectors_of(docnums) gives each passage's sentence vectors; query is the question's vector, or a function
    giving it (None without the model), called only once the passages are known to have vectors, so an index
    with none (or still being encoded) never pays for encoding the question.
    """
    if len(scores) == 0:
        return scores
    top = np.argsort(-scores, kind="stable")[:TOP]
    matrices = vectors_of(ids[top])
    if any(matrix is None for matrix in matrices):
        return scores  # the indexer has not encoded them all yet (or runs without the model): words alone
    query = query() if callable(query) else query
    if query is None:
        return scores
    close = closeness(query, matrices)
    if np.isnan(close).all():
        return scores
    best = float(scores[top[0]]) or 1.0
    blended = scores / best - (WEIGHT + 2.0)  # below every re-ranked passage
    blended[top] = scores[top] / best + WEIGHT * np.nan_to_num(close, nan=0.0)
    return blended
