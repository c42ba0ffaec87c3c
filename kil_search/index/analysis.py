"""Index-time analysis without Whoosh's per-token generator chain.

Whoosh analyses a field value through a chain of generators that pass one Token object
along per word (tokenizer, lower case, stop words, stemmer), then groups positions per term
in its format. On a full build that chain was the biggest share of the indexer's own CPU.
`FastText` gives Whoosh exactly the same postings (the same terms, positions, weights and
encoded bytes as `text_analyzer()` with the `Positions` format: tests compare them) from one
list comprehension per value, and remembers the postings of short values such as titles and
section headings, which every passage of a document repeats. `analysed_words` gives the same
words for a query or a stored passage (ranking feedback analyses its best passages on every long
query); the query parser and highlighting keep using the Whoosh analyzer of the field.

Both fold accents after lower-casing (`fold_accents`: "Beauséjour" and "Beausejour" are one
word), so a word typed with or without its accents finds the other.

`WordCounts` replaces Whoosh's separate spelling field: the unstemmed words of a document with
the number of its passages that contain them, given ready-counted instead of analysed again.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pickle import dumps

from whoosh import formats
from whoosh.analysis import (STOP_WORDS, CharsetFilter, CompositeAnalyzer, LowercaseFilter, RegexTokenizer, SimpleAnalyzer,
                             StemFilter, StopFilter)
from whoosh.analysis.tokenizers import default_pattern
from whoosh.fields import TEXT, FieldType
from whoosh.lang.porter import stem
from whoosh.system import pack_uint

# The tokenizer's pattern with its group made non-capturing, so findall returns whole words.
_WORD = re.compile(default_pattern.pattern.replace("(\\.?", "(?:\\.?"), default_pattern.flags)
_STOPS = frozenset(STOP_WORDS)
_MIN_WORD = 2  # StemmingAnalyzer's minsize
_SHORT_VALUE = 300  # values up to this long (titles, headings) have their postings remembered
_MAX_REMEMBERED = 20_000
_MAX_STEMS = 200_000

_stems: dict[str, str] = {}

# Latin letters whose Unicode decomposition is not a base letter plus accents, folded by hand.
_STROKED = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T"}
_LATIN_RANGES = (range(0xC0, 0x250), range(0x1E00, 0x1F00))  # Latin-1 to Latin Extended-B, Latin Extended Additional


def _accent_map() -> dict[int, str]:
    """Return a str.translate table from each accented Latin letter to its plain ASCII letter, case kept.

    One character for one, so folded text keeps its length and its offsets. Folding and lower-casing
    can be done in either order (tests check every character), so text can be folded before it is
    split into words. Whoosh's own `accent_map` is not used: it folds some letters to the wrong one
    ("Ĺ" to "a") and turns combining accents into letters.
    """
    table = {ord(letter): plain for letter, plain in _STROKED.items()}
    for code in (code for block in _LATIN_RANGES for code in block):
        base, *marks = unicodedata.normalize("NFD", chr(code))
        if marks and base.isascii() and base.isalpha() and all(unicodedata.category(mark) == "Mn" for mark in marks):
            table[code] = base
    del table[0x130]  # "İ" lower-cases to "i" and a combining dot above, which stay as they are
    table[0x212B] = "A"  # the Angstrom sign lower-cases to "å"
    return table


ACCENTS = _accent_map()
_PLAIN = {chr(code): plain for code, plain in ACCENTS.items()}
_ACCENTED = re.compile(f"[{''.join(_PLAIN)}]")
# Every UTF-8 byte but the lead bytes of U+00C0-U+027F and U+1000-U+1FFF, where the accented letters are
# (all but the Angstrom sign, looked for on its own).
_NOT_ACCENT_LEADS = bytes(sorted(set(range(256)) - {*range(0xC3, 0xCA), 0xE1}))
_ANGSTROM = "\u212b"


def fold_accents(text: str) -> str:
    """Return text with accented Latin letters replaced by their plain letter ("Beauséjour" → "Beausejour").

    Character for character: the result has text's length, so offsets into it are offsets into text.
    Gives text.translate(ACCENTS), faster: translate looks up every character (85 us for a passage
    with one curly quote); text with no lead byte of an accented letter is returned as it is (2 us).
    """
    if text.isascii() or not (text.encode("utf-8", "surrogatepass").translate(None, _NOT_ACCENT_LEADS)
                              or _ANGSTROM in text):
        return text
    return _ACCENTED.sub(_plain_letter, text)


def _plain_letter(match: re.Match) -> str:
    """Return the plain letter of the accented letter matched."""
    return _PLAIN[match.group()]


def text_analyzer() -> CompositeAnalyzer:
    """Return Whoosh's StemmingAnalyzer with accents folded after lower-casing: how text fields are analysed."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(ACCENTS) | StopFilter() | StemFilter()


def _stem(word: str) -> str:
    """Return the Porter stem of a lower-case word, remembered."""
    stemmed = _stems.get(word)
    if stemmed is None:
        if len(_stems) >= _MAX_STEMS:
            _stems.clear()
        stemmed = _stems[word] = stem(word)
    return stemmed


def analysed_words(text: str) -> tuple[str, ...]:
    """Return the words of text as the text analyzer gives them (stop words left out, stemmed), in order."""
    return tuple(_stem(word) for word in kept_words(text)[1])


def kept_words(text: str) -> tuple[int, list[str]]:
    """Return (position of the first kept word, the lower-case words left after stop words).

    Whoosh's StopFilter renumbers positions: the first kept word keeps its place among all
    words, each later kept word comes one after the one before.
    """
    words = [word.lower() for word in _WORD.findall(fold_accents(text))]
    first = 0
    for first, word in enumerate(words):
        if len(word) >= _MIN_WORD and word not in _STOPS:
            break
    else:
        return 0, []
    return first, [word for word in words[first:] if len(word) >= _MIN_WORD and word not in _STOPS]


_encoded: dict[tuple[int, ...], bytes] = {}
_MAX_ENCODED = 100_000


def _encode_positions(positions: list[int]) -> bytes:
    """Encode positions exactly as whoosh.formats.Positions.encode does (remembered: most
    terms occur once or twice in a passage, at one of a few hundred positions)."""
    key = tuple(positions)
    encoded = _encoded.get(key)
    if encoded is None:
        if len(_encoded) >= _MAX_ENCODED:
            _encoded.clear()
        deltas = [positions[0]] + [after - before for before, after in zip(positions, positions[1:])]
        encoded = _encoded[key] = pack_uint(len(deltas)) + dumps(deltas, 2)
    return encoded


def position_postings(text: str, field_boost: float) -> list[tuple[bytes, int, float, bytes]]:
    """Return (term bytes, frequency, weight, encoded positions) per stemmed term of text."""
    first, words = kept_words(text)
    positions: dict[str, list[int]] = {}
    for offset, word in enumerate(words, start=first):
        term = _stem(word)
        found = positions.get(term)
        if found is None:
            positions[term] = [offset]
        else:
            found.append(offset)
    return [(term.encode("utf-8"), len(found), len(found) * field_boost, _encode_positions(found))
            for term, found in positions.items()]


class FastText(TEXT):
    """A TEXT field for text_analyzer() with positions, indexed without the generator chain."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=text_analyzer(), phrase=True, **kwargs)
        self._remembered: dict[str, list] = {}

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_remembered", None)  # the schema is pickled into the index: no cache in it
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._remembered = {}

    def index(self, value, **kwargs):
        """Return the postings of value, as TEXT.index would."""
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        if len(value) > _SHORT_VALUE:
            return position_postings(value, self.format.field_boost)
        postings = self._remembered.get(value)
        if postings is None:
            if len(self._remembered) >= _MAX_REMEMBERED:
                self._remembered.clear()
            postings = self._remembered[value] = position_postings(value, self.format.field_boost)
        return postings


def passage_words(text: str) -> set[str]:
    """Return the distinct unstemmed words of text that the spelling aids know, lower case, accents folded."""
    words = set(map(str.lower, _WORD.findall(fold_accents(text))))
    words -= _STOPS
    return {word for word in words if len(word) >= _MIN_WORD}


def count_words(texts) -> Counter:
    """Return, for each word, how many of the texts contain it."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(passage_words(text))
    return counts


class WordCounts(FieldType):
    """Unstemmed words (accents folded) with counts, given as a {word: count} mapping; not scored, not stored."""

    def __init__(self):
        self.format = formats.Frequency()
        self.analyzer = SimpleAnalyzer() | CharsetFilter(ACCENTS)  # only for parsing a query against this field
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    def index(self, value, **kwargs):
        """Return one posting per word: (word bytes, count, count, encoded count)."""
        return [(word.encode("utf-8"), count, float(count), pack_uint(count)) for word, count in value.items()]
