"""The JSON API: every page's data, for scripts and other tools."""

from __future__ import annotations

from flask import Blueprint, current_app

from ..errors import IndexMissingError
from ..answer import answer_question
from .common import exact_arg, filter_args, find_document, int_arg, query_arg, search_service, sort_arg
from . import inside
from .documents import document_view

blueprint = Blueprint("api", __name__)


@blueprint.get("/api/search")
def search():
    """Return a page of results, facet counts, suggestions and the terms also searched, as JSON."""
    if inside.wanted():
        return inside.inside_json()
    settings = current_app.config["SETTINGS"]
    page = int_arg("page", 1, 1, 1000)
    per_page = int_arg("per_page", settings.per_page, 1, settings.max_per_page)
    text = query_arg()
    try:
        results = search_service().search(text, page=page, per_page=per_page, filters=filter_args(),
                                          sort=sort_arg(), exact=exact_arg())
    except IndexMissingError as error:
        return {"error": {"status": 503, "message": str(error)}}, 503
    return results.to_json()


@blueprint.get("/api/ask")
def ask():
    """Return the answer to ?q= as JSON: the answer (or null), alternatives and the best passages."""
    try:
        return answer_question(search_service(), query_arg(), filters=filter_args()).to_json()
    except IndexMissingError as error:
        return {"error": {"status": 503, "message": str(error)}}, 503


@blueprint.get("/api/documents/<path:doc_id>")
def document(doc_id: str):
    """Return a document's metadata, outline and related documents as JSON."""
    record = find_document(doc_id)
    view = document_view(record, search_service().passages_of(record["doc_id"]))
    view["related"] = [_related_summary(document_view(other)) for other in search_service().related(record["doc_id"])]
    return view


def _related_summary(view: dict) -> dict:
    """Return the few fields of a related document that a list needs."""
    return {key: view[key] for key in ("id", "title", "type", "date", "url")}


@blueprint.get("/healthz")
def healthz():
    """Say whether the app can reach its index."""
    try:
        count = search_service().document_count()  # cheap: load balancers ask every few seconds
    except IndexMissingError:
        return {"status": "no index"}, 503
    return {"status": "ok", "documents": count}
