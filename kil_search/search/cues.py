"""Cues that a sentence holds the kind of answer a question wants: a date, a number, a sum, names, a list."""

from __future__ import annotations

import re

from .question import NUMBER_WORDS, Question
from .sense import by_the_agent

_MONTHS = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
_FULL_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+(?:19|20)\d\d\b|\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d\b"
    r"|\b(?:19|20)\d\d-\d\d-\d\d\b|\b\d{1,2}/\d{1,2}/(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTHS}|spring|summer|autumn|winter|early|late|mid)\.?\s+(?:of\s+)?(?:19|20)\d\d\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:in|since|from|by|until|during|of)?\s*(?:19|20)\d\d\b", re.IGNORECASE)
_MONEY = re.compile(r"[£$€]\s?\d[\d,.]*(?:\s?(?:m|bn|k|million|billion|thousand)\b)?|\b\d[\d,.]*\s?(?:pounds|million|billion)\b", re.IGNORECASE)
_PERCENT = re.compile(r"\b\d[\d.,]*\s?(?:%|per\s?cent|percent)", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.\-/])\d[\d,]*(?:\.\d+)?(?![\w])")
_REFERENCE = re.compile(r"\b(?:table|figure|fig\.|chapter|section|page|p\.|part|step|stage|principle|recommendation|no\.)\s+\d[\d.]*",
                        re.IGNORECASE)
_FRACTION = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine)\s+in\s+(?:two|three|four|five|six|seven|eight|nine|ten)\b"
                       r"|\b(?:half|a\s+third|two-thirds|a\s+quarter|three\s+quarters)\b", re.IGNORECASE)
_DURATION = re.compile(
    r"\b(?:\d+|" + "|".join(NUMBER_WORDS) + r"|a|one|several|many|a\s+few)(?:\s*(?:to|or|-|–)\s*(?:\d+|" + "|".join(NUMBER_WORDS)
    + r"))?[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)\b", re.IGNORECASE)
_FREQUENCY = re.compile(r"\b(?:daily|weekly|fortnightly|monthly|quarterly|annually|yearly|every|each\s+(?:day|week|month|year)|"
                        r"once|twice|\w+\s+times|a\s+(?:day|week|month|year)|per\s+(?:day|week|month|year)|regularly)\b", re.IGNORECASE)
_METHOD = re.compile(r"\b(?:by|through)\s+\w+ing\b|\b(?:means|involves|requires)\s+\w+ing\b", re.IGNORECASE)
_MODAL = re.compile(r"\b(?:can|should|could|must|need\s+to|needs\s+to)\b", re.IGNORECASE)
_LIST_LINE = re.compile(r"^\s*(?:\d{1,2}[.)]|[•●▪◦*–-])\s*\S", re.MULTILINE)
_CHANGE = re.compile(r"\bby\s+how\s+much\b", re.IGNORECASE)
_SHARE_QUESTION = re.compile(r"\b(?:share|proportion|percentage|per\s*cent|percent|%|fraction|how\s+many\s+of)\b", re.IGNORECASE)
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(word for word in NUMBER_WORDS if word not in ("zero", "one"))
                          + r"|hundreds|thousands?|millions?|dozens?|half|a third|two-thirds|a quarter|three quarters)\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z'’]+(?:[ -](?:(?:and|of|the|to|for|in|on|at|upon)[ -])?[A-Z][a-z'’]+)*")
_NOT_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday the this these those it its they their we our".split()
)
_DEFINITION = re.compile(r"\b(?:is|are|means|describes|refers\s+to|is\s+called|we\s+call|stands\s+for|is\s+defined\s+as)\b", re.IGNORECASE)
_WORDS_AFTER = re.compile(r"(?:[\s-]+[\w'’]+){1,3}")
COUNTED_REACH = 8  # words before a number ending a clause among which the counted noun may stand ("the number of councils rose to 17")
OTHER_COUNT = 0.5  # a "how many X" cue for a sentence whose numbers all count something other than the X it mentions
# Words after a number that do not say what it counts ("seventeen in all", "11 of the councils").
_NOT_COUNTED = frozenset("to of in on at and or but per than more less from for by with as is are was were".split())
DEFINITION_REACH = 120  # characters after the defined words in which "is", "means"... must come
_REASON = re.compile(r"\b(?:because|so\s+that|in\s+order\s+to|the\s+reason|since|as\s+a\s+result|which\s+is\s+why|that\s+is\s+why)\b", re.IGNORECASE)


def cue_strength(question: Question, text: str, known: str = "", term_start: int | None = None) -> float | None:
    """Return how well text carries the answer type asked for (0 to 1), or None when no type is asked.

    known is text whose names are no news (the question, the document title); term_start is where
    the first question word sits in text, for telling a definition from a passing mention.
    """
    asked = question.text.lower()
    if question.kind == "when":
        if _new(_FULL_DATE, text, asked):
            return 1.0
        if _new(_MONTH_YEAR, text, asked):
            return 0.9
        return 0.6 if _new(_YEAR, text, asked) else 0.0
    if question.kind == "how_much":
        if _new(_MONEY, text, asked) or (_CHANGE.search(asked) and (_new(_PERCENT, text, asked) or _new(_NUMBER, _without_dates(text), asked))):
            return 1.0  # a sum, or for "by how much did it fall" any amount
        return 0.6 if _new(_PERCENT, text, asked) or _new(_NUMBER, _without_dates(text), asked) else 0.0
    if question.kind == "how_long":
        if _new(_DURATION, text, asked):
            return 1.0
        return 0.3 if _new(_NUMBER, _without_dates(text), asked) or _new(_NUMBER_WORD, text, asked) else 0.0
    if question.kind == "how_often":
        return 1.0 if _new(_FREQUENCY, text, asked) else 0.0
    if question.kind == "how_many":
        if _SHARE_QUESTION.search(asked):
            if _new(_PERCENT, text, asked) or _new(_FRACTION, text, asked):
                return 1.0
            return 0.5 if _new(_NUMBER, _without_dates(text), asked) else 0.0
        undated = _without_dates(text)  # the numbers' positions below are in this text
        counts = [match for pattern in (_NUMBER, _NUMBER_WORD) for match in pattern.finditer(undated)
                  if match.group(0).strip().lower() not in asked]
        if not counts and not _new(_PERCENT, text, asked):
            return 0.0
        if not question.counted or any(_counts(undated, match, question.counted) for match in counts):
            return 1.0
        if _mentions(text, question.counted) and all(_counts_something(undated, match.end()) for match in counts):
            return OTHER_COUNT  # "a council agrees to four things": the sentence counts something else
        return 0.8  # a number, but not of the thing asked about
    if question.wants_names:
        known = f"{asked} {known.lower()}"
        names = {name for name in names_in(text) if name.lower() not in known}
        if question.wants_list:
            return 1.0 if len(names) >= 2 else 0.6 if names else 0.0
        # One name is wanted: "East Sussex" or "Ruth Halloran" says more than a lone capital ("Sunday").
        return 1.0 if any(" " in name or "-" in name for name in names) else 0.7 if names else 0.0
    if question.kind == "how":
        if len(_LIST_LINE.findall(text)) >= 2 or _METHOD.search(text) or by_the_agent(question, text):
            return 1.0  # steps, a sentence saying how ("by mapping ...", "this means knowing ..."), or "councils can ..."
        return 0.8 if _MODAL.search(text) else 0.6
    if question.kind == "why":
        return 1.0 if _REASON.search(text) else 0.5
    if question.wants_definition:
        if term_start is None:
            return 0.5
        return 1.0 if _DEFINITION.search(text, term_start, term_start + DEFINITION_REACH) else 0.5
    return None


def names_in(text: str) -> set[str]:
    """Return the capitalised names inside text (not its first word, months or pronouns)."""
    return {name for name in _CAPITALISED.findall(text) if name.lower() not in _NOT_NAMES}


def list_count_fit(question: Question, items: int) -> float:
    """Return how well a list of this many items fits a question asking for a list."""
    if question.list_count is None:
        return 1.0 if items >= 2 else 0.0
    if items == question.list_count:
        return 1.0
    return 0.5 if abs(items - question.list_count) <= 1 else 0.2


def inline_list_items(text: str) -> int:
    """Return how many items a sentence lists after a colon ("are: a; b; c" or "a, b and c")."""
    _head, colon, tail = text.partition(":")
    if not colon:
        return 0
    parts = [part for part in re.split(r";|,\s*(?:and\s+)?|\s+and\s+", tail) if part.strip()]
    return len(parts) if len(parts) >= 2 else 0


def _counts(text: str, number: re.Match, counted: str) -> bool:
    """True when a number counts the counted noun: "375 community assets", or "the network of councils grew to 17"."""
    following = _WORDS_AFTER.match(text, number.end())
    if following and any(word.lower().startswith(counted) for word in following.group(0).split()):
        return True
    if _counts_something(text, number.end()):
        return False
    before = re.findall(r"[\w'’]+", text[:number.start()].lower())[-COUNTED_REACH:]
    return any(word.startswith(counted) for word in before)


def _mentions(text: str, counted: str) -> bool:
    """True when text names the counted thing somewhere ("council", "councils")."""
    return any(word.startswith(counted) for word in re.findall(r"[\w'’]+", text.lower()))


def _counts_something(text: str, end: int) -> bool:
    """True when a number is followed by a word it counts ("four things"), not by a pause or a small word ("to seventeen.")."""
    following = re.match(r"\s+([A-Za-z][\w'’-]*)", text[end:])
    return bool(following) and following.group(1).lower() not in _NOT_COUNTED


def _new(pattern: re.Pattern, text: str, asked: str) -> bool:
    """True when text has a match of pattern that the question itself does not contain."""
    return any(match.group(0).strip().lower() not in asked for match in pattern.finditer(text))


def _without_dates(text: str) -> str:
    """Remove dates and years so that a year does not pass for a count."""
    text = _FULL_DATE.sub(" ", text)
    text = _MONTH_YEAR.sub(" ", text)
    text = re.sub(r"\[\d+\]", " ", text)  # endnote markers are not counts...
    text = _REFERENCE.sub(" ", text)  # ...nor are "Table 2.1" or "chapter 7"
    return re.sub(r"\b(?:19|20)\d\d(?:[-/]\d\d)?\b", " ", text)
