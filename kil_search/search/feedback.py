"""Pseudo-relevance feedback for long queries: words the best passages share lend their weight (Bo1).

A long natural-language query ("what similarity laws must be obeyed when constructing aeroelastic
models of heated high speed aircraft") names its subject in words its best matches use around
it. The words most over-represented in the top passages, by Amati's Bo1 (Bose-Einstein) weight
against the whole index, are added with a smaller weight. They only re-rank what the query
matched: a document is never found for a word that was not typed.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from whoosh import query as wq

from .glossary import stems
from .matching import Evaluator, Matches
from .query import FIELD_BOOSTS, SEARCH_FIELDS

TOP_PASSAGES = 8
EXPANSION_WORDS = 10
WEIGHT = 0.5  # of the strongest expansion word, next to a typed word
LONGEST_PASSAGE_CHARS = 3000


def add_feedback(evaluator: Evaluator, words: list[str], matches: Matches) -> Matches:
    """Return matches re-scored with the query words' Bo1 expansion from the best passages."""
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
        scores[hit] += WEIGHT * weight / strongest * found.scores[places[hit]]
    return Matches(matches.ids, scores, matches.terms)


def expansion_words(evaluator: Evaluator, typed: set[str], matches: Matches) -> dict[str, float]:
    """Return the best expansion words with their Bo1 weights."""
    top = matches.ids[np.argsort(-matches.scores, kind="stable")[:TOP_PASSAGES]]
    counts: Counter = Counter()
    for docnum in top.tolist():
        text = evaluator.searcher.stored_fields(docnum).get("text", "")[:LONGEST_PASSAGE_CHARS]
        counts.update(word for word in stems(text) if word not in typed and len(word) > 2 and not word.isdigit())
    reader = evaluator.searcher.reader()
    passages = max(1, int((evaluator.arrays.doc_of >= 0).sum()))
    weights = {}
    for word, in_top in counts.items():
        if in_top < 2:
            continue
        mean = reader.frequency("text", word) / passages
        if mean <= 0:
            continue
        weights[word] = in_top * math.log2((1 + mean) / mean) + math.log2(1 + mean)
    best = sorted(weights.items(), key=lambda pair: (-pair[1], pair[0]))[:EXPANSION_WORDS]
    return dict(best)
