"""Turn typed text and filters into what the searcher runs: rewritten, parsed, masked, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from whoosh import query as wq

from ..places import Gazetteer
from .facets import Filters, clean_filters, filter_query
from .glossary import Glossary
from .query import ParsedQuery, parse_query
from .rewrite import Rewrite, downweight_alternatives, rewrite_query


@dataclass
class PreparedQuery:
    """A query ready to run: the parsed text, the filters, and the documents its NOT parts exclude."""

    rewrite: Rewrite
    parsed: ParsedQuery
    filters: Filters
    filter_query: wq.Query
    mask: wq.Query | None

    @property
    def runnable(self) -> bool:
        """True when there is something to search: words, or at least a filter to browse by."""
        return not self.parsed.is_empty or bool(self.filters)

    @property
    def text_query(self) -> wq.Query:
        """Return the words' query, or every passage when only filters were given."""
        return wq.Every() if self.parsed.is_empty else self.parsed.query


def prepare(searcher, text: str, filters: Mapping[str, Iterable[str]] | None, glossary: Glossary | None,
            gazetteer: Gazetteer, exact: bool = False, any_word: bool = False) -> PreparedQuery:
    """Rewrite and parse text, and combine it with the cleaned filters."""
    cleaned = clean_filters(filters or {})
    rewrite = rewrite_query(text, glossary, exact)
    if rewrite.case_studies_only:
        cleaned = {**cleaned, "case_study": ("yes",)}
    parsed = parse_query(rewrite.text, any_word=any_word)
    if parsed.degraded and rewrite.expansions:
        parsed = parse_query(rewrite.plain_text, any_word=any_word)
        rewrite.expansions = []
    downweight_alternatives(parsed.query, rewrite.alternative_keys())
    return PreparedQuery(rewrite, parsed, cleaned, filter_query(cleaned, gazetteer), excluded_documents(searcher, parsed))


def excluded_documents(searcher, parsed: ParsedQuery) -> wq.Query | None:
    """Return a mask of every passage of documents that mention an excluded word."""
    excluded = parsed.excluded
    if excluded is None:
        return None
    doc_ids = {fields["doc_id"] for fields in (hit.fields() for hit in searcher.search(excluded, limit=None, scored=False))}
    return wq.Or([wq.Term("doc_id", doc_id) for doc_id in sorted(doc_ids)]) if doc_ids else None
