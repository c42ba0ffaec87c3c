"""How a unit of text holds the question's words: in full, only in an aside, or only through a synonym.

A word counts in full when the sentence itself says it. A word found only inside brackets
("East Sussex (the first county council) joined") qualifies something else, and a word found
only through the glossary ("local authority" for "council") is a likelier match than none but
a weaker one than the word itself; both count for part.
"""

from __future__ import annotations

import re

from .candidates import analyse
from .glossary import stems
from .question import Question

ASIDE_WEIGHT = 0.5  # a question word found only inside brackets
SYNONYM_WEIGHT = 0.6  # a question word found only as one of its glossary alternatives
PHRASE_FLOOR = 0.88  # a candidate with none of the question's word pairs side by side keeps this share
PHRASE_REACH = 2  # how far apart (in words) a pair may stand in the text and still read as one phrase
_ASIDE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def held_words(question: Question, text: str) -> dict[str, float]:
    """Return each question term the text holds, with how fully it holds it (1, or less for asides and synonyms)."""
    words, tokens = analyse(text)
    words = question.found(words)
    held = {term: 1.0 for term in question.terms if term in words}
    if held and ("(" in text or "[" in text):
        outside = question.found(analyse(_ASIDE.sub(" ", text))[0])
        held = {term: 1.0 if term in outside else ASIDE_WEIGHT for term in held}
    missing = [term for term in question.terms if term not in held]
    if missing and question.synonyms:
        at: dict[int, set[str]] = {}
        for word, position, _ in tokens:
            at.setdefault(position, set()).add(word)
        for term in missing:
            if any(_contains(at, alternative) for alternative in question.synonyms.get(term, ())):
                held[term] = SYNONYM_WEIGHT
    return held


def glossary_synonyms(glossary, question: Question) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Return, for each question term inside a glossary term ("council", "early intervention"), the analysed alternatives."""
    if glossary is None:
        return {}
    analysed = [question.stems.get(term, term) for term in question.terms]
    found: dict[str, tuple[tuple[str, ...], ...]] = {}
    for start in range(len(analysed)):
        for length in range(min(glossary.longest, len(analysed) - start), 0, -1):
            alternatives = glossary.alternatives(tuple(analysed[start:start + length]))
            if alternatives:
                keys = tuple(key for key in (stems(alternative) for alternative in alternatives) if key)
                for term in question.terms[start:start + length]:
                    found[term] = found.get(term, ()) + keys
                break
    return found


def proximity(terms: list[str], tokens) -> float:
    """Return a factor near 1 when the question words found sit close together."""
    wanted = set(terms)
    positions = [(pos, word) for word, pos, _ in tokens if word in wanted]
    distinct = len({word for _, word in positions})
    if distinct <= 1:
        return 0.9
    best = len(tokens) + 1
    for start in range(len(positions)):
        seen = set()
        for pos, word in positions[start:]:
            seen.add(word)
            if len(seen) == distinct:
                best = min(best, pos - positions[start][0] + 1)
                break
    return 0.85 + 0.15 * min(1.0, distinct / best * 2)


def phrases(question: Question, tokens) -> float:
    """Return a factor for how many of the question's phrases ("local economy") found in the text stand together there too.

    Only words next to each other in the question make a phrase: in "how many councils are in
    the network", "councils" and "network" are not one, and "the network of seventeen councils"
    answers it as well as "seventeen councils in the network".
    """
    positions: dict[str, list[int]] = {}
    for word, position, _ in tokens:
        positions.setdefault(word, []).append(position)
    pairs = {(a, b) for a, b in question.phrase_pairs if a in positions and b in positions}
    if not pairs:
        return 1.0
    together = sum(1 for a, b in pairs if any(0 < q - p <= PHRASE_REACH for p in positions[a] for q in positions[b]))
    return PHRASE_FLOOR + (1 - PHRASE_FLOOR) * together / len(pairs)


def _contains(at: dict[int, set[str]], words: tuple[str, ...]) -> bool:
    """True when words occur one after another in a text given as {position: words there}."""
    return any(all(word in at.get(start + offset, ()) for offset, word in enumerate(words)) for start in at if words[0] in at[start])
