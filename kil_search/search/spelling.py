"""Did you mean: replace words the index has never seen by the closest frequent word it has.

Uses the index's `words` field (kil_search.index.analysis.WordCounts): every word of every
passage, unstemmed, counted once per passage. The service shows a correction only when it
finds more documents than what was typed.
"""

from __future__ import annotations

import re
from typing import Callable

from ..index.analysis import fold_accents
from .query import MAX_QUERY_CHARS, MAX_TERMS

# Words shorter than this are left alone: too many near neighbours to guess well.
MIN_WORD_LENGTH = 4
# Longer strings are not misspelt words, and each letter costs the Levenshtein automaton more:
# a 10,000-letter "word" took 4.6 s to look up.
MAX_WORD_LENGTH = 30
SPELLING_FIELD = "words"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_OPERATORS = {"AND", "OR", "NOT"}


def correct_query(searcher, text: str, frequency: Callable[[str], float] | None = None) -> str | None:
    """Return text with each unknown word corrected (the first MAX_TERMS of them), or None when nothing changes.

    frequency gives a word's count in the `words` field (default: Whoosh's, which counts deleted records too).
    """
    reader = searcher.reader()
    frequency = frequency or (lambda word: reader.frequency(SPELLING_FIELD, word))
    changed = False
    lookups = 0

    def replace(match: re.Match) -> str:
        nonlocal changed, lookups
        word = match.group()
        lower = fold_accents(word.lower())  # as the `words` field holds it: "Café" is known when "cafe" is
        if word in _OPERATORS or not MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH or lookups >= MAX_TERMS:
            return word
        if frequency(lower) > 0:
            return word
        lookups += 1
        counted = {candidate: frequency(candidate) for candidate in reader.terms_within(SPELLING_FIELD, lower, 2, prefix=1)}
        candidates = [candidate for candidate, count in counted.items() if count > 0]  # not only in deleted records
        if not candidates:
            return word
        best = min(candidates, key=lambda candidate: (_distance(lower, candidate), -counted[candidate], candidate))
        changed = True
        return best.capitalize() if word[:1].isupper() and word[1:].islower() else best

    text = text[:MAX_QUERY_CHARS]  # the part of the query the search used
    corrected = _WORD.sub(replace, text)
    return corrected if changed and corrected != text else None


def _distance(first: str, second: str) -> int:
    """Return the Damerau-Levenshtein distance between two short words."""
    previous_row = None
    row = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + (a != b))
            if before is not None and i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]
