"""Drop running headers and footers: lines repeated at the top or bottom of most pages."""

from __future__ import annotations

import re
from collections import Counter

EDGE_LINES = 2  # how many lines at each end of a page may be a header or footer
MIN_PAGES = 4
MIN_SHARE = 0.5
# A book prints its title over left-hand pages and each chapter's over right-hand ones: the title's line is on
# fewer than half the pages (chapter openers and full-page tables have none), yet on far more than any chapter's.
# Word for word, then: "Recommendation 7" opening a third of a response's pages is its numbered headings.
MIN_SHARE_VERBATIM = 0.35
_DIGITS = re.compile(r"\d+")
_END_NUMBERS = re.compile(r"^(?:#[\s|.:-]*)+|(?:[\s|.:-]*#)+$")


def strip_running_lines(texts: list[str | None]) -> list[str | None]:
    """Return page texts without lines that repeat (page numbers aside) on most pages."""
    with_text = [text for text in texts if text]
    if len(with_text) < MIN_PAGES:
        return texts
    counts: Counter[str] = Counter()
    verbatim: Counter[str] = Counter()
    for text in with_text:
        edges = _edge_lines(text.split("\n"))
        counts.update({_shape(line) for line in edges})
        verbatim.update({_verbatim(line) for line in edges})
    threshold = max(3, MIN_SHARE * len(with_text))
    running = {shape for shape, count in counts.items() if count >= threshold and shape}
    running |= {line for line, count in verbatim.items() if count >= max(3, MIN_SHARE_VERBATIM * len(with_text)) and line != "="}
    if not running:
        return texts
    return [_strip(text, running) if text else text for text in texts]


def _edge_lines(lines: list[str]) -> list[str]:
    """Return the first and last few lines of a page."""
    if len(lines) <= 2 * EDGE_LINES:
        return lines
    return lines[:EDGE_LINES] + lines[-EDGE_LINES:]


def _shape(line: str) -> str:
    """Return a line with numbers blanked, so "page 3" and "page 4" look alike, and a page number at either end
    dropped, so a book's "8 BEHAVIOUR CHANGE" (left-hand page) and "BEHAVIOUR CHANGE 9" (right) look alike."""
    blanked = _DIGITS.sub("#", line.strip().lower())
    return _END_NUMBERS.sub("", blanked) or blanked


def _verbatim(line: str) -> str:
    """Return a line as printed (case and spacing aside), marked apart from the shapes."""
    return "=" + " ".join(line.lower().split())


def _is_running(line: str, running: set[str]) -> bool:
    """True when a line has a running line's shape, or is one word for word."""
    return _shape(line) in running or _verbatim(line) in running


def _strip(text: str, running: set[str]) -> str:
    """Remove running lines found at either end of one page."""
    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < min(EDGE_LINES, end) and _is_running(lines[start], running):
        start += 1
    while end > start and end > len(lines) - EDGE_LINES and _is_running(lines[end - 1], running):
        end -= 1
    kept = "\n".join(lines[start:end])
    return kept if kept.strip() else text  # a page that is only "running" lines is content
