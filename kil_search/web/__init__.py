"""The web layer: an app factory, one blueprint per concern; it only speaks HTTP."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from flask import Flask, render_template, request

from ..config import PROJECT_ROOT, Settings, load_settings
from ..search import SearchService
from . import admin, api, briefing, feeds, finding, pages, security, statistics, status
from .fast_json import FastJSONProvider

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _shipped_folder(name: str) -> Path:
    """Find templates/ or static/: inside the installed package (a wheel), else in the source checkout."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PROJECT_ROOT / name


TEMPLATE_DIR = _shipped_folder("templates")
STATIC_DIR = _shipped_folder("static")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings from defaults, KIL_* variables, then test_config."""
    app = Flask(__name__, template_folder=str(TEMPLATE_DIR), static_folder=str(STATIC_DIR))
    app.url_map.merge_slashes = False  # "/documents//etc/passwd" is a 404, not a redirect to a rewritten id
    overrides = {key.lower(): value for key, value in (test_config or {}).items() if key.lower() in _SETTING_NAMES}
    settings = load_settings(**overrides)
    app.json = FastJSONProvider(app)
    app.json.sort_keys = False  # keys in the order the API documents them (Flask ignores JSON_SORT_KEYS now)
    app.config.update(
        SETTINGS=settings,
        MAX_CONTENT_LENGTH=1024 * 1024,  # no public route takes a body; the admin page raises it to fit uploads
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.config.update({key: value for key, value in (test_config or {}).items() if key.lower() not in _SETTING_NAMES})
    service = app.extensions["kil_search"] = SearchService(settings.index_dir, settings.passages_per_result)
    app.teardown_request(lambda _error: service.close_retired())  # searchers replaced during the request are unused now
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(finding.blueprint)
    app.register_blueprint(status.blueprint)
    app.register_blueprint(statistics.blueprint)
    app.register_blueprint(briefing.blueprint)
    app.register_blueprint(feeds.blueprint)
    admin.install(app)
    security.install(app)
    _install_error_pages(app)
    return app


_SETTING_NAMES = {setting.name for setting in fields(Settings)}


def _install_error_pages(app: Flask) -> None:
    """Answer errors in the format that was asked for: JSON under /api, HTML elsewhere."""

    def handle(error):
        code = getattr(error, "code", 500) or 500
        description = getattr(error, "description", "Something went wrong.")
        if request.path.startswith("/api/"):
            return {"error": {"status": code, "message": description}}, code
        return render_template("error.html", code=code, message=description), code

    for code in (400, 401, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, handle)
