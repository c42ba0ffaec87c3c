"""The statistics finder's page and JSON: figures from the matching documents with their sentence and page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup, escape

from ..errors import IndexMissingError
from ..search.statistics import KINDS, SORTS, find_query_statistics
from .common import filter_args, query_arg, search_service

blueprint = Blueprint("statistics", __name__)


def _statistics() -> dict:
    """Return the figures for the request's query, kind, filters and sort."""
    kind = request.args.get("kind", "")
    sort = request.args.get("sort", "relevance")
    return find_query_statistics(search_service(), query_arg(), filters=filter_args(),
                                 kind=kind if kind in KINDS else "", sort=sort if sort in SORTS else "relevance")


@blueprint.get("/api/statistics")
def statistics_json():
    """Return the figures matching ?q= as JSON."""
    try:
        return _statistics()
    except IndexMissingError as error:
        return {"error": {"status": 503, "message": str(error)}}, 503


@blueprint.get("/statistics")
def statistics_page():
    """Show the figures matching ?q= as a table, each value marked in its sentence."""
    text = query_arg()
    found = {"query": text, "total": 0, "statistics": []}
    if text:
        try:
            found = _statistics()
        except IndexMissingError:
            pass
    rows = [{**item, "marked": marked_sentence(item["sentence"], *item["mark"])} for item in found["statistics"]]
    return render_template("statistics.html", query=text, total=found["total"], rows=rows, kinds=KINDS, sorts=SORTS,
                           kind=request.args.get("kind", ""), sort=request.args.get("sort", "relevance"))


def marked_sentence(sentence: str, start: int, end: int) -> Markup:
    """Escape the sentence's three parts first, then wrap the value in <mark>."""
    return Markup("{}<mark>{}</mark>{}").format(escape(sentence[:start]), escape(sentence[start:end]), escape(sentence[end:]))
