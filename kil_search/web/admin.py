"""The staff page /admin: sign in, upload, edit the catalogue, remove, reindex. Off (404) without a password."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for

from ..background import last_log_line, start_index_run
from ..catalog_write import set_entry
from ..corpus import DOCUMENT_TYPES, load_catalog, scan_corpus
from ..errors import KilSearchError
from ..index.schema import KIND_DOCUMENT
from ..index.moved_files import with_moved_stats
from ..index.store import LAST_RUN_FILE, current_generation, open_live_index, read_json
from ..library import FileExistsInCorpusError, add_file, corpus_path, remove_document
from ..index.meaning_stage import read_meaning_status
from ..run_status import read_run_status
from . import auth

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
OPEN_ENDPOINTS = {"admin.login"}


def install(app: Flask) -> None:
    """Register the blueprint and give the app a session secret, only when the admin page is on."""
    settings = app.config["SETTINGS"]
    if not settings.admin_enabled:
        return
    app.secret_key = auth.secret_key(settings)
    app.config.update(
        SESSION_COOKIE_NAME="kil_admin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=auth.SESSION_HOURS),
    )
    wanted = (settings.upload_max_mb + 1) * 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = max(app.config.get("MAX_CONTENT_LENGTH") or 0, wanted)
    app.register_blueprint(blueprint)


def _settings():
    return current_app.config["SETTINGS"]


@blueprint.before_request
def guard():
    """Hide the page when it is off; send strangers to sign in; check the CSRF token of every form."""
    settings = _settings()
    if not settings.admin_enabled:
        abort(404)
    if request.endpoint not in OPEN_ENDPOINTS and not auth.signed_in(settings):
        if request.method == "GET":
            return redirect(url_for("admin.login", next=request.path))
        abort(403, "Sign in first.")
    if request.method == "POST":
        auth.check_csrf()
    return None


@blueprint.context_processor
def form_helpers():
    return {"csrf_token": auth.csrf_token, "document_types": DOCUMENT_TYPES}


@blueprint.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on the right password, refuse after too many wrong ones."""
    settings = _settings()
    target = request.values.get("next", "")
    target = target if _is_admin_path(target) else url_for("admin.dashboard")
    if request.method == "GET":
        return render_template("admin/login.html", next=target)
    attempts = auth.FailedSignIns(Path(settings.index_dir))
    address = request.remote_addr or "unknown"
    if attempts.blocked(address):
        return render_template("admin/login.html", next=target, error="Too many failed attempts. Wait 15 minutes and try again."), 429
    if not auth.password_matches(settings, request.form.get("password", "")):
        attempts.record_failure(address)
        return render_template("admin/login.html", next=target, error="That password is not right."), 401
    attempts.clear(address)
    auth.sign_in(settings)
    return redirect(target)


def _is_admin_path(target: str) -> bool:
    """True for a plain path under /admin: no other site ("//", backslashes), no control characters (a CR/LF made a 500)."""
    return target.startswith("/admin") and "//" not in target and "\\" not in target and target.isprintable()


@blueprint.post("/logout")
def logout():
    """Sign out."""
    session.clear()
    flash("Signed out.")
    return redirect(url_for("admin.login"))


@blueprint.get("/")
def dashboard():
    """Show the library with each file's state, the upload form and the indexer's state."""
    return _dashboard()


def _dashboard(error: str = "", code: int = 200):
    settings = _settings()
    records = _indexed_records(Path(settings.index_dir))
    try:
        catalog = load_catalog(Path(settings.corpus_dir))
    except KilSearchError as problem:
        catalog, error = {}, error or str(problem)
    rows = [_row(item, records.pop(item.doc_id, None), catalog.get(item.doc_id)) for item in scan_corpus(Path(settings.corpus_dir))]
    rows += [{"id": doc_id, "title": (record.get("details") or {}).get("title", doc_id), "state": "file deleted: reindex to drop it",
              "on_disk": False} for doc_id, record in records.items()]
    return render_template("admin/dashboard.html", rows=rows, run=_run_view(), error=error,
                           max_mb=settings.upload_max_mb, folder=settings.upload_folder), code


def _indexed_records(index_dir: Path) -> dict[str, dict]:
    """Read the document records with a searcher of its own, so a run that just ended shows at once."""
    try:
        with open_live_index(index_dir).searcher() as searcher:
            records = {record["doc_id"]: record for record in searcher.documents(kind=KIND_DOCUMENT)}
        return with_moved_stats(records, current_generation(index_dir))  # touched files are not "changed"
    except KilSearchError:
        return {}


def _row(item, record, entry) -> dict:
    """Describe one corpus file for the table."""
    details = (record or {}).get("details") or {}
    if record is None:
        state = "new: reindex to make it searchable"
    elif details.get("status") == "failed":
        state = f"could not be read: {details.get('reason', '')}"
    elif details.get("size") != item.size or details.get("mtime_ns") != item.mtime_ns:
        state = "changed: reindex to update"
    else:
        state = "searchable"
    title = (entry.title if entry else "") or details.get("title") or Path(item.doc_id).name
    return {"id": item.doc_id, "title": title, "state": state, "on_disk": True}


def _run_view() -> dict:
    """Return the running or last run's progress and the last summary."""
    index_dir = Path(_settings().index_dir)
    run = read_run_status(index_dir)
    run["last"] = read_json(index_dir / LAST_RUN_FILE, default=None)
    run["log"] = last_log_line(index_dir) if run.get("state") in ("failed", "interrupted") else ""
    run["meaning"] = read_meaning_status(index_dir)
    return run


@blueprint.post("/upload")
def upload():
    """Add a PDF or HTML file to the corpus; never overwrite unless asked to."""
    settings = _settings()
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _dashboard("Choose a PDF or HTML file to upload.", 400)
    try:
        added = add_file(settings, sent.stream, sent.filename, replace=request.form.get("replace") == "yes")
    except FileExistsInCorpusError as problem:
        return _dashboard(f"{problem}: tick “Replace a file of the same name” and upload again.", 409)
    except KilSearchError as problem:
        return _dashboard(str(problem), 400)
    flash(f"{'Replaced' if added.replaced else 'Added'} {added.doc_id}.")
    return _after_change(settings)


@blueprint.route("/documents/<path:doc_id>", methods=["GET", "POST"])
def edit(doc_id: str):
    """Show and save a document's catalogue entry."""
    settings = _settings()
    try:
        corpus_path(settings, doc_id)
        entry = load_catalog(Path(settings.corpus_dir)).get(doc_id)
    except KilSearchError:
        abort(404)
    if request.method == "GET":
        return render_template("admin/edit.html", doc_id=doc_id, entry=entry, error="")
    values = {key: request.form.get(key, "").strip() for key in ("title", "type", "date", "source_url")}
    for key in ("themes", "places"):
        values[key] = [item.strip() for item in request.form.get(key, "").replace("\n", ",").split(",") if item.strip()]
    try:
        set_entry(Path(settings.corpus_dir), doc_id, **values)
    except KilSearchError as problem:
        return render_template("admin/edit.html", doc_id=doc_id, entry=values, error=str(problem)), 400
    flash(f"Saved the catalogue entry of {doc_id}.")
    return _after_change(settings)


@blueprint.route("/documents/<path:doc_id>/remove", methods=["GET", "POST"])
def remove(doc_id: str):
    """Confirm, then delete a document's file and catalogue entry."""
    settings = _settings()
    try:
        corpus_path(settings, doc_id)
    except KilSearchError:
        abort(404)
    if request.method == "GET":
        return render_template("admin/remove.html", doc_id=doc_id)
    remove_document(settings, doc_id)
    flash(f"Removed {doc_id}.")
    return _after_change(settings)


@blueprint.post("/reindex")
def reindex():
    """Start a background reindex (or a full rebuild)."""
    started, message = start_index_run(_settings(), rebuild=request.form.get("rebuild") == "yes")
    flash(message)
    return redirect(url_for("admin.dashboard") + "#indexing")


def _after_change(settings):
    """Reindex straight away when the form asked for it, then go back to the dashboard."""
    if request.form.get("reindex") == "yes":
        _, message = start_index_run(settings)
        flash(message)
    return redirect(url_for("admin.dashboard"))
