"""Atom feeds of a search's newest documents, and the OpenSearch description that lets a browser search us."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as XML

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup

from ..errors import IndexMissingError
from .common import filter_args, query_arg, search_service

blueprint = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 20
NO_DATE = "1970-01-01T00:00:00Z"


def _timestamp(date: str) -> str:
    """Return an RFC 3339 time for a stored date (YYYY, YYYY-MM or YYYY-MM-DD)."""
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date or "")
    if not match:
        return NO_DATE
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    return f"{year}-{month}-{day}T00:00:00Z"


NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # no XML 1.0 document may hold these


def _text(parent: XML.Element, tag: str, text: str, **attributes: str) -> XML.Element:
    """Add a child element with text (ElementTree escapes it; characters XML forbids are dropped)."""
    child = XML.SubElement(parent, f"{{{ATOM}}}{tag}", {key: NOT_XML.sub("", value) for key, value in attributes.items()})
    child.text = NOT_XML.sub("", text)
    return child


@blueprint.get("/search.atom")
def atom():
    """Return an Atom feed of the newest documents matching ?q= and the filters."""
    text, filters = query_arg(), filter_args()
    try:
        results = search_service().search(text, per_page=FEED_ENTRIES, filters=filters, sort="newest").results
    except IndexMissingError:
        results = []
    root = request.host_url.rstrip("/")
    XML.register_namespace("", ATOM)
    feed = XML.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", f"Keep it Local search: {text}" if text else "Keep it Local search")
    _text(feed, "id", root + request.full_path.rstrip("?"))
    _text(feed, "updated", max((_timestamp(hit.date) for hit in results), default=NO_DATE))
    _text(feed, "link", "", rel="self", href=root + request.full_path.rstrip("?"))
    _text(feed, "link", "", rel="alternate", type="text/html", href=root + url_for("pages.search", q=text, **filters))
    author = XML.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "Keep it Local search")
    for hit in results:
        entry = XML.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", root + hit.url)
        _text(entry, "title", hit.title)
        _text(entry, "updated", _timestamp(hit.date))
        _text(entry, "link", "", rel="alternate", href=root + hit.url)
        best = hit.passages[0].excerpt_html if hit.passages else ""
        _text(entry, "summary", Markup(best).striptags())  # plain text; ElementTree escapes it again
    body = XML.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body, mimetype="application/atom+xml")


@blueprint.get("/opensearch.xml")
def opensearch():
    """Return the OpenSearch description: results and suggestion URL templates."""
    xml = render_template("opensearch.xml", root=request.host_url.rstrip("/"))
    return Response(xml, mimetype="application/opensearchdescription+xml")


@blueprint.get("/api/suggest/opensearch")
def opensearch_suggestions():
    """Return /api/suggest's suggestions in the OpenSearch suggestions shape: [query, [texts]]."""
    text = query_arg()
    try:
        suggestions = search_service().suggest(text) if text else []
    except IndexMissingError:
        suggestions = []
    return Response(_json_array(text, [suggestion.text for suggestion in suggestions]),
                    mimetype="application/x-suggestions+json")


def _json_array(text: str, texts: list[str]) -> str:
    """Return the JSON array [text, texts]."""
    return json.dumps([text, texts])
