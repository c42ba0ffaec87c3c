"""Finding aids worked out at indexing time: passages with section labels, places and case studies.

Called by kil_search.indexing for each extracted document; the index writer only stores what
this returns. Places named in the catalogue count first: they need no context to be recognised
in the text, and a document about a single place lends it to every passage. A case study's
passages carry only the case study's own place, so filtering by council type lists case studies
*from* such councils, not ones that merely mention one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..index.passages import CONTENTS_PAGE_BOOST, Passage, looks_like_contents, split_text
from ..models import Document
from ..places import COUNCIL_TYPE_ORDER, Gazetteer, load_gazetteer
from .case_studies import CaseStudy, find_case_studies
from .headings import SectionFinder, find_headings

__all__ = ["CaseStudy", "Enrichment", "enrich_document"]


@dataclass
class Enrichment:
    """A document's passages with their finding aids, and what was found in the document as a whole."""

    passages: list[Passage]
    place_codes: list[str]
    case_studies: list[CaseStudy]
    unresolved_places: list[str] = field(default_factory=list)


def enrich_document(document: Document, title: str, doc_type: str, catalog_places: list[str],
                    gazetteer: Gazetteer | None = None) -> Enrichment:
    """Split a document into passages labelled with their section, places and case study."""
    gazetteer = gazetteer or load_gazetteer()
    known, unresolved = _resolve_catalog(catalog_places, gazetteer)
    headings = find_headings(document)
    sections = SectionFinder(headings)
    case_studies = find_case_studies(document, headings, title, doc_type, known, gazetteer)
    passages: list[Passage] = []
    for index, page in enumerate(document.pages):
        boost = CONTENTS_PAGE_BOOST if looks_like_contents(page.text) else 1.0
        part = 0
        for start, end, case in _segments(index, len(page.text), case_studies):
            for chunk in split_text(page.text[start:end]):
                part += 1
                offset = max(start, page.text.find(chunk[:40], start))
                codes = _places_of(chunk, case, known, gazetteer)
                label = sections.label_at(index, offset, len(chunk)) if document.format == "pdf" else page.section
                passages.append(_passage(page.number, part, label or page.section, chunk, boost, codes, case, gazetteer))
    found = [code for passage in passages for code in passage.place_codes]
    counts = Counter(found)  # most mentioned first; ties in order of first mention (not set order)
    document_places = list(dict.fromkeys(known + sorted(counts, key=lambda code: -counts[code])))
    return Enrichment(passages, document_places, case_studies, unresolved)


def _resolve_catalog(names: list[str], gazetteer: Gazetteer) -> tuple[list[str], list[str]]:
    """Return the codes of the catalogue's places and the names the gazetteer does not know."""
    known, unresolved = [], []
    for name in names:
        council = gazetteer.resolve(name)
        if council is None:
            unresolved.append(name)
        elif council.code not in known:
            known.append(council.code)
    return known, unresolved


def _segments(index: int, length: int, case_studies: list[CaseStudy]):
    """Yield (start, end, case study or None) pieces of one page, cut where case studies begin and end."""
    cuts = {0, length}
    for case in case_studies:
        for page_index, offset in (case.start, case.end):
            if page_index == index:
                cuts.add(min(offset, length))
    ordered = sorted(cuts)
    for start, end in zip(ordered, ordered[1:]):
        yield start, end, next((case for case in case_studies if case.covers(index, start)), None)


def _places_of(text: str, case: CaseStudy | None, known: list[str], gazetteer: Gazetteer) -> list[str]:
    """Return the place codes of one passage."""
    if case is not None and case.place_code:
        return [case.place_code]
    codes = [mention.code for mention in gazetteer.find(text, known=frozenset(known))]
    if len(known) == 1:
        codes.insert(0, known[0])
    return list(dict.fromkeys(codes))


def _passage(page: int, part: int, section: str, text: str, boost: float, codes: list[str], case: CaseStudy | None,
             gazetteer: Gazetteer) -> Passage:
    """Build a passage with the council types and regions of its places."""
    councils = [gazetteer.council(code) for code in codes]
    types = {council.council_type for council in councils if council}
    regions = [council.region for council in councils if council and council.region]
    return Passage(
        page, part, section, text, boost,
        place_codes=tuple(codes),
        council_types=tuple(kind for kind in COUNCIL_TYPE_ORDER if kind in types),
        regions=tuple(dict.fromkeys(regions)),
        case_title=case.title if case else "",
        case_place=case.place_code if case else "",
    )
