"""The gate between a file and the index: drop control characters, bound how much text one file gives.

A 40 KB PDF can hold 60 MB of text (one compressed string shown on three
pages); extraction finishes inside the time limit, but indexing it took the
parent more than five minutes. Real reports are far below these limits.
"""

from __future__ import annotations

import re

from kil_search.models import Document

MAX_PAGE_CHARS = 100_000  # a dense A4 page holds about 6,000 characters
MAX_DOCUMENT_CHARS = 3_000_000  # about 1,000 dense pages; indexing this much takes ~20 s
MAX_PAGES_WITH_TEXT = 10_000  # each page is at least one passage, and passages cost time too
# C0 controls but tab and newline, DEL, and the non-characters U+FFFE/U+FFFF: never text a person wrote.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]+")


def within_limits(document: Document) -> Document:
    """Return the document without control characters and with its text cut to the limits."""
    _drop_control_characters(document)
    return _limit_text(document)


def _drop_control_characters(document: Document) -> None:
    """Replace control characters by spaces in every string the file provided."""
    document.title = _clean(document.title)
    document.metadata = {key: _clean(value) if isinstance(value, str) else value for key, value in document.metadata.items()}
    for page in document.pages:
        page.text, page.section = _clean(page.text), _clean(page.section)
    for entry in document.outline:
        entry.title = _clean(entry.title)


def _clean(text: str) -> str:
    """Replace control characters by spaces (a form feed or a NUL is a word break at most)."""
    return CONTROL_CHARS.sub(" ", text)


def _limit_text(document: Document) -> Document:
    """Cut over-long pages and stop taking text at the document's budget, saying so in its warnings."""
    budget = MAX_DOCUMENT_CHARS
    pages_with_text = 0
    cut_pages: list[int] = []
    dropped_from: int | None = None
    for page in document.pages:
        if not page.text:
            continue
        if budget <= 0 or pages_with_text >= MAX_PAGES_WITH_TEXT:
            dropped_from = dropped_from or page.number
            page.text = ""
            continue
        if len(page.text) > MAX_PAGE_CHARS:
            cut_pages.append(page.number)
            page.text = _cut_at_space(page.text, MAX_PAGE_CHARS)
        if len(page.text) > budget:
            page.text = _cut_at_space(page.text, budget)
            dropped_from = dropped_from or page.number + 1
        budget -= len(page.text)
        pages_with_text += 1
    if cut_pages:
        document.warnings.append(f"text cut at {MAX_PAGE_CHARS:,} characters on {_describe_pages(cut_pages, _unit(document))}")
    if dropped_from is not None:
        document.warnings.append(
            f"text not indexed from {_unit(document)} {dropped_from} on: the file has more than "
            f"{MAX_DOCUMENT_CHARS:,} characters or {MAX_PAGES_WITH_TEXT:,} {_unit(document)}s of text"
        )
    return document


def _cut_at_space(text: str, limit: int) -> str:
    """Return at most limit characters of text, ending at a space when there is one near the end."""
    cut = text.rfind(" ", max(0, limit - 200), limit)
    return text[: cut if cut > 0 else limit]


def _unit(document: Document) -> str:
    """Name what a Page is for this format."""
    return "page" if document.format == "pdf" else "section"


def _describe_pages(numbers: list[int], unit: str) -> str:
    """Say which pages, briefly: "page 3", "pages 3, 4, 9" or "41 pages (first 2)"."""
    if len(numbers) == 1:
        return f"{unit} {numbers[0]}"
    if len(numbers) <= 5:
        return f"{unit}s " + ", ".join(map(str, numbers))
    return f"{len(numbers)} {unit}s (first {numbers[0]})"
