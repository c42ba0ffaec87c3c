"""The read side: one open index per process, a searcher per thread, refreshed when it changes."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from whoosh import scoring, sorting
from whoosh.query import And, NumericRange, Or, Term

from ..index.schema import KIND_DOCUMENT
from ..index.store import CURRENT_LINK, open_live_index
from .excerpts import make_excerpt
from .query import parse_query
from .results import DocumentHit, PassageHit, SearchPage, passage_url

REFRESH_CHECK_SECONDS = 1.0
_WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)


class SearchService:
    """Search the live index; safe to share between threads."""

    def __init__(self, index_dir: Path, passages_per_result: int = 3):
        self.index_dir = Path(index_dir)
        self.passages_per_result = passages_per_result
        self._local = threading.local()
        self._lock = threading.Lock()
        self._index = None
        self._index_target = None

    def searcher(self):
        """Return this thread's searcher, reopened or refreshed when the index changed."""
        now = time.monotonic()
        local = self._local
        if getattr(local, "searcher", None) is not None and now - local.checked < REFRESH_CHECK_SECONDS:
            return local.searcher
        index = self._live_index()
        if getattr(local, "searcher", None) is None or local.index is not index:
            if getattr(local, "searcher", None) is not None:
                local.searcher.close()
            local.searcher = index.searcher(weighting=_WEIGHTING)
            local.index = index
        elif not local.searcher.up_to_date():
            local.searcher = local.searcher.refresh()
        local.checked = now
        return local.searcher

    def _live_index(self):
        """Return the open index of the current generation, reopening after a swap."""
        try:
            target = os.readlink(self.index_dir / CURRENT_LINK)
        except OSError:
            target = None
        with self._lock:
            if self._index is None or target != self._index_target:
                self._index = open_live_index(self.index_dir)
                self._index_target = target
            return self._index

    def search(self, text: str, page: int = 1, per_page: int = 10) -> SearchPage:
        """Return one page of documents matching text, each with its best passages."""
        started = time.perf_counter()
        page = max(1, page)
        parsed = parse_query(text)
        any_word = False
        hits, total = self._grouped(parsed, page * per_page)
        if total == 0 and not parsed.is_empty and len(parsed.highlight_terms) > 1:
            parsed = parse_query(text, any_word=True)
            hits, total = self._grouped(parsed, page * per_page)
            any_word = total > 0
        shown = hits[(page - 1) * per_page: page * per_page]
        took = round((time.perf_counter() - started) * 1000, 2)
        return SearchPage(text, total, page, per_page, took, shown, any_word)

    def _grouped(self, parsed, wanted_docs: int) -> tuple[list[DocumentHit], int]:
        """Run the query and fold passages into documents in order of their best passage."""
        if parsed.is_empty:
            return [], 0
        searcher = self.searcher()
        limit = max(100, wanted_docs * 10)
        mask = self._excluded_documents(searcher, parsed)
        while True:
            results = searcher.search(parsed.query, limit=limit, groupedby=sorting.FieldFacet("doc_id"), mask=mask)
            total = len(results.groups("doc_id"))
            documents = self._fold(results, parsed.highlight_terms)
            if len(documents) >= min(wanted_docs, total) or results.scored_length() >= len(results):
                return documents, total
            limit *= 4

    def _excluded_documents(self, searcher, parsed):
        """Return a mask of every passage of documents that mention an excluded word."""
        excluded = parsed.excluded
        if excluded is None:
            return None
        doc_ids = {fields["doc_id"] for fields in (hit.fields() for hit in searcher.search(excluded, limit=None, scored=False))}
        return Or([Term("doc_id", doc_id) for doc_id in sorted(doc_ids)]) if doc_ids else None

    def _fold(self, results, terms) -> list[DocumentHit]:
        """Group scored passages by document, keeping the best few of each."""
        by_id: dict[str, DocumentHit] = {}
        for hit in results:
            fields = hit.fields()
            doc_id = fields["doc_id"]
            document = by_id.get(doc_id)
            if document is None:
                document = by_id[doc_id] = DocumentHit(
                    id=doc_id, title=fields.get("title", ""), type=fields.get("doc_type", ""),
                    date=fields.get("date", ""), format=fields.get("format", ""),
                    source_url=fields.get("source_url", ""), score=hit.score,
                )
            if len(document.passages) < self.passages_per_result:
                text = fields.get("text", "")
                document.passages.append(PassageHit(
                    page=fields.get("page", 0), section=fields.get("section", ""),
                    excerpt_html=make_excerpt(text, terms),
                    url=passage_url(doc_id, document.format, fields.get("page", 0)),
                    score=hit.score, text=text,
                ))
        return list(by_id.values())

    def top_passages(self, parsed, limit: int = 20, doc_id: str | None = None, one_per_document: bool = False) -> list[dict]:
        """Return the best passages for a parsed query: stored fields plus "score", best first.

        doc_id keeps to one document; one_per_document keeps each document's best passage only.
        """
        if parsed.is_empty:
            return []
        searcher = self.searcher()
        only = Term("doc_id", doc_id) if doc_id is not None else None
        collapse = {"collapse": "doc_id", "collapse_limit": 1} if one_per_document else {}
        hits = searcher.search(parsed.query, limit=limit, filter=only, mask=self._excluded_documents(searcher, parsed), **collapse)
        return [{**hit.fields(), "score": hit.score} for hit in hits]

    def page_passages(self, doc_id: str, page: int) -> list[dict]:
        """Return the passages of one page (or web page section) of a document, in reading order."""
        searcher = self.searcher()
        query = And([Term("doc_id", doc_id), NumericRange("page", page, page)])
        docnums = sorted(hit.docnum for hit in searcher.search(query, limit=None, scored=False))
        return [searcher.stored_fields(docnum) for docnum in docnums]

    def term_rarity(self, terms) -> dict[str, float]:
        """Return the inverse document frequency of each analysed term in passage text."""
        searcher = self.searcher()
        return {term: searcher.idf("text", term) for term in terms}

    def unknown_terms(self, terms) -> set[str]:
        """Return the analysed terms that no passage contains."""
        reader = self.searcher().reader()
        return {term for term in terms if reader.doc_frequency("text", term) == 0}

    def document(self, doc_id: str) -> dict | None:
        """Return a document's stored record (fields plus details), or None if not indexed."""
        record = self.searcher().document(record_id=f"doc:{doc_id}")
        if record is None or record.get("kind") != KIND_DOCUMENT:
            return None
        return record

    def documents(self) -> list[dict]:
        """Return every document record, sorted by title."""
        records = list(self.searcher().documents(kind=KIND_DOCUMENT))
        return sorted(records, key=lambda record: (record.get("details") or {}).get("title", "").lower())

    def passages_of(self, doc_id: str) -> list[dict]:
        """Return a document's passages in page order."""
        searcher = self.searcher()
        passages = [fields for fields in searcher.documents(doc_id=doc_id) if fields.get("kind") != KIND_DOCUMENT]
        return sorted(passages, key=lambda fields: (fields.get("page", 0), fields.get("record_id", "")))
