"""The Whoosh schema of the passage index and its version stamp."""

from __future__ import annotations

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

# Bump whenever fields or analysis change: the indexer then rebuilds instead of failing.
SCHEMA_VERSION = 2

KIND_DOCUMENT = "document"
KIND_PASSAGE = "passage"


def text_analyzer():
    """Return the English analyzer shared by indexing, querying and highlighting."""
    return StemmingAnalyzer()


def build_schema() -> Schema:
    """Return the schema: one record per document plus one per passage."""
    analyzer = text_analyzer()
    return Schema(
        record_id=ID(unique=True, stored=True),
        kind=ID(stored=True),
        doc_id=ID(stored=True, sortable=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        section=TEXT(analyzer=analyzer, stored=True, field_boost=1.3),
        # No spelling=True: it analysed every passage a second time and nothing asks for suggestions.
        text=TEXT(analyzer=analyzer, stored=True),
        doc_type=ID(stored=True, sortable=True),
        format=ID(stored=True),
        date=ID(stored=True, sortable=True),
        page=NUMERIC(stored=True, sortable=True),
        themes=KEYWORD(stored=True, commas=True, lowercase=True, scorable=False),
        places=KEYWORD(stored=True, commas=True, scorable=False),
        source_url=STORED(),
        details=STORED(),
    )
