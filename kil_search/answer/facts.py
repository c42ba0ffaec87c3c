"""Answers the index already knows: who wrote a document, when it was published, which case studies a place has.

Only asked-for facts of one document the question names by its title (most of its title's words),
or case studies of a place the question names; otherwise None, and the sentences decide.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import Counter
from typing import Iterable, Mapping

from ..search.results import file_url, passage_url
from .card import Answer
from .candidates import passes
from .question import Question
from .words import stems

_WHO_WROTE = re.compile(
    r"^\s*(?:who|which\s+(?:organi[sz]ation|body|charity|group|team))\s+(?:wrote|writes|authored|published|produced|"
    r"prepared|compiled|is\s+the\s+author\s+of|was\s+the\s+author\s+of|are\s+the\s+authors\s+of|were\s+the\s+authors\s+of)\b"
    r"|^\s*who\s+(?:was|is|were|are)\b.*\b(?:written|authored|published|produced|prepared|compiled)\s+by\s*\??\s*$"
    r"|^\s*who\s+is\s+behind\b", re.IGNORECASE)
_WHEN_PUBLISHED = re.compile(
    r"^\s*(?:when|in\s+what\s+year|what\s+year|in\s+which\s+year)\b.*\b(?:published|written|released|issued|"
    r"come\s+out|came\s+out)\b|\b(?:publication\s+date|date\s+of\s+publication)\b", re.IGNORECASE)
_CASE_STUDY = re.compile(r"\bcase\s+stud(?:y|ies)\b", re.IGNORECASE)
# Asking which case studies there are, not about one: "which organisation in Leeds is a case study", "list the case studies".
_ASKS_WHICH = re.compile(r"^\s*(?:which|what|who|list|name|are\s+there|is\s+there|do\s+you\s+have|show)\b", re.IGNORECASE)
_BYLINE = re.compile(r"^[ \t]*(?:By|Written\s+by|Author:|Authors:)[ \t]+(?P<who>[A-Z][^\n]{2,100})$", re.MULTILINE)
TITLE_SHARE = 0.6  # the share of a title's (rarity-weighted) words the question must hold to name the document
TITLE_RUN = 3  # this many title words in a row, found in no other title, name a document
# Words of the fact questions themselves ("published", "author"): they name no document.
_FRAME_STEMS = frozenset(stems("wrote written writes write authored author authors published publish publication "
                               "produced produce prepared compiled released issued come came date year behind"))
FACT_SCORE = 0.99  # a fact read from the catalogue or the file is as sure as answers get


def fact_answer(service, question: Question, filters: Mapping[str, Iterable[str]] | None = None) -> Answer | None:
    """Return the answer a document record or the case study list gives, or None."""
    if _WHO_WROTE.search(question.text) or _WHEN_PUBLISHED.search(question.text):
        record = _named_document(service, question, filters)
        if record is None:
            return None
        details = record.get("details") or {}
        if _WHO_WROTE.search(question.text):
            author = (details.get("metadata") or {}).get("author", "") or _byline(service, record["doc_id"])
            return _record_answer(record, f"{details.get('title') or record['doc_id']} is by {author}.") if author else None
        date = record.get("date", "")
        return _record_answer(record, f"{details.get('title') or record['doc_id']} was published {'on' if date.count('-') == 2 else 'in'} {_spoken_date(date)}.") if date else None
    if _CASE_STUDY.search(question.text):
        return _case_study_answer(service, question, filters)
    return None


def _named_document(service, question: Question, filters) -> dict | None:
    """Return the record of the document whose title the question names, if one is named.

    A question names a document by most of its title; by most of a part of it (before or after a
    colon) that no other title has ("Principles into Practice" names "Principles into Practice:
    lessons and examples..."); or by three title words in a row that no other title has ("the five
    step guide"). Title words are weighed by how few titles hold them: "manifesto" names a document,
    while "keep" and "local", in most of this library's titles, name none. Of several documents
    named, the one whose whole title the question holds most of wins; a tie names none.
    """
    asked = set(stems(question.text)) - _FRAME_STEMS
    asked_run = " ".join(word for word in stems(question.text) if word not in _FRAME_STEMS)
    records = [record for record in service.documents() if passes(record, filters)]
    titles = [(record.get("details") or {}).get("title", "") for record in records]
    words = [set(stems(title)) for title in titles]
    spread = Counter(word for title in words for word in title)
    parts = Counter(part for title in titles for part in set(_title_parts(title)))
    runs = Counter(run for title in titles for run in set(_title_runs(title)))
    weight = {word: math.log((1 + len(words)) / count) for word, count in spread.items()}
    named = []
    for title, title_words in zip(titles, words):
        whole = _share(title_words, asked, weight)
        by_part = max((_share(set(stems(part)), asked, weight) for part in _title_parts(title) if parts[part] == 1),
                      default=0.0)
        by_run = any(runs[run] == 1 and f" {run} " in f" {asked_run} " for run in _title_runs(title))
        named.append(whole if max(whole, by_part) >= TITLE_SHARE or by_run else -1.0)
    best = max(named, default=-1.0)
    if best < 0 or named.count(best) > 1:
        return None
    return records[named.index(best)]


def _byline(service, doc_id: str) -> str:
    """Return who a document's first page says wrote it ("By Sam Whitford, network coordinator"), or ""."""
    for passage in service.page_passages(doc_id, 1):
        found = _BYLINE.search(passage.get("text", ""))
        if found:
            return found.group("who").strip().rstrip(".")
    return ""


def _title_runs(title: str) -> list[str]:
    """Return every run of three title words in a row (as stems), the way people shorten a title."""
    words = stems(title)
    return [" ".join(words[start:start + TITLE_RUN]) for start in range(len(words) - TITLE_RUN + 1)]


def _title_parts(title: str) -> list[str]:
    """Return the parts of a title either side of its colons or dashes, when it has more than one."""
    parts = [part.strip() for part in re.split(r"\s*:\s+|\s+[–—-]\s+", title) if part.strip()]
    return [part.lower() for part in parts] if len(parts) > 1 else []


def _share(title_words: set[str], asked: set[str], weight: dict[str, float]) -> float:
    """Return the share of a title's word weight the question holds."""
    total = sum(weight.get(word, 0.0) for word in title_words)
    return sum(weight.get(word, 0.0) for word in title_words if word in asked) / total if total else 0.0


def _spoken_date(date: str) -> str:
    """Return an ISO date as people write it: "2022-07-11" gives "11 July 2022"; "2022-07", "July 2022"."""
    parts = date.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {calendar.month_name[int(parts[1])]} {parts[0]}"
        if len(parts) == 2:
            return f"{calendar.month_name[int(parts[1])]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return date


def _record_answer(record: dict, text: str) -> Answer:
    """Return an answer read from a document's record, linking to the document's first page."""
    details = record.get("details") or {}
    doc_format = record.get("format", "")
    url = f"{file_url(record['doc_id'])}#page=1" if doc_format == "pdf" else passage_url(record["doc_id"], doc_format, 1)
    document = {"id": record["doc_id"], "title": details.get("title", ""), "type": record.get("doc_type", ""),
                "date": record.get("date", "")}
    return Answer(text=text, before="", after="", document=document, format=doc_format, page=1, section="", url=url,
                  score=FACT_SCORE)


def _case_study_answer(service, question: Question, filters) -> Answer | None:
    """Return the case studies of a place, council type or region the question names ("which organisation in Southwark")."""
    if not _ASKS_WHICH.search(question.text):
        return None
    asked = set(stems(question.text))
    entries = [entry for entry in service.case_studies() if entry.place is not None and _entry_passes(entry, filters)]
    if any(set(stems(_organisation(entry))) <= asked for entry in entries):
        return None  # the question is about one case study it names: its sentences answer it
    for where, label in ((_place_name, "{}"), (_council_type, "{} councils"), (_region, "{}")):
        found = _named_places(entries, where, asked)
        if found:
            return _case_studies_card(label.format(where(found[0].place)), found)
    return None


def _place_name(place) -> str:
    """Return a case study's council's name."""
    return place.name


def _council_type(place) -> str:
    """Return a case study's council's type ("London borough")."""
    return place.council_type


def _region(place) -> str:
    """Return a case study's council's region."""
    return place.region


def _named_places(entries: list, where, asked: set[str]) -> list:
    """Return the entries whose place (as where reads it) the question names, the longest name named winning."""
    named = [entry for entry in entries if where(entry.place) and set(stems(where(entry.place))) <= asked]
    if not named:
        return []
    longest = max(len(stems(where(entry.place))) for entry in named)
    return [entry for entry in named if len(stems(where(entry.place))) == longest]


def _organisation(entry) -> str:
    """Return the organisation a case study is about: its title without the place after the last comma."""
    return entry.title.rsplit(",", 1)[0] if "," in entry.title else entry.title


def _case_studies_card(where: str, found: list) -> Answer:
    """Return the card listing the case studies found in a place, with the first one's document and page."""
    first = found[0]
    listed = "; ".join(f"{_organisation(entry)} ({entry.document_title}, page {entry.page})" for entry in found)
    text = f"Case studies in {where}: {listed}."
    document = {"id": first.doc_id, "title": first.document_title, "type": first.doc_type, "date": first.date}
    return Answer(text=text, before="", after="", document=document, format=first.format, page=first.page,
                  section=first.title, url=first.url, score=FACT_SCORE)


def _entry_passes(entry, filters) -> bool:
    """True when a case study meets every filter, read from its document and its place."""
    place = entry.place
    fields = {"doc_type": entry.doc_type, "themes": ",".join(entry.themes), "year": entry.date[:4],
              "case_study": "yes", "place_codes": place.code if place else "",
              "council_types": place.council_type if place else "", "regions": place.region if place else ""}
    return passes(fields, filters)
