"""Result types shared by the web app, the JSON API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from markupsafe import Markup


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


@dataclass
class PassageHit:
    """One matching passage of a document, ready to show."""

    page: int
    section: str
    excerpt_html: Markup
    url: str
    score: float = 0.0
    text: str = ""

    def to_json(self) -> dict:
        """Return the JSON shape of a passage."""
        return {"page": self.page, "section": self.section, "excerpt_html": str(self.excerpt_html), "url": self.url}


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
            "results": [result.to_json() for result in self.results],
        }
