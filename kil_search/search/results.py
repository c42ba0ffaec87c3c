"""Result types shared by the web app, the JSON API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from math import ceil
from urllib.parse import quote

from markupsafe import Markup

from ..urls import web_address


@lru_cache(maxsize=100_000)  # each shown passage asks for its link; quote() costs a few microseconds a time
def document_url(doc_id: str) -> str:
    """Return the app path of a document's page."""
    return f"/documents/{quote(doc_id, safe='/')}"


def file_url(doc_id: str) -> str:
    """Return the app path that serves a document's original file."""
    return f"{document_url(doc_id)}/file"


def passage_url(doc_id: str, doc_format: str, page: int) -> str:
    """Return the link for a passage: the PDF at its page, or the page's section."""
    if doc_format == "pdf":
        return f"{file_url(doc_id)}#page={page}"
    return f"{document_url(doc_id)}#section-{page}"


_web_address = lru_cache(maxsize=100_000)(web_address)  # a document's source URL is checked on every results page


# Words a minute, for the reading time shown on result cards and document pages.
READING_WORDS_PER_MINUTE = 230


def reading_minutes(word_count: int) -> int:
    """Return the minutes a document takes to read (at least 1 when it has words)."""
    return ceil(word_count / READING_WORDS_PER_MINUTE) if word_count else 0


@dataclass
class PassageHit:
    """One matching passage of a document, ready to show."""

    page: int
    section: str
    excerpt_html: Markup
    url: str
    score: float = 0.0
    text: str = ""
    case_study: str = ""
    places: list[str] = field(default_factory=list)
    ocr: bool = False  # the passage's text was recognised from a scan

    def to_json(self) -> dict:
        """Return the JSON shape of a passage."""
        return {"page": self.page, "section": self.section, "excerpt_html": str(self.excerpt_html), "url": self.url,
                "case_study": self.case_study, "places": self.places, "ocr": self.ocr}


@dataclass
class DocumentHit:
    """A document that matched, with its best passages."""

    id: str
    title: str
    type: str
    date: str
    format: str
    source_url: str
    score: float
    passages: list[PassageHit] = field(default_factory=list)
    page_count: int = 0
    word_count: int = 0

    def __post_init__(self) -> None:
        self.source_url = _web_address(self.source_url)  # stored URLs link only when they are http(s)

    @property
    def reading_minutes(self) -> int:
        """Return the minutes the whole document takes to read."""
        return reading_minutes(self.word_count)

    @property
    def url(self) -> str:
        """Return the document page's path."""
        return document_url(self.id)

    @property
    def file_url(self) -> str:
        """Return the original file's path."""
        return file_url(self.id)

    def to_json(self) -> dict:
        """Return the JSON shape of a result."""
        return {
            "id": self.id,
            "path": self.id,
            "title": self.title,
            "type": self.type,
            "date": self.date,
            "format": self.format,
            "source_url": self.source_url,
            "url": self.url,
            "file_url": self.file_url,
            "score": round(self.score, 4),
            "page_count": self.page_count,
            "word_count": self.word_count,
            "reading_minutes": self.reading_minutes,
            "passages": [passage.to_json() for passage in self.passages],
        }


@dataclass
class SearchPage:
    """One page of results for a query."""

    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    results: list[DocumentHit]
    matched_any_word: bool = False
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    facets: list = field(default_factory=list)  # FacetCounts
    sort: str = "relevance"
    exact: bool = False
    expansions: list = field(default_factory=list)  # rewrite.Expansion
    case_studies_only: bool = False  # "case studies" was read from the query as a filter
    suggestion: "Suggestion | None" = None

    @property
    def page_count(self) -> int:
        """Return how many result pages there are."""
        return max(1, -(-self.total // self.per_page))

    def to_json(self) -> dict:
        """Return the /api/search JSON shape."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": self.took_ms,
            "matched_any_word": self.matched_any_word,
            "sort": self.sort,
            "exact": self.exact,
            "filters": {name: list(values) for name, values in self.filters.items()},
            "also_searched": [expansion.to_json() for expansion in self.expansions],
            "case_studies_only": self.case_studies_only,
            "did_you_mean": self.suggestion.to_json() if self.suggestion else None,
            "facets": [facet.to_json() for facet in self.facets],
            "results": [result.to_json() for result in self.results],
        }


@dataclass(frozen=True)
class Suggestion:
    """A corrected query that finds more documents than the one typed."""

    query: str
    total: int

    def to_json(self) -> dict:
        """Return the suggestion as plain data."""
        return {"query": self.query, "total": self.total}
