"""Words as the answer model compares them: lower case, accents folded, Porter stems, stop words left out."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from ..index.analysis import fold_accents

_WORD = re.compile(r"\w+(?:\.?\w+)*")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                     r"forty|fifty|hundred|thousand|million|billion|dozen|half|third|quarter)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b|\b\d{1,2}(?:st|nd|rd|th)\s+century\b|\bcentur(?:y|ies)\b", re.IGNORECASE)
# "one" is left out: far more often a pronoun ("one of its libraries") than a count.
_FIGURE = re.compile(r"(?<![\w.])(?<![A-Za-z]-)\d[\d,]*(?:\.\d+)?(?![\w])|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
                     r"seventy|eighty|ninety|hundred|thousand|million|billion|dozen|dozens|hundreds|thousands|millions|"
                     r"half|third|quarter|twice|double|triple)\b", re.IGNORECASE)
_YEAR_FIGURE = re.compile(r"^(?:1[89]|20)\d\d$")
# "35. Partnership arrangements ...": a report's numbered paragraph; its number counts nothing.
_PARAGRAPH_NUMBER = re.compile(r"(?m)^\s*\(?\d{1,3}[.)]\s+(?=[\"“‘(]?[A-Z])")
_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DAYS_MONTH = rf"\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:-|–|to|and)\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s+{_MONTHS}"  # "9 to 11 December"
# "18 December 2019", "9 to 11 December", "9-24 November", "March 3rd": a day of the month counts nothing.
_DAY_OF_MONTH = re.compile(rf"\b{_DAYS_MONTH}\b|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s*\d)(?![,.]?\d)")
_DATE_LINE = re.compile(rf"^\s*{_DAYS_MONTH}(?:\s+\d{{4}})?[.,]?\s*$")  # "18 July 2024", "5 to 9 March 2023" alone


@lru_cache(maxsize=65536)
def stem_of(word: str) -> str:
    """Return a lower-case word's Porter stem with its accents folded, as the index stems it ("cafés" → "cafe")."""
    return stem(fold_accents(word))


@lru_cache(maxsize=16384)
def stems(text: str) -> tuple[str, ...]:
    """Return the stems of text's content words, in order (stop words left out)."""
    return tuple(stem_of(word) for word in (fold_accents(match.group(0).lower()) for match in _WORD.finditer(text))
                 if word not in STOP_WORDS)


def capitalised(text: str) -> set[str]:
    """Return the stems of words written with a capital other than at a sentence's start: names."""
    return {stem_of(match.group(0).lower()) for match in _CAPITALISED.finditer(text)}


# "Inspection dates: 27 September": a month or a day of the week is written with a capital but names no one.
_CALENDAR = frozenset(stem_of(word) for word in """january february march april may june july august september october
    november december monday tuesday wednesday thursday friday saturday sunday""".split())


def names(text: str) -> set[str]:
    """Return the stems of the names text writes (capitalised words other than at a sentence's start, not months or days)."""
    return capitalised(text) - _CALENDAR


def has_date(text: str) -> bool:
    """True when text names a year, a century or a month."""
    return bool(_YEAR.search(text) or _MONTH.search(text))


def is_date_line(text: str) -> bool:
    """True when text is only a date ("18 July 2024", "5 to 9 March 2023"): a report's date of printing or a letter's."""
    return _DATE_LINE.match(text) is not None


def has_number(text: str) -> bool:
    """True when text holds a figure or a number word."""
    return bool(_NUMBER.search(_PARAGRAPH_NUMBER.sub("", text)))


def figures(text: str) -> set[str]:
    """Return the figures text states, as written (lower case, no thousands commas), leaving out bare years.

    A year such as "2019" dates a figure rather than being one: "How many joined in 2019?" is not
    answered by a sentence whose only number is 2019.
    """
    text = _DAY_OF_MONTH.sub(" ", _PARAGRAPH_NUMBER.sub("", text))
    found = {match.group(0).lower().replace(",", "") for match in _FIGURE.finditer(text)}
    return {figure for figure in found if not _YEAR_FIGURE.match(figure)}
