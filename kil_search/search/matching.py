"""Evaluate a parsed Whoosh query over postings arrays, scoring exactly as Whoosh's BM25F does.

Covers what parse_query produces: terms, phrases, AND, OR (with the any-word
coordination bonus), NOT and +/- words. Anything else raises Unsupported and the
caller lets Whoosh run the query itself, so results never depend on this shortcut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from .postings import POSITION_BITS, SCORED_FIELDS, GenerationArrays
from .sets import distinct


class Unsupported(Exception):
    """The query has a node this evaluator does not model."""


@dataclass
class Matches:
    """Matching docnums (sorted, unique), their scores and how many query terms each matched."""

    ids: np.ndarray
    scores: np.ndarray
    terms: np.ndarray

    @classmethod
    def empty(cls) -> "Matches":
        return cls(np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.int64))


class Evaluator:
    """Score queries for one searcher with BM25F(B, K1) over a generation's arrays."""

    def __init__(self, searcher, arrays: GenerationArrays, B: float, K1: float):  # noqa: N803 (BM25's names)
        self.searcher, self.arrays, self.B, self.K1 = searcher, arrays, B, K1

    def evaluate(self, node: wq.Query) -> Matches:
        """Return every passage the query matches with its score."""
        if isinstance(node, wq.Term):
            return self._boosted(self._term(node.fieldname, node.text), node.boost)
        if isinstance(node, wq.Phrase):
            return self._boosted(self._phrase(node), node.boost)
        if isinstance(node, wq.AndNot):
            return _without(self.evaluate(node.a), self.evaluate(node.b).ids)
        if isinstance(node, wq.AndMaybe):
            return _maybe(self.evaluate(node.a), self.evaluate(node.b))
        if isinstance(node, wq.And):
            return self._boosted(self._and(node.subqueries), node.boost)
        if isinstance(node, wq.Or) and not node.minmatch:
            return self._or(node)
        if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
            return Matches.empty()
        if isinstance(node, wq.Every) and node.fieldname in (None, "", "*"):
            ids = np.flatnonzero(self.arrays.live)  # every document, each scoring its boost (Whoosh's ListMatcher)
            return Matches(ids, np.full(len(ids), float(node.boost)), np.ones(len(ids), np.int64))
        raise Unsupported(type(node).__name__)

    def docs(self, node: wq.Query) -> np.ndarray:
        """Return the sorted docnums an unscored query (a filter or mask) matches, over any field."""
        if isinstance(node, wq.Term):
            return self.arrays.term(node.fieldname, _text(node.text)).ids.astype(np.int64)
        if isinstance(node, wq.Or) and not node.minmatch:
            parts = [self.docs(child) for child in node.subqueries]
            return distinct(np.concatenate(parts)) if parts else np.empty(0, np.int64)
        if isinstance(node, wq.And) and not any(isinstance(child, wq.Not) for child in node.subqueries):
            result = None
            for child in node.subqueries:
                ids = self.docs(child)
                result = ids if result is None else _common_sorted(result, ids)
            return result if result is not None else np.empty(0, np.int64)
        if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
            return np.empty(0, np.int64)
        return np.array(sorted(node.docs(self.searcher)), dtype=np.int64)

    def _term(self, field: str, text) -> Matches:
        """Score one term's postings with Whoosh's bm25()."""
        if field not in SCORED_FIELDS:
            raise Unsupported(field)
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        postings = self.arrays.term(field, text)
        if not len(postings.ids):
            return Matches.empty()
        idf = self.searcher.idf(field, text)
        average = self.searcher.avg_field_length(field) or 1
        tf, length = postings.weights.astype(np.float64), self.arrays.lengths[field][postings.ids]
        scores = idf * ((tf * (self.K1 + 1)) / (tf + self.K1 * ((1 - self.B) + self.B * length / average)))
        return Matches(postings.ids.astype(np.int64), scores, np.ones(len(postings.ids), np.int64))

    def _phrase(self, node: wq.Phrase) -> Matches:
        """Match words at consecutive positions; score as the sum of the words' scores."""
        if node.slop != 1 or node.fieldname not in SCORED_FIELDS or not node.words:
            raise Unsupported("phrase")
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in node.words]
        keys = None
        for offset, word in enumerate(words):
            postings = self.arrays.term(node.fieldname, word, positions=True)
            if not len(postings.ids):
                return Matches.empty()
            shifted = postings.keys - offset
            keys = shifted if keys is None else _common_sorted(keys, shifted)
            if not len(keys):
                return Matches.empty()
        ids = distinct(keys >> POSITION_BITS)
        found = self._and([wq.Term(node.fieldname, word) for word in words])
        keep = _common_mask(found.ids, ids)
        return Matches(found.ids[keep], found.scores[keep], np.ones(int(keep.sum()), np.int64))

    def _and(self, children) -> Matches:
        """Intersect the children (NOT children subtract); scores add up."""
        positive = [child for child in children if not isinstance(child, wq.Not)]
        negative = [child.query for child in children if isinstance(child, wq.Not)]
        if not positive:
            raise Unsupported("only NOT")
        result = None
        for child in positive:
            matches = self.evaluate(child)
            if result is None:
                result = matches
            else:
                result = _intersect(result, matches, self.arrays.size)
            if not len(result.ids):
                return result
        for child in negative:  # Whoosh's InverseMatcher adds a constant 1.0 per NOT to the score
            result = _without(result, self.evaluate(child).ids)
            result = Matches(result.ids, result.scores + 1.0, result.terms)
        return result

    def _or(self, node: wq.Or) -> Matches:
        """Unite the children, adding scores; apply the coordination bonus when the Or has a scale."""
        parts = [self.evaluate(child) for child in node.subqueries]
        parts = [part for part in parts if len(part.ids)]
        if not parts:
            return Matches.empty()
        result = self._boosted(_unite(parts, self.arrays.size), node.boost)
        if node.scale:
            result = self._coordinate(node, result)
        return result

    def _coordinate(self, node: wq.Or, result: Matches) -> Matches:
        """Apply Whoosh's CoordMatcher (the "SQR" bonus for matching more of the terms)."""
        leaves = list(_leaf_terms(node))
        count = sum(1 for leaf in leaves if len(self.arrays.term(leaf.fieldname, _text(leaf.text)).ids))
        if count == 0:
            return result
        if count == node.scale:
            return Matches(result.ids, np.zeros(len(result.ids)), result.terms)
        scores = (result.scores + ((result.terms - 1) / (count - node.scale) ** 2)) * ((count - 1) / count)
        return Matches(result.ids, scores, result.terms)

    @staticmethod
    def _boosted(matches: Matches, boost: float) -> Matches:
        """Multiply scores by a query boost, as Whoosh's WrappingMatcher does."""
        if boost == 1.0:
            return matches
        return Matches(matches.ids, matches.scores * boost, matches.terms)


def _text(text) -> str:
    """Return a term's text as str."""
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _leaf_terms(node: wq.Query):
    """Yield the Term leaves under node; a phrase or other leaf is not modelled under a coordination bonus."""
    if isinstance(node, wq.Term):
        yield node
    elif isinstance(node, (wq.And, wq.Or)):
        for child in node.subqueries:
            yield from _leaf_terms(child)
    else:
        raise Unsupported("coordination over " + type(node).__name__)


def _unite(parts: list[Matches], size: int) -> Matches:
    """Return the union of matches over docnums 0..size-1, adding scores and term counts."""
    if len(parts) == 1:
        return parts[0]
    scores, terms = np.zeros(size), np.zeros(size, np.int64)
    for part in parts:  # ids are unique within a part, so fancy-index addition is exact
        scores[part.ids] += part.scores
        terms[part.ids] += part.terms
    ids = np.flatnonzero(terms)
    return Matches(ids, scores[ids], terms[ids])


def _intersect(left: Matches, right: Matches, size: int) -> Matches:
    """Return the docnums both match, adding scores and term counts."""
    if len(left.ids) > len(right.ids):
        left, right = right, left
    scores, terms = np.zeros(size), np.zeros(size, np.int64)
    scores[right.ids] = right.scores
    terms[right.ids] = right.terms
    keep = terms[left.ids] > 0
    ids = left.ids[keep]
    return Matches(ids, left.scores[keep] + scores[ids], left.terms[keep] + terms[ids])


def _common_mask(values: np.ndarray, sorted_other: np.ndarray) -> np.ndarray:
    """Return a mask of the values that also occur in sorted_other."""
    if not len(sorted_other):
        return np.zeros(len(values), bool)
    places = np.minimum(np.searchsorted(sorted_other, values), len(sorted_other) - 1)
    return sorted_other[places] == values


def _common_sorted(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Return the values of sorted first that also occur in sorted second."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    return small[_common_mask(small, large)]


def _without(matches: Matches, excluded: np.ndarray) -> Matches:
    """Drop the excluded docnums."""
    if not len(excluded) or not len(matches.ids):
        return matches
    keep = ~_common_mask(matches.ids, excluded)
    return Matches(matches.ids[keep], matches.scores[keep], matches.terms[keep])


def _maybe(required: Matches, optional: Matches) -> Matches:
    """Keep the required matches; add the optional part's score where it also matches."""
    left = _common_mask(required.ids, optional.ids)
    right = np.searchsorted(optional.ids, required.ids[left])
    scores = required.scores.copy()
    scores[left] += optional.scores[right]
    terms = required.terms.copy()
    terms[left] += optional.terms[right]
    return Matches(required.ids, scores, terms)
