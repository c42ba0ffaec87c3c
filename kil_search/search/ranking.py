"""Score the sentences (and, through lists.py, the lists) of one page against a question."""

from __future__ import annotations

import re

from .candidates import (Candidate, PageText, analyse, cue_factor, headings_above, make_candidate, recency_factor, retrieval_factor,
                         words_of_page)
from .cues import inline_list_items, list_count_fit
from .lists import list_candidates
from .sentence_terms import held_words, phrases, proximity
from .question import Question
from .sense import REVERSED, reverses
from .sentences import HEADING, ITEM, ROW, SENTENCE, Unit, split_units

# How much a question word found only around a unit counts, against one found in it.
HEADING_WEIGHTS = (0.6, 0.45, 0.3)  # the nearest heading above, the one above that...
TITLE_WEIGHT = 0.5  # the document's title or type ("report", "guide")
NAMED_DOCUMENT_SHARE = 0.3  # when the title holds this share of the question, the question names the document...
NAMED_DOCUMENT_WEIGHT = 1.0  # ...and its title words count as found in every sentence of it
NAME_IN_HEADING = 0.9  # a name the question gives, found in a heading above the unit or in the title
NAME_JUST_BEFORE = 0.8  # ...found in one of the NAME_REACH units before it
NAME_REACH = 2
NAME_ON_PAGE = 0.5  # ...found elsewhere on the page
NAME_IN_DOCUMENT = 0.4  # ...found on another retrieved page of the document
NAME_ABSENT = 0.7  # the share kept by a page and document where a name the question gives is nowhere
NEIGHBOUR_WEIGHT = 0.35
OWN_SHARE = 0.35  # the rest of the coverage comes from the unit with its surroundings
FOCUS_FLOOR = 0.7  # a unit holding none of the question's words other than names keeps this share...
FOCUS_ENOUGH = 0.4  # ...and one holding this share of their weight keeps all of its score
PRUNE_COVERAGE = 0.25  # below this a unit cannot reach any threshold worth calibrating: not scored further
KEYWORD_LIST = 0.6  # a line of tags keeps this share
MAX_LABEL_WORDS = 3  # the most words a tag line's label ("Related themes:") has...
MAX_TAG_WORDS = 6  # ...and its longest tag
MIN_NEW_WORDS = 2  # an answer must say something the question did not
_ANAPHOR = re.compile(r"^(?:It|Its|They|Their|These|This|Those|Such|He|She|His|Her|Both|Each)\b")


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
    title_words = question.found(analyse(title)[0])
    if not any(term in title_words for term in question.names):
        document_words = frozenset()  # only a document named by the question lends its names to every page
    page_words = words_of_page(page)
    name_weights = {term: _name_weight(term, page_words, document_words) for term in question.terms if question.is_name(term)}
    headings = headings_above(units)
    total = sum(rarity.get(term, 0.0) for term in question.terms) or 1.0
    naming = title_words - question.shared_title_words  # "Keep it Local" in most titles names no document
    named = sum(rarity[term] for term in question.terms if term in naming) / total >= NAMED_DOCUMENT_SHARE
    title_weight = NAMED_DOCUMENT_WEIGHT if named else TITLE_WEIGHT
    candidates = []
    for first in range(len(units)):
        # For "what is X", a sentence leaning on this one ("They are ...") may hold the definition: it joins the answer.
        last = first + 1 if question.wants_definition and _carries_on(units, first) else first
        text = " ".join(unit.text for unit in units[first:last + 1])
        tokens = analyse(units[first].text)[1]
        held = held_words(question, units[first].text)
        heading_weights = _heading_weights(question, headings[first])
        for term in _names_just_before(question, units, first, name_weights):
            heading_weights[term] = max(heading_weights.get(term, 0.0), NAME_JUST_BEFORE)
        around = [question.found(analyse(units[i].text)[0]) for i in (first - 1, first + 1) if 0 <= i < len(units) and units[i].kind != HEADING]
        own = sum(rarity[term] * held.get(term, 0.0) for term in question.terms)
        near = 0.0
        for term in question.terms:
            weight = _context_weight(term, heading_weights, title_words, title_weight, around, term in name_weights)
            near += rarity[term] * max(held.get(term, 0.0), weight, name_weights.get(term, 0.0))
        coverage = (OWN_SHARE * own + (1 - OWN_SHARE) * near) / total
        if coverage < PRUNE_COVERAGE:
            continue
        term_start = next((start for word, _, start in tokens if word in question.terms), None)
        parts = {"own": own / total, "near": near / total, "proximity": proximity(question.terms, tokens),
                 "phrases": phrases(question, tokens), "shape": _shape(question, units[first], text, analyse(text)[0]),
                 "cue": cue_factor(question, text, title, term_start), "retrieval": retrieval_factor(page),
                 "recency": recency_factor(question, page), "focus": _focus(question, rarity, held),
                 "sense": REVERSED if reverses(question, tokens) else 1.0}
        score = coverage
        for factor in ("proximity", "phrases", "shape", "cue", "retrieval", "recency", "focus", "sense"):
            score *= parts[factor]
        candidate = make_candidate(page, units, first, last, text, score, headings[first])
        candidate.detail = parts
        candidates.append(candidate)
    if not question.wants_list:
        units = split_units(page.text, hard_wrapped)
        headings = headings_above(units)
    candidates.extend(list_candidates(question, rarity, page, units, headings, title, title_weight, total))
    if any(not weight and term not in title_words for term, weight in name_weights.items()):
        for candidate in candidates:  # the page never names a place or body the question names: it is about another
            candidate.score *= NAME_ABSENT
            candidate.detail["names"] = NAME_ABSENT
    return candidates


def _focus(question: Question, rarity: dict[str, float], held: dict[str, float]) -> float:
    """Return a factor for whether the unit itself holds what is asked about, not just the names around it.

    Names ("the Lloyds Bank Foundation") may be lent by headings and titles; the other words
    ("chief executive", "left") are what the question is about and must be in the sentence.
    """
    asked_about = [term for term in question.terms if not question.is_name(term)]
    weight = sum(rarity[term] for term in asked_about)
    if not weight:
        return 1.0
    share = sum(rarity[term] * held.get(term, 0.0) for term in asked_about) / weight
    return min(1.0, FOCUS_FLOOR + (1 - FOCUS_FLOOR) * share / FOCUS_ENOUGH)


def _carries_on(units: tuple[Unit, ...], index: int) -> bool:
    """True when the next sentence of the same paragraph leans on this one ("They are ...")."""
    following = index + 1
    return (following < len(units) and units[index].kind == SENTENCE and units[following].kind == SENTENCE
            and units[following].block == units[index].block and bool(_ANAPHOR.match(units[following].text)))


def _heading_weights(question: Question, headings: tuple[str, ...]) -> dict[str, float]:
    """Return each analysed word of the headings above a unit with the weight of the nearest one holding it."""
    weights: dict[str, float] = {}
    for heading, weight in zip(headings, HEADING_WEIGHTS):
        for word in question.found(analyse(heading)[0]):
            weights.setdefault(word, weight)
    return weights


def _names_just_before(question: Question, units: tuple[Unit, ...], index: int, names) -> set[str]:
    """Return the question's names said in the sentences just before a unit: "The association took on a lease" is about the one just named.

    Printed paragraphs cannot be told apart reliably, so the few units before it count, back to a
    heading; a list item looks past the items before it, to the lines that introduce the list.
    """
    found: set[str] = set()
    earlier = index - 1
    if units[index].kind == ITEM:
        while earlier >= 0 and units[earlier].kind == ITEM:
            earlier -= 1
    for earlier in range(earlier, max(-1, earlier - NAME_REACH), -1):
        if not names or units[earlier].kind == HEADING:
            break
        found |= question.found(analyse(units[earlier].text)[0]) & names.keys()
    return found


def _name_weight(term: str, page_words: frozenset[str], document_words: frozenset[str]) -> float:
    """Return how much a name from the question counts when it is on the page or in the document only."""
    if term in page_words:
        return NAME_ON_PAGE
    return NAME_IN_DOCUMENT if term in document_words else 0.0


def _context_weight(term: str, heading_weights, title_words, title_weight: float, around, is_name: bool) -> float:
    """Return how much a question word found around a unit counts: in a heading above, the title or a neighbour.

    A name found in a heading or the title counts nearly in full: a sentence under "Case study:
    Thornhill Lees Community Hub" is about that hub even when it only says "the hub".
    """
    heading = heading_weights.get(term, 0.0)
    in_title = term in title_words
    if is_name and (heading or in_title):
        return NAME_IN_HEADING
    found = [heading, title_weight if in_title else 0.0]
    found.append(NEIGHBOUR_WEIGHT if any(term in neighbour for neighbour in around) else 0.0)
    return max(found)


def _is_keyword_list(text: str) -> bool:
    """True for a line of tags or keywords: many short comma-separated pieces and no sentence.

    A label may lead the line ("Themes: ..."); a longer lead ("The first councils to join were: ...")
    makes it a sentence announcing a list, which may well be the answer.
    """
    label, colon, rest = text.partition(":")
    if colon and len(label.split()) > MAX_LABEL_WORDS:
        return False
    pieces = [piece for piece in re.split(r"[,;]", rest if colon else text) if piece.strip()]
    short = sum(1 for piece in pieces if len(piece.split()) <= 3)
    longest = max((len(piece.split()) for piece in pieces), default=0)
    return len(pieces) >= 5 and short >= 0.7 * len(pieces) and longest <= MAX_TAG_WORDS  # "A, B and C were the first to join" is a sentence


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
    if _is_keyword_list(text):
        factor *= KEYWORD_LIST  # "Themes: commissioning, procurement, social value, ..." says nothing
    if question.wants_list and not question.wants_names:
        items = inline_list_items(text)
        fit = list_count_fit(question, items) if items else 0.0
        floor = 0.4 if question.list_count else 0.6  # "what are the N ..." asks for the list itself
        factor *= floor + (1 - floor) * fit
    return factor


