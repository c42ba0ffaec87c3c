"""Search inside a report: /search?q=…&document=<id> and /api/search?q=…&document=<id>."""

from __future__ import annotations

from flask import render_template, request

from ..search.inside import search_inside
from .common import find_document, query_arg, search_service
from .documents import document_view


def wanted() -> bool:
    """True when the request asks to search inside one document."""
    return bool(request.args.get("document", "").strip())


def _found() -> tuple[dict, dict]:
    """Return the document's view and its matching pages (404 for an unknown document)."""
    record = find_document(request.args.get("document", "").strip())
    view = document_view(record)
    return view, search_inside(search_service(), record["doc_id"], record.get("format", ""), query_arg())


def inside_json() -> dict:
    """Return the matching pages of one document as JSON."""
    view, found = _found()
    return {**found, "document": {key: view[key] for key in ("id", "title", "type", "date", "url")}}


def inside_page():
    """Show the matching pages of one document in page order."""
    view, found = _found()
    return render_template("inside.html", document=view, q=found["query"], found=found)
