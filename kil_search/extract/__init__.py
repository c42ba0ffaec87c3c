"""Turn one corpus file (PDF or HTML) into a Document."""

from __future__ import annotations

import importlib
from pathlib import Path

from kil_search.errors import ExtractionError
from kil_search.extract.limits import within_limits
from kil_search.extract.runner import ExtractionResult, extract_in_workers
from kil_search.models import Document

SUPPORTED_SUFFIXES = (".pdf", ".html", ".htm")
# Each format's extractor, imported when first needed: a worker that only reads PDFs never pays
# for BeautifulSoup, nor one that only reads web pages for pypdf.
_EXTRACTORS = {".pdf": ("kil_search.extract.pdf", "extract_pdf"),
               ".html": ("kil_search.extract.html", "extract_html"),
               ".htm": ("kil_search.extract.html", "extract_html")}

__all__ = ["SUPPORTED_SUFFIXES", "ExtractionResult", "extract_file", "extract_html", "extract_in_workers", "extract_pdf",
           "load_extractors"]


def load_extractors(suffixes=None) -> None:
    """Import the extractors for these file suffixes now (all when None)."""
    for suffix in SUPPORTED_SUFFIXES if suffixes is None else suffixes:
        if suffix in _EXTRACTORS:
            importlib.import_module(_EXTRACTORS[suffix][0])


def extract_file(path: Path) -> Document:
    """Extract a file by its suffix, within the size limits; raise ExtractionError if it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _EXTRACTORS:
        raise ExtractionError(f"unsupported file type {suffix or '(no suffix)'!r}")
    module, function = _EXTRACTORS[suffix]
    return within_limits(getattr(importlib.import_module(module), function)(path))


def __getattr__(name: str):
    """Give extract_pdf and extract_html on first use."""
    for module, function in _EXTRACTORS.values():
        if name == function:
            return getattr(importlib.import_module(module), function)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
