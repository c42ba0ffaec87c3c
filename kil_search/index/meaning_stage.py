"""The indexer's last stage: encode every passage's sentences into the vector cache (kil_search/meaning.py).

Encoding is most of what a build costs on two cores (about 140 sentences a second), so it runs after the
words are published and after the write lock is let go: a new report is searchable by its words in
seconds, and another reindex need not wait. Search ranks by meaning (search/meaning_rank.py), and the
answers read a sentence's meaning, only once this stage has finished for the index state they search
(MEANING_FILE names it); until then they use words alone. Vectors are kept by text, so a rebuild or an
edit encodes only sentences never seen; an interrupted stage keeps what it encoded and the next run
(even one with nothing to index) finishes it.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .. import meaning
from .schema import KIND_PASSAGE
from .store import current_generation, open_index, write_json_atomically

MEANING_FILE = "meaning.json"  # the stage's state, read by the status page and by the next run
LOCK_FILE = ".meaning.lock"
BATCH = 256  # sentences encoded and stored at a time: a 5,000-page file's sentences at once held hundreds of MB
WRITE_EVERY_SECONDS = 0.5


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def state_name(generation: Path, commit: int) -> str:
    """Name an index state: its generation folder and Whoosh's commit number (an incremental run moves it on).
    The stage records the state it encoded; search (search/meaning_rank.py) names the state it reads alike."""
    return f"{Path(generation).name}:{commit}"


def read_meaning_status(index_dir: Path) -> dict:
    """Return the meaning stage's last recorded state ({"state": "idle"} before its first run)."""
    from ..run_status import read_status_file

    return read_status_file(Path(index_dir) / MEANING_FILE)


def encode_index(index_dir: Path, progress: Callable[[str, object], None] | None = None) -> dict:
    """Encode the sentences of the live index that the cache lacks; return the stage's record.

    progress gets ("meaning-plan", sentences to encode) then ("meaning", sentences done) per batch.
    Without the model (or with KIL_SEARCH_NO_MEANING) it does nothing and says so.
    """
    index_dir = Path(index_dir)
    progress = progress or (lambda event, detail: None)
    fingerprint = meaning.fingerprint()
    if fingerprint is None:
        return {"state": "off"}
    if current_generation(index_dir) is None:
        return {"state": "idle"}
    started = time.monotonic()
    with open(index_dir / LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second run waits, then finds the first one's sentences cached
        for debris in index_dir.glob(f".{MEANING_FILE}.*.tmp"):  # a killed stage's half-written record
            debris.unlink(missing_ok=True)
        generation = current_generation(index_dir)  # read under the lock: a newer build may have replaced it
        if generation is None:
            return {"state": "idle"}
        index = open_index(generation)
        try:
            state = state_name(generation, index.latest_generation())
            done_before = read_meaning_status(index_dir)
            if done_before.get("state") == "finished" and done_before.get("index") == state \
                    and done_before.get("model") == fingerprint \
                    and done_before.get("cache") == str(meaning.cache_path(index_dir).resolve()) \
                    and meaning.cache_path(index_dir).exists():
                return {**done_before, "encoded": 0, "seconds": 0.0}
            return _encode(index_dir, index, state, fingerprint, started, progress)
        finally:
            index.close()


def _keep_missing(cache, pending: dict[bytes, str], missing: dict[bytes, str]) -> None:
    """Move the pending sentences the cache lacks into missing; empty pending."""
    known = cache.known(list(pending))
    missing.update((key, text) for key, text in pending.items() if key not in known)
    pending.clear()


def _encode(index_dir: Path, index, state: str, fingerprint: str, started: float, progress) -> dict:
    """Encode what the cache lacks, recording progress in MEANING_FILE."""
    encoder = meaning.encoder()
    cache = meaning.VectorCache(meaning.cache_path(index_dir), fingerprint)
    record = {"state": "running", "pid": os.getpid(), "index": state, "model": fingerprint,
              "cache": str(meaning.cache_path(index_dir).resolve()),
              "started_at": _now(), "total": 0, "done": 0, "finished_at": "", "error": ""}
    path = index_dir / MEANING_FILE
    try:
        # Only the sentences the cache lacks are kept in memory: checked a few thousand at a time.
        missing: dict[bytes, str] = {}
        pending: dict[bytes, str] = {}
        sentences = 0
        with index.reader() as reader:
            for _docnum, fields in reader.iter_docs():
                if fields.get("kind") != KIND_PASSAGE:
                    continue
                for unit in meaning.passage_units(fields):
                    sentences += 1
                    key = cache.key(unit)
                    if key not in missing:
                        pending[key] = unit
                if len(pending) >= 5000:
                    _keep_missing(cache, pending, missing)
            _keep_missing(cache, pending, missing)
        missing = list(missing.values())
        record.update(total=len(missing), sentences=sentences)
        write_json_atomically(path, record)
        progress("meaning-plan", len(missing))
        written = time.monotonic()
        for start in range(0, len(missing), BATCH):
            chunk = missing[start:start + BATCH]
            cache.vectors(encoder, chunk)
            cache.flush()
            record["done"] += len(chunk)
            progress("meaning", len(chunk))
            if time.monotonic() - written >= WRITE_EVERY_SECONDS:
                write_json_atomically(path, record)
                written = time.monotonic()
        record.update(state="finished", finished_at=_now(), encoded=len(missing),
                      seconds=round(time.monotonic() - started, 3))
        write_json_atomically(path, record)
        return record
    except BaseException as error:
        record.update(state="interrupted" if isinstance(error, KeyboardInterrupt) else "failed",
                      finished_at=_now(), error=str(error) or type(error).__name__)
        write_json_atomically(path, record)
        raise
    finally:
        cache.close()  # what was encoded is kept
