"""Search inside one report: its pages that hold every word of the query, in page order, with excerpts."""

from __future__ import annotations

from .excerpts import find_matches, make_excerpt
from .query import parse_query
from .results import passage_url


def search_inside(service, doc_id: str, doc_format: str, text: str) -> dict:
    """Return {"query", "document", "total", "pages"} for the pages of doc_id matching every query word."""
    terms = parse_query(text).highlight_terms
    pages: dict[int, dict] = {}
    if terms:
        for passage in service.passages_of(doc_id):
            body = passage.get("text", "")
            if {term for _start, _end, term in find_matches(body, terms)} != set(terms):
                continue
            number = passage.get("page", 1) or 1
            if number not in pages:  # the page's first matching passage gives its excerpt
                pages[number] = {"page": number, "section": passage.get("section", ""),
                                 "excerpt_html": str(make_excerpt(body, terms)),
                                 "url": passage_url(doc_id, doc_format, number)}
    ordered = [pages[number] for number in sorted(pages)]
    return {"query": text, "document": doc_id, "total": len(ordered), "pages": ordered}
