"""The briefing basket: what a browser collected, kept under a random cookie token in the index folder.

The cookie holds only an unguessable token (no account); the items live in a small JSON file per
token, so they survive a restart of the server and are not limited by a cookie's 4 KB.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from ..briefing_export import citation, to_docx, to_markdown
from ..places import load_gazetteer
from ..search.results import passage_url
from .common import search_service

blueprint = Blueprint("briefing", __name__)

COOKIE = "kil_briefing"
MAX_ITEMS = 50
MAX_QUOTE_CHARS = 1200
MAX_NOTE_CHARS = 500
KINDS = ("passage", "statistic", "answer", "case study")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _folder() -> Path:
    """Return the folder that holds the baskets."""
    return Path(current_app.config["SETTINGS"].index_dir) / "briefings"


def _token() -> str | None:
    """Return the browser's basket token when it is well formed."""
    token = request.cookies.get(COOKIE, "")
    return token if TOKEN.match(token) else None


def load_items() -> list[dict]:
    """Return the browser's basket (empty when it has none or it cannot be read)."""
    token = _token()
    if token is None:
        return []
    try:
        items = json.loads((_folder() / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [item for item in items if isinstance(item, dict)][:MAX_ITEMS] if isinstance(items, list) else []


def _save(items: list[dict], response: Response) -> Response:
    """Write the basket atomically and give the browser its token cookie."""
    token = _token() or secrets.token_urlsafe(32)
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{token}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(items[:MAX_ITEMS]), encoding="utf-8")
    os.replace(temporary, folder / f"{token}.json")
    response.set_cookie(COOKIE, token, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


def _back() -> Response:
    """Redirect to the page the form came from (same site only), else the briefing."""
    target = request.form.get("next", "")
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return redirect(target if safe else url_for("briefing.show"), code=303)


def _detailed(item: dict) -> dict:
    """Return an item with its document's title, type, date, locality, format and link."""
    record = search_service().document(item["doc"]) or {}
    details = record.get("details") or {}
    places = [code for code in (record.get("places") or "").split(",") if code]
    council = (load_gazetteer().resolve(places[0]) or load_gazetteer().council(places[0])) if places else None
    doc_format = record.get("format", "pdf")
    full = {**item, "title": details.get("title", item["doc"]), "type": record.get("doc_type", ""),
            "date": record.get("date", ""), "format": doc_format, "locality": council.name if council else (places[0] if places else ""),
            "url": passage_url(item["doc"], doc_format, item["page"])}
    full["citation"] = citation(full)
    return full


@blueprint.post("/briefing/add")
def add():
    """Add an excerpt (a passage, answer, case study or statistic) to the browser's briefing."""
    items = load_items()
    doc_id = request.form.get("doc", "").strip()
    quote = " ".join(request.form.get("quote", "").split())[:MAX_QUOTE_CHARS]
    if not doc_id or not quote or search_service().document(doc_id) is None:
        abort(400, "Nothing to add: the form needs a document and an excerpt.")
    if len(items) >= MAX_ITEMS:
        abort(400, f"A briefing holds at most {MAX_ITEMS} items: remove some first.")
    try:
        page = max(1, min(100_000, int(request.form.get("page", "1"))))
    except ValueError:
        page = 1
    kind = request.form.get("kind", "passage")
    item = {"doc": doc_id, "page": page, "quote": quote, "kind": kind if kind in KINDS else "passage",
            "section": request.form.get("section", "")[:200], "note": ""}
    if item not in items:
        items.append(item)
    return _save(items, _back())


@blueprint.post("/briefing/change")
def change():
    """Remove, move up, move down or annotate one item of the briefing."""
    items = load_items()
    try:
        index = int(request.form.get("item", "-1"))
    except ValueError:
        index = -1
    if not 0 <= index < len(items):
        abort(400, "That item is not in your briefing.")
    action = request.form.get("action", "")
    if action == "remove":
        items.pop(index)
    elif action == "up" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    elif action == "down" and index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]
    elif action == "note":
        items[index]["note"] = " ".join(request.form.get("note", "").split())[:MAX_NOTE_CHARS]
    return _save(items, redirect(url_for("briefing.show"), code=303))


@blueprint.get("/briefing")
def show():
    """List what the browser collected, with remove, reorder, note and the two downloads."""
    return render_template("briefing.html", items=[_detailed(item) for item in load_items()], max_items=MAX_ITEMS)


@blueprint.get("/briefing.md")
def markdown():
    """Download the briefing as Markdown."""
    text = to_markdown([_detailed(item) for item in load_items()], request.host_url)
    return Response(text, mimetype="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=briefing.md"})


@blueprint.get("/briefing.docx")
def word():
    """Download the briefing as a Word file."""
    data = to_docx([_detailed(item) for item in load_items()], request.host_url)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": "attachment; filename=briefing.docx"})
