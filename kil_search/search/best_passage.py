"""Rank documents by their best passage: every match scored, documents ordered, counted exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .feedback import add_feedback
from .matching import Evaluator, Matches, Unsupported
from .proximity import add_proximity, query_words
from .postings import GenerationArrays
from .query import ParsedQuery
from .sets import distinct


# Queries of this many plain words or more are re-ranked with pseudo-relevance feedback. Dev halves:
# from 8 words Cranfield nDCG@10 +0.008 and Recall@100 +0.016 with SQuAD Success@1 level (-0.001);
# from 5 or 6 words the SQuAD questions lost 3-7 points (factoid questions gain nothing from their neighbours).
# With the relevance model of round 3 (feedback.py), from 4 / 5 / 6 words: nDCG 0.4129 / 0.4139 / 0.4107
# (8: 0.4063 at 10 expansion words) but SQuAD Success@1 0.7703 / 0.7703 / 0.7717 (8: 0.7747), so 8 stays.
FEEDBACK_WORDS = 8
# Round 4: shorter queries get feedback at a share that grows by word count (feedback_share), from
# FEEDBACK_FROM words to the full weight at FEEDBACK_WORDS. Dev halves, against nDCG@10 0.4154 and
# Success@1 0.7894 (feedback only from 8 words): from 6 words 0.4198 / 0.7879; 5: 0.4225 / 0.7879;
# 4: 0.4253 / 0.7894; 3: 0.4258 / 0.7923 (own sets: first page level, first result 89 -> 88).
FEEDBACK_FROM = 3
# Round 2 of issue 14 (dev halves, each setting alone against Cranfield nDCG@10 0.3631 / Recall@100
# 0.7747, SQuAD Success@1 0.7747): nothing helped both sets by more than one or two questions, so
# nothing was changed. A document ranked by best + 0.1 (0.3) × its second passage: nDCG 0.3614
# (0.3587), Success@1 0.7732 (0.7747). BM25 k1/b (1.2/0.75 kept): 0.9/0.75 nDCG 0.3625 S@1 0.7776;
# 1.5/0.75 0.3635 0.7673; 2.0/0.75 0.3649 0.7629; 1.2/0.5 0.3587 0.7629; 1.2/0.9 0.3660 0.7717;
# 0.9/0.9 0.3638 0.7776. Proximity weight 0.3 (0.4): nDCG 0.3698 (0.3676), S@1 0.7717 (0.7732).
# Feedback weight 0.3 / 0.8: nDCG 0.3630 / 0.3567; 20 expansion words 0.3591; 12 top passages
# 0.3560 (Recall@100 +0.007, nDCG lower). Coverage exponent 1.0: nDCG 0.3558, S@1 0.7732.
# Round 3 (after hyphenated words, relevance-model feedback and word variants: nDCG 0.4154, S@1 0.7850),
# tried and dropped: a document's whole text as one more BM25F unit added to its passages (weight 0.1 /
# 0.5 / 1: nDCG +0.002 at best, S@1 -0.002); the densest window of query words (10 positions, weight
# 0.2 / 0.4: S@1 0.7894 / 0.7953 but nDCG 0.4097 / 0.4012); k1, b, field weights, proximity, coverage
# and feedback weights again (all within 0.007 on nDCG). Earlier in round 3, against nDCG 0.3915 and S@1
# 0.7747 (hyphenated words only): a word's score × (idf / top idf) ** 0.5 / 1 (nDCG 0.3902 / 0.3728,
# S@1 0.7644 / 0.7673); proximity over all word pairs (nDCG 0.3862, S@1 0.7644).
# Round 5 (dev halves against nDCG@10 0.4258, Success@1 0.7923; kept: soft matching from 3 words, coverage
# 0.75 and irregular forms in matching.py), tried and dropped: the densest 10-position window of query words
# by its idf, by its idf over the best single word's, by its squared idf share, or only where two words meet,
# added before or after feedback (weight 0.2-0.5; also 20 positions): nDCG 0.4116-0.4245, S@1 0.7850-0.7953;
# feedback without a passage's own vote (leave-one-out): nDCG 0.4240, S@1 0.7835. Feedback changes the top
# passage of only 9 dev questions (5 gained, 4 lost), at every lead of the best passage, so scaling its share
# by how concentrated the top passages are cannot move Success@1. A word held by most of a document's passages
# counted at its mean over them (share or share**2 of it, or all at half): nDCG 0.4188-0.4210, S@1 0.7909-0.7923.
# The words naming what a what/which question asks for ("what southern city") at 0.5 / 0.25: S@1 +1 / +2
# questions but nDCG -0.003 (Cranfield's "what similarity laws" name its subject). Leaving out "many much",
# "name kind sort type most more" or "known called happen": S@1 0.7894 / 0.7850 / 0.7879. Title weight 0 /
# 0.25 / 1: nDCG 0.4195 / 0.4238 / 0.4233, S@1 0.7894 / 0.7938 / 0.7938. Proximity window 2 / 5, weight 0.35
# / 0.7, adjacent pairs counted twice: within noise (nDCG 0.4230-0.4265, S@1 0.7909-0.8041, no pattern).
# The dev misses (148 before round 5): 33 in another article, 12 whose paragraph lacks a word of a 2-3 word
# query, 103 in the right article; where the gold paragraph is scored, it holds fewer of the query's words
# than the passage ranked first in 66 of 129 misses, as many in 57, more in 6: paraphrase, out of reach of
# word weights. 21 are "when" questions; the passage ranked first names a year in 18 of them.


@dataclass
class Ranking:
    """Matching passages (by docnum, with their documents) and the documents, best first."""

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
        """Return (docnum, score) of a document's best passages, best first (ties by docnum)."""
        places = np.flatnonzero(self.docs == ordinal)
        places = places[np.lexsort((self.ids[places], -self.scores[places]))][:limit]
        return [(int(self.ids[place]), float(self.scores[place])) for place in places]


def rank(searcher, arrays: GenerationArrays, parsed: ParsedQuery, weighting) -> Ranking:
    """Score every passage the query matches (less documents with an excluded word) and rank documents."""
    evaluator = Evaluator(searcher, arrays, weighting.B, weighting.K1)
    matches = score_matches(evaluator, searcher, parsed.query)
    excluded = parsed.excluded
    if excluded is not None and len(matches.ids):
        excluded_ids = score_matches(evaluator, searcher, excluded).ids
        excluded_docs = distinct(arrays.doc_of[excluded_ids]) if len(excluded_ids) else np.empty(0, np.int64)
        keep = ~np.isin(arrays.doc_of[matches.ids], excluded_docs)
        matches = Matches(matches.ids[keep], matches.scores[keep], matches.terms[keep])
    return rank_matches(arrays, matches.ids, matches.scores)


def rank_matches(arrays: GenerationArrays, ids: np.ndarray, scores: np.ndarray) -> Ranking:
    """Order the documents of scored passages by their best passage.

    A document's rank is its best passage's (score, then lowest docnum), the order in
    which it would first appear in a ranked list of passages; no sort of all matches.
    """
    docs = arrays.doc_of[ids] if len(ids) else np.empty(0, np.int64)
    keep = docs >= 0
    ids, scores, docs = ids[keep], scores[keep], docs[keep]
    count = len(arrays.doc_ids)
    present = np.bincount(docs, minlength=count) > 0
    best = np.full(count, -np.inf)
    np.maximum.at(best, docs, scores)
    at_best = scores == best[docs]
    first = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(first, docs[at_best], ids[at_best])
    matched = np.flatnonzero(present)
    documents = matched[np.lexsort((first[matched], -best[matched]))]
    return Ranking(arrays, ids, scores, docs, documents)


def score_for_ranking(evaluator: Evaluator, searcher, query) -> tuple[Matches, int]:
    """Score every passage for the results page; also return how many clauses (Matches.terms) a
    passage holding them all has, or 0 when every match holds them all.

    A long query needs only some of its words (Evaluator.most_of); words found near each other
    count extra; a very long one is re-ranked with words its best passages share.
    """
    soft = evaluator.most_of(query)
    matches, clauses = soft if soft is not None else (score_matches(evaluator, searcher, query), 0)
    matches = add_proximity(evaluator, query, matches)
    words = query_words(query)
    share = feedback_share(len(words))
    if share > 0:
        matches = add_feedback(evaluator, words, matches, share)
    return matches, clauses


def feedback_share(words: int) -> float:
    """Return the share of the feedback weight a query of this many plain words gets (0: none)."""
    if words < FEEDBACK_FROM:
        return 0.0
    return min(1.0, (words - FEEDBACK_FROM + 1) / (FEEDBACK_WORDS - FEEDBACK_FROM + 1))


def score_matches(evaluator: Evaluator, searcher, query) -> Matches:
    """Evaluate with arrays, or let Whoosh score every match when the query has an unmodelled part."""
    try:
        return evaluator.evaluate(query)
    except Unsupported:
        results = searcher.search(query, limit=None)
        pairs = sorted((docnum, score) for score, docnum in results.top_n)
        ids = np.array([docnum for docnum, _ in pairs], dtype=np.int64)
        return Matches(ids, np.array([score for _, score in pairs], dtype=np.float64), np.ones(len(ids), np.int64))
