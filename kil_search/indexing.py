"""Bring the index in line with the corpus: extract what changed, drop what went, commit once."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from .config import Settings
from .corpus import CatalogEntry, CorpusFile, hash_file, load_catalog, scan_corpus
from .errors import KilSearchError
from .extract.ocr import missing_tesseract_warning, pages_waiting_for_tesseract
from .extract.ocr_cache import CACHE_FOLDER as OCR_CACHE_FOLDER
from .extract.runner import extract_in_workers
from .index.schema import KIND_DOCUMENT
from .index.store import (
    LAST_RUN_FILE,
    create_generation,
    open_index,
    current_generation,
    generation_is_usable,
    publish_generation,
    remove_abandoned_generations,
    remove_stale_generations,
    remove_temporary_files,
    write_json_atomically,
    write_lock,
)
from .index.moved_files import indexed_stat, moved_entry, read_moved, write_moved
from .index.meaning_stage import encode_index
from .index.writer import IndexWriter
from .models import Document
from .preparing import Prepared, document_fields, prepare_document
from .run_status import PROGRESS_FILE, RunRecorder

from whoosh.query import Term

log = logging.getLogger(__name__)

# Called with (event, detail): ("plan", total_to_extract) then ("file", doc_id) per file done.
ProgressCallback = Callable[[str, object], None]


@dataclass
class IndexSummary:
    """What one indexing run did."""

    indexed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    still_failing: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    rebuilt: bool = False
    seconds: float = 0.0
    finished_at: str = ""
    documents: int = 0
    passages: int = 0
    meaning: dict = field(default_factory=dict)  # the meaning stage's record (index/meaning_stage.py), once it ran

    def to_json(self) -> dict:
        """Return the summary as plain JSON data."""
        return asdict(self)


def run_index(settings: Settings, rebuild: bool = False, jobs: int | None = None,
              progress: ProgressCallback | None = None, meaning: bool = True) -> IndexSummary:
    """Index new and changed files, remove deleted ones; raise KilSearchError if it cannot run.

    Then, with the words published and the write lock let go, encode the sentences not yet encoded
    (index/meaning_stage.py) unless meaning is False; summary.seconds is the time to searchable words.
    """
    started = time.monotonic()
    corpus_dir = Path(settings.corpus_dir)
    if not corpus_dir.is_dir():
        raise KilSearchError(f"corpus folder not found: {corpus_dir}")
    with write_lock(Path(settings.index_dir)):
        recorder = RunRecorder(Path(settings.index_dir), progress or _no_progress)
        recorder.start(rebuild)
        try:
            catalog = load_catalog(corpus_dir)
            summary = _run_locked(settings, catalog, rebuild, jobs or settings.jobs, recorder)
        except BaseException as error:
            recorder.fail(error)
            raise
        summary.seconds = round(time.monotonic() - started, 3)
        summary.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        write_json_atomically(Path(settings.index_dir) / LAST_RUN_FILE, summary.to_json())
        recorder.finish(summary)
    if meaning:
        summary.meaning = encode_index(Path(settings.index_dir), progress)
    return summary


def _run_locked(settings, catalog, rebuild, jobs, progress) -> IndexSummary:
    """Do the run while holding the write lock."""
    index_dir = Path(settings.index_dir)
    remove_temporary_files(index_dir, (LAST_RUN_FILE, PROGRESS_FILE))
    live = current_generation(index_dir)
    summary = IndexSummary()
    if rebuild or live is None or not generation_is_usable(live):
        summary.rebuilt = True
        remove_stale_generations(index_dir, {live.name} if live else set())
        generation, target = create_generation(index_dir)
    else:
        remove_abandoned_generations(index_dir, live)
        generation, target = live, open_index(live)
    known = _known_documents(target)
    noted = {} if summary.rebuilt else read_moved(generation)
    files = scan_corpus(Path(settings.corpus_dir))
    to_extract, moved = _plan(files, known, noted, catalog, summary)
    removed = sorted(set(known) - {item.doc_id for item in files})
    progress("plan", len(to_extract))
    by_path = {item.path: item for item in to_extract}
    if not (to_extract or removed or summary.rebuilt):
        # Nothing to write (files only touched are noted beside the index): no commit, no segment merge.
        _note_moved(generation, noted, moved)
        _count(target, summary)
        return summary
    with IndexWriter(target, staged=summary.rebuilt) as writer:
        for doc_id in removed:
            writer.delete_document(doc_id)
            summary.removed.append(doc_id)
        # The workers also prepare each document (fields, finding aids, words): this process only writes.
        hints = {path: (item.doc_id, catalog.get(item.doc_id, CatalogEntry())) for path, item in by_path.items()}
        results = extract_in_workers(list(by_path), jobs=jobs, timeout=settings.extract_timeout,
                                     memory_limit_mb=settings.extract_memory_mb, prepare=prepare_document,
                                     hints=hints, ocr_cache_dir=index_dir / OCR_CACHE_FOLDER)
        scans_waiting = 0  # scanned pages not read because Tesseract is missing: one warning per run
        for result in _fed_in_background(results, depth=2 * jobs + 2):
            item = by_path[result.path]
            _store_result(writer, item, result, catalog.get(item.doc_id, CatalogEntry()), summary)
            scans_waiting += pages_waiting_for_tesseract(result.document.metadata if result.document else {})
            writer.commit_stage_if_due()  # a rebuild only: its generation is not live yet
            progress("file", item.doc_id)
    if scans_waiting:
        log.warning("%s", missing_tesseract_warning(scans_waiting))
        summary.warnings.append(("(this run)", missing_tesseract_warning(scans_waiting)))
    _note_moved(generation, noted, moved)  # after the commit: a note never describes content not yet indexed
    if summary.rebuilt:
        publish_generation(index_dir, generation)
    _count(open_index(generation), summary)
    return summary


class _Raised:
    """An exception the feeding thread caught, to raise again in the writing thread."""

    def __init__(self, error: BaseException):
        self.error = error


_FINISHED = object()


def _fed_in_background(results: Iterator, depth: int) -> Iterator:
    """Run the extraction loop in a thread while the caller writes what it yields.

    A worker that finishes a file waits for the parent to hand it the next one. When the
    parent did that between writing documents, both workers sat idle while a document was
    analysed and written (a third of a full build). This thread hands out files and
    collects results while the caller writes; at most `depth` results wait for it.
    """
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def feed() -> None:
        try:
            for result in results:
                if not put(result):
                    break
        except BaseException as error:  # handed to the writing thread, which raises it
            put(_Raised(error))
        finally:
            results.close()  # stops and reaps the worker processes
            put(_FINISHED)

    thread = threading.Thread(target=feed, name="kil-extract-feed", daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _FINISHED:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)  # a file still extracting keeps it longer: its workers are daemons


def _plan(files: list[CorpusFile], known: dict, noted: dict, catalog: dict, summary: IndexSummary):
    """Split files into those to extract and those unchanged; return them and the notes of unchanged
    files whose size and time differ from their record's (see index/moved_files.py)."""
    to_extract, moved = [], {}
    for item in files:
        stored = known.get(item.doc_id)
        entry = catalog.get(item.doc_id, CatalogEntry())
        details = (stored or {}).get("details") or {}
        now = (item.size, item.mtime_ns)
        if not stored or details.get("catalog") != entry.fingerprint():
            to_extract.append(item)
        elif indexed_stat(item.doc_id, details, noted) == now:
            summary.unchanged += 1
        elif details.get("size") == item.size and details.get("sha256") == hash_file(item.path):
            summary.unchanged += 1  # touched, copied or restored: same content, new time
        else:
            to_extract.append(item)
        if stored and item not in to_extract and (details.get("size"), details.get("mtime_ns")) != now:
            moved[item.doc_id] = moved_entry(item.size, item.mtime_ns, details)
        if stored and details.get("status") == "failed" and item not in to_extract:
            summary.still_failing.append((item.doc_id, details.get("reason", "unknown")))
    return to_extract, moved


def _note_moved(generation: Path, noted: dict, moved: dict) -> None:
    """Record the unchanged files' new sizes and times beside the index, when they differ from the last note."""
    if moved != noted:
        write_moved(generation, moved)


def _store_result(writer: IndexWriter, item: CorpusFile, result, entry: CatalogEntry, summary: IndexSummary) -> None:
    """Write one extraction result (a document or a failure) through the writer."""
    details = {
        "size": item.size,
        "mtime_ns": item.mtime_ns,
        "sha256": hash_file(item.path),
        "catalog": entry.fingerprint(),
    }
    document: Document | None = result.document
    if document is None:
        fields = document_fields(item.path, item.doc_id, None, entry)
        writer.add_failure(item.doc_id, fields, {**details, "status": "failed", "reason": result.error})
        summary.failed.append((item.doc_id, result.error))
        return
    prepared: Prepared | None = result.prepared
    if prepared is None:  # not prepared in the worker (or that failed): prepare it here
        prepared = prepare_document(item.path, document, (item.doc_id, entry))
    fields, enrichment = prepared.fields, prepared.enrichment
    if enrichment.unresolved_places:
        log.info("%s: places not in the gazetteer: %s", item.doc_id, ", ".join(enrichment.unresolved_places))
    details.update(
        status="indexed",
        warnings=document.warnings,
        metadata=document.metadata,
        outline=[asdict(entry_) for entry_ in document.outline],
        page_count=len(document.pages) if document.format == "html" else document.metadata.get("page_count", len(document.pages)),
        section_titles=[page.section for page in document.pages] if document.format == "html" else [],
        word_count=sum(len(page.text.split()) for page in document.pages),
        place_codes=enrichment.place_codes,
        case_studies=[_case_study_details(document, case) for case in enrichment.case_studies],
    )
    for warning in document.warnings:
        summary.warnings.append((item.doc_id, warning))
    writer.add_document(item.doc_id, document, fields, details, enrichment.passages, prepared.words)
    summary.indexed.append(item.doc_id)


def _case_study_details(document: Document, case) -> dict:
    """Return what a document page shows of one of its case studies."""
    return {"title": case.title, "organisation": case.organisation, "place_code": case.place_code,
            "page": document.pages[case.start[0]].number}


def _known_documents(target) -> dict[str, dict]:
    """Return the stored document records of an index, by doc_id."""
    with target.searcher() as searcher:
        return {fields["doc_id"]: fields for fields in searcher.documents(kind=KIND_DOCUMENT)}


def _count(target, summary: IndexSummary) -> None:
    """Fill in how many documents are searchable and how many passages they have."""
    with target.searcher() as searcher:
        records = list(searcher.documents(kind=KIND_DOCUMENT))
        summary.documents = sum(1 for record in records if (record.get("details") or {}).get("status") == "indexed")
        summary.passages = searcher.doc_count() - len(records)


def _no_progress(event: str, detail: object) -> None:
    """Ignore progress events."""
