"""Words as the answer model compares them: lower case, Porter stems, stop words left out."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

_WORD = re.compile(r"\w+(?:\.?\w+)*")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                     r"forty|fifty|hundred|thousand|million|billion|dozen|half|third|quarter)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b|\b\d{1,2}(?:st|nd|rd|th)\s+century\b|\bcentur(?:y|ies)\b", re.IGNORECASE)
_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")


@lru_cache(maxsize=65536)
def stem_of(word: str) -> str:
    """Return a lower-case word's Porter stem, as the index stems it."""
    return stem(word)


@lru_cache(maxsize=16384)
def stems(text: str) -> tuple[str, ...]:
    """Return the stems of text's content words, in order (stop words left out)."""
    return tuple(stem_of(word) for word in (match.group(0).lower() for match in _WORD.finditer(text))
                 if word not in STOP_WORDS)


def capitalised(text: str) -> set[str]:
    """Return the stems of words written with a capital other than at a sentence's start: names."""
    return {stem_of(match.group(0).lower()) for match in _CAPITALISED.finditer(text)}


def has_date(text: str) -> bool:
    """True when text names a year, a century or a month."""
    return bool(_YEAR.search(text) or _MONTH.search(text))


def has_number(text: str) -> bool:
    """True when text holds a figure or a number word."""
    return bool(_NUMBER.search(text))
