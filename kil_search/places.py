"""The UK councils gazetteer: a council's names, type and region, and councils named in text.

Data: kil_search/data/uk-local-authorities.csv and uk-local-authority-names.csv (contains data
from mySociety's UK Local Authority Names and Codes and Local Authority Similarity datasets,
CC BY 4.0) plus our own kil_search/data/places.toml (extra variants, names needing context).
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# mySociety's type codes → the council types we show and filter by. Scottish and Welsh
# unitary authorities are unitary; Northern Ireland's district councils are districts; the
# City of London Corporation is the one "city"; combined and strategic authorities (GLA) are
# grouped as "combined authority".
COUNCIL_TYPES = {
    "LBO": "London borough", "MD": "metropolitan district", "CTY": "county", "NMD": "district",
    "UA": "unitary", "SCO": "unitary", "WPA": "unitary", "NID": "district", "CC": "city",
    "COMB": "combined authority", "SRA": "combined authority",
}
COUNCIL_TYPE_ORDER = ("London borough", "metropolitan district", "county", "district", "unitary", "city", "combined authority")

_TOKEN = re.compile(r"[^\W_]+|&")
_JOINER = re.compile(r"[\s\-'’,.]*")
_LIST_JOINER = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+|\s*&\s*)", re.IGNORECASE)
# Lower-case words allowed inside a name ("Newcastle upon Tyne", "King's Lynn").
_CONNECTORS = frozenset({"and", "of", "upon", "on", "under", "the", "nan", "na", "h", "le", "y", "s"})
# A council word after a name confirms it ("Reading Borough Council").
_COUNCIL_WORDS = frozenset({"council", "borough", "district", "city", "county", "metropolitan", "mbc", "mdc", "ua"})
_PLACE_PREPOSITIONS = frozenset({"in", "at", "from", "across", "around", "near", "throughout", "within", "outside"})
# A capitalised word before a name that makes it part of another name ("New York", "Mr Preston").
_BLOCKING_PREFIXES = frozenset({"New", "Greater", "Great", "Little", "Old", "Upper", "Lower", "Mr", "Mrs", "Ms",
                                "Dr", "Lord", "Lady", "Sir", "Saint", "St", "Port", "Royal", "Fort", "Cape"})
_HYPHEN = re.compile(r"[-‐–]")
_INVERTED_NAME = re.compile(r",\s*(city|county) of$", re.IGNORECASE)
# A combined authority is named for its area ("West Yorkshire"); only its full name means the authority.
_AUTHORITY_WORDS = frozenset({"combined", "authority", "ca", "mca", "gla"})


@dataclass(frozen=True)
class Council:
    """One local authority, as the gazetteer describes it."""

    code: str
    name: str
    official_name: str
    type_code: str
    council_type: str
    region: str
    nation: str
    current: bool
    replaced_by: str = ""
    deprivation_quintile: int | None = None
    settlement_type: str = ""
    population: int | None = None

    def to_json(self) -> dict:
        """Return the council as plain data."""
        return asdict(self)


@dataclass(frozen=True)
class PlaceMention:
    """A council named in a text, with where the name is."""

    code: str
    start: int
    end: int


def normalise_name(name: str) -> tuple[str, ...]:
    """Return the lower-case words of a name ("King's Lynn" → ("king", "s", "lynn"))."""
    return tuple("and" if word == "&" else word.lower() for word in _TOKEN.findall(name))


class Gazetteer:
    """Councils by code and by every known spelling of their names."""

    def __init__(self, councils: dict[str, Council], names: dict[tuple[str, ...], str],
                 ambiguous: set[tuple[str, ...]], council_word_only: set[tuple[str, ...]] = frozenset()):
        self._councils = councils
        self._names = names
        self._ambiguous = ambiguous | council_word_only
        self._council_word_only = council_word_only
        self._longest: dict[str, int] = {}  # first word of a name → most words in a name starting with it
        for key in names:
            self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))

    def council(self, code: str) -> Council | None:
        """Return the council with this code, or None."""
        return self._councils.get(code)

    def councils(self, current_only: bool = True) -> list[Council]:
        """Return councils sorted by name (current ones only, unless asked)."""
        chosen = [council for council in self._councils.values() if council.current or not current_only]
        return sorted(chosen, key=lambda council: council.name.lower())

    def resolve(self, name: str) -> Council | None:
        """Return the council a name or code stands for ("Bradford", "BRD", "Bradford Council")."""
        if name.strip().upper() in self._councils:
            return self._councils[name.strip().upper()]
        key = normalise_name(name)
        while key:
            if key in self._names:
                return self._councils[self._names[key]]
            if key[-1] not in _COUNCIL_WORDS:
                return None
            key = key[:-1]
        return None

    def find(self, text: str, known: frozenset[str] = frozenset()) -> list[PlaceMention]:
        """Return the councils named in text, longest name first; `known` codes need no context."""
        tokens = list(_TOKEN.finditer(text))
        words = ["and" if token.group() == "&" else token.group().lower() for token in tokens]
        found: list[tuple[PlaceMention, bool]] = []
        free_from = 0  # a name found covers its words: the next one starts after it
        for index in [index for index, word in enumerate(words) if word in self._longest]:
            if index < free_from:
                continue
            match = self._longest_name_at(text, tokens, words, index)
            if match is None:
                continue
            length, code = match
            first, last = tokens[index], tokens[index + length - 1]
            key = tuple(words[index:index + length])
            sure = code in known or key not in self._ambiguous \
                or _has_context(text, tokens, index, length, key in self._council_word_only)
            found.append((PlaceMention(code, first.start(), last.end()), sure))
            free_from = index + length
        return _accept_lists(text, found)

    def _longest_name_at(self, text: str, tokens: list, words: list[str], index: int) -> tuple[int, str] | None:
        """Return (token count, code) of the longest acceptable name starting at tokens[index]."""
        longest = self._longest.get(words[index], 0)
        if not longest or not (tokens[index].group()[0].isupper() or tokens[index].group()[0].isdigit()):
            return None
        if index > 0 and _joined_to_name(tokens[index - 1], text[tokens[index - 1].end():tokens[index].start()]):
            return None
        for length in range(min(longest, len(tokens) - index), 0, -1):
            window = tokens[index:index + length]
            key = tuple(words[index:index + length])
            code = self._names.get(key)
            if code is None:
                continue
            joined = all(_JOINER.fullmatch(text[a.end():b.start()]) for a, b in zip(window, window[1:]))
            capitalised = all(word in _CONNECTORS or token.group()[0].isupper() or token.group()[0].isdigit()
                              for token, word in zip(window, key))
            after = tokens[index + length] if index + length < len(tokens) else None
            compound = after is not None and _HYPHEN.fullmatch(text[window[-1].end():after.start()]) and after.group()[0].isupper()
            if joined and capitalised and not compound:
                return length, code
        return None


def _joined_to_name(before, gap: str) -> bool:
    """True when the word before a name makes it part of another one ("New York", "Warwick-Edinburgh")."""
    if gap.isspace():
        return before.group() in _BLOCKING_PREFIXES
    return bool(_HYPHEN.fullmatch(gap)) and before.group()[0].isupper()


def _has_context(text: str, tokens: list, index: int, length: int, council_word_only: bool = False) -> bool:
    """True when the words around an ambiguous name show it is a place."""
    after = tokens[index + length] if index + length < len(tokens) else None
    before = tokens[index - 1] if index > 0 else None
    if after is not None and after.group().lower() in _COUNCIL_WORDS:
        return True
    if council_word_only or before is None or before.group().lower() not in _PLACE_PREPOSITIONS:
        return False
    gap = text[tokens[index + length - 1].end():after.start()] if after is not None else "."
    return not (after is not None and gap.isspace() and after.group()[0].isupper())


def _accept_lists(text: str, found: list[tuple[PlaceMention, bool]]) -> list[PlaceMention]:
    """Keep sure mentions, and unsure ones listed next to a sure one ("Bath, Bristol and Swindon")."""
    sure = [flag for _mention, flag in found]
    changed = True
    while changed:
        changed = False
        for position, (mention, _flag) in enumerate(found):
            if sure[position]:
                continue
            for other in (position - 1, position + 1):
                if 0 <= other < len(found) and sure[other]:
                    left, right = sorted((mention, found[other][0]), key=lambda item: item.start)
                    if _LIST_JOINER.fullmatch(text[left.end:right.start]):
                        sure[position] = changed = True
                        break
    return [mention for (mention, _flag), keep in zip(found, sure) if keep]


def _read_csv(path: Path) -> list[dict]:
    """Read a CSV whose first lines may be '#' comments (the attribution)."""
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _number(value: str) -> int | None:
    """Turn "5" or "12345.0" into an int; "" into None."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=4)
def load_gazetteer(data_dir: Path = DATA_DIR) -> Gazetteer:
    """Read the gazetteer files once per process."""
    extra = tomllib.loads((data_dir / "places.toml").read_text(encoding="utf-8"))
    display = extra.get("display_names", {})
    councils = {}
    for row in _read_csv(data_dir / "uk-local-authorities.csv"):
        code = row["local-authority-code"]
        councils[code] = Council(
            code=code, name=display.get(code, row["nice-name"]), official_name=row["official-name"],
            type_code=row["local-authority-type"],
            council_type=COUNCIL_TYPES.get(row["local-authority-type"], row["local-authority-type-name"].lower()),
            region=row["region"] or row["nation"], nation=row["nation"], current=row["current-authority"] == "True",
            replaced_by=row["replaced-by"], deprivation_quintile=_number(row["deprivation-quintile"]),
            settlement_type=row["settlement-type"], population=_number(row["pop-2020"]),
        )
    names: dict[tuple[str, ...], str] = {}
    rows = [(row["la-name"], row["local-authority-code"]) for row in _read_csv(data_dir / "uk-local-authority-names.csv")]
    rows += [(council.name, code) for code, council in councils.items()]
    rows += list(extra.get("variants", {}).items())
    for name, code in rows:
        key = normalise_name(name)
        if code not in councils or not key or _INVERTED_NAME.search(name):
            continue
        if councils[code].council_type == "combined authority" and not _AUTHORITY_WORDS.intersection(key):
            continue
        current = names.get(key)
        if current is None or (not councils[current].current and councils[code].current):
            names[key] = code
    ambiguous = {normalise_name(name) for name in extra.get("ambiguous", {}).get("names", [])}
    strict = {normalise_name(name) for name in extra.get("ambiguous", {}).get("council_word_only", [])}
    return Gazetteer(councils, names, ambiguous, strict)
