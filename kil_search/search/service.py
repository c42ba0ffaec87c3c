"""The read side: one open index per process, a searcher per thread, refreshed when it changes."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from whoosh import scoring

from ..index.schema import KIND_DOCUMENT
from ..index.store import CURRENT_LINK, open_live_index
from .excerpts import make_excerpt
from .postings import GenerationArrays
from .query import parse_query
from .ranking import Ranking, rank
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
        self._arrays_lock = threading.Lock()
        self._arrays = None  # (generation key, GenerationArrays)
        self._open: set = set()  # every thread's searcher, so close() can release their files

    def close(self) -> None:
        """Close every searcher this service opened (the index files they hold)."""
        with self._lock:
            searchers, self._open = self._open, set()
        for searcher in searchers:
            searcher.close()
        with self._arrays_lock:
            if self._arrays is not None:
                self._arrays[1].close()
                self._arrays = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to release
            pass

    def searcher(self):
        """Return this thread's searcher, reopened or refreshed when the index changed."""
        now = time.monotonic()
        local = self._local
        if getattr(local, "searcher", None) is not None and now - local.checked < REFRESH_CHECK_SECONDS:
            return local.searcher
        index = self._live_index()
        old = getattr(local, "searcher", None)
        reopened = old is None or local.index is not index
        if reopened:
            local.searcher = index.searcher(weighting=_WEIGHTING)
            local.index = index
        elif not old.up_to_date():
            local.searcher = old.refresh()  # reuses old's segment readers and closes the rest
        if local.searcher is not old:
            with self._lock:
                self._open.discard(old)
                self._open.add(local.searcher)
            if reopened and old is not None:
                old.close()
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

    def arrays(self, searcher) -> GenerationArrays:
        """Return the postings arrays of the searcher's generation, built once and shared by threads."""
        key = (self._index_target, searcher.reader().generation())
        arrays = self._arrays
        if arrays is not None and arrays[0] == key:
            return arrays[1]
        with self._arrays_lock:
            if self._arrays is None or self._arrays[0] != key:
                if self._arrays is not None:
                    self._arrays[1].close()
                self._arrays = (key, GenerationArrays(self._live_index()))
            return self._arrays[1]

    def search(self, text: str, page: int = 1, per_page: int = 10) -> SearchPage:
        """Return one page of documents matching text, each with its best passages."""
        started = time.perf_counter()
        page = max(1, page)
        parsed = parse_query(text)
        any_word = False
        ranking = self.rank(parsed)
        if ranking is not None and ranking.total == 0 and len(parsed.highlight_terms) > 1:
            parsed = parse_query(text, any_word=True)
            ranking = self.rank(parsed)
            any_word = ranking is not None and ranking.total > 0
        if ranking is None:
            return SearchPage(text, 0, page, per_page, round((time.perf_counter() - started) * 1000, 2), [], False)
        shown = ranking.documents[(page - 1) * per_page: page * per_page]
        hits = [self._document_hit(ranking, int(ordinal), parsed.highlight_terms) for ordinal in shown]
        took = round((time.perf_counter() - started) * 1000, 2)
        return SearchPage(text, ranking.total, page, per_page, took, hits, any_word)

    def rank(self, parsed) -> Ranking | None:
        """Rank every document that matches a parsed query (None for an empty query)."""
        if parsed.is_empty:
            return None
        searcher = self.searcher()
        return rank(searcher, self.arrays(searcher), parsed, _WEIGHTING)

    def _document_hit(self, ranking: Ranking, ordinal: int, terms) -> DocumentHit:
        """Build one result: the document's stored record and its best passages, highlighted."""
        record = ranking.arrays.records[ordinal]
        passages = ranking.best_passages(ordinal, self.passages_per_result)
        doc_id = record["doc_id"]
        document = DocumentHit(
            id=doc_id, title=(record.get("details") or {}).get("title", ""), type=record.get("doc_type", ""),
            date=record.get("date", ""), format=record.get("format", ""),
            source_url=record.get("source_url", ""), score=passages[0][1],
        )
        searcher = self.searcher()
        for docnum, score in passages:
            fields = searcher.stored_fields(docnum)
            text = fields.get("text", "")
            document.passages.append(PassageHit(
                page=fields.get("page", 0), section=fields.get("section", ""),
                excerpt_html=make_excerpt(text, terms),
                url=passage_url(doc_id, document.format, fields.get("page", 0)),
                score=score, text=text,
            ))
        return document

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
