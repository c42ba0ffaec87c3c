"""The one writer of corpus/catalog.toml: parse, change, check, write atomically under a lock.

Tables that do not change keep their text (comments included); a changed table is rewritten
from its fields. The result is parsed back and compared with what was meant before it replaces
the file, so an unusual layout falls back to a full rewrite rather than ever losing an entry.
"""

from __future__ import annotations

import fcntl
import os
import re
import tomllib
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from .corpus import CATALOG_FILE_NAME, CatalogEntry, _parse_entry
from .errors import CatalogError

LOCK_FILE_NAME = ".catalog.lock"
FIELD_ORDER = ("title", "type", "date", "themes", "places", "source_url")
_HEADER = re.compile(r"^\s*\[(?!\[).*\]\s*(#.*)?$")
_TRIVIA = re.compile(r"^\s*(#.*)?$")

# doc_id → new field values (merged over the current entry), or None to remove the entry.
Changes = dict[str, dict | None]


def set_entry(corpus_dir: Path, doc_id: str, **values) -> CatalogEntry:
    """Merge values into a file's entry (an empty value clears that field); return the result."""
    return update_catalog(corpus_dir, {doc_id: values})[doc_id]


def remove_entry(corpus_dir: Path, doc_id: str) -> None:
    """Drop a file's entry, if it has one."""
    update_catalog(corpus_dir, {doc_id: None})


def update_catalog(corpus_dir: Path, changes: Changes) -> dict[str, CatalogEntry]:
    """Apply several changes in one locked, atomic write; return the changed entries."""
    path = Path(corpus_dir) / CATALOG_FILE_NAME
    with _catalog_lock(Path(corpus_dir)):
        raw = path.read_text(encoding="utf-8") if path.exists() else ""
        try:
            data = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as error:
            raise CatalogError(f"{path}: {error}; fix it before changing the catalogue") from None
        result: dict[str, CatalogEntry] = {}
        wanted = dict(data)
        for doc_id, values in changes.items():
            if values is None:
                wanted.pop(doc_id, None)
                continue
            current = data.get(doc_id, {})
            merged = _merge(current, values)
            result[doc_id] = _parse_entry(merged, f"{path}, entry {doc_id!r}")
            if merged != current:
                wanted[doc_id] = _table(result[doc_id])
        if wanted == data:
            return result
        text = _edit_text(raw, data, wanted)
        if tomllib.loads(text) != wanted:
            text = render_catalog(wanted)
        _write_atomically(path, text)
    return result


def render_catalog(data: dict[str, dict]) -> str:
    """Render a whole catalogue, one table per file."""
    return "\n".join(_render_table(doc_id, values) for doc_id, values in data.items())


def _merge(current: dict, values: dict) -> dict:
    """Apply new values over an entry's current fields; None or empty drops a field."""
    merged = dict(current)
    for key, value in values.items():
        if value is None or value == "" or value == []:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _table(entry: CatalogEntry) -> dict:
    """Return an entry's non-empty fields in the catalogue's usual order."""
    values = asdict(entry)
    return {key: values[key] for key in FIELD_ORDER if values[key]}


def _edit_text(raw: str, old: dict, wanted: dict) -> str:
    """Rewrite only the tables that changed, keep the rest of the text as it was."""
    preamble, blocks = _split_tables(raw)
    parts = [preamble]
    for doc_id, text in blocks:
        if doc_id not in wanted:
            continue
        parts.append(text if old.get(doc_id) == wanted[doc_id] else _leading_comments(text) + _render_table(doc_id, wanted[doc_id]))
    known = {doc_id for doc_id, _ in blocks}
    parts.extend(_render_table(doc_id, values) for doc_id, values in wanted.items() if doc_id not in known)
    return "".join(_with_blank_line(part) for part in parts if part.strip()).rstrip("\n") + "\n"


def _split_tables(raw: str) -> tuple[str, list[tuple[str | None, str]]]:
    """Cut the text into a preamble and (key, text) per table; comments above a header go with it."""
    lines = raw.splitlines(keepends=True)
    starts = [number for number, line in enumerate(lines) if _HEADER.match(line)]
    for position, start in enumerate(starts):
        floor = starts[position - 1] + 1 if position else 0
        while start > floor and _TRIVIA.match(lines[start - 1]) and lines[start - 1].strip():
            start -= 1
        starts[position] = start
    bounds = starts + [len(lines)]
    blocks = []
    for start, end in zip(bounds, bounds[1:]):
        text = "".join(lines[start:end])
        header = next(line for line in lines[start:end] if _HEADER.match(line))
        try:
            keys = list(tomllib.loads(header))
        except tomllib.TOMLDecodeError:
            keys = []
        blocks.append((keys[0] if len(keys) == 1 else None, text))
    return "".join(lines[: bounds[0]]), blocks


def _leading_comments(block: str) -> str:
    """Return the comment lines above a table's header, which stay when the table is rewritten."""
    lines = block.splitlines(keepends=True)
    header = next(number for number, line in enumerate(lines) if _HEADER.match(line))
    return "".join(lines[:header])


def _with_blank_line(text: str) -> str:
    """End a part with exactly one blank line."""
    return text.rstrip("\n") + "\n\n"


def _render_table(doc_id: str, values: dict) -> str:
    """Render one table."""
    lines = [f"[{_toml_string(doc_id)}]"]
    for key, value in values.items():
        if isinstance(value, list):
            rendered = "[" + ", ".join(_toml_string(str(item)) for item in value) + "]"
        else:
            rendered = _toml_string(value.isoformat() if hasattr(value, "isoformat") else str(value))
        lines.append(f"{key} = {rendered}")
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    """Quote text as a TOML basic string."""
    escaped = []
    for char in text:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename over the catalogue."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    if path.exists():
        os.chmod(temporary, path.stat().st_mode & 0o777)
    os.replace(temporary, path)


@contextmanager
def _catalog_lock(corpus_dir: Path):
    """Serialise catalogue writers (crawler, admin page, CLI) with a lock file beside it."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with open(corpus_dir / LOCK_FILE_NAME, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
