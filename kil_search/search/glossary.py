"""The glossary of council-speak: groups of terms that mean the same (kil_search/data/glossary.toml)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from ..errors import KilSearchError
from ..index.analysis import analysed_words

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "data" / "glossary.toml"


def stems(text: str) -> tuple[str, ...]:
    """Return the analysed words of text, as the index stores them ("Councillors" → ("councillor",)).

    Whoosh's analyzer gives the same words (tests compare them) through a generator per token: 4 times slower,
    and ranking feedback analyses eight passages of a long query the first time it is seen.
    """
    return analysed_words(text)


class Glossary:
    """Look up the group a term belongs to, by its analysed words."""

    def __init__(self, groups: list[list[str]]):
        self.groups = [list(dict.fromkeys(group)) for group in groups]
        self._group_of: dict[tuple[str, ...], int] = {}
        for number, group in enumerate(self.groups):
            for term in group:
                key = stems(term)
                if key:
                    self._group_of.setdefault(key, number)
        self.longest = max((len(key) for key in self._group_of), default=0)

    def alternatives(self, key: tuple[str, ...]) -> list[str]:
        """Return the other terms of the group whose term has these analysed words ([] if none)."""
        number = self._group_of.get(key)
        if number is None:
            return []
        return [term for term in self.groups[number] if stems(term) != key]


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    """Read the glossary file once per process; a broken file is a clear error."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KilSearchError(f"glossary {path}: {error}") from None
    groups = []
    for number, group in enumerate(data.get("group", []), start=1):
        terms = group.get("terms") if isinstance(group, dict) else None
        if not isinstance(terms, list) or not all(isinstance(term, str) and term.strip() for term in terms):
            raise KilSearchError(f"glossary {path}: group {number} needs terms = [\"...\", ...]")
        groups.append([term.strip() for term in terms])
    return Glossary(groups)
