"""What the indexer makes of an extracted Document before writing it: fields, finding aids, words.

This runs in the extraction workers (kil_search.extract.runner calls prepare_document on each
Document it extracts), so the indexing process only writes: on a full build that process was
the slowest part, and the workers waited for it. The indexer does the same work itself for a
result that arrives without it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .corpus import CatalogEntry, normalise_date
from .enrich import Enrichment, enrich_document
from .index.analysis import count_words
from .models import Document


@dataclass
class Prepared:
    """A document's merged fields, its passages with their finding aids, and its word counts."""

    fields: dict
    enrichment: Enrichment
    words: Counter


def prepare_document(path: Path, document: Document, hint: tuple[str, CatalogEntry] | None) -> Prepared:
    """Prepare one extracted document for the index (hint: its doc_id and catalogue entry)."""
    doc_id, entry = hint if hint is not None else (path.name, CatalogEntry())
    fields = document_fields(path, doc_id, document, entry)
    enrichment = enrich_document(document, fields["title"], fields["doc_type"], fields["places"])
    words = count_words(passage.text for passage in enrichment.passages)
    return Prepared(fields, enrichment, words)


def document_fields(path: Path, doc_id: str, document: Document | None, entry: CatalogEntry) -> dict:
    """Merge catalogue metadata over what the file itself says."""
    metadata = document.metadata if document else {}
    is_html = path.suffix.lower() in (".html", ".htm")
    default_type = "web page" if is_html else ("briefing" if metadata.get("page_count", 99) <= 6 else "research report")
    try:
        file_date = normalise_date(metadata.get("published") or metadata.get("created") or "")
    except ValueError:
        file_date = ""
    return {
        "title": entry.title or (document.title if document else Path(doc_id).stem),
        "doc_type": entry.type or default_type,
        "date": entry.date or file_date,
        "themes": entry.themes,
        "places": entry.places,
        "source_url": entry.source_url or metadata.get("canonical_url", ""),
    }
