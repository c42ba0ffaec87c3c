"""Where each heading of a document starts: PDF outline entries found in their page's text, HTML sections."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..models import Document

# A passage is labelled with the last heading that starts before this many of its characters,
# so a passage opening with "1. Foreword\n1.1 Summary" is labelled "1.1 Summary".
LABEL_LOOKAHEAD_CHARS = 200


@dataclass(frozen=True)
class Heading:
    """A heading: its title, the index of its page in document.pages, its offset in that page's text."""

    title: str
    page_index: int
    offset: int
    level: int = 0

    @property
    def position(self) -> tuple[int, int]:
        """Return (page index, offset), which orders headings in reading order."""
        return self.page_index, self.offset


def find_headings(document: Document) -> list[Heading]:
    """Return the document's headings in reading order."""
    if document.format != "pdf":
        return [Heading(page.section, index, 0) for index, page in enumerate(document.pages) if page.section]
    index_of = {page.number: index for index, page in enumerate(document.pages)}
    headings = []
    for entry in document.outline:
        index = index_of.get(entry.page)
        if index is None or not entry.title.strip():
            continue
        headings.append(Heading(entry.title.strip(), index, locate_line(document.pages[index].text, entry.title), entry.level))
    return sorted(headings, key=lambda heading: heading.position)


def locate_line(text: str, title: str) -> int:
    """Return where title starts in text (a line start preferred, line wraps allowed); 0 if absent."""
    words = title.split()
    if not words:
        return 0
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(rf"(?m)^[ \t]*{pattern}", text, re.IGNORECASE) or re.search(pattern, text, re.IGNORECASE)
    return match.start() if match else 0


class SectionFinder:
    """Answer "which heading is this passage under?" by position."""

    def __init__(self, headings: list[Heading]):
        self._headings = headings
        self._positions = [heading.position for heading in headings]

    def label_at(self, page_index: int, offset: int, length: int = 0) -> str:
        """Return the title of the last heading starting before a passage's first characters."""
        lookahead = min(LABEL_LOOKAHEAD_CHARS, length // 2)
        at = bisect.bisect_right(self._positions, (page_index, offset + lookahead))
        return self._headings[at - 1].title if at else ""

    def next_after(self, page_index: int, offset: int, max_level: int | None = None) -> Heading | None:
        """Return the first heading strictly after a position (at or above max_level, if given)."""
        at = bisect.bisect_right(self._positions, (page_index, offset))
        for heading in self._headings[at:]:
            if max_level is None or heading.level <= max_level:
                return heading
        return None
