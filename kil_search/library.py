"""What staff do to the corpus: add a file, remove a document; shared by the CLI and the admin page."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from werkzeug.utils import secure_filename

from .catalog_write import remove_entry
from .config import Settings
from .corpus import scan_corpus
from .errors import KilSearchError

MAX_NAME_CHARS = 100
SNIFF_BYTES = 1024
SUFFIX_OF_FORMAT = {"pdf": ".pdf", "html": ".html"}
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta", b"<h1", b"<p>", b"<div")
_CHUNK = 1 << 16


class LibraryError(KilSearchError):
    """A file cannot be added or removed; the message says why, for staff."""


class FileExistsInCorpusError(LibraryError):
    """A file of that name is already in the corpus and replacing it was not asked for."""


@dataclass(frozen=True)
class AddedFile:
    """Where an added file went."""

    doc_id: str
    path: Path
    replaced: bool


def sniff_format(head: bytes) -> str | None:
    """Tell a PDF or an HTML page from the first bytes of a file; None for anything else."""
    if b"%PDF-" in head[:SNIFF_BYTES]:
        return "pdf"
    text = head[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"\x00" in text:
        return None
    if text.startswith(b"<") and any(marker in text for marker in _HTML_MARKERS):
        return "html"
    return None


def safe_file_name(name: str, file_format: str) -> str:
    """Return a plain file name for an upload: ASCII, no folders, not hidden, the right suffix."""
    cleaned = secure_filename(name or "") or "document"
    stem = PurePosixPath(cleaned).stem if "." in cleaned else cleaned
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).lstrip("._-") or "document"
    return stem[:MAX_NAME_CHARS] + SUFFIX_OF_FORMAT[file_format]


def upload_folder(settings: Settings) -> Path:
    """Return the folder uploads go into, refusing a setting that leaves the corpus."""
    corpus = Path(settings.corpus_dir).resolve()
    relative = PurePosixPath(settings.upload_folder or "uploads")
    if relative.is_absolute() or any(part in ("..", "") or part.startswith((".", "_")) for part in relative.parts):
        raise LibraryError(f"upload folder {settings.upload_folder!r} must be a plain folder inside the corpus")
    return corpus / relative


def add_file(settings: Settings, source: BinaryIO, name: str, replace: bool = False,
             max_bytes: int | None = None) -> AddedFile:
    """Copy a PDF or HTML file into the upload folder; the type is read from the content."""
    limit = max_bytes if max_bytes is not None else settings.upload_max_mb * 1024 * 1024
    head = source.read(SNIFF_BYTES)
    file_format = sniff_format(head)
    if file_format is None:
        raise LibraryError(f"{name or 'the file'} is not a PDF or an HTML page (judged by its content, not its name)")
    folder = upload_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_file_name(name, file_format)
    if target.exists() and not replace:
        raise FileExistsInCorpusError(f"{target.name} is already in the library; confirm to replace it")
    temporary = folder / f".upload-{secrets.token_hex(8)}"
    try:
        _copy_capped(head, source, temporary, limit)
        existed = target.exists()
        if replace:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # fails if the name was taken meanwhile: never overwrite
            except FileExistsError:
                raise FileExistsInCorpusError(f"{target.name} is already in the library; confirm to replace it") from None
    finally:
        temporary.unlink(missing_ok=True)
    doc_id = target.relative_to(Path(settings.corpus_dir).resolve()).as_posix()
    return AddedFile(doc_id, target, existed and replace)


def _copy_capped(head: bytes, source: BinaryIO, target: Path, limit: int) -> None:
    """Write head then the rest of source to target, stopping with an error past limit bytes."""
    written = len(head)
    with open(target, "wb") as handle:
        handle.write(head)
        while written <= limit:
            chunk = source.read(_CHUNK)
            if not chunk:
                break
            written += len(chunk)
            handle.write(chunk)
    if written > limit:
        raise LibraryError(f"the file is larger than the limit of {_megabytes(limit)}")


def corpus_path(settings: Settings, doc_id: str) -> Path:
    """Return the file of a document id that exists in the corpus, or raise LibraryError."""
    for item in scan_corpus(Path(settings.corpus_dir)):
        if item.doc_id == doc_id:
            return item.path
    raise LibraryError(f"no file {doc_id!r} in the corpus")


def remove_document(settings: Settings, doc_id: str) -> Path:
    """Delete a document's file and its catalogue entry; the next index run drops it."""
    path = corpus_path(settings, doc_id)
    path.unlink()
    remove_entry(Path(settings.corpus_dir), doc_id)
    return path


def _megabytes(count: int) -> str:
    """Format a byte count for people."""
    return f"{count / (1024 * 1024):.0f} MB" if count >= 1024 * 1024 else f"{count} bytes"
