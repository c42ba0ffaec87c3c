"""The shape of answer a question needs, and which candidates have it.

A question rules candidates out whatever the model thinks of them: "how many" and "how much" want a
figure the question does not give already, a question about money a sum of money, one asking for a share
("what proportion", "what weighting") a percentage or a fraction, "in what year" a
date, "how long" a duration or a date, one asking for a telephone number or an email address one,
one naming a nation ("Welsh councils") an answer in that nation, and "the six principles" never a
list of four things; no question is answered by a contents line, nor by a form's field ("Dates of previous
inspection: ...") unless the question asks for a value (a date, a number, a name) and names its label, nor by
a block of telephone numbers and addresses unless it asks how to reach someone, nor by a report's graded row
("Overall effectiveness Inadequate") unless it asks how what the row names was rated. Some candidates are of the exact
shape asked, and then only they compete: a list of six for "what are the six ...", a sentence saying
what X is (or does) for "What is X?", one naming several councils for "which councils", a form's field
naming what is asked with the kind of value asked for ("Inspection dates: ..." for "when was the inspection"). Otherwise
the candidates left compete, and the model's confidence is read over them alone; when none is left,
there is no answer. A question naming a council ("waiting times in Nottinghamshire") is answered only from
a page naming that council or a document whose title names it. There is no answer either when none of them holds the thing the question asks about with the
value asked for beside it (focus.py: "Locality's annual turnover" and no turnover figure).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

import numpy as np

from ..places import load_gazetteer
from .answer_types import asked_kind
from .candidates import LABEL, Unit, is_list, is_row
from .definitions import defines, subject_forms
from .focus import names_focus
from .question import Question
from .sentences import HEADING
from .words import figures, has_date, names, stems

_MONEY_QUESTION = re.compile(
    r"\b(?:cost|costs|costing|spend|spends|spent|spending|pay|pays|paid|give|gives|gave|given|worth|fund|funds|funded|"
    r"funding|raise|raises|raised|budget|budgets|price|prices|salary|salaries|turnover|income|grant|grants|invest|"
    r"invests|invested|investment|charge|charges|charged|save|saves|saved|saving|savings|pound|pounds|money|fee|fees|"
    r"generate|generates|generated|pool|pools|pooled|pooling|contract\s+(?:value|worth)|value)\b", re.IGNORECASE)
_SHARE_OF = re.compile(r"\bhow\s+much\s+of\b|\bwhat\s+(?:share|proportion|percentage)\b", re.IGNORECASE)
# "What share of ...", "what weighting did ... give": a percentage or a fraction answers, not any figure.
_SHARE_ASKED = re.compile(r"\bwhat\s+(?:share|proportion|percentage|percent|fraction|weighting)\b", re.IGNORECASE)
_SHARE = re.compile(r"\d\s?%|\bper\s?cent\b|\bpercent\b|\bhalf\b|\bhalves\b|\b(?:third|quarter|fifth|tenth)s?\b|"
                    r"\b(?:majority|minority)\b|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:in|out\s+of)\s+"
                    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|a\s+hundred)\b", re.IGNORECASE)
_MONEY = re.compile(r"[£$€¥]\s?\d|\d[\d,.]*\s?(?:pounds|pence|p\b|dollars|euros)|\b(?:pounds?|dollars?|euros?)\b",
                    re.IGNORECASE)

# Only a question naming the unit of time wants a date for sure: "when" is often answered by an event
# ("immediately after Decision Time", "since the Tang dynasty").
_DATE_ASKED = re.compile(r"\b(?:what|which)\s+(?:year|date|month|decade|century)\b", re.IGNORECASE)
_DURATION = re.compile(r"\b(?:\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                       r"forty|fifty|several|many|few|hundred|hundreds)[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?|"
                       r"seconds?|decades?|centuries|century|miles?|kilometres?|kilometers?|km|metres?|meters?|feet|foot)\b",
                       re.IGNORECASE)
# "Our money .......... 3": a contents entry, with its leader dots and page number (a contents page may have no heading).
_CONTENTS_ENTRY = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\s*$|…\s*\d{1,4}\s*$")
# "Which councils ...", "which two local authorities ...": the answer names councils (the gazetteer knows them).
_COUNCIL_QUESTION = re.compile(r"^\s*(?:which|what)\s+(?P<count>(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+)?"
                               r"(?:[\w'’-]+\s+){0,2}?(?P<noun>councils?|local\s+authorit(?:y|ies)|"
                               r"authorit(?:y|ies)|boroughs?)\b", re.IGNORECASE)
SEVERAL_COUNCILS = 3  # a plural question is answered by a sentence or list naming at least this many
# A nation the question names ("Which Welsh councils ...") must be in the answer, by name or by one of its councils.
_NATIONS = {"wales": "Wales", "welsh": "Wales", "scotland": "Scotland", "scottish": "Scotland", "northern ireland": "Northern Ireland",
            "northern irish": "Northern Ireland", "england": "England", "english": "England"}
_NATION_ASKED = re.compile(r"\b(?:Wales|Welsh|Scotland|Scottish|Northern Ireland|Northern Irish|England|English)\b")
_NATION_WORDS = {"Wales": r"\b(?:Wales|Welsh)\b", "Scotland": r"\b(?:Scotland|Scottish)\b",
                 "Northern Ireland": r"\bNorthern (?:Ireland|Irish)\b", "England": r"\b(?:England|English)\b"}
# "Dates of previous inspection: 9 to 11 December 2019": a form's field, which answers only a question about its label.
_FIELD_LINE = re.compile(r"^\s*(?P<label>[A-Z][^:.!?\n]{2,60}?):\s+(?P<value>[^:\n]{1,100})$")
FIELD_LABEL_WORDS = 6
FIELD_VALUE_WORDS = 12
# A question about what is to come, or a field about an earlier time: a form's dates answer neither unless both agree.
_FUTURE = re.compile(r"\b(?:next|will|shall|upcoming|future|due)\b", re.IGNORECASE)
_EARLIER = re.compile(r"\b(?:previous|previously|last|prior|earlier|before|former)\b", re.IGNORECASE)
PREFERRED_LABEL_WORDS = 4  # a field preferred over the sentences has a label this short ("Inspection dates")
FIELD_SHARED_LETTERS = 5
# "How was ... rated?", "What grade did ... get?", "the overall effectiveness judgement": a graded row answers.
_RATING_QUESTION = re.compile(r"\b(?:rate[sd]?|rating|ratings|grades?|graded|judge[sd]?|judgements?|judgments?|verdicts?|"
                              r"scored?|scores)\b", re.IGNORECASE)
VALUE_KINDS = frozenset({"when", "how_long", "how_many", "how_much", "who", "which", "where"})
_VALUE_NOUN = re.compile(r"\b(?:dates?|days?|months?|years?|names?|numbers?)\b", re.IGNORECASE)
_PHONE_QUESTION = re.compile(r"\b(?:tele)?phone\s+number\b|\bnumber\s+(?:to|should\s+I)\s+(?:call|ring|phone)\b", re.IGNORECASE)
_PHONE = re.compile(r"\+?\(?\d[\d ()-]{6,}\d")
# "Textphone 0161 618 8524 enquiries@ofsted.gov.uk www.gov.uk/ofsted": a publisher's contact block.
_CONTACT = re.compile(r"\+?\(?\d[\d ()-]{6,}\d|\S+@\S+|(?i:\b(?:https?:/+|www\.)\S+)|"
                      r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")  # ... or a postcode ("DL1 5QT")
_ADDRESS_QUESTION = re.compile(r"\b(?:address|postcode|post\s+code|where\s+(?:is|are)\b.*\b(?:based|located|office))", re.IGNORECASE)
_EMAIL_QUESTION = re.compile(r"\be-?mail\s+address\b|\bwhat\s+is\s+(?:the\s+|their\s+|its\s+)?e-?mail\b", re.IGNORECASE)


def wants_figure(question: Question) -> bool:
    """True for "how many" and "how much" questions: a figure answers them."""
    return question.kind in ("how_many", "how_much")


def wants_money(question: Question) -> bool:
    """True for a "how much" question about money ("how much did the council give"), not a share of something."""
    return question.kind == "how_much" and bool(_MONEY_QUESTION.search(question.text)) and \
        not _SHARE_OF.search(question.text)


def has_shape(question: Question, unit: Unit) -> bool:
    """True when a candidate can be the answer the question's shape allows at all."""
    return all(fits(unit) for fits in requirements(question))


def requirements(question: Question) -> list[Callable[[Unit], bool]]:
    """Return the tests every candidate answer to the question must pass."""
    given = figures(question.text)
    asked = set(stems(question.text))
    # A field's value answers a question asking for one: a date, a number, a name.
    valued = asked_kind(question) in VALUE_KINDS or bool(_VALUE_NOUN.search(question.text))
    tests: list[Callable[[Unit], bool]] = [lambda unit: not _CONTENTS_ENTRY.search(unit.text),
                                           lambda unit: _field_about(unit.text, asked, valued, question),
                                           lambda unit: unit.kind != LABEL or _labels(unit, asked, question)]
    tests.append(lambda unit: bool(set(stems(unit.text)) - asked) or bool(figures(unit.text) - given))
    if wants_figure(question):
        tests.append(lambda unit: bool(figures(unit.text) - given))
    if wants_money(question):
        tests.append(lambda unit: bool(_MONEY.search(unit.text)))
    if _SHARE_ASKED.search(question.text):
        tests.append(lambda unit: bool(_SHARE.search(unit.text)))
    if _DATE_ASKED.search(question.text):
        tests.append(lambda unit: has_date(unit.text))
    if question.kind == "how_long":
        tests.append(lambda unit: bool(_DURATION.search(unit.text)) or has_date(unit.text))
    nation = _NATION_ASKED.search(question.text)
    if nation:
        tests.append(lambda unit: _in_nation(unit, _NATIONS[nation.group(0).lower()]))
    if _PHONE_QUESTION.search(question.text):
        tests.append(lambda unit: bool(_PHONE.search(unit.text)))
    if _EMAIL_QUESTION.search(question.text):
        tests.append(lambda unit: "@" in unit.text)
    else:
        tests.append(lambda unit: not _mostly_contacts(unit.text) or bool(_PHONE_QUESTION.search(question.text))
                     or bool(_ADDRESS_QUESTION.search(question.text)))
    if question.list_count:  # "the six principles" are never a list of four things
        tests.append(lambda unit: not is_list(unit) or list_length(unit) == question.list_count)
    return tests


def _field(text: str, label_words: int) -> re.Match | None:
    """Return a form's field line ("Label: value") with a label of at most label_words words, or None."""
    field = _FIELD_LINE.match(text)
    if not field or len(field.group("label").split()) > label_words or len(field.group("value").split()) > FIELD_VALUE_WORDS:
        return None
    return field


def _field_about(text: str, asked: set[str], valued: bool, question: Question) -> bool:
    """False for a field's line ("Inspection dates: ...") unless the question asks for a value (who, when, how many)
    that the field gives and shares a word with its label (by their first letters: "When did inspectors visit?"
    asks about the inspection); "What do inspectors say about caseloads?" is not answered by "Lead inspector: ...",
    nor "When was volume 1 published?" by a title's "... Inquiry Report: Volume 1"."""
    field = _field(text, FIELD_LABEL_WORDS)
    if not field:
        return True
    label_text = field.group("label")
    if bool(_FUTURE.search(question.text)) != bool(_FUTURE.search(label_text)) \
            or bool(_EARLIER.search(question.text)) < bool(_EARLIER.search(label_text)):
        return False  # "Dates of previous inspection: ..." says nothing of this inspection, nor of the next
    label = set(stems(field.group("label"))) | figures(field.group("label"))
    if label and label <= asked | figures(question.text):
        return True  # the question names the whole label: "What is recommendation 1?" and "Recommendation 1: ..."
    return valued and bool(_openings(label) & _openings(asked)) \
        and _value_fits(question, field.group("value"), asked) is not False


def _labels(unit: Unit, asked: set[str], question: Question) -> bool:
    """True when a question asks how something was rated and a report's graded row ("Overall effectiveness
    Inadequate") names it: one of the row's words beyond the places the question names and the report's title."""
    if not _RATING_QUESTION.search(question.text):
        return False
    known = set(stems(" ".join(question.names))) | set(stems(str(unit.page.fields.get("title", ""))))
    return bool((set(stems(unit.text)) - known) & asked)


def _mostly_contacts(text: str) -> bool:
    """True for a line that is half telephone numbers, email and web addresses and postcodes or more: how to reach someone."""
    return sum(len(found) for found in _CONTACT.findall(text)) * 2 >= len(text.strip()) > 0


def _openings(words) -> set[str]:
    """Return words cut to their first letters, so "inspection" and "inspectors" meet ("inspe"); no scraps ("s" of "council's")."""
    return {word[:FIELD_SHARED_LETTERS] for word in words if len(word) >= 3}


def _in_nation(unit: Unit, nation: str) -> bool:
    """True when a candidate or the sentences beside it name the nation or one of its councils."""
    text = " ".join((unit.before, unit.text, unit.after))
    if re.search(_NATION_WORDS[nation], text):
        return True
    gazetteer = load_gazetteer()
    return any(getattr(gazetteer.council(code), "nation", "") == nation for code in _councils(text))


def list_length(unit: Unit) -> int:
    """Return how many items a whole-list candidate holds (its first line announces the list)."""
    return unit.text.count("\n")


def preferred(question: Question, unit: Unit, forms: list, councils_wanted: int) -> bool:
    """True for a candidate of the exact shape asked: a list of the count asked, a sentence defining the subject,
    or one naming the councils asked for."""
    if question.list_count:
        return is_list(unit) and list_length(unit) == question.list_count
    if forms:
        return unit.kind != HEADING and not is_list(unit) and not is_row(unit) and defines(unit, forms)
    if councils_wanted:
        return unit.kind != HEADING and len(_councils(unit.text) - _councils(question.text)) >= councils_wanted
    return _field_answers(question, unit)


def _field_answers(question: Question, unit: Unit) -> bool:
    """True for a form's field that the question names and whose value is the kind of answer it asks for
    ("When was the inspection?" and "Inspection dates: 16 to 20 October 2023"; "Who led it?" and "Lead inspector: ...")."""
    field = _field(unit.text, PREFERRED_LABEL_WORDS)
    if not field:
        return False
    asked = set(stems(question.text))
    if not _openings(stems(field.group("label"))) & _openings(asked):
        return False
    return bool(_value_fits(question, field.group("value"), asked))


def _value_fits(question: Question, value: str, asked: set[str]) -> bool | None:
    """Say whether a field's value is the kind of answer asked for (a date for "when", a name for "who", a figure
    for "how many"); None when the question asks for another kind."""
    kind = asked_kind(question)
    if kind == "when":
        return has_date(value)
    if kind == "who":
        return bool(names(value) - asked)
    if kind in ("how_many", "how_much"):
        return bool(figures(value) - figures(question.text))
    return None


def councils_wanted(question: Question) -> int:
    """Return how many councils a "which councils" question wants named (several for a plural), or 0."""
    match = _COUNCIL_QUESTION.match(question.text)
    if not match or match.group("count"):
        return 0  # "which two councils": the model weighs the count; a list of eleven is no better
    noun = match.group("noun").lower()
    return SEVERAL_COUNCILS if noun.endswith(("s", "ies")) and noun != "authority" else 1


def _councils(text: str) -> set[str]:
    """Return the codes of the councils text names (the gazetteer's reading)."""
    return {mention.code for mention in load_gazetteer().find(text)}


def _about_places_named(question: Question, units: list[Unit]) -> np.ndarray | None:
    """Mark the candidates about a council the question names: on a page naming it, or in a document whose title
    names it, unless the candidate itself names other councils only (None when the question names none)."""
    named = _councils(question.text)
    if not named:
        return None
    pages: dict[int, bool] = {}
    marks = []
    for unit in units:
        key = id(unit.page)
        if key not in pages:
            listed = set(filter(None, str(unit.page.fields.get("place_codes", "")).split(",")))
            pages[key] = bool(listed & named) or bool(_councils(unit.page.text) & named) \
                or bool(_councils(str(unit.page.fields.get("title", ""))) & named)
        own = _councils(unit.text)  # a row or sentence naming other councils only is about them
        marks.append(pages[key] and (not own or bool(own & named)))
    return np.array(marks, dtype=bool)


def keep_shaped(scored, model, glossary=None):
    """Return scored with only the candidates of the shape the question wants (the preferred ones when any exist).

    The confidence is the model's sureness over the kept candidates; it stays 0 when the question seemed
    off the library's subject. A candidate of the exact shape asked (the list of six, the sentence
    defining X) may score low with the model, which knows nothing of counts or definitions: the
    model's sureness over all candidates, that the library answers the question at all, stands for it.
    """
    question = scored.question
    if not len(scored.units):
        return scored
    forms = subject_forms(question, glossary)
    wanted = councils_wanted(question)
    tests = requirements(question)
    allowed = np.array([all(fits(unit) for fits in tests) for unit in scored.units], dtype=bool)
    about = _about_places_named(question, scored.units)
    if about is not None:  # "waiting times in Nottinghamshire": Bury's report does not answer it
        allowed &= about
    best = np.array([ok and preferred(question, unit, forms, wanted) for ok, unit in zip(allowed, scored.units)],
                    dtype=bool)
    keep = best if best.any() else allowed
    if not names_focus(question, (unit for unit, kept in zip(scored.units, keep) if kept)):
        scored = replace(scored, confidence=0.0)  # nothing found speaks of the thing asked about
    if keep.all():
        return scored
    places = np.flatnonzero(keep)
    rows, scores = scored.rows[places], scored.scores[places]
    if best.any():
        confidence = scored.confidence
    else:
        confidence = model.sureness(rows, scores) if scored.confidence > 0 and len(places) else 0.0
    return replace(scored, units=[scored.units[place] for place in places], rows=rows, scores=scores,
                   confidence=confidence)
