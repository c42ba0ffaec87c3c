"""What scoring works on: retrieved pages, analysed words, candidate answers and their context."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter

from ..index.schema import text_analyzer
from .cues import cue_strength
from .question import Question
from .sentences import HEADING, Unit, split_units

_ANALYZER = text_analyzer()
_AS_WRITTEN = RegexTokenizer() | LowercaseFilter() | StopFilter()  # the same tokens and positions, unstemmed
HEADINGS_KEPT = 3  # how many headings above a unit count as its context
RECENT_FLOOR = 0.85  # the oldest document's share when the question asks about now
RETRIEVAL_FLOOR = 0.95  # the confidence kept by a page the search ranked far below the best...
RANKING_FLOOR = 0.8  # ...and the share of its rank among candidates


@dataclass
class PageText:
    """One retrieved page (or web page section) with its document's stored fields."""

    fields: dict  # doc_id, title, doc_type, date, format, section, page...
    text: str
    retrieval: float  # the page's best passage score relative to the best page (0 to 1)
    recency: float = 0.5  # the document's date among the retrieved documents' (0 oldest, 1 newest)


@dataclass
class Candidate:
    """A scored answer: one or two units (or a whole list) of a page, with their neighbours."""

    page: PageText
    text: str
    score: float
    before: str
    after: str
    heading: str
    detail: dict = field(default_factory=dict)  # the score's parts, for tuning and debugging

    @property
    def rank(self) -> float:
        """Return what orders candidates: the score, leaning further on how the search ranked the page.

        Passage scores are relative to the best page found, so they say which candidate is likelier
        to be the answer, not whether any is: they order candidates more than they move confidence.
        """
        return self.score * (RANKING_FLOOR + (1 - RANKING_FLOOR) * self.page.retrieval)


@lru_cache(maxsize=8192)
def analyse(text: str) -> tuple[frozenset[str], tuple[tuple[str, int, int], ...]]:
    """Return the words of text, both analysed and as written (lower case), and (word, position, start) triples."""
    stemmed = [(token.text, token.pos, token.startchar) for token in _ANALYZER(text, positions=True, chars=True)]
    written = [(token.text, token.pos, token.startchar) for token in _AS_WRITTEN(text, positions=True, chars=True)]
    tokens = tuple(sorted(stemmed + [token for token, stem in zip(written, stemmed) if token[0] != stem[0]],
                          key=lambda token: token[1]))
    return frozenset(word for word, _, _ in tokens), tokens


def words_of_page(page: PageText) -> frozenset[str]:
    """Return every word of a page, analysed and as written (from its units, which are analysed anyway)."""
    units = split_units(page.text, page.fields.get("format") == "pdf")
    return frozenset().union(*(analyse(unit.text)[0] for unit in units))


def headings_above(units: tuple[Unit, ...]) -> list[tuple[str, ...]]:
    """Return, for each unit, the headings above it on the page, nearest first."""
    current: list[str] = []
    found = []
    for unit in units:
        found.append(tuple(reversed(current[-HEADINGS_KEPT:])))
        if unit.kind == HEADING:
            current.append(unit.text)
    return found


def cue_factor(question: Question, text: str, known: str = "", term_start: int | None = None) -> float:
    """Return a factor for whether text has the kind of answer asked for."""
    strength = cue_strength(question, text, known, term_start)
    return 1.0 if strength is None else 0.5 + 0.5 * strength


def retrieval_factor(page: PageText) -> float:
    """Return a factor for how well the search ranked the page: its best passage's score against the best page's."""
    return RETRIEVAL_FLOOR + (1 - RETRIEVAL_FLOOR) * page.retrieval


def recency_factor(question: Question, page: PageText) -> float:
    """Return a factor favouring the newest documents when the question asks how things stand now."""
    return RECENT_FLOOR + (1 - RECENT_FLOOR) * page.recency if question.wants_latest else 1.0


def make_candidate(page, units, first: int, last: int, text: str, score: float, headings: tuple[str, ...]) -> Candidate:
    """Build a candidate with one unit of context either side, never across a heading."""
    before = units[first - 1].text if first > 0 and units[first - 1].kind != HEADING else ""
    after = units[last + 1].text if last + 1 < len(units) and units[last + 1].kind != HEADING else ""
    return Candidate(page, text, score, before, after, headings[0] if headings else "")
