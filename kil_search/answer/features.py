"""The figures the answer model weighs for each candidate sentence; all between about 0 and 1."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .answer_types import answer_type_evidence, defines, gives_reason, typed_near
from .candidates import Unit, is_list, is_row
from .question import Question
from .words import stem_of, stems

_LEANS_BACK = re.compile(r"^(?:It|Its|They|Their|Them|These|This|Those|He|His|She|Her|Such|Both|The latter|The former)\b")
_WORD = re.compile(r"\w+(?:\.?\w+)*")
_QUESTION_WORD = re.compile(r"^.*?\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)

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
    "date_match",  # the question asks when (what year, ...) and the sentence has a date: +1; has none: -1; else 0
    "number_match",  # ... asks how many or how much, and the sentence has a number the question does not give
    "name_match",  # ... asks who or which, and the sentence has a capitalised name the question does not give
    "place_match",  # ... asks where, and the sentence names a place: in/at/near/from a capitalised name
    "new_words",  # how much the sentence says besides the question's words
    "short",  # fewer than six words
    "row",  # a table row
    "list_asked",  # a whole list, for a question asking for several things ("what are the five ...")
    "list_unasked",  # a whole list, for any other question
    "first_on_page",  # the first unit of the page
    "bm25",  # the sentence's own BM25 score against the question's words (rarity-weighted, saturating, length-normalised)
    "off_pages",  # the rarest question word on none of the retrieved pages, against the rarest of all (same for every candidate)
    "strength",  # the best passage's retrieval score per unit of the question's total weight (same for every candidate)
    "exact",  # the question's words written exactly so in the sentence (not only sharing a stem), rarity-weighted
    "run",  # the longest stretch of the question's words that the sentence repeats in order, against the question's length
    "head_match",  # the question's first word after its question word ("which province", "what type of X") is in the sentence
    "end_match",  # the question's last word (often its verb: "who did Abercrombie replace") is in the sentence
    "answer_room",  # words of the sentence next to a matched word that the question does not hold: where an answer sits
    "position",  # its place on the page, from 0 (first) to 1 (last)
    "page_lead",  # its overlap less the best overlap of a unit on its page (0 for the page's best)
    "overall_lead",  # its overlap less the best overlap of any candidate (0 for the best)
    "bm25_lead",  # its BM25 less the best BM25 of any candidate
    "context_lead",  # its overlap with the sentence before it, less the best such of any candidate
    "before_instead",  # the question's words in the sentence before, for a sentence holding fewer of them itself
    "local_overlap",  # the question's words in it, each weighted by its rarity among the candidates rather than the library
    "page_local_overlap",  # ... by its rarity among the units of its own page
    "prefix",  # the question's words the sentence lacks but holds a word beginning with the same five letters ("industry", "industrialised")
    "rare_page",  # the question's words on its page, each weighted by its rarity squared: are the rarest ones there?
    "rare_near",  # ... in the sentence, the one either side, its headings or its title
    "typed_near",  # the kind of answer asked for (a figure, name, date, place) stands within six words of the question's rarest word: 1, not: -1
    "spelled_near",  # the question's words the sentence lacks but holds one spelled much like them ("Normandy", "Normans")
    "reason",  # a why-question, and the sentence gives a reason ("because", "in order to", "due to"): 1, gives none: -1; else 0
    "defines",  # a "what is X?" question, and the sentence opens "X is a / the ...": 1; else 0
    "meaning",  # the cosine of the question's vector and the sentence's (kil_search/meaning.py; 0 without the model)
    "meaning_lead",  # its meaning less the best meaning of any candidate
)
SPELLED_ALIKE = 0.5  # Dice overlap of two words' letter 4-grams (ends marked) from which they count as one word


def question_weights(question: Question, rarity: dict[str, float]) -> dict[str, float]:
    """Return each question stem with its weight: its rarity in the library (at least a little)."""
    return {term: max(0.1, rarity.get(term, 0.0)) for term in question.search_terms}


def features(question: Question, weights: dict[str, float], unknown: float, unit: Unit, page_stems: frozenset[str],
             title: str, found: Found, sense: np.ndarray | None = None) -> list[float]:
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
        *answer_type_evidence(question, unit.text),
        min(1.0, math.log1p(len(own_set - set(weights))) / math.log(30)),
        1.0 if len(unit.text.split()) < 6 else 0.0,
        1.0 if is_row(unit) else 0.0,
        1.0 if is_list(unit) and question.wants_list else 0.0,
        1.0 if is_list(unit) and not question.wants_list else 0.0,
        1.0 if unit.position == 0 else 0.0,
        _bm25(weights, own, total),
        found.off_pages,
        found.strength,
        _exact(question, weights, unit.text, total),
        _run(question, own),
        *_ends_matched(question, own_set | set(stems(unit.before))),
        _answer_room(own, set(weights)),
        float(unit.position),  # made relative to the page by matrix()
        0.0, 0.0, 0.0,  # leads: filled by matrix(), which sees every candidate
        sum(weights[term] for term in weights if term in own_set or term in before) / total,
        max(0.0, sum(weights[term] for term in weights if term in before) / total - sum(weights[term] for term in matched) / total),
        0.0, 0.0,  # local overlaps: filled by matrix()
        _prefix(weights, own_set, total),
        _rare_share(weights, page_stems),
        _rare_share(weights, near | above),
        typed_near(question, weights, unit.text),
        _spelled_near(weights, own_set, total),
        gives_reason(question, unit.text),
        defines(question, unit.text),
        unit_meaning(unit, sense),
        0.0,  # meaning lead: filled by matrix()
    ]


def unit_meaning(unit: Unit, sense: np.ndarray | None) -> float:
    """Return the cosine of the question's vector (sense) and the vector of the encoded sentence that holds most of
    the unit's words (the answer's units and the encoder's sentences are cut alike, but not always the same)."""
    if sense is None or not unit.page.meanings:
        return 0.0
    words = set(_WORD.findall(unit.text.lower()))
    if not words:
        return 0.0
    best, vector = max(((len(words & held) / len(words | held), vector) for held, vector in unit.page.meanings),
                       key=lambda pair: pair[0])
    return float(vector @ sense) if best > 0 else 0.0


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


def matrix(rows: list[list[float]], units: list[Unit] | None = None, weights: dict[str, float] | None = None) -> np.ndarray:
    """Return the feature rows as one array, with the columns that compare a candidate with the others filled in.

    units are the rows' candidates (the units of one page come together, in reading order); weights the question's.
    """
    array = np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURES))
    if not len(array) or units is None:
        return array
    column = FEATURES.index
    pages_of = np.asarray([unit.page.rank for unit in units])
    overlap = array[:, column("overlap")]
    held = _held(units, weights or {})
    array[:, column("local_overlap")] = _local_overlap(held)
    for page in np.unique(pages_of):
        on_page = pages_of == page
        array[on_page, column("page_lead")] = overlap[on_page] - overlap[on_page].max()
        places = array[on_page, column("position")]
        array[on_page, column("position")] = places / max(1.0, places.max())
        array[on_page, column("page_local_overlap")] = _local_overlap(held[on_page])
    array[:, column("overall_lead")] = overlap - overlap.max()
    array[:, column("bm25_lead")] = array[:, column("bm25")] - array[:, column("bm25")].max()
    context = array[:, column("context_lead")]
    array[:, column("context_lead")] = context - context.max()
    sense = array[:, column("meaning")]
    array[:, column("meaning_lead")] = sense - sense.max()
    return array


def _held(units: list[Unit], weights: dict[str, float]) -> np.ndarray:
    """Return a candidates x question words array: 1 where the candidate holds the word."""
    terms = list(weights)
    rows = []
    for unit in units:
        own = set(stems(unit.text))
        rows.append([term in own for term in terms])
    return np.array(rows, dtype=float).reshape(len(units), len(terms))


def _local_overlap(held: np.ndarray) -> np.ndarray:
    """Return each row's share of the question's words, each weighted by how few of these rows hold it."""
    if not held.size:
        return np.zeros(len(held))
    rarity = np.log((len(held) + 1) / (held.sum(axis=0) + 0.5))
    return held @ rarity / max(1e-9, float(rarity.sum()))


def _exact(question: Question, weights: dict[str, float], text: str, total: float) -> float:
    """Return the weight of the question's words that the sentence writes exactly as the question does."""
    written = set(_WORD.findall(text.lower()))
    found = {stem for word, stem in _written_words(question.text) if word in written}
    return sum(weights[term] for term in weights if term in found) / total


@lru_cache(maxsize=256)
def _written_words(text: str) -> tuple[tuple[str, str], ...]:
    """Return the question's words in lower case, each with its stem."""
    return tuple((word, stem_of(word)) for word in _WORD.findall(text.lower()))


def _run(question: Question, own: tuple[str, ...]) -> float:
    """Return the longest run of the question's words that the sentence repeats in the same order, over the question's words."""
    asked = stems(question.text)
    if not asked or not own:
        return 0.0
    places: dict[str, list[int]] = {}
    for place, word in enumerate(own):
        places.setdefault(word, []).append(place)
    best = 0
    for start, word in enumerate(asked):
        for place in places.get(word, ()):
            length = 1
            while (start + length < len(asked) and place + length < len(own)
                   and asked[start + length] == own[place + length]):
                length += 1
            best = max(best, length)
    return best / len(asked)


def _ends_matched(question: Question, near: set[str]) -> tuple[float, float]:
    """Return whether the question's first content word after its question word, and its last word, are in near."""
    ends = _question_ends(question.text)
    return (float(ends[0] in near), float(ends[1] in near)) if ends else (0.0, 0.0)


@lru_cache(maxsize=256)
def _question_ends(text: str) -> tuple[str, str] | None:
    """Return the question's first content stem after its question word and its last one (None without any)."""
    asked = stems(_QUESTION_WORD.sub(" ", text)) or stems(text)
    return (asked[0], asked[-1]) if asked else None


def _prefix(weights: dict[str, float], own: set[str], total: float) -> float:
    """Return the weight of the question's words the sentence lacks but has a word sharing their first five letters."""
    starts = {word[:5] for word in own if len(word) >= 5}
    return sum(weight for term, weight in weights.items() if term not in own and len(term) >= 5 and term[:5] in starts) / total


def _spelled_near(weights: dict[str, float], own: set[str], total: float) -> float:
    """Return the weight of the question's words the sentence lacks but holds a word spelled much like (4-gram Dice)."""
    held = [_grams(word) for word in own if len(word) >= 4]
    found = 0.0
    for term, weight in weights.items():
        if term in own or len(term) < 4:
            continue
        asked = _grams(term)
        if any(2 * len(asked & grams) >= SPELLED_ALIKE * (len(asked) + len(grams)) for grams in held):
            found += weight
    return found / total


@lru_cache(maxsize=65536)
def _grams(word: str) -> frozenset[str]:
    """Return a word's letter 4-grams, its ends marked ("#norm", "man#")."""
    marked = f"#{word}#"
    return frozenset(marked[start:start + 4] for start in range(len(marked) - 3))


def _rare_share(weights: dict[str, float], held: frozenset[str] | set[str]) -> float:
    """Return the share of the question's squared rarity that held words carry (the rarest words count most)."""
    total = sum(weight * weight for weight in weights.values()) or 1.0
    return sum(weight * weight for term, weight in weights.items() if term in held) / total


def _answer_room(own: tuple[str, ...], asked: set[str]) -> float:
    """Return the share of the sentence's new words that stand within two words of a matched one."""
    new = [place for place, word in enumerate(own) if word not in asked]
    matched = [place for place, word in enumerate(own) if word in asked]
    if not new or not matched:
        return 0.0
    return sum(1 for place in new if any(abs(place - other) <= 2 for other in matched)) / len(new)


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


