"""Candidate answers: the sentences of the pages the search ranks best for a question, with their surroundings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from ..search.query import passage_query
from .question import Question
from .sentences import HEADING, ITEM, ROW, split_units

LIST = "list"  # a line announcing a list ("...five priorities:") with the items that follow it

RETRIEVED_PASSAGES = 40
MAX_PAGES = 8
PAGES_PER_DOCUMENT = 4
COVER_WORDS = 60  # a PDF's first page with fewer words than this is its cover
# Facet filter name -> the passage field it reads (as kil_search.search.facets names them).
FILTER_FIELDS = {"case_study": "case_study", "type": "doc_type", "theme": "themes", "place": "place_codes",
                 "council_type": "council_types", "region": "regions", "year": "year"}
_METADATA_LINE = re.compile(r"^\s*[A-Z][\w-]*(?: [\w-]+){0,1}:\s*[^,;:]+(?:[,;][^,;:]+){2,}$")  # "Places: A, B, C"


@dataclass
class Page:
    """One retrieved page (or web page section) with its document's stored fields and retrieval figures."""

    fields: dict
    text: str
    rank: int  # 0 for the page holding the best passage
    score: float  # its best passage's score relative to the best page's (0 to 1)
    more_pages: bool = True  # the document has a page after this one (a one-page PDF has no cover)


@dataclass
class Unit:
    """One candidate answer: a sentence (list item, row) of a page, with what surrounds it."""

    page: Page
    text: str
    kind: str
    before: str
    after: str
    headings: tuple[str, ...]  # the headings above it on the page, nearest first
    position: int  # its place among the page's units


def retrieve(service, question: Question, filters: Mapping[str, Iterable[str]] | None = None) -> tuple[list[Page], list[dict]]:
    """Return the best pages for the question (within filters) and the passages that ranked them."""
    if not question.terms:
        return [], []
    hits = [hit for hit in service.top_passages(passage_query(question.search_terms), RETRIEVED_PASSAGES)
            if passes(hit, filters)]
    if not hits:
        return [], []
    best = hits[0]["score"] or 1.0
    chosen: dict[tuple[str, int], float] = {}
    per_document: dict[str, int] = {}
    for hit in hits:
        key = (hit["doc_id"], int(hit.get("page", 0)))
        if key in chosen or per_document.get(key[0], 0) >= PAGES_PER_DOCUMENT:
            continue
        chosen[key] = hit["score"] / best
        per_document[key[0]] = per_document.get(key[0], 0) + 1
        if len(chosen) >= MAX_PAGES:
            break
    pages = []
    for rank, ((doc_id, number), score) in enumerate(chosen.items()):
        parts = [part for part in service.page_passages(doc_id, number) if passes(part, filters)]
        if parts:
            more = number != 1 or bool(service.page_passages(doc_id, 2))
            pages.append(Page(parts[0], "\n".join(part.get("text", "") for part in parts), rank, score, more))
    return pages, hits


def passes(fields: dict, filters: Mapping[str, Iterable[str]] | None) -> bool:
    """True when a passage meets every facet filter (any of a filter's values)."""
    for name, values in (filters or {}).items():
        field = FILTER_FIELDS.get(name)
        wanted = {str(value).strip().lower() for value in values if str(value).strip()}
        if field is None or not wanted:
            continue
        held = {value.strip().lower() for value in str(fields.get(field, "")).split(",")}
        if not wanted & held:
            return False
    return True


def units_of(page: Page) -> list[Unit]:
    """Return the page's answer units with a unit of context either side, never a cover or metadata line."""
    fields = page.fields
    is_pdf = fields.get("format") == "pdf"
    units = split_units(page.text, is_pdf)
    if is_pdf and int(fields.get("page", 0)) == 1 and page.more_pages and _is_cover(page.text, units):
        return []  # a cover page names the report; it answers nothing
    section = fields.get("section", "")
    found: list[Unit] = []
    headings: list[str] = [section] if section and section != "§" else []
    for index, unit in enumerate(units):
        if unit.kind == HEADING:
            headings.append(unit.text)
            items = _items_after(units, index)
            if items:  # a heading over a list ("Our six principles") announces it as a colon would
                found.append(Unit(page, "\n".join([unit.text, *items]), LIST, "", "", tuple(reversed(headings[-3:])), index))
            continue
        if _METADATA_LINE.match(unit.text):
            continue
        before = units[index - 1].text if index > 0 and units[index - 1].kind != HEADING else ""
        after = units[index + 1].text if index + 1 < len(units) and units[index + 1].kind != HEADING else ""
        found.append(Unit(page, unit.text, unit.kind, before, after, tuple(reversed(headings[-3:])), index))
        items = _items_after(units, index) if unit.text.rstrip().endswith(":") else []
        if items:
            found.append(Unit(page, "\n".join([unit.text, *items]), LIST, before, "", found[-1].headings, index))
    return found


def _is_cover(text: str, units) -> bool:
    """True for a first page that is short, or mostly title lines (headings and dates) rather than sentences."""
    titles = sum(1 for unit in units if unit.kind in (HEADING, ROW))
    return len(text.split()) < COVER_WORDS or titles * 2 >= len(units)


def _items_after(units, index: int) -> list[str]:
    """Return the texts of the list items right after a unit."""
    items = []
    for unit in units[index + 1:]:
        if unit.kind != ITEM:
            break
        items.append(unit.text)
    return items


def is_row(unit: Unit) -> bool:
    """True for a table row."""
    return unit.kind == ROW


def is_list(unit: Unit) -> bool:
    """True for a whole list with the line announcing it."""
    return unit.kind == LIST
