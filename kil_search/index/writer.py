"""The only code that writes the index: commit on success, cancel and re-raise on failure."""

from __future__ import annotations

import logging
from collections import Counter

from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import LockError

from ..errors import IndexBusyError
from ..models import Document
from . import whoosh_patches
from .analysis import count_words
from .passages import Passage, split_document
from .schema import KIND_DOCUMENT, KIND_PASSAGE

log = logging.getLogger(__name__)

STAGE_PASSAGES = 1500


class IndexWriter:
    """Add, replace and delete documents in one Whoosh commit.

    Document records carry no searchable text (their title lives in `details`), so a
    query can only ever match passages and needs no filter.
    """

    def __init__(self, whoosh_index, staged: bool = False):
        """staged: the index is not published yet (a rebuild), so it may be committed in stages."""
        whoosh_patches.apply()  # our writer relies on them (idempotent)
        self._index = whoosh_index
        self._writer = None
        self._staged = staged
        self._pending = 0  # passages added since the last commit
        self._committed = 0

    def __enter__(self) -> "IndexWriter":
        self._writer = self._open()
        return self

    def _open(self):
        try:
            # Not compound: Whoosh copies a compound segment's files into memory for every
            # searcher it opens (about 90 MB per searcher at 50,000 passages); plain files
            # are read through the page cache instead.
            return self._index.writer(limitmb=256, compound=False, codec=W3Codec(compression=0))
        except LockError:
            raise IndexBusyError() from None

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            # A staged build keeps its segments: merging them would put back the serial tail.
            self._writer.commit(merge=not self._staged)
        else:
            log.warning("index update failed, nothing written: %s", exc)
            self._writer.cancel()

    def commit_stage_if_due(self) -> bool:
        """In a staged build, commit what was added once it is big enough; return True if it did.

        The commit of a full build used to run after the last file was extracted, on one core
        while the other idled. Committing in stages writes most segments while the workers
        are still extracting. A stage must hold at least STAGE_PASSAGES passages and half of
        what is already committed, so a build of n passages ends with O(log n) segments.
        """
        if not self._staged or self._pending < max(STAGE_PASSAGES, self._committed // 2):
            return False
        self._writer.commit(merge=False)
        self._committed += self._pending
        self._pending = 0
        self._writer = self._open()
        return True

    def delete_document(self, doc_id: str) -> None:
        """Remove a document's record and all its passages."""
        self._writer.delete_by_term("doc_id", doc_id)

    def add_document(self, doc_id: str, document: Document, fields: dict, details: dict,
                     passages: list[Passage] | None = None, words: Counter | None = None) -> int:
        """Index a document's passages and its record; return the passage count.

        passages are split here and words (for the spelling aids) counted here unless given.
        """
        self.delete_document(doc_id)
        shared = {
            "doc_id": doc_id,
            "title": fields["title"],
            "doc_type": fields["doc_type"],
            "format": document.format,
            "date": fields["date"],
            "themes": ",".join(fields["themes"]),
            "places": ",".join(fields["places"]),
            "source_url": fields["source_url"],
        }
        passages = split_document(document) if passages is None else passages
        words = count_words(passage.text for passage in passages) if words is None else words
        scanned = {page.number for page in document.pages if page.ocr}
        for number, passage in enumerate(passages):
            extra = {"words": words} if number == 0 and words else {}
            if passage.boost < 1.0:
                extra["contents"] = True  # its sentences get no vectors (meaning.passage_units)
            if passage.page in scanned:
                extra["ocr"] = True
            self._writer.add_document(
                record_id=f"{doc_id}#{passage.page}.{passage.part}",
                kind=KIND_PASSAGE,
                section=passage.section,
                text=passage.text,
                page=passage.page,
                _boost=passage.boost,
                year=fields["date"][:4],
                place_codes=",".join(passage.place_codes),
                council_types=",".join(passage.council_types),
                regions=",".join(passage.regions),
                case_study="yes" if passage.case_title else "no",
                case_title=passage.case_title,
                case_place=passage.case_place,
                **shared,
                **extra,
            )
        self._pending += len(passages) + 1
        record = {key: value for key, value in shared.items() if key != "title"}
        self._writer.add_document(
            record_id=f"doc:{doc_id}",
            kind=KIND_DOCUMENT,
            details={**details, "title": fields["title"], "passage_count": len(passages)},
            **record,
        )
        return len(passages)

    def add_failure(self, doc_id: str, fields: dict, details: dict) -> None:
        """Record a file that could not be indexed, so an unchanged retry is skipped."""
        self.delete_document(doc_id)
        self._writer.add_document(
            record_id=f"doc:{doc_id}",
            kind=KIND_DOCUMENT,
            doc_id=doc_id,
            doc_type=fields["doc_type"],
            details={**details, "title": fields["title"]},
        )
