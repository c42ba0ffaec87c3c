"""Read what a person typed before parsing: glossary alternatives, and "case studies" as a filter.

"VCSE grants" becomes `(VCSE OR "voluntary and community sector" OR ...) grants`; "case studies
adult social care" becomes "adult social care" plus the case-studies-only filter. Quoted phrases, operators and excluded
words (-word, NOT word) are left as typed. With exact=True nothing is rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq

from .glossary import Glossary, stems

# How much a glossary alternative counts next to the words actually typed.
ALTERNATIVE_BOOST = 0.6
_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_CONTRACTION_TAIL = re.compile(r"['’](?:s|re|ve|ll|d)$")  # "what's", "how're", "who'd"
_CASE_WORDS = re.compile(r"(?i)^case[-‐]?(?:study|studies)$")
# Words that say how a sentence is built, not what it is about: left out of a query as typed when it
# has other words ("what are the problems of heat conduction" searches "problems heat conduction").
# The index's analyser drops only a few of them; a question's "what", "were", "does" or "must" would
# otherwise count as words every result should hold.
FUNCTION_WORDS = frozenset("""
    a about above after again against all also am among an and any are as at be because been before being
    below between both but by can could did do does doing done down during each either for from further
    had has have having he her here hers herself him himself his how however i if in into is it its itself
    may me might must my myself neither no nor not of off on once only or other ought our ours ourselves
    out over own per same shall she should so some such than that the their theirs them themselves then
    there these they this those through thus to too under until upon very was we were what whatever when
    whenever where whereas whether which while who whom whose why will with within without would yet you
    your yours yourself yourselves
""".split())


@dataclass(frozen=True)
class Expansion:
    """Words that were typed and the glossary terms also searched for them."""

    typed: str
    alternatives: tuple[str, ...]

    def to_json(self) -> dict:
        """Return the expansion as plain data."""
        return {"typed": self.typed, "alternatives": list(self.alternatives)}


@dataclass
class Rewrite:
    """The text for the parser, and what the rewrite did."""

    text: str
    plain_text: str  # the same without glossary alternatives
    expansions: list[Expansion] = field(default_factory=list)
    case_studies_only: bool = False

    def alternative_keys(self) -> set[tuple[str, ...]]:
        """Return the analysed words of every alternative that was not typed."""
        typed = {stems(word) for expansion in self.expansions for word in expansion.typed.split()}
        typed |= {stems(expansion.typed) for expansion in self.expansions}
        return {stems(term) for expansion in self.expansions for term in expansion.alternatives} - typed


def rewrite_query(text: str, glossary: Glossary | None, exact: bool = False) -> Rewrite:
    """Rewrite user text for the parser (unchanged when exact)."""
    if exact:
        return Rewrite(text, text)
    tokens = _TOKEN.findall(text)
    case_studies_only = False
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        pair = " ".join(tokens[index:index + 2])
        if _is_plain(tokens, index) and re.fullmatch(r"(?i)case\s+(?:study|studies)", pair) and _is_plain(tokens, index + 1):
            case_studies_only, index = True, index + 2
        elif _is_plain(tokens, index) and _CASE_WORDS.match(tokens[index]):
            case_studies_only, index = True, index + 1
        else:
            kept.append(tokens[index])
            index += 1
    kept = without_function_words(kept)
    plain = " ".join(kept) if case_studies_only or len(kept) < len(tokens) else text
    if glossary is None:
        return Rewrite(plain, plain, [], case_studies_only)
    pieces, expansions = _expand(kept, glossary)
    return Rewrite(" ".join(pieces) if expansions else plain, plain, expansions, case_studies_only)


def without_function_words(tokens: list[str]) -> list[str]:
    """Leave out plain function words, unless nothing else would be left or an operator needs them."""
    def droppable(index: int) -> bool:
        neighbours = tokens[index - 1:index] + tokens[index + 1:index + 2]
        return (_is_plain(tokens, index) and _bare_word(tokens[index]) in FUNCTION_WORDS
                and not any(token in _OPERATORS for token in neighbours))

    kept = [token for index, token in enumerate(tokens) if not droppable(index)]
    return kept if any(_is_plain(kept, index) for index in range(len(kept))) else tokens


def _bare_word(token: str) -> str:
    """Return a token lower-cased without its punctuation or a contraction's tail ("What's" gives "what")."""
    return _CONTRACTION_TAIL.sub("", token.lower().strip(".,;:!?"))


def downweight_alternatives(parsed: wq.Query, keys: set[tuple[str, ...]]) -> wq.Query:
    """Lower the weight of glossary alternatives so the typed words rank first (in place)."""
    if not keys:
        return parsed
    for node in parsed.leaves():
        words = tuple(node.words) if isinstance(node, wq.Phrase) else (node.text,) if isinstance(node, wq.Term) else None
        if words in keys:
            node.boost *= ALTERNATIVE_BOOST
    return parsed


def _is_plain(tokens: list[str], index: int) -> bool:
    """True for an ordinary word: not quoted, not a bracket or operator, not excluded by -/NOT."""
    if index >= len(tokens):
        return False
    token = tokens[index]
    if token.startswith(('"', "-", "+")) or token in "()" or token in _OPERATORS:
        return False
    return not (index > 0 and tokens[index - 1] == "NOT")


def _expand(tokens: list[str], glossary: Glossary) -> tuple[list[str], list[Expansion]]:
    """Replace glossary terms among plain words by a group of alternatives; longest term first."""
    pieces, expansions = [], []
    index = 0
    while index < len(tokens):
        match = _longest_term(tokens, index, glossary) if _is_plain(tokens, index) else None
        if match is None:
            pieces.append(tokens[index])
            index += 1
            continue
        length, alternatives = match
        typed = " ".join(tokens[index:index + length])
        quoted = [f'"{term}"' if len(term.split()) > 1 or not term.isalnum() else term for term in alternatives]
        pieces.append(f"(({typed}) OR {' OR '.join(quoted)})")
        expansions.append(Expansion(typed, tuple(alternatives)))
        index += length
    return pieces, expansions


def _longest_term(tokens: list[str], index: int, glossary: Glossary) -> tuple[int, list[str]] | None:
    """Return (word count, alternatives) of the longest glossary term starting at tokens[index]."""
    for length in range(min(glossary.longest + 2, len(tokens) - index), 0, -1):
        if not all(_is_plain(tokens, position) for position in range(index, index + length)):
            continue
        words = tokens[index:index + length]
        if not stems(words[0]) or not stems(words[-1]):
            continue
        alternatives = glossary.alternatives(stems(" ".join(words)))
        if alternatives:
            return length, alternatives
    return None
