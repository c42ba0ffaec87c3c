"""What state the index is in: counts, when it last changed, the last run and the one running now."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from .errors import IndexMissingError
from .index.schema import KIND_DOCUMENT
from .index.store import LAST_RUN_FILE, current_generation, open_live_index, read_json
from .index.meaning_stage import read_meaning_status
from .run_status import read_run_status


def index_status(index_dir: Path, searcher=None) -> dict:
    """Return the index's status as plain JSON data (with a searcher if the caller has one)."""
    index_dir = Path(index_dir)
    status = {
        "index": "missing",
        "documents": 0,
        "failed_documents": 0,
        "passages": 0,
        "ocr_pages": 0,
        "scanned_pages_unread": 0,
        "updated_at": "",
        "failures": [],
        "last_run": read_json(index_dir / LAST_RUN_FILE, default=None),
        "run": read_run_status(index_dir),
        "meaning": read_meaning_status(index_dir),
    }
    try:
        if searcher is None:
            with open_live_index(index_dir).searcher() as own:
                _count(own, status)
        else:
            _count(searcher, status)
    except IndexMissingError:
        return status
    status["index"] = "ok"
    status["updated_at"] = _updated_at(current_generation(index_dir))
    return status


def _count(searcher, status: dict) -> None:
    """Count document records, failed files and passages."""
    records = list(searcher.documents(kind=KIND_DOCUMENT))
    failures = [
        {"id": record["doc_id"], "reason": (record.get("details") or {}).get("reason", "")}
        for record in records
        if (record.get("details") or {}).get("status") == "failed"
    ]
    status["failures"] = sorted(failures, key=lambda failure: failure["id"])
    status["failed_documents"] = len(failures)
    status["documents"] = len(records) - len(failures)
    status["passages"] = searcher.doc_count() - len(records)
    status["ocr_pages"], status["scanned_pages_unread"] = _scanned_pages(records)


def _scanned_pages(records: list[dict]) -> tuple[int, int]:
    """Return how many scanned pages the indexed documents had read by OCR and how many are left unread."""
    read = unread = 0
    for record in records:
        ocr = ((record.get("details") or {}).get("metadata") or {}).get("ocr") or {}
        read += int(ocr.get("pages_read", 0))
        unread += int(ocr.get("pages_unread", 0))
    return read, unread


def _updated_at(generation: Path | None) -> str:
    """Return when the live index last changed: its newest table of contents."""
    if generation is None:
        return ""
    stamps = [path.stat().st_mtime for path in generation.glob("*.toc")]
    if not stamps:
        return ""
    return datetime.fromtimestamp(max(stamps), timezone.utc).isoformat(timespec="seconds")
