"""The Whoosh schema of the passage index and its version stamp."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, Schema

from .analysis import FastText, WordCounts, text_analyzer

# Bump whenever fields or analysis change: the indexer then rebuilds instead of failing.
# Also bump it when extraction changes what text a file gives, so every file is read again: an incremental
# run would keep the old text of unchanged files, and a question would get another answer than after a fresh build.
SCHEMA_VERSION = 10  # 5: passages recognised from a scan carry ocr=True (issue 17); 6: accents folded (issue 14);
# 7: running headers whose page number changes sides dropped, a short web page's menus left out (issue 15);
# 8: a running header printed over left-hand pages only dropped (issue 15); 9: sentence vectors (issue 14);
# 10: the vectors moved to the vector cache, filled after the words are published; contents pages marked (issue 14)
# Older versions this code still searches until the indexer rebuilds them. A version 5 index holds
# accented words unfolded: a query for such a word (with or without accents) misses them until then.
READABLE_VERSIONS = frozenset({5, 6, 7, 8, 9, SCHEMA_VERSION})

KIND_DOCUMENT = "document"
KIND_PASSAGE = "passage"

__all__ = ["KIND_DOCUMENT", "KIND_PASSAGE", "READABLE_VERSIONS", "SCHEMA_VERSION", "build_schema", "text_analyzer"]


def build_schema() -> Schema:
    """Return the schema: one record per document plus one per passage."""
    return Schema(
        record_id=ID(unique=True, stored=True),
        kind=ID(stored=True, sortable=True),
        doc_id=ID(stored=True, sortable=True),
        title=FastText(stored=True, field_boost=2.0),
        section=FastText(stored=True, field_boost=1.3),
        text=FastText(stored=True),
        # The spelling aids' words: unstemmed, with how many passages of the document hold each,
        # given on a document's first passage only.
        words=WordCounts(),
        doc_type=ID(stored=True, sortable=True),
        format=ID(stored=True),
        date=ID(stored=True, sortable=True),
        page=NUMERIC(stored=True, sortable=True),
        themes=KEYWORD(stored=True, commas=True, lowercase=True, scorable=False, sortable=True),
        places=KEYWORD(stored=True, commas=True, scorable=False),
        # Finding aids (kil_search/enrich): per passage, with columns so facets count fast.
        year=ID(stored=True, sortable=True),
        place_codes=KEYWORD(stored=True, commas=True, scorable=False, sortable=True),
        council_types=KEYWORD(stored=True, commas=True, scorable=False, sortable=True),
        regions=KEYWORD(stored=True, commas=True, scorable=False, sortable=True),
        case_study=ID(stored=True, sortable=True),
        case_title=STORED(),
        case_place=STORED(),
        ocr=STORED(),  # True on passages whose text was recognised from a scan; absent otherwise
        source_url=STORED(),
        details=STORED(),
        # True on a contents page (searched at CONTENTS_PAGE_BOOST; its headings get no sentence vectors).
        contents=STORED(),
    )
