"""Lists as answers: "what are the six principles?" gets the six lines, not one of them."""

from __future__ import annotations

from .candidates import Candidate, PageText, analyse, cue_factor, make_candidate, recency_factor, retrieval_factor
from .cues import list_count_fit
from .question import Question
from .sentences import HEADING, ITEM, Unit

LIST_ITEM_WEIGHT = 0.5  # question words inside list items count half: the lead-in names the list
INTRODUCTION_WEIGHT = 0.8  # ...and the sentences or headings a little before it nearly as much
INTRODUCTION_UNITS = 5
UNASKED_LIST = 0.75  # a list offered for a question that did not ask for one...
ANNOUNCED_LIST = 0.9  # ...unless a line ending in a colon announces it
UNASKED_ITEM_WEIGHT = 0.25  # question words in the items of a list nobody asked for...
UNASKED_INTRODUCTION_WEIGHT = 0.35  # ...and in the lines before it


def list_candidates(question: Question, rarity: dict[str, float], page: PageText, units: tuple[Unit, ...],
                    headings: list[tuple[str, ...]], title: str, title_weight: float, total: float) -> list[Candidate]:
    """Return each list on the page, with the line that announces it, as one candidate."""
    candidates = []
    title_words = question.found(analyse(title)[0])
    for first, last in _list_runs(units):
        # The line announcing the list ("The principles are:") leads the answer; other lines before it are context.
        announces = first > 0 and units[first - 1].kind not in (ITEM, HEADING) and units[first - 1].text.endswith(":")
        lead_index = first - 1 if announces else None
        lead = units[lead_index].text if lead_index is not None else ""
        lead_words = question.found(analyse(lead)[0] | analyse(headings[first][0] if headings[first] else "")[0])
        intro_words = question.found(frozenset().union(*(analyse(unit.text)[0] for unit in _introduction(units, first))))
        item_words = question.found(frozenset().union(*(analyse(units[i].text)[0] for i in range(first, last + 1))))
        # When a list was asked for, the items may hold the question's words; otherwise the line
        # announcing the list must: long lists hold half the dictionary.
        item_weight = LIST_ITEM_WEIGHT if question.wants_list else UNASKED_ITEM_WEIGHT
        covered = 0.0
        for term in question.terms:
            if term in lead_words:
                covered += rarity[term]
            elif term in intro_words:
                covered += rarity[term] * (INTRODUCTION_WEIGHT if question.wants_list else UNASKED_INTRODUCTION_WEIGHT)
            else:
                weights = (item_weight if term in item_words else 0.0, title_weight if term in title_words else 0.0)
                covered += rarity[term] * max(weights)
        items = sum(1 for i in range(first, last + 1) if units[i].kind == ITEM)
        text = "\n".join(([lead] if lead else []) + [units[i].text for i in range(first, last + 1)])
        score = covered / total * (1.0 if question.wants_definition else cue_factor(question, text, title))
        if question.wants_list:
            score *= 0.4 + 0.6 * list_count_fit(question, items)
        elif question.wants_names or not lead.endswith(":"):
            score *= UNASKED_LIST  # "which council was first" wants one name, not a list of them
        else:
            score *= ANNOUNCED_LIST
        score *= retrieval_factor(page) * recency_factor(question, page)
        start = lead_index if lead_index is not None else first
        candidates.append(make_candidate(page, units, start, last, text, score, headings[start]))
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
