"""Turn typed text and filters into what the searcher runs: rewritten, parsed, masked, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping

from whoosh import query as wq

from ..places import Gazetteer
from .facets import Filters, clean_filters, filter_query
from .glossary import Glossary, stems
from .query import MAX_QUERY_CHARS, ParsedQuery, parse_query
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

    @cached_property  # a prepared query is kept and reused per index generation (service.py): worked out once
    def highlight_phrases(self) -> frozenset[tuple[str, ...]]:
        """Return the multi-word glossary alternatives, highlighted only where the whole phrase appears."""
        return frozenset(key for key in self.rewrite.alternative_keys() if len(key) > 1)

    @cached_property
    def highlight_terms(self) -> frozenset[str]:
        """Return the words to highlight on their own: typed words and one-word alternatives."""
        phrase_words = {word for phrase in self.highlight_phrases for word in phrase}
        typed = set(stems(self.rewrite.plain_text))
        return frozenset(term for term in self.parsed.highlight_terms if term not in phrase_words or term in typed)

    @property
    def text_query(self) -> wq.Query:
        """Return the words' query, or every passage when only filters were given."""
        return wq.Every() if self.parsed.is_empty else self.parsed.query


def prepare(searcher, text: str, filters: Mapping[str, Iterable[str]] | None, glossary: Glossary | None,
            gazetteer: Gazetteer, exact: bool = False, any_word: bool = False) -> PreparedQuery:
    """Rewrite and parse text, and combine it with the cleaned filters."""
    cleaned = clean_filters(filters or {})
    # Only what the parser keeps: the glossary rewrite costs per word (2,000 words took 1.4 s).
    rewrite = rewrite_query(text[:MAX_QUERY_CHARS], glossary, exact)
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
