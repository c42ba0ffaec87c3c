"""Find the case studies in a document: where each starts and ends, its title and its place.

A case study is, in order of trust:
1. the whole document, when the catalogue says its type is "case study";
2. a box or section whose heading says so: a line "Case study: Bede House, Southwark" (or
   "Case study" alone with the title on the next line), a PDF bookmark or an HTML heading
   starting "Case study";
3. a section whose heading names one organisation in one place: "Bede House, Southwark".

A box has no end marker once a PDF is turned into text, so a case study of kind 2 ends at the
next heading (bookmark, HTML section, or another case study), and at most MAX_CASE_STUDY_CHARS
after its start: a box rarely runs over a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Document
from ..places import Gazetteer
from .headings import Heading, SectionFinder

MAX_CASE_STUDY_CHARS = 3000
_HEADING_LINE = re.compile(r"(?m)^[ \t]*(?:Case|CASE)[ \t]+(?:study|Study|STUDY)\b[ \t]*\d*[ \t]*"
                           r"(?:[:\-–—.][ \t]*(?P<title>\S[^\n]*)|\n[ \t]*(?P<next>\S[^\n]*))$(?:\n(?P<more>[^\n]*))?")
# A wrapped heading's second line is short; a longer next line is body text.
_MAX_WRAPPED_LINE = 80
_HEADING_TITLE = re.compile(r"(?i)^case\s+study\b\s*\d*\s*[:\-–—.]?\s*")
_ORGANISATION_IN_PLACE = re.compile(r"^(?P<organisation>[A-Z][^,:;]{2,100}),\s*(?P<place>[A-Z][^,:;]{1,60})$")


@dataclass
class CaseStudy:
    """One case study: its title, organisation, place (a gazetteer code) and span in the document."""

    title: str
    organisation: str
    place_code: str
    start: tuple[int, int]  # (page index, offset), inclusive
    end: tuple[int, int]  # (page index, offset), exclusive

    def covers(self, page_index: int, offset: int) -> bool:
        """True when a position lies inside the case study."""
        return self.start <= (page_index, offset) < self.end


def find_case_studies(document: Document, headings: list[Heading], title: str, doc_type: str,
                      known_places: list[str], gazetteer: Gazetteer) -> list[CaseStudy]:
    """Return the document's case studies in reading order, none overlapping."""
    if not document.pages:
        return []
    end_of_document = (len(document.pages) - 1, len(document.pages[-1].text))
    if doc_type == "case study":
        organisation, place = split_title(title, known_places, gazetteer)
        place = place or (known_places[0] if known_places else "")
        return [CaseStudy(title, organisation, place, (0, 0), end_of_document)]
    finder = SectionFinder(headings)
    starts = _headed_starts(document, headings) + _organisation_sections(headings, gazetteer)
    starts.sort(key=lambda item: item[0])
    found: list[CaseStudy] = []
    for number, (start, (case_title, next_line), level, bounded) in enumerate(starts):
        if found and found[-1].end > start:
            continue
        next_heading = finder.next_after(*start, max_level=None if bounded else level)
        end = next_heading.position if next_heading else end_of_document
        if number + 1 < len(starts):
            end = min(end, starts[number + 1][0])
        if bounded:
            end = min(end, _advance(document, start, MAX_CASE_STUDY_CHARS))
        case_title = _complete_title(case_title, next_line, known_places, gazetteer)
        organisation, place = split_title(case_title, known_places, gazetteer)
        found.append(CaseStudy(case_title, organisation, place, start, end))
    return found


def split_title(title: str, known_places: list[str], gazetteer: Gazetteer) -> tuple[str, str]:
    """Split "Bede House, Southwark" into the organisation and the place's code."""
    organisation, _comma, place_name = title.rpartition(",")
    council = gazetteer.resolve(place_name) if organisation else None
    if council is not None:
        return organisation.strip(), council.code
    mentions = gazetteer.find(title, known=frozenset(known_places))
    return (organisation.strip() or title), (mentions[-1].code if mentions else "")


def _complete_title(title: str, next_line: str, known_places: list[str], gazetteer: Gazetteer) -> str:
    """Join a heading wrapped onto a second line ("..., South" + "Gloucestershire") when that names its place."""
    if not next_line or len(next_line) > _MAX_WRAPPED_LINE or next_line.endswith((".", ":")):
        return title
    _organisation, place = split_title(title, known_places, gazetteer)
    if place and "," in title:
        return title
    joined = f"{title} {next_line}"
    return joined if "," in joined and split_title(joined, known_places, gazetteer)[1] else title


def _headed_starts(document: Document, headings: list[Heading]) -> list[tuple]:
    """Return (position, title, level, bounded) of every "Case study" line or heading."""
    starts = {}
    for index, page in enumerate(document.pages):
        for match in _HEADING_LINE.finditer(page.text):
            case_title = (match.group("title") or match.group("next") or "").strip()
            starts[(index, match.start())] = ((case_title, (match.group("more") or "").strip()), 99, document.format == "pdf")
    for heading in headings:
        if _HEADING_TITLE.match(heading.title) and not any(key[0] == heading.page_index and abs(key[1] - heading.offset) < 5 for key in starts):
            starts[heading.position] = ((_HEADING_TITLE.sub("", heading.title).strip() or heading.title, ""), heading.level, False)
    return [(position, case_title, level, bounded) for position, (case_title, level, bounded) in starts.items()]


def _organisation_sections(headings: list[Heading], gazetteer: Gazetteer) -> list[tuple]:
    """Return (position, title, level, bounded) of headings naming one organisation in one place."""
    found = []
    for heading in headings:
        match = _ORGANISATION_IN_PLACE.match(heading.title.strip())
        if match is None or _HEADING_TITLE.match(heading.title):
            continue
        if gazetteer.resolve(match["place"]) and not gazetteer.resolve(match["organisation"]):
            found.append((heading.position, (heading.title.strip(), ""), heading.level, False))
    return found


def _advance(document: Document, start: tuple[int, int], chars: int) -> tuple[int, int]:
    """Return the position `chars` characters after start, moved on to the end of its line."""
    index, offset = start
    while index < len(document.pages):
        text = document.pages[index].text
        if offset + chars <= len(text):
            line_end = text.find("\n", offset + chars)
            return (index, len(text) if line_end < 0 else line_end)
        chars -= len(text) - offset
        index, offset = index + 1, 0
    return (len(document.pages) - 1, len(document.pages[-1].text))
