"""Turn one corpus file (PDF or HTML) into a Document."""

from __future__ import annotations

from pathlib import Path

from kil_search.errors import ExtractionError
from kil_search.extract.html import extract_html
from kil_search.extract.limits import within_limits
from kil_search.extract.pdf import extract_pdf
from kil_search.extract.runner import ExtractionResult, extract_in_workers
from kil_search.models import Document

SUPPORTED_SUFFIXES = (".pdf", ".html", ".htm")

__all__ = ["SUPPORTED_SUFFIXES", "ExtractionResult", "extract_file", "extract_html", "extract_in_workers", "extract_pdf"]


def extract_file(path: Path) -> Document:
    """Extract a file by its suffix, within the size limits; raise ExtractionError if it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return within_limits(extract_pdf(path))
    if suffix in (".html", ".htm"):
        return within_limits(extract_html(path))
    raise ExtractionError(f"unsupported file type {suffix or '(no suffix)'!r}")
