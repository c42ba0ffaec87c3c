"""Cut extracted page text into answer units: sentences, whole list items, table rows and headings.

PDF text arrives hard-wrapped, one printed line per text line; web text arrives one
paragraph per line. Lines are first joined back into blocks (a paragraph, a list item,
a heading), then paragraphs are split into sentences. List items and short lines
(table rows, headings) are never split, so a list answer can be returned whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SENTENCE = "sentence"
ITEM = "item"
HEADING = "heading"
ROW = "row"

_BULLET = re.compile(r"^\s*(?:[•●◦○▪▫■□◼◻◾◽‣⁃∙·*–—➢➤►▶✓✔◆◇❖-]|\(?[a-z]\))\s+")
_NUMBERED = re.compile(r"^\s*\(?(\d{1,2})[.)](?:\s+(?=\S)|(?=[A-Z]))")
_SECTION_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)+\.?\s+\S")
_PAGE_FURNITURE = re.compile(
    r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$|[·|•–—-]\s*page\s+\d{1,4}\s*$|^\s*page\s+\d{1,4}\s*[·|•–—-]",
    re.IGNORECASE,
)
_CONTENTS = re.compile(r"^\s*(?:table\s+of\s+)?contents\s*$", re.IGNORECASE)
_ENDS_WITH_PAGE_NUMBER = re.compile(r"[^\W\d_].*\s\d{1,3}\s*$")
TERMINAL = (".", "!", "?", ".”", '."', "?”", '?"', ".)", ".’", "…")
_ABBREVIATIONS = frozenset(
    "e.g i.e etc mr mrs ms dr st no nos vs cf approx cllr p pp fig figs vol ed eds inc ltd co para paras rev prof".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*(?:\[\d{1,3}\])?\s+(?=[\"“‘(£$€]?[A-Z0-9])")  # an endnote mark may follow: ".[4] Next"
FULL_LINE_SHARE = 0.8  # a line this close to the longest line of its text was wrapped, not ended
# A printed line ending like this stops mid-sentence, however short it is (a table cell wraps early).
# A form's field: a short capitalised label, a colon, its value ("Lead inspector: Nick Bennison").
_FIELD_LINE = re.compile(r"^[A-Z][\w'’-]*(?: [\w'’-]+){0,3}: \S")
_OPEN_ENDING = re.compile(r"(?:,|\b(?:and|or))\s*$", re.IGNORECASE)
PARAGRAPH_ITEM_WORDS = 40  # a numbered item longer than this is a report's numbered paragraph, read sentence by sentence


@dataclass(frozen=True)
class Unit:
    """One candidate answer: its text, what kind of block it came from and where."""

    text: str
    kind: str  # sentence | item | heading | row
    block: int  # index of the block (paragraph, item, heading) in the text
    number: int | None = None  # the item's number in a numbered list


@lru_cache(maxsize=4096)
def split_units(text: str, hard_wrapped: bool = True, whole_items: bool = True) -> tuple[Unit, ...]:
    """Return the answer units of a page's text, in reading order.

    hard_wrapped says the text keeps a printed page's line breaks (PDF) and lines may need
    joining; otherwise (web pages) every line is a paragraph, list item or table row already.
    With whole_items False, a list item of several sentences is cut into its sentences too.
    """
    units: list[Unit] = []
    for index, (kind, block, number) in enumerate(_blocks(_clean_lines(text), hard_wrapped)):
        paragraph = kind == ITEM and number is not None and len(block.split()) > PARAGRAPH_ITEM_WORDS
        sentences = split_sentences(block) if kind == SENTENCE or (kind == ITEM and (not whole_items or paragraph)) else [block]
        if kind == SENTENCE or len(sentences) > 1:
            units.extend(Unit(sentence, SENTENCE, index) for sentence in sentences)
        else:
            units.append(Unit(block, kind, index, number))
    return tuple(units)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, not at abbreviations, initials or decimal points."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start:match.start() + 1].rstrip(".!?…\"”’)] ")
        last_word = before.rsplit(None, 1)[-1].lower() if before.split() else ""
        if last_word.rstrip(".") in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        if len(before.split()) <= 1 and len(before) <= 4:
            continue  # "1." or "(a)" opening a list item, not a sentence
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [sentence for sentence in sentences if sentence]


def _clean_lines(text: str) -> list[str]:
    """Return the text's lines without page furniture (running footers, page numbers, contents)."""
    raw_lines = [" ".join(raw.split()) for raw in text.split("\n")]
    raw_lines = [line for line in raw_lines if line and not _PAGE_FURNITURE.search(line)]
    lines = []
    in_contents = False
    for index, line in enumerate(raw_lines):
        if _CONTENTS.match(line):
            in_contents = True
            continue
        if in_contents:
            following = raw_lines[index + 1] if index + 1 < len(raw_lines) else ""
            # A contents entry ends with its page number; a long entry may wrap onto a second line.
            if _ENDS_WITH_PAGE_NUMBER.search(line) or _ENDS_WITH_PAGE_NUMBER.search(following):
                continue
            in_contents = False
        lines.append(line)
    return lines


def _blocks(lines: list[str], hard_wrapped: bool) -> list[tuple[str, str, int | None]]:
    """Join wrapped lines into blocks: (kind, text, item number)."""
    if not lines:
        return []
    width = max(len(line) for line in lines)
    wrapped = hard_wrapped and width >= 50 and sum(len(line) >= FULL_LINE_SHARE * width for line in lines) >= 2
    blocks: list[list] = []
    for position, line in enumerate(lines):
        marker = _item_marker(line)
        previous = blocks[-1] if blocks else None
        if previous is not None and marker is None and hard_wrapped and _continues(previous, line, width, wrapped):
            previous[1] = f"{previous[1]} {line}"
            previous[3] = line
            continue
        kind = ITEM if marker is not None else SENTENCE
        blocks.append([kind, line, marker if isinstance(marker, int) else None, line])
    return [(_settle_kind(blocks, index), block[1], block[2]) for index, block in enumerate(blocks)]


def _item_marker(line: str) -> int | str | None:
    """Return a numbered item's number, "bullet" for a bullet, or None for other lines."""
    if _SECTION_NUMBER.match(line):
        return None
    numbered = _NUMBERED.match(line)
    if numbered:
        return int(numbered.group(1))
    return "bullet" if _BULLET.match(line) else None


def _continues(block: list, line: str, width: int, wrapped: bool) -> bool:
    """Say whether line carries on the block before it rather than starting a new one."""
    last_line = block[3]
    first = line[0]
    if first.islower() or first in ",;:)]–—" or line.startswith(("and ", "or ")):
        return True
    if _OPEN_ENDING.search(last_line) and not _SECTION_NUMBER.match(line) and not _SECTION_NUMBER.match(block[1]):
        return True
    if not wrapped or len(last_line) < FULL_LINE_SHARE * width or last_line.endswith(TERMINAL):
        return False
    if _FIELD_LINE.match(line) and len(line) < FULL_LINE_SHARE * width:
        return False  # "Inspection dates: 9-24 November 2017" under a report's wrapped title starts a field
    return not _SECTION_NUMBER.match(line)


def _settle_kind(blocks: list[list], index: int) -> str:
    """Decide whether a block is a sentence paragraph, a list item, a heading or a table row."""
    kind, text, number, _last = blocks[index]
    if kind == ITEM and number is not None and not _in_numbered_run(blocks, index) and not text.endswith(TERMINAL):
        kind = SENTENCE  # a lone numbered line such as "1. About this guide" is a chapter heading
    if kind == ITEM:
        return ITEM
    words = text.split()
    if len(words) <= 14 and not text.rstrip().endswith((".", ",", ";", ":", "!", "…")):
        has_figures = any(any(char.isdigit() for char in word) for word in words[1:])
        return ROW if has_figures and not _SECTION_NUMBER.match(text) else HEADING
    return SENTENCE


def _in_numbered_run(blocks: list[list], index: int) -> bool:
    """True when a numbered block has a neighbouring item numbered one less or one more."""
    number = blocks[index][2]
    for other in (index - 1, index + 1):
        if 0 <= other < len(blocks) and blocks[other][0] == ITEM and blocks[other][2] is not None:
            if abs(blocks[other][2] - number) == 1:
                return True
    return False
