"""Words of a query found close together count extra: "heat conduction" near each other beats the two apart.

Each pair of neighbouring query words is scored like one more term whose frequency is how often
the two occur within a few words of each other (in either order) in a passage's text, saturated
as BM25 saturates a term and weighted by the rarer word's idf. Positions are counted after stop
words, as the index stores them, so "heat in the slab" counts the pair as adjacent.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from .matching import Evaluator, Matches, _field_group, _word_clauses, any_word_terms, split_words
from .postings import POSITION_BITS

WINDOW = 3  # positions apart (after stop words) that still count as near
# Dev halves: weight 0.5 was best of 0 / 0.15 / 0.3 / 0.5 / 1 (Cranfield nDCG@10 0.3486 -> 0.3571, SQuAD
# Success@1 0.7658 -> 0.7673); a window of 1 or 2 positions lost nDCG, 5 or 8 gained nothing more.
WEIGHT = 0.5  # of a pair's score next to a word's
MAX_PAIRS = 12
FIELD = "text"


def query_words(node: wq.Query) -> list[str]:
    """Return the query's plain words in typed order: one-word clauses of an all-words or any-word query."""
    if isinstance(node, wq.AndNot):
        node = node.a
    if isinstance(node, wq.And):
        clauses = node.subqueries
    elif isinstance(node, wq.Or) and (node.scale or any_word_terms(node)):
        clauses = _word_clauses(node.subqueries)
    else:
        return []
    return [word for word in (_field_group(clause) for clause in split_words(clauses)) if word is not None]


def add_proximity(evaluator: Evaluator, node: wq.Query, matches: Matches) -> Matches:
    """Return matches with a bonus for each pair of neighbouring query words found near each other."""
    words = query_words(node)
    if len(words) < 2 or not len(matches.ids):
        return matches
    bonus = np.zeros(evaluator.arrays.size)
    for first, second in list(zip(words, words[1:]))[:MAX_PAIRS]:
        near = _near_counts(evaluator, first, second)
        if near is None:
            continue
        ids, counts = near
        idf = min(evaluator.word_idf(FIELD, first), evaluator.word_idf(FIELD, second))
        bonus[ids] += WEIGHT * idf * counts * (evaluator.K1 + 1) / (counts + evaluator.K1)
    return Matches(matches.ids, matches.scores + bonus[matches.ids], matches.terms)


def _near_counts(evaluator: Evaluator, first: str, second: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Return passages where the two words occur within WINDOW positions, and how many times.

    Counted from the rarer word: each of its occurrences with the other word at most WINDOW
    positions before or after it counts once (one binary search per occurrence).
    """
    if first == second:
        return None
    left = evaluator.arrays.term(FIELD, first, positions=True).keys
    right = evaluator.arrays.term(FIELD, second, positions=True).keys
    if left is None or right is None or not len(left) or not len(right):
        return None
    if len(left) > len(right):
        left, right = right, left
    places = np.searchsorted(right, left - WINDOW)  # the other word's first occurrence at or after left - WINDOW
    inside = places < len(right)
    near = np.zeros(len(left), bool)
    near[inside] = right[places[inside]] <= left[inside] + WINDOW
    if not near.any():
        return None
    counts = np.bincount(left[near] >> POSITION_BITS)
    ids = np.flatnonzero(counts)
    return ids, counts[ids].astype(np.float64)
