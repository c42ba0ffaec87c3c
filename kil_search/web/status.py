"""The index status page and its JSON twin."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..errors import IndexMissingError
from ..status import index_status
from .common import search_service

blueprint = Blueprint("status", __name__)


def _status() -> dict:
    """Collect the status with this thread's searcher (or none when there is no index)."""
    index_dir = current_app.config["SETTINGS"].index_dir
    try:
        searcher = search_service().searcher()
    except IndexMissingError:
        searcher = None
    return index_status(index_dir, searcher)


@blueprint.get("/status")
def page():
    """Show document and passage counts, the last change, the last run and its failures."""
    return render_template("status.html", status=_status())


@blueprint.get("/api/status")
def api():
    """Return the status as JSON."""
    return _status()
