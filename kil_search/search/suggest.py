"""Autocomplete: document titles, themes and frequent words that complete what is being typed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..index.analysis import fold_accents
from .spelling import SPELLING_FIELD

MAX_SUGGESTIONS = 8
MAX_TITLES = 3
MAX_THEMES = 2
# A completing word must appear in at least this many passages.
MIN_WORD_PASSAGES = 2
# Words scanned for a prefix; a one-letter prefix in a big index stops here.
MAX_WORDS_SCANNED = 5000
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Suggestion:
    """One completion: the query it would search, its kind and, for a title, the document's page."""

    text: str
    kind: str  # "title" | "theme" | "word"
    url: str = ""

    def to_json(self) -> dict:
        """Return the suggestion as plain data."""
        return {"text": self.text, "kind": self.kind, "url": self.url}


def suggest(searcher, typed: str, titles: list[tuple[str, str]], themes: list[str],
            limit: int = MAX_SUGGESTIONS, frequency: Callable[[str], float] | None = None) -> list[Suggestion]:
    """Return completions for typed text: matching titles, then themes, then frequent words.

    frequency gives a word's count in the `words` field (default: Whoosh's, which counts deleted records too).
    """
    typed = " ".join(typed.split())[:200]
    folded = fold_accents(typed.lower())  # titles, themes and indexed words are compared accents folded
    words = _WORD.findall(folded)
    if not words or len(typed) < 2:
        return []
    ends_word = not typed[-1].isalnum()
    found: list[Suggestion] = []
    for title, url in titles:
        if _covers(fold_accents(title.lower()), words, ends_word) and len(found) < MAX_TITLES:
            found.append(Suggestion(title, "title", url))
    for theme in themes:
        compared = fold_accents(theme.lower())
        if compared.startswith(folded) and compared != folded and len(found) < MAX_TITLES + MAX_THEMES:
            found.append(Suggestion(theme, "theme"))
    if not ends_word:
        stem = typed[: len(typed) - len(words[-1])]
        for word in _frequent_words(searcher, words[-1], limit, frequency):
            found.append(Suggestion(f"{stem}{word}", "word"))
    unique: dict[str, Suggestion] = {}
    for suggestion in found:
        unique.setdefault(suggestion.text.lower(), suggestion)
    return list(unique.values())[:limit]


def _covers(title: str, words: list[str], ends_word: bool) -> bool:
    """True when every typed word is in the title, the last one possibly as a prefix."""
    title_words = _WORD.findall(title)
    *whole, last = words
    if not all(word in title_words for word in whole):
        return False
    return last in title_words if ends_word else any(word.startswith(last) for word in title_words)


def _frequent_words(searcher, prefix: str, limit: int, frequency: Callable[[str], float] | None = None) -> list[str]:
    """Return indexed words starting with prefix, most frequent first (the prefix itself excluded)."""
    if len(prefix) < 2:
        return []
    reader = searcher.reader()
    frequency = frequency or (lambda word: reader.frequency(SPELLING_FIELD, word))
    counted = []
    for number, word in enumerate(reader.expand_prefix(SPELLING_FIELD, prefix)):
        if number >= MAX_WORDS_SCANNED:
            break
        word = word.decode("utf-8") if isinstance(word, bytes) else word
        count = frequency(word)
        if word != prefix and count >= MIN_WORD_PASSAGES:
            counted.append((-count, word))
    return [word for _frequency, word in sorted(counted)[:limit]]
