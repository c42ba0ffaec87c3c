"""Helpers the blueprints share: the search service, safe number arguments, document lookup."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, request

from ..errors import IndexMissingError
from ..search import SearchService
from ..search.facets import FACET_NAMES


def search_service() -> SearchService:
    """Return the process's search service."""
    return current_app.extensions["kil_search"]


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """Read an integer query argument, clamped to [low, high]; junk gives the default."""
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return max(low, min(high, value))


def query_arg() -> str:
    """Return the `q` argument, stripped and free of NULs."""
    return request.args.get("q", "").replace("\x00", "").strip()


def find_document(doc_id: str) -> dict:
    """Return an indexed document's record or answer 404 (ids not in the index never resolve)."""
    if not doc_id or "\x00" in doc_id:
        abort(404)
    try:
        record = search_service().document(doc_id)
    except IndexMissingError:
        abort(404)
    if record is None:
        abort(404)
    return record


def corpus_file(doc_id: str) -> Path:
    """Return the file of an indexed document, refusing anything outside the corpus."""
    record = find_document(doc_id)
    corpus_dir = Path(current_app.config["SETTINGS"].corpus_dir).resolve()
    path = (corpus_dir / record["doc_id"]).resolve()
    if not path.is_relative_to(corpus_dir) or not path.is_file():
        abort(404)
    return path


def filter_args() -> dict[str, list[str]]:
    """Return the facet filters of the query string (type=, place=, council_type=, ...)."""
    args = request.args
    return {name: values for name in FACET_NAMES if (values := args.getlist(name))}


def sort_arg() -> str:
    """Return the sort order asked for: relevance (default), newest or oldest."""
    value = request.args.get("sort", "relevance")
    return value if value in ("relevance", "newest", "oldest") else "relevance"


def exact_arg() -> bool:
    """True when the exact words only were asked for (exact=1): no glossary, no reading of "case studies"."""
    return request.args.get("exact", "") in ("1", "true", "yes", "on")
