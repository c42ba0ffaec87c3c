"""Files whose content is unchanged but whose modification time moved: noted beside the index, not in it.

Copying a library (a restore, rsync, a git checkout) moves every file's modification time and
keeps its content. Rewriting each document's record for that cost a commit and left segments
holding document records only; instead the file's new size and time are kept in a small JSON
file in the generation folder, valid only while the record's content hash is the one noted
there. The index itself is left alone.
"""

from __future__ import annotations

from pathlib import Path

from .store import read_json, write_json_atomically

MOVED_FILES = "moved_files.json"


def read_moved(generation: Path | None) -> dict[str, dict]:
    """Return the noted {doc_id: {"size", "mtime_ns", "sha256"}} of a generation (empty if none)."""
    if generation is None:
        return {}
    noted = read_json(Path(generation) / MOVED_FILES, default={})
    return noted if isinstance(noted, dict) else {}


def write_moved(generation: Path, moved: dict[str, dict]) -> None:
    """Replace a generation's noted moves (atomically: a reader sees the old or the new list)."""
    write_json_atomically(Path(generation) / MOVED_FILES, moved)


def moved_entry(size: int, mtime_ns: int, details: dict) -> dict:
    """Return the note saying that a file of this size and time holds the content the record was made from."""
    return {"size": size, "mtime_ns": mtime_ns, "sha256": details.get("sha256")}


def indexed_stat(doc_id: str, details: dict, moved: dict[str, dict]) -> tuple:
    """Return the (size, mtime_ns) of the file content the index holds for doc_id."""
    entry = moved.get(doc_id)
    if isinstance(entry, dict) and entry.get("sha256") and entry.get("sha256") == details.get("sha256"):
        return entry.get("size"), entry.get("mtime_ns")
    return details.get("size"), details.get("mtime_ns")


def with_moved_stats(records: dict[str, dict], generation: Path | None) -> dict[str, dict]:
    """Return document records whose details give the size and time of the file as it is now noted."""
    moved = read_moved(generation)
    if not moved:
        return records
    updated = {}
    for doc_id, record in records.items():
        details = record.get("details") or {}
        size, mtime_ns = indexed_stat(doc_id, details, moved)
        updated[doc_id] = {**record, "details": {**details, "size": size, "mtime_ns": mtime_ns}}
    return updated
