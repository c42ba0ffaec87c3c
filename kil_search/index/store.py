"""Where the index lives on disk: generations, the `current` pointer, the write lock."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index

from ..errors import IndexBusyError, IndexMissingError
from . import whoosh_patches
from .schema import READABLE_VERSIONS, SCHEMA_VERSION, build_schema

CURRENT_LINK = "current"
LOCK_FILE = ".write.lock"
STAMP_FILE = "schema_version"
LAST_RUN_FILE = "last_run.json"
GENERATION_PREFIX = "gen-"


def current_generation(index_dir: Path) -> Path | None:
    """Return the live generation folder, or None when no index was built yet."""
    link = index_dir / CURRENT_LINK
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = index_dir / target
    return path if path.is_dir() else None


def generation_is_usable(path: Path, versions: frozenset[int] | None = None) -> bool:
    """True when the folder holds a committed index of one of these schema versions (default: this one)."""
    try:
        stamp = int((path / STAMP_FILE).read_text().strip())
    except (OSError, ValueError):
        return False
    return stamp in (versions or {SCHEMA_VERSION}) and whoosh_index.exists_in(str(path))


def open_index(generation: Path):
    """Open one generation's index, with our fixes to Whoosh installed (once)."""
    whoosh_patches.apply()
    return whoosh_index.open_dir(str(generation))


def open_live_index(index_dir: Path):
    """Open the live index for reading; raise IndexMissingError when there is none."""
    generation = current_generation(index_dir)
    if generation is None or not generation_is_usable(generation, READABLE_VERSIONS):  # served until rebuilt
        raise IndexMissingError(f"no search index in {index_dir}; run `kil-search index` first")
    return open_index(generation)


def create_generation(index_dir: Path):
    """Create an empty index in a new generation folder (not live until `publish_generation`)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / f"{GENERATION_PREFIX}{time.time_ns()}"
    path.mkdir()
    whoosh_patches.apply()
    created = whoosh_index.create_in(str(path), build_schema())
    (path / STAMP_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return path, created


def publish_generation(index_dir: Path, generation: Path) -> None:
    """Atomically point `current` at a generation, then drop generations older than the last."""
    previous = current_generation(index_dir)
    temporary = index_dir / f".{CURRENT_LINK}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(generation.name, temporary)
    os.replace(temporary, index_dir / CURRENT_LINK)
    _fsync_dir(index_dir)
    keep = {generation.name} | ({previous.name} if previous else set())
    remove_stale_generations(index_dir, keep)


def remove_temporary_files(index_dir: Path, written_by_runs: tuple[str, ...]) -> None:
    """Delete the temporary files a killed run can leave: a `current` link being swapped, its JSON being written.

    Only files that runs write under the write lock: other writers (the admin sign-in counter) may be busy.
    """
    for pattern in [f".{CURRENT_LINK}.*", *(f".{name}.*.tmp" for name in written_by_runs)]:
        for path in index_dir.glob(pattern):
            path.unlink(missing_ok=True)


def remove_stale_generations(index_dir: Path, keep: set[str]) -> None:
    """Delete generation folders not in `keep` (half-built ones from killed runs included)."""
    for path in index_dir.glob(f"{GENERATION_PREFIX}*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def remove_abandoned_generations(index_dir: Path, live: Path) -> None:
    """Delete generations newer than the live one: half-built by a rebuild that was killed."""
    for path in index_dir.glob(f"{GENERATION_PREFIX}*"):
        if _generation_number(path) > _generation_number(live):
            shutil.rmtree(path, ignore_errors=True)


def _generation_number(path: Path) -> int:
    """Return the creation stamp in a generation folder's name (0 if it has none)."""
    try:
        return int(path.name[len(GENERATION_PREFIX):])
    except ValueError:
        return 0


@contextmanager
def write_lock(index_dir: Path):
    """Hold the one writer lock for this index folder, or raise IndexBusyError at once."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / LOCK_FILE, "a+")
    except OSError as error:
        raise IndexMissingError(f"index folder {index_dir} is not writable: {error.strerror}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError() from None
        yield
    finally:
        handle.close()


def write_json_atomically(path: Path, data) -> None:
    """Write JSON through a temporary file and rename, so readers never see half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    os.replace(temporary, path)


def read_json(path: Path, default=None):
    """Read a JSON file, or return default when it is missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return default


def _fsync_dir(path: Path) -> None:
    """Flush a directory entry change to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
