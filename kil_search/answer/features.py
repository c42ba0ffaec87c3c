"""The figures the answer model weighs for each candidate sentence; all between about 0 and 1."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .candidates import Unit, is_list, is_row
from .question import Question
from .words import capitalised, has_date, has_number, stems

_LEANS_BACK = re.compile(r"^(?:It|Its|They|Their|Them|These|This|Those|He|His|She|Her|Such|Both|The latter|The former)\b")
_WANTS_DATE = re.compile(r"\b(?:year|century|decade|date|month)\b", re.IGNORECASE)
_WANTS_NUMBER = re.compile(r"\b(?:how many|how much|number of|percentage|proportion|amount)\b", re.IGNORECASE)

FEATURES = (
    "overlap",  # the question's words in the sentence, each weighted by its rarity
    "context",  # ... in the sentence or the one either side
    "before",  # ... in the sentence before it but not in it
    "after",  # ... in the sentence after it but not in it
    "leans_back",  # it opens with a word pointing back ("It", "They", "This"): what it is about was said before
    "around",  # ... in the headings above it, the section or the document's title
    "page",  # ... anywhere on its page
    "bigrams",  # the question's word pairs that stand together in the sentence too
    "matched",  # the share of the question's words in the sentence, unweighted
    "closeness",  # how tightly the matched words sit together
    "rarest_missing",  # the rarest question word found nowhere around the sentence, against the rarest of all
    "unknown",  # the share of the question's weight the library never uses
    "page_rank",  # 1 / (1 + the page's place in the search's ranking)
    "page_score",  # the page's best passage score against the best page's
    "type_match",  # the question wants a date, number or name and the sentence has one the question does not give
    "type_missing",  # ... and it has none
    "new_words",  # how much the sentence says besides the question's words
    "short",  # fewer than six words
    "row",  # a table row
    "list_asked",  # a whole list, for a question asking for several things ("what are the five ...")
    "list_unasked",  # a whole list, for any other question
    "first_on_page",  # the first unit of the page
    "bm25",  # the sentence's own BM25 score against the question's words (rarity-weighted, saturating, length-normalised)
    "off_pages",  # the rarest question word on none of the retrieved pages, against the rarest of all (same for every candidate)
    "strength",  # the best passage's retrieval score per unit of the question's total weight (same for every candidate)
)


def question_weights(question: Question, rarity: dict[str, float]) -> dict[str, float]:
    """Return each question stem with its weight: its rarity in the library (at least a little)."""
    return {term: max(0.1, rarity.get(term, 0.0)) for term in question.search_terms}


def features(question: Question, weights: dict[str, float], unknown: float, unit: Unit, page_stems: frozenset[str],
             title: str, found: Found) -> list[float]:
    """Return the candidate's feature vector in FEATURES order."""
    total = sum(weights.values()) or 1.0
    own = stems(unit.text)
    own_set = set(own)
    before, after = set(stems(unit.before)), set(stems(unit.after))
    near = own_set | before | after
    above = set(stems(" ".join(unit.headings) + " " + title))
    matched = [term for term in weights if term in own_set]
    rarest = max(weights.values()) if weights else 1.0
    missing = [weights[term] for term in weights if term not in near and term not in above]
    return [
        sum(weights[term] for term in matched) / total,
        sum(weight for term, weight in weights.items() if term in near) / total,
        sum(weight for term, weight in weights.items() if term in before and term not in own_set) / total,
        sum(weight for term, weight in weights.items() if term in after and term not in own_set) / total,
        1.0 if _LEANS_BACK.match(unit.text) else 0.0,
        sum(weight for term, weight in weights.items() if term in above) / total,
        sum(weight for term, weight in weights.items() if term in page_stems) / total,
        _bigrams(question, own),
        len(matched) / max(1, len(weights)),
        _closeness(own, set(matched)),
        max(missing, default=0.0) / rarest,
        unknown,
        1.0 / (1 + unit.page.rank),
        unit.page.score,
        *_answer_type(question, unit.text, own_set),
        min(1.0, math.log1p(len(own_set - set(weights))) / math.log(30)),
        1.0 if len(unit.text.split()) < 6 else 0.0,
        1.0 if is_row(unit) else 0.0,
        1.0 if is_list(unit) and question.wants_list else 0.0,
        1.0 if is_list(unit) and not question.wants_list else 0.0,
        1.0 if unit.position == 0 else 0.0,
        _bm25(weights, own, total),
        found.off_pages,
        found.strength,
    ]


@dataclass(frozen=True)
class Found:
    """What the retrieval as a whole says of the question: are its rarest words there at all, and how strongly."""

    off_pages: float
    strength: float


def retrieval_figures(weights: dict[str, float], pages_stems: set[str], best_score: float) -> Found:
    """Return the question-wide figures: the rarest word missing from every page, and the best score per weight."""
    if not weights:
        return Found(0.0, 0.0)
    rarest = max(weights.values())
    missing = max((weight for term, weight in weights.items() if term not in pages_stems), default=0.0)
    return Found(missing / rarest, min(3.0, best_score / sum(weights.values())))


def matrix(rows: list[list[float]]) -> np.ndarray:
    """Return the feature rows as one array."""
    return np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURES))


def _bigrams(question: Question, own: tuple[str, ...]) -> float:
    """Return the share of the question's adjacent word pairs that stand within two words of each other in the sentence."""
    asked = stems(question.text)
    pairs = {(a, b) for a, b in zip(asked, asked[1:]) if a != b}
    if not pairs:
        return 0.0
    positions: dict[str, list[int]] = {}
    for place, word in enumerate(own):
        positions.setdefault(word, []).append(place)
    together = sum(1 for a, b in pairs if any(0 < abs(q - p) <= 2 for p in positions.get(a, ()) for q in positions.get(b, ())))
    return together / len(pairs)


def _bm25(weights: dict[str, float], own: tuple[str, ...], total: float, k1: float = 1.2, b: float = 0.75,
          usual: float = 25.0) -> float:
    """Return the sentence's BM25 score for the question's words over their total weight (a sentence of usual length)."""
    counts: dict[str, int] = {}
    for word in own:
        if word in weights:
            counts[word] = counts.get(word, 0) + 1
    norm = k1 * (1 - b + b * len(own) / usual)
    return sum(weights[term] * count * (k1 + 1) / (count + norm) for term, count in counts.items()) / total


def _closeness(own: tuple[str, ...], matched: set[str]) -> float:
    """Return matched words / the shortest stretch of the sentence holding them all (0 with fewer than two)."""
    if len(matched) < 2:
        return 0.0
    places = [(place, word) for place, word in enumerate(own) if word in matched]
    best = len(own)
    for start in range(len(places)):
        seen: set[str] = set()
        for place, word in places[start:]:
            seen.add(word)
            if len(seen) == len(matched):
                best = min(best, place - places[start][0] + 1)
                break
    return len(matched) / best


def _answer_type(question: Question, text: str, own: set[str]) -> tuple[float, float]:
    """Return (has the kind of answer asked for, lacks it); both 0 when the question wants no particular kind."""
    asked = set(stems(question.text))
    if question.kind in ("when", "how_long") or _WANTS_DATE.search(question.text):
        found = has_date(text) or (question.kind == "how_long" and has_number(text))
    elif question.kind in ("how_many", "how_much") or _WANTS_NUMBER.search(question.text):
        found = has_number(text)
    elif question.kind in ("who", "where") or question.wants_names:
        found = bool(capitalised(text) - asked)
    else:
        return 0.0, 0.0
    return (1.0, 0.0) if found else (0.0, 1.0)
