"""Score the answer units of one page against a question; lists are scored whole."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter

from ..index.schema import text_analyzer
from .cues import cue_strength, inline_list_items, list_count_fit
from .question import Question
from .sentences import HEADING, ITEM, ROW, SENTENCE, Unit, split_units

_ANALYZER = text_analyzer()
_AS_WRITTEN = RegexTokenizer() | LowercaseFilter() | StopFilter()  # the same tokens and positions, unstemmed

# How much a question word found only around a unit counts, against one found in it.
HEADING_WEIGHTS = (0.6, 0.45, 0.3)  # the nearest heading above, the one above that...
TITLE_WEIGHT = 0.5  # the document's title or type ("report", "guide")
NAMED_DOCUMENT_SHARE = 0.3  # when the title holds this share of the question, the question names the document...
NAMED_DOCUMENT_WEIGHT = 1.0  # ...and its title words count as found in every sentence of it
NAME_IN_HEADING = 0.9  # a name the question gives, found in a heading above the unit or in the title
NAME_ON_PAGE = 0.5  # ...found elsewhere on the page
NAME_IN_DOCUMENT = 0.4  # ...found on another retrieved page of the document
NEIGHBOUR_WEIGHT = 0.35
OWN_SHARE = 0.35  # the rest of the coverage comes from the unit with its surroundings
LIST_ITEM_WEIGHT = 0.5  # question words inside list items count half: the lead-in names the list
INTRODUCTION_WEIGHT = 0.8  # ...and the sentences or headings a little before it nearly as much
INTRODUCTION_UNITS = 5
UNASKED_LIST = 0.75  # a list offered for a question that did not ask for one...
ANNOUNCED_LIST = 0.9  # ...unless a line ending in a colon announces it
UNASKED_ITEM_WEIGHT = 0.25  # question words in the items of a list nobody asked for
FOCUS_FLOOR = 0.7  # a unit holding none of the question's words other than names keeps this share...
FOCUS_ENOUGH = 0.4  # ...and one holding this share of their weight keeps all of its score
RECENT_FLOOR = 0.85  # the oldest document's share when the question asks about now
PHRASE_FLOOR = 0.88  # a candidate with none of the question's word pairs side by side keeps this share
MIN_NEW_WORDS = 2  # an answer must say something the question did not
_ANAPHOR = re.compile(r"^(?:It|Its|They|Their|These|This|Those|Such|He|She|His|Her|Both|Each)\b")


@dataclass
class PageText:
    """One retrieved page (or web page section) with its document's stored fields."""

    fields: dict  # doc_id, title, doc_type, date, format, section, page...
    text: str
    retrieval: float  # the page's best passage score relative to the best page (0 to 1)
    recency: float = 0.5  # the document's date among the retrieved documents' (0 oldest, 1 newest)


@dataclass
class Candidate:
    """A scored answer: one or two units (or a whole list) of a page, with their neighbours."""

    page: PageText
    text: str
    score: float
    before: str
    after: str
    heading: str
    detail: dict = field(default_factory=dict)  # the score's parts, for tuning and debugging


@lru_cache(maxsize=8192)
def analyse(text: str) -> tuple[frozenset[str], tuple[tuple[str, int, int], ...]]:
    """Return the words of text, both analysed and as written (lower case), and (word, position, start) triples."""
    stemmed = [(token.text, token.pos, token.startchar) for token in _ANALYZER(text, positions=True, chars=True)]
    written = [(token.text, token.pos, token.startchar) for token in _AS_WRITTEN(text, positions=True, chars=True)]
    tokens = tuple(sorted(stemmed + [token for token, stem in zip(written, stemmed) if token[0] != stem[0]],
                          key=lambda token: token[1]))
    return frozenset(word for word, _, _ in tokens), tokens


def score_page(question: Question, rarity: dict[str, float], page: PageText,
               document_words: frozenset[str] = frozenset()) -> list[Candidate]:
    """Return every unit of the page, and every list on it, as a scored candidate.

    document_words are the words found on several retrieved pages of the document: a name the
    question gives (a place, an organisation) is half found when the document keeps coming back to it.
    """
    hard_wrapped = page.fields.get("format") == "pdf"
    units = split_units(page.text, hard_wrapped, whole_items=question.wants_list)
    if not units:
        return []
    title = f'{page.fields.get("title", "")} {page.fields.get("doc_type", "")}'
    title_words = analyse(title)[0]
    if not any(term in title_words for term in question.names):
        document_words = frozenset()  # only a document named by the question lends its names to every page
    page_words = analyse(page.text)[0]
    name_weights = {term: _name_weight(term, page_words, document_words) for term in question.terms if question.is_name(term)}
    headings = _headings(units)
    total = sum(rarity.get(term, 0.0) for term in question.terms) or 1.0
    named = sum(rarity[term] for term in question.terms if term in title_words) / total >= NAMED_DOCUMENT_SHARE
    title_weight = NAMED_DOCUMENT_WEIGHT if named else TITLE_WEIGHT
    candidates = []
    for first in range(len(units)):
        # For "what is X", a sentence leaning on this one ("They are ...") may hold the definition: it joins the answer.
        last = first + 1 if question.wants_definition and _carries_on(units, first) else first
        text = " ".join(unit.text for unit in units[first:last + 1])
        words, tokens = analyse(units[first].text)
        heading_weights = _heading_weights(headings[first])
        around = [analyse(units[i].text)[0] for i in (first - 1, first + 1) if 0 <= i < len(units) and units[i].kind != HEADING]
        own = sum(rarity[t] for t in question.terms if t in words)
        near = 0.0
        for term in question.terms:
            weight = _context_weight(term, words, heading_weights, title_words, title_weight, around, term in name_weights)
            near += rarity[term] * max(weight, name_weights.get(term, 0.0))
        coverage = (OWN_SHARE * own + (1 - OWN_SHARE) * near) / total
        term_start = next((start for word, _, start in tokens if word in question.terms), None)
        parts = {"own": own / total, "near": near / total, "proximity": _proximity(question.terms, tokens),
                 "phrases": _phrases(question.terms, tokens), "shape": _shape(question, units[first], text, analyse(text)[0]),
                 "cue": _cue(question, text, title, term_start), "retrieval": 0.95 + 0.05 * page.retrieval,
                 "recency": _recency(question, page), "focus": _focus(question, rarity, words)}
        score = coverage
        for factor in ("proximity", "phrases", "shape", "cue", "retrieval", "recency", "focus"):
            score *= parts[factor]
        candidate = _candidate(page, units, first, last, text, score, headings[first])
        candidate.detail = parts
        candidates.append(candidate)
    if not question.wants_list:
        units = split_units(page.text, hard_wrapped)
        headings = _headings(units)
    candidates.extend(_list_candidates(question, rarity, page, units, headings, title, title_weight, total))
    return candidates


def _focus(question: Question, rarity: dict[str, float], words: frozenset[str]) -> float:
    """Return a factor for whether the unit itself holds what is asked about, not just the names around it.

    Names ("the Lloyds Bank Foundation") may be lent by headings and titles; the other words
    ("chief executive", "left") are what the question is about and must be in the sentence.
    """
    asked_about = [term for term in question.terms if not question.is_name(term)]
    weight = sum(rarity[term] for term in asked_about)
    if not weight:
        return 1.0
    share = sum(rarity[term] for term in asked_about if term in words) / weight
    return min(1.0, FOCUS_FLOOR + (1 - FOCUS_FLOOR) * share / FOCUS_ENOUGH)


def _recency(question: Question, page: PageText) -> float:
    """Return a factor favouring the newest documents when the question asks how things stand now."""
    return RECENT_FLOOR + (1 - RECENT_FLOOR) * page.recency if question.wants_latest else 1.0


def _carries_on(units: tuple[Unit, ...], index: int) -> bool:
    """True when the next sentence of the same paragraph leans on this one ("They are ...")."""
    following = index + 1
    return (following < len(units) and units[index].kind == SENTENCE and units[following].kind == SENTENCE
            and units[following].block == units[index].block and bool(_ANAPHOR.match(units[following].text)))


def _heading_weights(headings: tuple[str, ...]) -> dict[str, float]:
    """Return each analysed word of the headings above a unit with the weight of the nearest one holding it."""
    weights: dict[str, float] = {}
    for heading, weight in zip(headings, HEADING_WEIGHTS):
        for word in analyse(heading)[0]:
            weights.setdefault(word, weight)
    return weights


def _name_weight(term: str, page_words: frozenset[str], document_words: frozenset[str]) -> float:
    """Return how much a name from the question counts when it is on the page or in the document only."""
    if term in page_words:
        return NAME_ON_PAGE
    return NAME_IN_DOCUMENT if term in document_words else 0.0


def _context_weight(term: str, words, heading_weights, title_words, title_weight: float, around, is_name: bool) -> float:
    """Return how much a question word counts for a unit: in it, in a heading above, the title or a neighbour.

    A name found in a heading or the title counts nearly in full: a sentence under "Case study:
    Thornhill Lees Community Hub" is about that hub even when it only says "the hub".
    """
    if term in words:
        return 1.0
    heading = heading_weights.get(term, 0.0)
    in_title = term in title_words
    if is_name and (heading or in_title):
        return NAME_IN_HEADING
    found = [heading, title_weight if in_title else 0.0]
    found.append(NEIGHBOUR_WEIGHT if any(term in neighbour for neighbour in around) else 0.0)
    return max(found)


def _proximity(terms: list[str], tokens) -> float:
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


def _phrases(terms: list[str], tokens) -> float:
    """Return a factor for how many pairs of neighbouring question words found in the text stand together there too."""
    positions: dict[str, list[int]] = {}
    for word, position, _ in tokens:
        positions.setdefault(word, []).append(position)
    pairs = {(a, b) for a, b in zip(terms, terms[1:]) if a in positions and b in positions}
    if not pairs:
        return 1.0
    together = sum(1 for a, b in pairs if any(0 < q - p <= 2 for p in positions[a] for q in positions[b]))
    return PHRASE_FLOOR + (1 - PHRASE_FLOOR) * together / len(pairs)


def _shape(question: Question, unit: Unit, text: str, words: frozenset[str]) -> float:
    """Return a factor for the candidate's form: too short, too long, a heading, nothing new."""
    if len(words - set(question.terms)) < MIN_NEW_WORDS:
        return 0.0
    length = len(text.split())
    factor = 1.0
    if unit.kind == HEADING:
        factor *= 0.7
    elif length < 5 and unit.kind != ROW:
        factor *= 0.75
    if length > 70:
        factor *= 0.85
    if text[:1].islower():
        factor *= 0.8  # the tail of a sentence begun on the page before
    if question.wants_list and not question.wants_names:
        items = inline_list_items(text)
        fit = list_count_fit(question, items) if items else 0.0
        floor = 0.4 if question.list_count else 0.6  # "what are the N ..." asks for the list itself
        factor *= floor + (1 - floor) * fit
    return factor


def _cue(question: Question, text: str, known: str = "", term_start: int | None = None) -> float:
    """Return a factor for whether text has the kind of answer asked for."""
    strength = cue_strength(question, text, known, term_start)
    return 1.0 if strength is None else 0.5 + 0.5 * strength


def _headings(units: tuple[Unit, ...]) -> list[tuple[str, ...]]:
    """Return, for each unit, the headings above it on the page, nearest first."""
    current: list[str] = []
    found = []
    for unit in units:
        found.append(tuple(reversed(current[-len(HEADING_WEIGHTS):])))
        if unit.kind == HEADING:
            current.append(unit.text)
    return found


def _list_candidates(question, rarity, page, units, headings, title, title_weight, total) -> list[Candidate]:
    """Return each list on the page, with the line that introduces it, as one candidate."""
    candidates = []
    title_words = analyse(title)[0]
    for first, last in _list_runs(units):
        # The line announcing the list ("The principles are:") leads the answer; other lines before it are context.
        announces = first > 0 and units[first - 1].kind not in (ITEM, HEADING) and units[first - 1].text.endswith(":")
        lead_index = first - 1 if announces else None
        lead = units[lead_index].text if lead_index is not None else ""
        lead_words = analyse(lead)[0] | analyse(headings[first][0] if headings[first] else "")[0]
        intro_words = frozenset().union(*(analyse(unit.text)[0] for unit in _introduction(units, first)))
        item_words = frozenset().union(*(analyse(units[i].text)[0] for i in range(first, last + 1)))
        # When a list was asked for, the items may hold the question's words; otherwise the line
        # announcing the list must: long lists hold half the dictionary.
        item_weight = LIST_ITEM_WEIGHT if question.wants_list else UNASKED_ITEM_WEIGHT
        covered = 0.0
        for term in question.terms:
            if term in lead_words:
                covered += rarity[term]
            elif term in intro_words:
                covered += rarity[term] * (INTRODUCTION_WEIGHT if question.wants_list else NEIGHBOUR_WEIGHT)
            else:
                weights = (item_weight if term in item_words else 0.0, title_weight if term in title_words else 0.0)
                covered += rarity[term] * max(weights)
        items = sum(1 for i in range(first, last + 1) if units[i].kind == ITEM)
        text = "\n".join(([lead] if lead else []) + [units[i].text for i in range(first, last + 1)])
        score = covered / total * (1.0 if question.wants_definition else _cue(question, text, title))
        if question.wants_list:
            score *= 0.4 + 0.6 * list_count_fit(question, items)
        elif question.wants_names or not lead.endswith(":"):
            score *= UNASKED_LIST  # "which council was first" wants one name, not a list of them
        else:
            score *= ANNOUNCED_LIST
        score *= (0.95 + 0.05 * page.retrieval) * _recency(question, page)
        start = lead_index if lead_index is not None else first
        candidates.append(_candidate(page, units, start, last, text, score, headings[start]))
    return candidates


def _introduction(units: tuple[Unit, ...], first: int) -> list[Unit]:
    """Return the few units before a list (back to the previous list) that may say what it lists."""
    found = []
    for index in range(first - 1, max(-1, first - 1 - INTRODUCTION_UNITS), -1):
        if units[index].kind == ITEM:
            break
        found.append(units[index])
    return found


def _list_runs(units: tuple[Unit, ...]) -> list[tuple[int, int]]:
    """Return (first, last) unit indexes of each run of list items; numbered runs continue past headings."""
    runs: list[list[int]] = []
    for index, unit in enumerate(units):
        if unit.kind != ITEM:
            continue
        if runs and (runs[-1][1] == index - 1 or _continues_numbering(units, runs[-1][1], index)):
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return [(first, last) for first, last in runs if last > first]


def _continues_numbering(units, previous: int, index: int) -> bool:
    """True when only headings separate two items numbered n and n + 1."""
    between = units[previous + 1:index]
    numbers = (units[previous].number, units[index].number)
    return all(unit.kind == HEADING for unit in between) and None not in numbers and numbers[1] == numbers[0] + 1


def _candidate(page, units, first: int, last: int, text: str, score: float, headings: tuple[str, ...]) -> Candidate:
    """Build a candidate with one unit of context either side, never across a heading."""
    before = units[first - 1].text if first > 0 and units[first - 1].kind != HEADING else ""
    after = units[last + 1].text if last + 1 < len(units) and units[last + 1].kind != HEADING else ""
    return Candidate(page, text, score, before, after, headings[0] if headings else "")
