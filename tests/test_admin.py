"""The staff page /admin through Flask's test client: sign-in, CSRF, uploads, edits, removal, reindex."""

from __future__ import annotations

import html
import io
import re
import stat
import time
import tomllib

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from builders import make_pdf
from kil_search.web import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_app(settings, built_index):
    return create_app({"corpus_dir": settings.corpus_dir, "index_dir": settings.index_dir, "TESTING": True,
                       "admin_password": PASSWORD, "upload_max_mb": 1, "jobs": 1})


@pytest.fixture
def staff(admin_app):
    """A client signed in as staff."""
    client = admin_app.test_client()
    response = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token(client, "/admin/login")})
    assert response.status_code == 302
    return client


def token(client, path: str = "/admin/") -> str:
    """Return the CSRF token from a page's form."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def pdf_bytes(tmp_path, text: str, title: str) -> bytes:
    return make_pdf(tmp_path / "upload-source.pdf", [text], title=title).read_bytes()


def test_admin_is_off_without_a_password(client):
    for path in ("/admin/", "/admin/login", "/admin/upload"):
        assert client.get(path).status_code == 404
    assert client.post("/admin/login", data={"password": ""}).status_code == 404


def test_wrong_password_is_refused_then_rate_limited(admin_app):
    client = admin_app.test_client()
    csrf = token(client, "/admin/login")
    for _ in range(5):
        response = client.post("/admin/login", data={"password": "guess", "csrf_token": csrf})
        assert response.status_code == 401 and "not right" in response.get_data(as_text=True)
    locked = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": csrf})
    assert locked.status_code == 429 and "Too many failed attempts" in locked.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_sign_in_sets_a_safe_session_cookie_and_shows_the_library(admin_app, settings):
    client = admin_app.test_client()
    response = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token(client, "/admin/login")})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/admin/").get_data(as_text=True)
    assert "Community care in practice" in page and "reports/economy-briefing.pdf" in page
    key_file = settings.index_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_sign_out_ends_the_session(staff):
    assert staff.post("/admin/logout", data={"csrf_token": token(staff)}).status_code == 302
    assert staff.get("/admin/").status_code == 302


def test_every_form_needs_the_csrf_token(staff, settings):
    for path in ("/admin/upload", "/admin/reindex", "/admin/documents/web/trailblazers.html",
                 "/admin/documents/web/trailblazers.html/remove", "/admin/logout"):
        assert staff.post(path, data={"title": "x"}).status_code == 400
        assert staff.post(path, data={"csrf_token": "forged"}).status_code == 400
    assert (settings.corpus_dir / "web" / "trailblazers.html").exists()


def test_strangers_are_refused_every_admin_action(admin_app, settings):
    client = admin_app.test_client()
    csrf = token(client, "/admin/login")  # a real token of an unsigned session
    rules = [rule for rule in admin_app.url_map.iter_rules() if rule.rule.startswith("/admin") and rule.endpoint != "admin.login"]
    assert len(rules) >= 6
    for rule in rules:
        path = rule.rule.replace("<path:doc_id>", "web/trailblazers.html")
        if "GET" in rule.methods:
            response = client.get(path)
            assert response.status_code == 302 and "/admin/login" in response.headers["Location"], path
        if "POST" in rule.methods:
            response = client.post(path, data={"csrf_token": csrf, "title": "Hacked", "reindex": "yes"})
            assert response.status_code == 403, path
    assert (settings.corpus_dir / "web" / "trailblazers.html").exists()
    assert "Hacked" not in (settings.corpus_dir / "catalog.toml").read_text()


def upload(client, data: bytes, name: str, **fields):
    form = {"csrf_token": token(client), "file": (io.BytesIO(data), name), **fields}
    return client.post("/admin/upload", data=form, content_type="multipart/form-data")


def test_upload_a_pdf_into_the_uploads_folder(staff, settings, tmp_path):
    response = upload(staff, pdf_bytes(tmp_path, "Allotments in Oldham.", "Food growing"), "Food Growing (final).pdf")
    assert response.status_code == 302
    saved = settings.corpus_dir / "uploads" / "Food_Growing_final.pdf"
    assert saved.read_bytes().startswith(b"%PDF-")
    page = staff.get("/admin/").get_data(as_text=True)
    assert "Added uploads/Food_Growing_final.pdf" in page and "new: reindex to make it searchable" in page


def test_upload_type_is_judged_by_content_not_name(staff, settings):
    response = upload(staff, b"\x89PNG\r\n\x1a\n" + b"0" * 100, "report.pdf")
    assert response.status_code == 400 and "not a PDF or an HTML page" in response.get_data(as_text=True)
    response = upload(staff, b"<!DOCTYPE html><html><title>Notes</title><p>Hi</p></html>", "notes.pdf")
    assert response.status_code == 302
    assert (settings.corpus_dir / "uploads" / "notes.html").exists()
    assert not (settings.corpus_dir / "uploads" / "report.pdf").exists()


@pytest.mark.parametrize("name", ["../../evil.pdf", "/etc/evil.pdf", "..\\..\\evil.pdf", ".evil.pdf", "_evil.pdf"])
def test_upload_names_cannot_escape_or_hide(staff, settings, tmp_path, name):
    assert upload(staff, pdf_bytes(tmp_path, "Text.", "T"), name).status_code == 302
    files = [path for path in settings.corpus_dir.rglob("*evil*")]
    assert len(files) == 1 and files[0].parent == settings.corpus_dir / "uploads"
    assert files[0].name.endswith("evil.pdf") and not files[0].name.startswith((".", "_"))


def test_upload_never_overwrites_without_the_replace_box(staff, settings, tmp_path):
    first = pdf_bytes(tmp_path, "First version.", "Same")
    assert upload(staff, first, "same.pdf").status_code == 302
    second = make_pdf(tmp_path / "second.pdf", ["Second version."], title="Same").read_bytes()
    refused = upload(staff, second, "same.pdf")
    assert refused.status_code == 409 and "Replace a file of the same name" in refused.get_data(as_text=True)
    assert (settings.corpus_dir / "uploads" / "same.pdf").read_bytes() == first
    assert upload(staff, second, "same.pdf", replace="yes").status_code == 302
    assert (settings.corpus_dir / "uploads" / "same.pdf").read_bytes() == second


def test_upload_size_limit(staff, settings):
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    # Encoded in memory: the test client would spool a big body to a file it never closes.
    boundary, body = encode_multipart({"csrf_token": token(staff), "file": FileStorage(io.BytesIO(big), "big.pdf")})
    response = staff.post("/admin/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400 and "larger than the limit of 1 MB" in response.get_data(as_text=True)
    assert not list((settings.corpus_dir / "uploads").iterdir())


def test_edit_a_catalogue_entry_keeps_the_others(staff, settings):
    catalog = settings.corpus_dir / "catalog.toml"
    catalog.write_text("# Staff notes stay.\n\n" + catalog.read_text())
    form = {"csrf_token": token(staff), "title": "Trailblazers named", "type": "briefing", "date": "2020-03",
            "themes": "trailblazer councils, network", "places": "Bristol\nBradford", "source_url": "https://example.org/t"}
    assert staff.post("/admin/documents/web/trailblazers.html", data=form).status_code == 302
    text = catalog.read_text()
    data = tomllib.loads(text)
    assert text.startswith("# Staff notes stay.")
    assert data["web/trailblazers.html"] == {"title": "Trailblazers named", "type": "briefing", "date": "2020-03",
                                             "themes": ["trailblazer councils", "network"], "places": ["Bristol", "Bradford"],
                                             "source_url": "https://example.org/t"}
    assert data["reports/care-report.pdf"]["places"] == ["Bradford"]
    assert 'value="Trailblazers named"' in staff.get("/admin/documents/web/trailblazers.html").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("type", "novel", "type 'novel' is not one of"),
    ("date", "March 2020", "is not YYYY"),
    ("source_url", "javascript:alert(1)", "must be a web address"),
])
def test_bad_catalogue_values_are_refused(staff, settings, field, value, message):
    before = (settings.corpus_dir / "catalog.toml").read_text()
    response = staff.post("/admin/documents/reports/care-report.pdf", data={"csrf_token": token(staff), field: value})
    assert response.status_code == 400 and message in html.unescape(response.get_data(as_text=True))
    assert (settings.corpus_dir / "catalog.toml").read_text() == before


def test_unknown_documents_are_not_found(staff):
    assert staff.get("/admin/documents/../../etc/passwd").status_code == 404
    assert staff.get("/admin/documents/reports/nope.pdf").status_code == 404
    assert staff.post("/admin/documents/reports/nope.pdf/remove", data={"csrf_token": token(staff)}).status_code == 404


def test_remove_then_reindex_drops_the_document(staff, settings):
    page = staff.get("/admin/documents/reports/care-report.pdf/remove").get_data(as_text=True)
    assert "Delete the file" in page
    response = staff.post("/admin/documents/reports/care-report.pdf/remove", data={"csrf_token": token(staff), "reindex": "yes"})
    assert response.status_code == 302
    assert not (settings.corpus_dir / "reports" / "care-report.pdf").exists()
    assert "reports/care-report.pdf" not in tomllib.loads((settings.corpus_dir / "catalog.toml").read_text())
    status = wait_for_run(staff)
    assert status["last_run"]["removed"] == ["reports/care-report.pdf"]
    time.sleep(1.1)  # past the search service's refresh interval
    assert staff.get("/api/search?q=neighbourhood").get_json()["total"] == 0


def wait_for_run(client, timeout: float = 60) -> dict:
    """Poll /api/status until no reindex is running; return the status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get("/api/status").get_json()
        if status["run"]["state"] != "running":
            return status
        time.sleep(0.2)
    raise AssertionError("the reindex did not finish")


def test_reindex_from_the_page_runs_in_the_background(staff, tmp_path):
    upload(staff, pdf_bytes(tmp_path, "Homelessness prevention in Oldham.", "Homelessness paper"), "homes.pdf")
    response = staff.post("/admin/reindex", data={"csrf_token": token(staff)})
    assert response.status_code == 302
    status = wait_for_run(staff)
    assert status["run"]["state"] == "finished" and status["last_run"]["indexed"] == ["uploads/homes.pdf"]
    page = staff.get("/admin/").get_data(as_text=True)
    assert "Up to date" in page and "indexed 1, unchanged 3" in page
    time.sleep(1.1)  # past the search service's refresh interval
    assert staff.get("/api/search?q=homelessness").get_json()["results"][0]["title"] == "Homelessness paper"


def test_a_second_reindex_request_while_one_runs_is_refused(staff, settings):
    from kil_search.index.store import write_lock
    from kil_search.run_status import RunRecorder

    with write_lock(settings.index_dir):
        RunRecorder(settings.index_dir, lambda *args: None).start(rebuild=False)
        staff.post("/admin/reindex", data={"csrf_token": token(staff)})
        page = staff.get("/admin/").get_data(as_text=True)
        assert "A reindex is already running" in page and "Reindexing" in page
        assert '<meta http-equiv="refresh"' in page
