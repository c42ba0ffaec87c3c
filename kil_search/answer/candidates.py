"""Candidate answers: the sentences of the pages the search ranks best for a question, with their surroundings."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from .. import meaning
from ..search.query import passage_query
from .answer_types import asked_kind
from .question import NUMBER_WORDS, Question, content_terms
from .sentences import HEADING, ITEM, ROW, SENTENCE, TERMINAL, split_sentences, split_units
from .words import is_date_line

LIST = "list"  # a line announcing a list ("...five priorities:") with the items that follow it
LABEL = "label"  # a short line of a report's front matter ("Overall effectiveness Inadequate"): a table's row

RETRIEVED_PASSAGES = 40
MAX_PAGES = 8
PAGES_PER_DOCUMENT = 4
PLACE_PASSAGES = 12  # passages naming a council the question names, searched for the documents about it
PLACE_DOCUMENTS = 2  # of those documents, whose best pages are added to those retrieved
PLACE_PAGES = 3
FRONT_DOCUMENTS = 2  # reports whose first page a "when" or "who" question also reads
ANNOUNCING_HITS = 3  # passages of a retrieved document searched for the page announcing the list asked for
SHARED_LETTERS = 4  # "steps" and "step" name the same things
FRONT_MATTER_PAGES = 2  # a PDF's pages where a title-like "Label: value" line is read as a form's field
GRADED_ROWS = 3  # lines ending in the same word that make it a grade ("... and families Good")
GRADE_WORDS = 4  # a grade in a report's opening table: "Good", "Requires improvement to be good"
COVER_WORDS = 60
UNFINISHED_WORDS = 6  # a sentence cut by a page break is longer than a caption or a table's line  # a PDF's first page with fewer words than this is its cover
# Facet filter name -> the passage field it reads (as kil_search.search.facets names them).
FILTER_FIELDS = {"case_study": "case_study", "type": "doc_type", "theme": "themes", "place": "place_codes",
                 "council_type": "council_types", "region": "regions", "year": "year"}
_SECTION = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s+")  # a heading's number: "7. ", "3.1 "
_WORDS = re.compile(r"[\w]+")
# A footnote: its number, no full stop, then a source ("57 House of Commons Library, ...", "185 Q 710.", "12 See ...").
_FOOTNOTE = re.compile(r"^\s*(\d{1,3})\s+(?:[A-Z\"“‘(]|https?:|www\.)")
_NOTE_NUMBER = re.compile(r"^\s*(\d{1,3})\s+\S")
NOTE_WRAP_LINES = 2  # lines a footnote may wrap onto that do not open with its number
_FIELD = re.compile(r"^\s*[A-Z][^:.!?\n]{2,60}?:\s+\S[^:\n]{0,100}$")  # a form's field: "Lead inspector: Nick Bennison"
_LINK = re.compile(r"\b(?:https?:/+|www\.)\S+", re.IGNORECASE)
_METADATA_LINE = re.compile(r"^\s*[A-Z][\w-]*(?: [\w-]+){0,1}:\s*[^,;:]+(?:[,;][^,;:]+){2,}$")  # "Places: A, B, C"


_MEANING_WORD = re.compile(r"\w+")


@dataclass
class Page:
    """One retrieved page (or web page section) with its document's stored fields and retrieval figures."""

    fields: dict
    text: str
    rank: int  # 0 for the page holding the best passage
    score: float  # its best passage's score relative to the best page's (0 to 1)
    more_pages: bool = True  # the document has a page after this one (a one-page PDF has no cover)
    continued: tuple[str, ...] = ()  # the list items the next page opens with, when this page ends announcing a list
    announced: str = ""  # the line ending the previous page that announces the list this page opens with
    carried: tuple[str, str] = ("", "")  # the previous page's unfinished last sentence; the end of this page's last one
    meanings: tuple = ()  # (a sentence's words, its vector) for the sentences its passages were encoded as (meaning.py)


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
    parsed = passage_query(question.search_terms)
    # Ranked by words alone: re-ranking the pages by meaning too (as a search does) was tried, and lost our own
    # sets more than it won on SQuAD; meaning weighs in per sentence instead (features.py).
    hits = [hit for hit in service.top_passages(parsed, RETRIEVED_PASSAGES) if passes(hit, filters)]
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
    for hit in _hits_about_places_named(service, question, parsed, hits, filters):
        chosen.setdefault((hit["doc_id"], int(hit.get("page", 0))), hit["score"] / best)
    pages = []
    for rank, ((doc_id, number), score) in enumerate(chosen.items()):
        parts = [part for part in service.page_passages(doc_id, number) if passes(part, filters)]
        if parts:
            more = number != 1 or bool(service.page_passages(doc_id, 2))
            text = "\n".join(part.get("text", "") for part in parts)
            pages.append(Page(parts[0], text, rank, score, more, _continued(service, parts[0], text),
                              announcing_line(service, parts[0], text), carried_over(service, parts[0], text),
                              page_meanings(service, parts)))
    pages += _front_pages(service, question, pages, filters)
    return pages + _announcing_pages(service, question, pages, filters), hits


def page_meanings(service, parts: list[dict]) -> tuple:
    """Return (words, vector) for each sentence the page's passages were encoded as (none until all are)."""
    reader = getattr(service, "sentence_vectors", None)
    matrices = reader(parts) if reader is not None else [None] * len(parts)
    if any(vectors is None for vectors in matrices):
        return ()  # the indexer is still encoding this page (or runs without the model): words alone
    out = []
    for part, vectors in zip(parts, matrices):
        pieces = meaning.passage_units(part)
        if len(vectors) and len(pieces) == len(vectors):
            out.extend((frozenset(_MEANING_WORD.findall(piece.lower())), vector.astype(np.float32))
                       for piece, vector in zip(pieces, vectors))
    return tuple(out)


def _front_pages(service, question: Question, pages: list[Page], filters: Mapping[str, Iterable[str]] | None) -> list[Page]:
    """Return the front pages of the best PDF reports found, not retrieved themselves: the first page of the best two
    for a question asking when or who, the first two pages of the best one for any other.

    A report's front matter holds its dates and authors ("Inspection dates: 9-24 November 2017", "Lead
    inspector: ...") and its summary ("What needs to improve?" over a list), while the question's words are
    all over its body: "When did Ofsted inspect Doncaster?" retrieves the pages that discuss earlier
    inspections, not the cover that dates this one.
    """
    if asked_kind(question) in ("when", "who"):
        documents, numbers = FRONT_DOCUMENTS, (1,)
    else:
        documents, numbers = 1, tuple(range(1, FRONT_MATTER_PAGES + 1))
    held = {(page.fields["doc_id"], int(page.fields.get("page", 0))) for page in pages}
    found: list[Page] = []
    best: dict[str, Page] = {}
    for page in pages:
        if page.fields.get("format") == "pdf":
            best.setdefault(page.fields["doc_id"], page)
    for doc_id, top in list(best.items())[:documents]:
        for number in numbers:
            if (doc_id, number) in held:
                continue
            parts = [part for part in service.page_passages(doc_id, number) if passes(part, filters)]
            if parts:
                text = "\n".join(part.get("text", "") for part in parts)
                found.append(Page(parts[0], text, len(pages) + len(found), top.score,
                                  number != 1 or bool(service.page_passages(doc_id, 2)), _continued(service, parts[0], text),
                                  announcing_line(service, parts[0], text), carried_over(service, parts[0], text),
                                  page_meanings(service, parts)))
    return found


def _hits_about_places_named(service, question: Question, parsed, hits: list[dict], filters) -> list[dict]:
    """Return the best passages of the documents about the councils the question names ("... in Nottinghamshire"),
    a few per document: the page answering often does not name the place (none when a place is filtered).

    A document is about a council when its title names it or one of its passages naming the council holds a word
    of the question; those among the passages retrieved come first.
    """
    gazetteer = getattr(service, "gazetteer", None)
    if gazetteer is None or (filters and any(filters.get("place", ()))):
        return []
    named = {mention.code for mention in gazetteer.find(question.text)}
    if not named:
        return []
    titles: dict[str, bool] = {}
    documents: list[str] = []
    for hit in hits:
        doc_id = hit["doc_id"]
        if doc_id not in titles:
            titles[doc_id] = bool({mention.code for mention in gazetteer.find(str(hit.get("title", "")))} & named)
        if doc_id not in documents and (titles[doc_id] or named & set(str(hit.get("place_codes", "")).split(","))):
            documents.append(doc_id)
    for hit in service.top_passages(parsed, PLACE_PASSAGES, filters={**(filters or {}), "place": sorted(named)}):
        if hit["doc_id"] not in documents and passes(hit, filters):
            documents.append(hit["doc_id"])
    return [hit for doc_id in documents[:PLACE_DOCUMENTS]
            for hit in service.top_passages(parsed, PLACE_PAGES, doc_id=doc_id) if passes(hit, filters)]


def _announcing_pages(service, question: Question, pages: list[Page],
                      filters: Mapping[str, Iterable[str]] | None) -> list[Page]:
    """Return PDF pages of the retrieved documents, not retrieved themselves, that end announcing the list asked for.

    "What are the five steps in the guide for councillors?" names the guide by its title's words, while the
    page ending "...sets out five practical steps that any council can take:" (its items on the next page)
    shares few of them; the document is searched for the count and the noun instead.
    """
    if not question.list_count or not question.focus:
        return []
    counts = {str(question.list_count)} | {word for word, value in NUMBER_WORDS.items() if value == question.list_count}
    noun = question.focus[-1]
    terms = content_terms(f"{max(counts, key=len)} {noun}")[0]  # "five steps" rather than "5 steps"
    held = {(page.fields["doc_id"], int(page.fields.get("page", 0))) for page in pages}
    found: list[Page] = []
    for doc_id in dict.fromkeys(page.fields["doc_id"] for page in pages if page.fields.get("format") == "pdf"):
        for hit in service.top_passages(passage_query(terms), ANNOUNCING_HITS, doc_id=doc_id):
            key = (doc_id, int(hit.get("page", 0)))
            if key in held or not passes(hit, filters):
                continue
            held.add(key)
            parts = [part for part in service.page_passages(*key) if passes(part, filters)]
            text = "\n".join(part.get("text", "") for part in parts)
            continued = _continued(service, parts[0], text) if parts else ()
            units = split_units(text, True) if continued else []
            if units and _announces(units[-1].text, counts, noun):
                found.append(Page(parts[0], text, len(pages) + len(found), 0.0, True, continued, "",
                                  meanings=page_meanings(service, parts)))
    return found


def _announces(line: str, counts: set[str], noun: str) -> bool:
    """True when a line announcing a list names its count and its noun ("five practical steps ... :")."""
    words = _WORDS.findall(line.lower())
    return bool(counts & set(words)) and any(word[:SHARED_LETTERS] == noun[:SHARED_LETTERS] for word in words)


def announcing_line(service, fields: dict, text: str) -> str:
    """Return the previous PDF page's last line when it announces the list this page opens with ("...five steps:")."""
    number = int(fields.get("page", 0))
    if fields.get("format") != "pdf" or number < 2:
        return ""
    units = split_units(text, True)
    if not units or units[0].kind != ITEM:
        return ""
    previous = split_units("\n".join(part.get("text", "") for part in service.page_passages(fields["doc_id"], number - 1)), True)
    return previous[-1].text if previous and previous[-1].text.rstrip().endswith(":") else ""


def carried_over(service, fields: dict, text: str) -> tuple[str, str]:
    """Return the parts of the sentences a PDF page shares with its neighbours: the start of the one it opens with
    (from the previous page) and the end of the one it stops in (from the next); "" where none is shared.

    A sentence runs over the page break when the page's last sentence has no full stop and the next page opens
    with a sentence ("...the lead government department" / "for pandemic preparedness and resilience in England.").
    """
    if fields.get("format") != "pdf":
        return "", ""
    units = split_units(text, True)
    units = units[:_footnotes_from(units)]  # the page's body ends above its footnotes
    if not units:
        return "", ""
    number = int(fields.get("page", 0))
    before = after = ""
    if units[0].kind == SENTENCE and number > 1:
        previous = split_units(_page_text(service, fields["doc_id"], number - 1), True)
        previous = previous[:_footnotes_from(previous)]
        if previous and _unfinished(previous[-1]):
            before = split_sentences(previous[-1].text)[-1]
    if _unfinished(units[-1]):
        following = split_units(_page_text(service, fields["doc_id"], number + 1), True)
        if following and following[0].kind == SENTENCE:
            after = split_sentences(following[0].text)[0]
    return before, after


def _unfinished(unit) -> bool:
    """True for a sentence of several words that stops without its full stop (a page break cut it)."""
    return unit.kind == SENTENCE and len(unit.text.split()) >= UNFINISHED_WORDS \
        and not unit.text.rstrip().endswith((*TERMINAL, ":", ";"))


def _page_text(service, doc_id: str, number: int) -> str:
    """Return a PDF page's text (empty past its last page)."""
    return "\n".join(part.get("text", "") for part in service.page_passages(doc_id, number))


def _continued(service, fields: dict, text: str) -> tuple[str, ...]:
    """Return the items a PDF's next page opens with when this page's last unit announces a list ("five steps:")."""
    if fields.get("format") != "pdf":
        return ()
    units = split_units(text, True)
    if not units or not units[-1].text.rstrip().endswith(":"):
        return ()
    following = service.page_passages(fields["doc_id"], int(fields.get("page", 0)) + 1)
    if not following:
        return ()
    return tuple(_items_after(split_units("\n".join(part.get("text", "") for part in following), True), -1))


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
        # A cover names the report and answers nothing, but for its fields ("Inspection dates: 9-24 November 2017").
        return [Unit(page, unit.text, ROW, "", "", (), index) for index, unit in enumerate(units)
                if unit.kind in (HEADING, ROW) and _FIELD.match(unit.text) and not _METADATA_LINE.match(unit.text)]
    section = fields.get("section", "")
    found: list[Unit] = []
    headings: list[str] = [section] if section and section != "§" else []
    opening = _items_after(units, -1) if page.announced else []
    if opening:  # the list announced at the foot of the previous page
        found.append(Unit(page, "\n".join([page.announced, *opening]), LIST, "", "", tuple(headings), 0))
    notes_from = _footnotes_from(units) if is_pdf else len(units)
    front_matter = is_pdf and int(fields.get("page", 0)) <= FRONT_MATTER_PAGES
    grades = _grades(units) if front_matter else set()
    for index, unit in enumerate(units):
        if index >= notes_from:
            break  # the page's footnotes: sources, not answers
        if unit.kind == HEADING:
            headings.append(unit.text)
            items = _items_after(units, index) or _counted_items(units, index)
            if items:  # a heading over a list ("Our six principles") announces it as a colon would
                found.append(Unit(page, "\n".join([unit.text, *items]), LIST, "", "", tuple(reversed(headings[-3:])), index))
            elif front_matter and _FIELD.match(unit.text) and not _METADATA_LINE.match(unit.text):
                # A report's front matter: "Lead inspector: Nick Bennison" reads as a title line, yet answers who
                # led the inspection (elsewhere such a line is most often a title: "Keep it Local: lessons from ...")
                found.append(Unit(page, unit.text, ROW, "", "", tuple(reversed(headings[-4:-1])), index))
            elif front_matter and (row := _graded_row(units, index, grades)):
                found.append(Unit(page, row, LABEL, "", "", tuple(reversed(headings[-4:-1])), index))
            continue
        if _METADATA_LINE.match(unit.text) or _mostly_links(unit.text):
            continue
        before = units[index - 1].text if index > 0 and units[index - 1].kind != HEADING else ""
        after = units[index + 1].text if index + 1 < len(units) and units[index + 1].kind != HEADING else ""
        found.append(Unit(page, _whole(unit, index, notes_from, page.carried), unit.kind, before, after,
                          tuple(reversed(headings[-3:])), index))
        items = _items_after(units, index) if unit.text.rstrip().endswith(":") else []
        if unit.text.rstrip().endswith(":") and not items and index == len(units) - 1:
            items = list(page.continued)  # the list goes on over the page
        if items:
            found.append(Unit(page, "\n".join([unit.text, *items]), LIST, before, "", found[-1].headings, index))
    return found


def _whole(unit, index: int, body_end: int, carried: tuple[str, str]) -> str:
    """Return a unit's text with the parts of its sentence printed on the pages before and after it."""
    text = unit.text
    if index == 0 and carried[0]:
        text = f"{carried[0]} {text}"
    if index == body_end - 1 and carried[1]:
        text = f"{text} {carried[1]}"
    return text


def _grades(units) -> set[str]:
    """Return the grades of a report's opening table, folded: short lines said more than once on the page, or a word
    ending several of its lines (the same few grades recur down the table: "... and families Good")."""
    headings = [_folded(unit.text) for unit in units if unit.kind == HEADING]
    lines = Counter(heading for heading in headings if len(heading.split()) <= GRADE_WORDS)
    endings = Counter(heading.rsplit(None, 1)[-1] for heading in headings if len(heading.split()) > 1)
    return {line for line, count in lines.items() if count >= 2} | \
        {ending for ending, count in endings.items() if count >= GRADED_ROWS and ending.isalpha()}


def _graded_row(units, index: int, grades: set[str]) -> str:
    """Return a report's opening table row ("Overall effectiveness Inadequate", or "The experiences and progress of
    care leavers" above "Good") with its grade, or "" when the line is not such a row: the row's label is the line
    before a grade, or the line itself ends with one."""
    if not grades or index == 0:
        return ""  # the page's first line is its title
    label = units[index].text
    lowered = _folded(label)
    if lowered in grades:
        return ""  # a grade itself
    following = units[index + 1] if index + 1 < len(units) else None
    if following is not None and following.kind == HEADING and _folded(following.text) in grades:
        return f"{label}: {following.text}"
    return label if any(lowered.endswith(" " + grade) for grade in grades) else ""


def _folded(text: str) -> str:
    """Return text in lower case with its spacing made single."""
    return " ".join(text.lower().split())


def _footnotes_from(units) -> int:
    """Return where the footnotes at the foot of a PDF page begin ("57 House of Commons Library, ...", "185 Q 710.").

    A note may wrap onto a line of its own ("GOV.UK", "(https://...; INQ000102974)"), so a few such lines may
    stand between notes, or below the last, when the notes' numbers run upwards to the foot of the page.
    """
    start = len(units)
    while start > 0 and units[start - 1].kind != HEADING and _note(units[start - 1].text):
        start -= 1
    numbers: list[int] = []
    found, gap = len(units), 0
    for index in range(len(units) - 1, -1, -1):
        note = _note(units[index].text)
        loose = _NOTE_NUMBER.match(units[index].text) if numbers and not note and not is_date_line(units[index].text) else None
        if loose and int(loose.group(1)) == numbers[-1] - 1:  # "243 s14(1)(a) Inquiries Act 2005" above note 244
            note = loose
        if note and (not numbers or int(note.group(1)) < numbers[-1]):
            numbers.append(int(note.group(1)))
            found, gap = index, 0
        elif note or gap >= NOTE_WRAP_LINES:
            break
        else:
            gap += 1
    return min(start, found) if len(numbers) >= 2 else start


def _note(text: str) -> re.Match | None:
    """Return the match of a footnote's opening ("57 House of Commons Library, ..."); None for any other line
    (a date alone, "18 July 2024", opens as note 18 would)."""
    return None if is_date_line(text) else _FOOTNOTE.match(text)


def _mostly_links(text: str) -> bool:
    """True for a line that is half web addresses or more: a printed page's footer, a list of sources.

    A long address wrapped in print comes back broken by spaces ("infected-blood-com pensation-scheme-summary"):
    its pieces count as address too (a piece with a slash, or with two hyphens or more, after an address).
    """
    linked = 0
    in_link = False
    for piece in text.split():
        if _LINK.search(piece):
            in_link = True
        elif not (in_link and ("/" in piece or piece.count("-") >= 2)):
            in_link = False
            continue
        linked += len(piece)
    return linked * 2 >= len(text.strip()) > 0


def _is_cover(text: str, units) -> bool:
    """True for a first page that is short, or says little in sentences beside its title lines (headings and dates).

    Counted in words, not lines: an inspection report's first page lists its grades line by line above the
    summary, and a letter opens with an address, yet both go on to say what the report found, and when.
    """
    said = sum(len(unit.text.split()) for unit in units if unit.kind not in (HEADING, ROW))
    return len(text.split()) < COVER_WORDS or said < COVER_WORDS


def _items_after(units, index: int) -> list[str]:
    """Return the texts of the list items right after a unit."""
    items = []
    for unit in units[index + 1:]:
        if unit.kind != ITEM:
            break
        items.append(unit.text)
    return items


def _counted_items(units, index: int) -> list[str]:
    """Return the N things a heading announces ("7. Ten recommendations", "3. Three reasons") from under it.

    They are the list items below it, across its numbered subheadings ("7.1 ...", "7.2 ..."), or, with no
    items, those subheadings themselves ("3.1 Services that transform lives"); nothing unless N are found.
    """
    count = _announced_count(units[index].text)
    number = _SECTION.match(units[index].text)
    if count is None or not number:
        return []
    items, children = [], []
    for unit in units[index + 1:]:
        if unit.kind == HEADING:
            child = _SECTION.match(unit.text)
            if not child or not child.group(1).startswith(number.group(1) + "."):
                break  # the next section of the same or a higher level
            children.append(_SECTION.sub("", unit.text, count=1).strip())
        elif unit.kind == ITEM:
            items.append(unit.text)
    found = items if len(items) == count else children if len(children) == count else []
    return found


def _announced_count(heading: str) -> int | None:
    """Return the number of things a heading announces: "Ten recommendations" gives 10, "Three reasons to..." 3."""
    for word in _WORDS.findall(_SECTION.sub("", heading, count=1).lower())[:2]:
        value = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
        if value is not None and 2 <= value <= 20:
            return value
    return None


def is_row(unit: Unit) -> bool:
    """True for a table row."""
    return unit.kind in (ROW, LABEL)


def is_list(unit: Unit) -> bool:
    """True for a whole list with the line announcing it."""
    return unit.kind == LIST
