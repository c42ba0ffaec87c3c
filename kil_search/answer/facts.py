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

_WHO_WROTE = re.compile(r"^\s*who\s+(?:wrote|writes|authored|published|produced|is\s+the\s+author\s+of|was\s+the\s+author\s+of)\b",
                        re.IGNORECASE)
_WHEN_PUBLISHED = re.compile(r"^\s*(?:when|in\s+what\s+year|what\s+year)\b.*\b(?:published|written|released|issued|come\s+out|came\s+out)\b",
                             re.IGNORECASE)
_CASE_STUDY = re.compile(r"\bcase\s+stud(?:y|ies)\b", re.IGNORECASE)
TITLE_SHARE = 0.6  # the share of a title's (rarity-weighted) words the question must hold to name the document
FACT_SCORE = 0.99  # a fact read from the catalogue or the file is as sure as answers get


def fact_answer(service, question: Question, filters: Mapping[str, Iterable[str]] | None = None) -> Answer | None:
    """Return the answer a document record or the case study list gives, or None."""
    if _WHO_WROTE.search(question.text) or _WHEN_PUBLISHED.search(question.text):
        record = _named_document(service, question, filters)
        if record is None:
            return None
        details = record.get("details") or {}
        if _WHO_WROTE.search(question.text):
            author = (details.get("metadata") or {}).get("author", "")
            return _record_answer(record, f"{details.get('title') or record['doc_id']} is by {author}.") if author else None
        date = record.get("date", "")
        return _record_answer(record, f"{details.get('title') or record['doc_id']} was published {'on' if date.count('-') == 2 else 'in'} {_spoken_date(date)}.") if date else None
    if _CASE_STUDY.search(question.text):
        return _case_study_answer(service, question, filters)
    return None


def _named_document(service, question: Question, filters) -> dict | None:
    """Return the record of the document whose title the question names, if one is named.

    Title words are weighed by how few titles hold them: "manifesto" names a document, while
    "keep" and "local", in most of this library's titles, name none.
    """
    asked = set(stems(question.text))
    records = [record for record in service.documents() if passes(record, filters)]
    titles = [set(stems((record.get("details") or {}).get("title", ""))) for record in records]
    spread = Counter(word for title in titles for word in title)
    best, best_share = None, 0.0
    for record, title in zip(records, titles):
        weights = {word: math.log((1 + len(titles)) / spread[word]) for word in title}
        total = sum(weights.values())
        share = sum(weight for word, weight in weights.items() if word in asked) / total if total else 0.0
        if share > best_share:
            best, best_share = record, share
    return best if best_share >= TITLE_SHARE else None


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
    """Return the case studies of a place the question names ("which organisation in Southwark is a case study")."""
    asked = set(stems(question.text))
    found = [entry for entry in service.case_studies()
             if entry.place is not None and set(stems(entry.place.name)) <= asked and _entry_passes(entry, filters)]
    if not found:
        return None
    first = found[0]
    text = "Case studies in " + first.place.name + ": " + "; ".join(entry.title for entry in found) + "."
    document = {"id": first.doc_id, "title": first.document_title, "type": first.doc_type, "date": first.date}
    return Answer(text=text, before="", after="", document=document, format=first.format, page=first.page, section=first.title,
                  url=first.url, score=FACT_SCORE)


def _entry_passes(entry, filters) -> bool:
    """True when a case study's document meets the type filter (the others are the case study's own)."""
    wanted = {value.lower() for value in (filters or {}).get("type", [])}
    return not wanted or entry.doc_type.lower() in wanted
