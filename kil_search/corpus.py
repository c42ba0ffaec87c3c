"""What documents the corpus holds, what the catalogue says about them, and their fingerprints."""

from __future__ import annotations

import hashlib
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CatalogError
from .extract import SUPPORTED_SUFFIXES
from .urls import web_address

log = logging.getLogger(__name__)

CATALOG_FILE_NAME = "catalog.toml"
DOCUMENT_TYPES = ("research report", "practical guide", "case study", "briefing", "web page")
CATALOG_KEYS = {"title", "type", "date", "source_url", "themes", "places"}
_DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class CorpusFile:
    """A file the indexer should consider: its id (path relative to the corpus) and stat."""

    doc_id: str
    path: Path
    size: int
    mtime_ns: int


@dataclass
class CatalogEntry:
    """What staff say about one file; empty values mean "take what the file says"."""

    title: str = ""
    type: str = ""
    date: str = ""
    source_url: str = ""
    themes: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        """Return a short hash, so a catalogue edit reindexes the file."""
        raw = repr((self.title, self.type, self.date, self.source_url, self.themes, self.places))
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def scan_corpus(corpus_dir: Path) -> list[CorpusFile]:
    """List the PDFs and HTML pages under corpus_dir, skipping hidden and `_` folders and links out of it."""
    found = []
    root = corpus_dir.resolve()
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES or not path.is_file():
            continue
        if not path.resolve().is_relative_to(root):  # the web app would refuse to serve it: don't index it either
            log.warning("%s: skipped, it links to a file outside the corpus folder", relative.as_posix())
            continue
        stat = path.stat()
        found.append(CorpusFile(relative.as_posix(), path, stat.st_size, stat.st_mtime_ns))
    return found


def hash_file(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def normalise_date(value) -> str:
    """Turn a TOML date or a YYYY[-MM[-DD]] string into an ISO string; "" when absent."""
    if value is None or value == "":
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
    text = text[:10]
    if not _DATE_PATTERN.match(text):
        raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def load_catalog(corpus_dir: Path) -> dict[str, CatalogEntry]:
    """Read corpus/catalog.toml (if any); a bad entry raises CatalogError naming file and line."""
    path = corpus_dir / CATALOG_FILE_NAME
    if not path.exists():
        return {}
    raw = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{path}: {error}") from None
    entries = {}
    for doc_id, values in data.items():
        where = f"{path}, line {_line_of_table(raw, doc_id)}"
        if not isinstance(values, dict):
            raise CatalogError(f"{where}: {doc_id!r} must be a table of fields")
        entries[doc_id] = _parse_entry(values, where)
    return entries


def _parse_entry(values: dict, where: str) -> CatalogEntry:
    """Validate one catalogue table."""
    unknown = set(values) - CATALOG_KEYS
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(CATALOG_KEYS))}")
    kind = str(values.get("type", "")).strip().lower()
    if kind and kind not in DOCUMENT_TYPES:
        raise CatalogError(f"{where}: type {kind!r} is not one of: {', '.join(DOCUMENT_TYPES)}")
    try:
        date = normalise_date(values.get("date"))
    except ValueError as error:
        raise CatalogError(f"{where}: {error}") from None
    lists = {}
    for key in ("themes", "places"):
        value = values.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise CatalogError(f"{where}: {key} must be a list of strings")
        lists[key] = [item.strip() for item in value if item.strip()]
    for key in ("title", "source_url"):
        if key in values and not isinstance(values[key], str):
            raise CatalogError(f"{where}: {key} must be a string")
    source_url = values.get("source_url", "").strip()
    if source_url and not web_address(source_url):
        raise CatalogError(f"{where}: source_url {source_url!r} must be a web address starting http:// or https://")
    return CatalogEntry(
        title=values.get("title", "").strip(),
        type=kind,
        date=date,
        source_url=source_url,
        **lists,
    )


def _line_of_table(raw: str, key: str) -> int:
    """Find the line number of a table header such as ["reports/a.pdf"]."""
    for number, line in enumerate(raw.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and key in stripped:
            return number
    return 1
