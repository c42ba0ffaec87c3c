"""Whether the pages found speak of the thing a question asks about, with the kind of answer it wants beside it.

"What is Locality's annual turnover?" finds pages holding "Locality", "annual" and "turnover" apart, and
a sentence that says nothing of turnover scores well on the other words. A question naming what it asks
about (its focus: "turnover", "chief executive", "staff" in "how many staff") is answered only by a
sentence holding that noun, with the kind of answer asked for within a few words of it (a figure for
"how many" and "how much", a date for "when", a name for "who"), said of what the question names
(one of its names in the sentence, the ones beside it, its headings or its document's title; every word
qualifying the noun just before it, in the sentence before, the headings or the title: an "annual turnover",
not turnovers beside an annual income). When no
candidate is such a sentence, the library does not say, whatever else it holds.
"""

from __future__ import annotations

import re
from typing import Iterable

from .candidates import Unit
from .question import QUANTITY_NOUNS, Question
from .words import figures, has_date, names, stem_of

NEAR_FOCUS = 6  # how many words from the focus noun the answer asked for may stand
QUALIFIER_WORDS = 3  # the words just before the focus noun that may qualify it ("annual turnover", "LM3 score")
SHARED_LETTERS = 5  # a word beginning with the same letters as the focus noun names it too ("weighting", "weighted")
DATED_NOUNS = frozenset({"deadline"})  # a focus noun asking for a date
_TOKEN = re.compile(r"[\w'’-]+")
_POSSESSIVE = re.compile(r"['’]s$")


def names_focus(question: Question, units: Iterable[Unit]) -> bool:
    """True when the question asks for no value beside a focus, or some candidate holds it with the value beside it."""
    if not question.focus or not wanted(question):
        return True
    head = stem_of(question.focus[-1])
    return any(_holds_focus(question, head, unit) for unit in units)


def _holds_focus(question: Question, head: str, unit: Unit) -> bool:
    """True when the unit holds the focus noun, the kind of answer wanted near it, and the question's names around it."""
    tokens = list(_TOKEN.finditer(unit.text))
    places = [place for place, token in enumerate(tokens) if _same_noun(stem_of(token.group(0).lower()), head)]
    if not places:
        return False
    if not _names_around(question, _around(unit)):
        return False
    above = _words(" ".join((unit.before, *unit.headings, unit.page.fields.get("title", ""))))
    near = NEAR_FOCUS if wanted(question) != "name" else len(tokens)  # a role and its holder's name sit apart
    for place in places:
        start = tokens[max(0, place - near)].start()
        end = tokens[min(len(tokens) - 1, place + near)].end()
        qualifiers = {token.group(0) for token in tokens[max(0, place - QUALIFIER_WORDS):place]}
        if _offers(question, unit.text[start:end]) and _modifiers_in(question, above | _words(" ".join(qualifiers))):
            return True
    return False


def _same_noun(stem: str, head: str) -> bool:
    """True when a word's stem is the focus noun's, or both begin with the same several letters."""
    return stem == head or (len(head) >= SHARED_LETTERS and stem[:SHARED_LETTERS] == head[:SHARED_LETTERS])


def wanted(question: Question) -> str:
    """Return the kind of value the question asks for beside its focus (figure, date, name), or "" for none."""
    if question.kind in ("how_many", "how_much"):
        return "figure"
    if question.kind == "when":
        return "date"
    if question.kind == "who":
        return "name"
    if question.focus and question.focus[-1] in QUANTITY_NOUNS:  # "what broadband speeds do parishes get"
        return "date" if question.focus[-1] in DATED_NOUNS else "figure"
    return ""


def _offers(question: Question, text: str) -> bool:
    """True when text offers the kind of value the question wants beside its focus."""
    kind = wanted(question)
    if kind == "figure":
        return bool(figures(text) - figures(question.text))
    if kind == "date":
        return has_date(text)
    return bool(names(text) - {stem_of(word.lower()) for word in _TOKEN.findall(question.text)})


def _words(text: str) -> set[str]:
    """Return the lower-case words of text, possessive endings left out."""
    return {_POSSESSIVE.sub("", word.lower()) for word in _TOKEN.findall(text)}


def _around(unit: Unit) -> set[str]:
    """Return the words of the unit, the sentences beside it, its headings and its document's title."""
    return _words(" ".join((unit.before, unit.text, unit.after, *unit.headings, unit.page.fields.get("title", ""))))


def _names_around(question: Question, around: set[str]) -> bool:
    """True when the question writes no name, or one of its names is around the unit (it is said of what is asked)."""
    return not question.names or bool(question.names & around)


def _modifiers_in(question: Question, words: set[str]) -> bool:
    """True when every word qualifying the focus noun ("annual" turnover, "chief" executive) is among words."""
    stems = {stem_of(word) for word in words}
    return all(any(_same_noun(stem, stem_of(word)) for stem in stems) for word in question.focus[:-1])
