"""Cut a document's pages into passages small enough to excerpt whole."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Document

# Well under Whoosh's highlighting limit and short enough that an excerpt is found fast.
MAX_PASSAGE_CHARS = 1500
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ENDS_WITH_PAGE_NUMBER = re.compile(r"(\.{2,}|\s)\s*\d{1,3}\s*$")
# A contents page repeats every heading of a report; it should not outrank the pages themselves.
CONTENTS_PAGE_BOOST = 0.35


@dataclass
class Passage:
    """A searchable piece of one page or section."""

    page: int
    part: int
    section: str
    text: str
    boost: float = 1.0
    # Finding aids filled in by kil_search.enrich (empty when a document is not enriched).
    place_codes: tuple[str, ...] = ()
    council_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    case_title: str = ""
    case_place: str = ""


def split_document(document: Document, max_chars: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """Return the passages of every page that has text, in reading order."""
    passages = []
    for page in document.pages:
        boost = CONTENTS_PAGE_BOOST if looks_like_contents(page.text) else 1.0
        for part, chunk in enumerate(split_text(page.text, max_chars), start=1):
            passages.append(Passage(page.number, part, page.section, chunk, boost))
    return passages


def looks_like_contents(text: str) -> bool:
    """True for a table-of-contents page: most of its lines end in a page number."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 5:
        return False
    numbered = sum(1 for line in lines if _ENDS_WITH_PAGE_NUMBER.search(line))
    return numbered >= 0.5 * len(lines)


def split_text(text: str, max_chars: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Split text at line, then sentence, then word boundaries into chunks of at most max_chars."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= max_chars:
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, max_chars):
        joiner = "\n" if current else ""
        if len(current) + len(joiner) + len(piece) > max_chars and current:
            chunks.append(current)
            current = piece
        else:
            current = f"{current}{joiner}{piece}"
    if current:
        chunks.append(current)
    return chunks


def _pieces(text: str, max_chars: int):
    """Yield lines, breaking any line longer than max_chars by sentences and then words."""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line) <= max_chars:
            yield line
            continue
        for sentence in _SENTENCE_END.split(line):
            while len(sentence) > max_chars:
                cut = sentence.rfind(" ", 0, max_chars)
                cut = cut if cut > 0 else max_chars
                yield sentence[:cut]
                sentence = sentence[cut:].strip()
            if sentence:
                yield sentence
