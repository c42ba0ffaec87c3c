"""Rank documents by their best passage: every match scored, documents ordered, counted exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .matching import Evaluator, Matches, Unsupported
from .postings import GenerationArrays
from .query import ParsedQuery


@dataclass
class Ranking:
    """Matching passages in rank order and the documents they belong to, best first."""

    arrays: GenerationArrays
    ids: np.ndarray
    scores: np.ndarray
    docs: np.ndarray
    documents: np.ndarray

    @property
    def total(self) -> int:
        """Return how many documents match."""
        return len(self.documents)

    def best_passages(self, ordinal: int, limit: int) -> list[tuple[int, float]]:
        """Return (docnum, score) of a document's best passages, best first."""
        places = np.flatnonzero(self.docs == ordinal)[:limit]
        return [(int(self.ids[place]), float(self.scores[place])) for place in places]


def rank(searcher, arrays: GenerationArrays, parsed: ParsedQuery, weighting) -> Ranking:
    """Score every passage the query matches and order documents by their best passage."""
    evaluator = Evaluator(searcher, arrays, weighting.B, weighting.K1)
    matches = _matches(evaluator, searcher, parsed.query)
    excluded = parsed.excluded
    docs = arrays.doc_of[matches.ids] if len(matches.ids) else np.empty(0, np.int64)
    keep = docs >= 0
    if excluded is not None and keep.any():
        excluded_ids = _matches(evaluator, searcher, excluded).ids
        excluded_docs = np.unique(arrays.doc_of[excluded_ids]) if len(excluded_ids) else np.empty(0, np.int64)
        keep &= ~np.isin(docs, excluded_docs)
    ids, scores, docs = matches.ids[keep], matches.scores[keep], docs[keep]
    order = np.lexsort((ids, -scores))  # best score first; ties by docnum, as Whoosh orders them
    ids, scores, docs = ids[order], scores[order], docs[order]
    documents, first = np.unique(docs, return_index=True)
    return Ranking(arrays, ids, scores, docs, documents[np.argsort(first, kind="stable")])


def _matches(evaluator: Evaluator, searcher, query) -> Matches:
    """Evaluate with arrays, or let Whoosh score every match when the query has an unmodelled part."""
    try:
        return evaluator.evaluate(query)
    except Unsupported:
        results = searcher.search(query, limit=None)
        pairs = sorted((docnum, score) for score, docnum in results.top_n)
        ids = np.array([docnum for docnum, _ in pairs], dtype=np.int64)
        return Matches(ids, np.array([score for _, score in pairs], dtype=np.float64), np.ones(len(ids), np.int64))
