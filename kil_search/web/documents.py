"""Shape a stored document record for its page and its JSON."""

from __future__ import annotations

from ..places import load_gazetteer
from ..search.results import document_url, file_url, passage_url, reading_minutes
from ..urls import web_address


def document_view(record: dict, passages: list[dict] | None = None) -> dict:
    """Return the document's metadata, outline and sections as plain data."""
    details = record.get("details") or {}
    doc_id = record["doc_id"]
    doc_format = record.get("format", "")
    outline = [
        {**entry, "url": f"{file_url(doc_id)}#page={entry['page']}" if doc_format == "pdf" else f"{document_url(doc_id)}#section-{entry['page']}"}
        for entry in details.get("outline", [])
    ]
    view = {
        "id": doc_id,
        "path": doc_id,
        "title": details.get("title", doc_id),
        "type": record.get("doc_type", ""),
        "date": record.get("date", ""),
        "format": doc_format,
        "source_url": web_address(record.get("source_url", "")),
        "url": document_url(doc_id),
        "file_url": file_url(doc_id),
        "themes": [item for item in (record.get("themes") or "").split(",") if item],
        "places": [item for item in (record.get("places") or "").split(",") if item],
        "status": details.get("status", ""),
        "reason": details.get("reason", ""),
        "warnings": details.get("warnings", []),
        "page_count": details.get("page_count", 0),
        "word_count": details.get("word_count", 0),
        "reading_minutes": reading_minutes(details.get("word_count", 0)),
        "case_studies": [_case_study(doc_id, doc_format, case) for case in details.get("case_studies", [])],
        "size": details.get("size", 0),
        "metadata": details.get("metadata", {}),
        "outline": outline,
    }
    if passages is not None and doc_format != "pdf":
        sections: dict[int, dict] = {}
        for passage in passages:
            number = passage.get("page", 0)
            section = sections.setdefault(number, {"number": number, "title": passage.get("section", ""), "text": ""})
            section["text"] = f"{section['text']}\n{passage.get('text', '')}".strip()
        view["sections"] = [sections[number] for number in sorted(sections)]
    return view


def _case_study(doc_id: str, doc_format: str, case: dict) -> dict:
    """Return one of a document's case studies with its place's name and a link to its page."""
    council = load_gazetteer().council(case.get("place_code", ""))
    return {"title": case.get("title", ""), "page": case.get("page", 1), "url": passage_url(doc_id, doc_format, case.get("page", 1)),
            "place": council.name if council else "", "council_type": council.council_type if council else ""}
