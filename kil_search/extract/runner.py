"""Extract files in worker processes that can be stopped when a file hangs or crashes them.

pypdf can loop for ever, exhaust memory or (through C extensions) crash on a
malformed file, so every extraction runs in a long-lived worker process: the
parent hands each worker its file and, while enough work remains, the next one
too (so a worker never waits for the parent between files); it kills a worker
that runs past the timeout or dies, reports the file it was on, gives its queued
file to another worker and starts a fresh one.

Test hooks (read in the worker, so they work across processes): if the
environment variable KIL_TEST_EXTRACT_SLEEP_ON equals a file's name, the worker
sleeps 30 s on that file; if KIL_TEST_EXTRACT_CRASH_ON equals it, the worker
exits at once with code 3.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from kil_search.models import Document

logger = logging.getLogger(__name__)

SLEEP_HOOK_ENV = "KIL_TEST_EXTRACT_SLEEP_ON"
CRASH_HOOK_ENV = "KIL_TEST_EXTRACT_CRASH_ON"
HOOK_SLEEP_SECONDS = 30
WORKER_START_TIMEOUT = 120.0  # generous: a cold start imports pypdf and bs4 from disk
STOP_GRACE_SECONDS = 2.0
# OCR may use this share of a file's time limit: it then stops starting pages, so the file is indexed
# with what was read (and the rest named in its warnings) instead of being killed with nothing.
OCR_SHARE_OF_TIMEOUT = 0.75
START_METHOD = "spawn"  # never fork: the caller may have threads (a web server, a progress bar)


@dataclass
class ExtractionResult:
    """The outcome for one file: a Document, or the reason it could not be extracted.

    prepared is what the caller's `prepare` function made of the Document in the worker
    (None without one, or when it failed: the caller then does that work itself).
    """

    path: Path
    document: Document | None
    error: str | None
    seconds: float
    prepared: Any = None


class WorkerStartError(RuntimeError):
    """A worker process could not start, so no file can be extracted."""


class _Worker:
    """The parent's handle on one worker process and the file it is working on."""

    def __init__(self, context: Any, memory_limit_mb: int | None, suffixes: frozenset[str] | None = None,
                 prepare: Callable[[Path, Document, Any], Any] | None = None, ocr: tuple | None = None):
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child_end, memory_limit_mb, suffixes, prepare, ocr), name="kil-extract",
            daemon=True,
        )
        self.process.start()
        child_end.close()  # so the parent sees EOF when the worker dies
        self.ready = False
        self.path: Path | None = None
        self.queued: Path | None = None  # sent, to start when the current file is done
        self.since = time.monotonic()  # start of the current job, or of the process while starting

    def assign(self, path: Path, hint: Any = None) -> bool:
        """Send the worker a file (its current one if idle, else its next); False if it has gone."""
        try:
            self.connection.send((str(path), hint))
        except OSError:
            return False
        if self.path is None:
            self.path = path
            self.since = time.monotonic()
        else:
            self.queued = path
        return True

    def finish_current(self) -> None:
        """The current file is done: the worker has started its queued one, if any."""
        self.path, self.queued = self.queued, None
        self.since = time.monotonic()

    def deadline(self, timeout: float) -> float:
        """Return when the current job (or the start-up) must be given up; never for an idle worker."""
        if self.path is not None:
            return self.since + timeout
        return self.since + WORKER_START_TIMEOUT if not self.ready else float("inf")

    def ask_to_stop(self) -> None:
        """Ask an idle worker to finish its loop and exit."""
        if self.ready and self.path is None:
            try:
                self.connection.send(None)
            except OSError:
                pass

    def stop(self) -> int | None:
        """Wait briefly for the process, then terminate or kill it; always reap it. Return its exit code."""
        if self.ready and self.path is None:
            self.process.join(STOP_GRACE_SECONDS)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(STOP_GRACE_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        exit_code = self.process.exitcode
        self.connection.close()
        self.process.close()
        return exit_code


def extract_in_workers(
    paths: Iterable[Path], jobs: int, timeout: float = 60.0, memory_limit_mb: int | None = 2048,
    prepare: Callable[[Path, Document, Any], Any] | None = None, hints: dict | None = None,
    ocr_cache_dir: Path | None = None,
) -> Iterator[ExtractionResult]:
    """Extract files in `jobs` worker processes; yield each file's result as it finishes.

    prepare (a module-level function, so a spawned worker can import it) runs in the worker on
    each extracted Document as prepare(path, document, hints.get(path)); its return value
    travels back as the result's `prepared`. A prepare that raises costs nothing but its
    result: `prepared` is None and the caller does the work itself. OCR of scanned pages gets
    OCR_SHARE_OF_TIMEOUT of each file's time and keeps what it reads in ocr_cache_dir.
    """
    hints = hints or {}
    context = multiprocessing.get_context(START_METHOD)
    jobs = max(1, int(jobs))
    # Workers load only the extractors the files need (BeautifulSoup costs each one 0.15 s of CPU).
    suffixes = frozenset(Path(path).suffix.lower() for path in paths) if isinstance(paths, (list, tuple)) else None
    pending = iter(paths)
    waiting: deque[Path] = deque()
    workers: list[_Worker] = []
    exhausted = False

    def feed() -> None:
        """Top up the waiting files, hand one to every idle worker, and a next one to busy workers.

        A queued file cannot be taken back, so the last `jobs` files are only given to idle
        workers: a worker is never left idle while another holds two files at the end.
        """
        nonlocal exhausted
        while not exhausted and len(waiting) < 2 * jobs:
            try:
                waiting.append(Path(next(pending)))
            except StopIteration:
                exhausted = True
        ready = [worker for worker in workers if worker.ready]
        for worker in [worker for worker in ready if worker.path is None] + [worker for worker in ready if
                                                                          worker.path is not None]:
            if not waiting or worker.queued is not None:
                continue
            if worker.path is not None and exhausted and len(waiting) <= jobs:
                continue
            if worker.assign(waiting[0], hints.get(waiting[0])):
                waiting.popleft()
            elif worker.path is None:
                _remove(worker, workers)  # died while idle; a fresh one is started below

    try:
        while True:
            feed()
            starting = sum(not worker.ready for worker in workers)
            while len(workers) < jobs and len(waiting) > starting:
                workers.append(_Worker(context, memory_limit_mb, suffixes, prepare,
                                       (timeout * OCR_SHARE_OF_TIMEOUT, ocr_cache_dir)))
                starting += 1
            if exhausted and not waiting:
                for worker in [worker for worker in workers if worker.path is None]:
                    worker.ask_to_stop()
                    _remove(worker, workers)
                if not workers:
                    return
            finished = _collect(workers, timeout, waiting)
            feed()  # before yielding: workers keep extracting while the caller indexes these results
            yield from finished
    finally:
        _shutdown(workers)


def _collect(workers: list[_Worker], timeout: float, waiting: deque[Path]) -> list[ExtractionResult]:
    """Wait for the next message, death or deadline; return the files that finished.

    A worker that is removed gives its queued file back to the front of `waiting`.
    """
    finished: list[ExtractionResult] = []
    next_deadline = min(worker.deadline(timeout) for worker in workers)
    wait_seconds = None if next_deadline == float("inf") else max(0.0, next_deadline - time.monotonic())
    handles = [worker.connection for worker in workers] + [worker.process.sentinel for worker in workers]
    ready = multiprocessing.connection.wait(handles, timeout=wait_seconds)
    for worker in list(workers):
        if worker.connection in ready or worker.process.sentinel in ready:
            try:
                message = worker.connection.recv()
            except (EOFError, OSError):
                _requeue(worker, waiting)
                finished.extend(_replace_dead(worker, workers))
                continue
            if message == ("ready",):
                worker.ready = True
                continue
            _, document, error, prepared = message
            finished.append(ExtractionResult(worker.path, document, error, time.monotonic() - worker.since, prepared))
            worker.finish_current()
    now = time.monotonic()
    for worker in list(workers):
        if now < worker.deadline(timeout):
            continue
        if worker.path is None:
            _remove(worker, workers)
            raise WorkerStartError(f"extraction worker did not start within {WORKER_START_TIMEOUT:g} s")
        logger.warning("%s: extraction timed out after %g s; restarting its worker", worker.path, timeout)
        finished.append(ExtractionResult(worker.path, None, f"timed out after {timeout:g} s", now - worker.since))
        _requeue(worker, waiting)
        _remove(worker, workers)
    return finished


def _requeue(worker: _Worker, waiting: deque[Path]) -> None:
    """Put a removed worker's queued file back at the front of the waiting files."""
    if worker.queued is not None:
        waiting.appendleft(worker.queued)
        worker.queued = None


def _replace_dead(worker: _Worker, workers: list[_Worker]) -> list[ExtractionResult]:
    """Reap a worker that died and report the file it was working on."""
    seconds = time.monotonic() - worker.since
    path, was_ready = worker.path, worker.ready
    exit_code = _remove(worker, workers)
    if not was_ready:
        raise WorkerStartError(f"extraction worker failed to start (exit code {exit_code})")
    if path is None:
        return []
    logger.warning("%s: extraction worker crashed (exit code %s)", path, exit_code)
    return [ExtractionResult(path, None, f"worker crashed (exit code {exit_code})", seconds)]


def _remove(worker: _Worker, workers: list[_Worker]) -> int | None:
    """Stop a worker and forget it; the main loop starts a fresh one when work remains."""
    workers.remove(worker)
    return worker.stop()


def _shutdown(workers: list[_Worker]) -> None:
    """Stop every worker: idle ones politely and together, busy ones at once."""
    for worker in workers:
        worker.ask_to_stop()
    for worker in workers:
        worker.stop()
    workers.clear()


def _worker_main(connection: Any, memory_limit_mb: int | None, suffixes: frozenset[str] | None = None,
                 prepare: Callable[[Path, Document, Any], Any] | None = None, ocr: tuple | None = None) -> None:
    """Extract the files the parent sends, one at a time, until it sends None or goes away.

    ocr: (seconds OCR may take per file, cache folder), or None for no time limit and no cache.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Warnings travel back in Document.warnings; don't let logging's last-resort handler print them.
    logging.getLogger().addHandler(logging.NullHandler())
    from kil_search.extract import extract_file, load_extractors
    from kil_search.extract.ocr import file_limits

    load_extractors(suffixes)  # import before the memory limit applies

    _limit_memory(memory_limit_mb)
    connection.send(("ready",))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, hint = Path(request[0]), request[1]
        with file_limits(*(ocr or (None, None))):
            document, error = _extract_one(extract_file, path)
        prepared = _prepare_one(prepare, path, document, hint) if document is not None else None
        try:
            connection.send(("done", document, error, prepared))
        except OSError:  # the parent is gone (killed): nobody is waiting for this result
            return
        except MemoryError:
            connection.send(("done", None, "out of memory", None))
        except Exception as send_error:  # a Document that cannot be pickled
            connection.send(("done", None, f"{type(send_error).__name__}: {send_error}", None))


def _extract_one(extract_file: Any, path: Path) -> tuple[Document | None, str | None]:
    """Run one extraction and turn any failure into an error string."""
    from kil_search.errors import ExtractionError

    _run_test_hooks(path)
    try:
        return extract_file(path), None
    except ExtractionError as error:
        return None, str(error)
    except MemoryError:
        return None, "out of memory"
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"


def _prepare_one(prepare: Callable[[Path, Document, Any], Any] | None, path: Path, document: Document,
                 hint: Any) -> Any:
    """Run the caller's preparation of a Document; None if there is none or it fails."""
    if prepare is None:
        return None
    try:
        return prepare(path, document, hint)
    except MemoryError:
        return None
    except Exception as error:  # the parent prepares this one itself
        logger.debug("%s: preparing in the worker failed: %s", path, error)
        return None


def _run_test_hooks(path: Path) -> None:
    """Sleep or crash on a named file when a test asks for it through the environment."""
    if os.environ.get(CRASH_HOOK_ENV) == path.name:
        os._exit(3)
    if os.environ.get(SLEEP_HOOK_ENV) == path.name:
        time.sleep(HOOK_SLEEP_SECONDS)


def _limit_memory(memory_limit_mb: int | None) -> None:
    """Cap this process's address space so a decompression bomb raises MemoryError."""
    if not memory_limit_mb:
        return
    try:
        import resource
    except ImportError:  # not on Windows
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_limit_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
