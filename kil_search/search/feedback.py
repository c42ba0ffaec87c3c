"""Pseudo-relevance feedback for long queries: words the best passages use lend their weight (a relevance model).

A long natural-language query ("what similarity laws must be obeyed when constructing aeroelastic
models of heated high speed aircraft") names its subject in words its best matches use around
it. Each of the top passages votes for its words by their share of its text, the vote weighted by
how far the passage leads (exp of its score over the best one's: Lavrenko and Croft's relevance
model, RM1, with BM25 standing in for the query likelihood). The words with most votes are added
with a smaller weight. They only re-rank what the query matched: a document is never found for a
word that was not typed.

Issue 14, dev halves (Cranfield nDCG@10 / Recall@100, SQuAD Success@1), against Amati's Bo1 weights
used before (0.3915 / 0.7851, 0.7747): this model 0.4105 / 0.8001, 0.7747; held-out halves
0.3883 -> 0.3956 nDCG, 0.7516 -> 0.7617 Recall. The vote's exp weighting matters: voting by score
shares or equally lost to Bo1 (0.3896 / 0.3867 nDCG).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from whoosh import query as wq

from .glossary import stems
from .matching import Evaluator, Matches
from .query import FIELD_BOOSTS, SEARCH_FIELDS

TOP_PASSAGES = 8  # dev: 5 / 12 level (nDCG 0.4053 / 0.4068 at 10 expansion words)
EXPANSION_WORDS = 20  # dev: 5 / 10 / 30 gave nDCG 0.4011 / 0.4063 / 0.4133
WEIGHT = 0.5  # of the strongest expansion word, next to a typed word (dev: 0.3 / 0.7 / 1.0 no better)
# Words in more than this share of passages never expand a query (dev: 0.05 / 0.1 / 0.3 / 1.0 gave
# nDCG 0.4018 / 0.4020 / 0.4024 / 0.4021 against 0.4063 at 0.2, 10 expansion words).
COMMON_SHARE = 0.2
LONGEST_PASSAGE_CHARS = 3000


def add_feedback(evaluator: Evaluator, words: list[str], matches: Matches, share: float = 1.0) -> Matches:
    """Return matches re-scored with the query's expansion words from its best passages (at share of WEIGHT)."""
    if not len(matches.ids):
        return matches
    expansion = expansion_words(evaluator, set(words), matches)
    if not expansion:
        return matches
    scores = matches.scores.copy()
    strongest = max(expansion.values())
    for word, weight in expansion.items():
        clause = wq.Or([wq.Term(field, word, boost=FIELD_BOOSTS[field]) for field in SEARCH_FIELDS])
        found = evaluator.evaluate(clause)
        if not len(found.ids):
            continue
        places = np.searchsorted(found.ids, matches.ids)
        places = np.minimum(places, len(found.ids) - 1)
        hit = found.ids[places] == matches.ids
        scores[hit] += share * WEIGHT * weight / strongest * found.scores[places[hit]]
    return Matches(matches.ids, scores, matches.terms)


def expansion_words(evaluator: Evaluator, typed: set[str], matches: Matches) -> dict[str, float]:
    """Return the best expansion words with their relevance-model weights."""
    order = _top_passages(evaluator, matches)
    leads = np.exp(matches.scores[order] - matches.scores[order].max())
    leads /= leads.sum()
    passages = _live_passage_count(evaluator)
    most = COMMON_SHARE * max(1, int((evaluator.arrays.doc_of >= 0).sum()))
    votes: Counter = Counter()
    for docnum, lead in zip(matches.ids[order].tolist(), leads.tolist()):
        words = stems(evaluator.searcher.stored_fields(docnum).get("text", "")[:LONGEST_PASSAGE_CHARS])
        for word, count in Counter(words).items():
            if _candidate(word, typed) and passages(word) <= most:
                votes[word] += lead * count / len(words)
    best = sorted(votes.items(), key=lambda pair: (-pair[1], pair[0]))[:EXPANSION_WORDS]
    return {word: weight for word, weight in best if weight > 0 and math.isfinite(weight)}


def _top_passages(evaluator: Evaluator, matches: Matches) -> np.ndarray:
    """Return the places of the TOP_PASSAGES best matches, equal scores at the cut taken by record id.

    Record numbers differ between an index updated in place and a fresh build of the same library,
    so a tie at the cut broken by them would feed the two different passages.
    """
    order = np.argsort(-matches.scores, kind="stable")
    if len(order) <= TOP_PASSAGES:
        return order
    cut = matches.scores[order[TOP_PASSAGES - 1]]
    above = order[matches.scores[order] > cut]
    tied = order[matches.scores[order] == cut].tolist()
    tied.sort(key=lambda place: str(evaluator.searcher.stored_fields(int(matches.ids[place])).get("record_id", "")))
    return np.array(above.tolist() + tied, dtype=np.int64)[:TOP_PASSAGES]


def _live_passage_count(evaluator: Evaluator):
    """Return a function counting the live passages that hold a word.

    Whoosh's doc_frequency counts deleted records too until a merge drops them, so after an
    incremental run the expansion words (and the ranking) differed from a fresh build's; with
    deletions the generation's arrays count instead.
    """
    reader = evaluator.searcher.reader()
    if not reader.has_deletions():
        return lambda word: reader.doc_frequency("text", word)
    return lambda word: len(evaluator.arrays.term("text", word).ids)


def _candidate(word: str, typed: set[str]) -> bool:
    """True for a word that may expand a query: not typed, not a number, longer than two letters."""
    return word not in typed and len(word) > 2 and not word.isdigit()
