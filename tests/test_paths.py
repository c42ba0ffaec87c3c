"""Paths and ids: traversal on every route that takes one answers 404; every response carries the security headers."""

from __future__ import annotations

import http.client
import http.cookiejar
import io
import re
import socket
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

import robustness
from builders import make_pdf
from conftest import write_small_corpus
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.web import create_app
from servers import running_server

PASSWORD = "correct horse battery staple"
UPLOAD_MAX_MB = 1
SECRET = "SECRET-MARKER-7f3a"  # in files outside the corpus: must never appear in a response
SAMPLE_VALUES = {"doc_id": "reports/care-report.pdf", "filename": "style.css"}
ESCAPES = {
    "dot dot": "../outside/secret.pdf",
    "dot dot deep": "../../../../../../etc/passwd",
    "encoded dots": "%2e%2e/outside/secret.pdf",
    "encoded slash": "..%2foutside%2fsecret.pdf",
    "all encoded": "%2e%2e%2f%2e%2e%2foutside%2fsecret.pdf",
    "double encoded": "%252e%252e%252foutside%252fsecret.pdf",
    "overlong utf-8 dots": "%c0%ae%c0%ae/outside/secret.pdf",
    "fullwidth dots": "%ef%bc%8e%ef%bc%8e/outside/secret.pdf",
    "absolute": "/etc/passwd",
    "absolute encoded": "%2fetc%2fpasswd",
    "absolute outside": "{outside}/secret.pdf",
    "backslashes": "..\\outside\\secret.pdf",
    "encoded backslashes": "..%5coutside%5csecret.pdf",
    "nul": "reports/care-report.pdf%00",
    "nul before dots": "%00../outside/secret.pdf",
    "dot segments": "reports/../../outside/secret.pdf",
    "not indexed": "catalog.toml",
    "symlink out of the corpus": "escape.pdf",
    "very long": "a/" * 5_000,
}
TALLY = {"attempts": 0, "routes": 0, "uploads": 0}


@pytest.fixture(scope="module", autouse=True)
def figures():
    """Record how many traversal attempts and hostile uploads were tried, once the module is done."""
    yield
    robustness.record("paths and uploads", f"{TALLY['attempts']} traversal attempts ({len(ESCAPES)} kinds on each of the "
                      f"{TALLY['routes']} routes that take a path, GET in the app and raw through gunicorn, POST on the staff "
                      "actions): all 404, nothing outside the corpus read or changed (gunicorn answers 414/400 to over-long or "
                      f"raw-NUL request lines); {TALLY['uploads']} hostile upload names kept inside the upload folder; "
                      "bodies over the upload limit refused with 413 before they are read, chunked ones too")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Index the small corpus plus a symlink that points outside it; return (corpus, index, outside folder)."""
    root = tmp_path_factory.mktemp("paths")
    corpus = write_small_corpus(root / "corpus")
    outside = root / "outside"
    outside.mkdir()
    make_pdf(outside / "secret.pdf", [f"{SECRET} outside the corpus"], title=SECRET)
    (corpus / "escape.pdf").symlink_to(outside / "secret.pdf")
    run_index(load_settings(corpus_dir=corpus, index_dir=root / "index", jobs=1))
    return corpus, root / "index", outside


@pytest.fixture(scope="module")
def client(site):
    """Return a client of the app with the admin page on, signed in as staff."""
    corpus, index, _ = site
    app = create_app({"corpus_dir": corpus, "index_dir": index, "admin_password": PASSWORD, "upload_max_mb": UPLOAD_MAX_MB,
                      "TESTING": True})
    staff = app.test_client()
    assert staff.post("/admin/login", data={"password": PASSWORD, "csrf_token": csrf_token(staff, "/admin/login")}).status_code == 302
    return staff


def csrf_token(client, path: str = "/admin/") -> str:
    """Return the CSRF token of the form on path."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def path_routes(app) -> list[str]:
    """Return every GET route that takes a path or id, as a template with one {} for it."""
    templates = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.arguments:
            assert len(rule.arguments) == 1, f"teach test_paths about {rule.rule}"
            templates.append(re.sub(r"<[^>]+>", "{}", rule.rule))
    return sorted(templates)


def attempts(app, outside: Path) -> list[tuple[str, str]]:
    """Return (name, URL path) for every escape on every route."""
    found = []
    for template in path_routes(app):
        for name, escape in ESCAPES.items():
            found.append((f"{template} {name}", template.format(escape.format(outside=outside))))
    return found


def test_every_traversal_attempt_is_404_in_the_app(client, site):
    _, _, outside = site
    tried = attempts(client.application, outside)
    TALLY["routes"] = len(path_routes(client.application))
    assert len(tried) >= 4 * len(ESCAPES)  # documents, their files, their JSON, static files
    for name, path in tried:
        with client.get(path) as response:
            TALLY["attempts"] += 1
            assert response.status_code == 404, name
            assert SECRET.encode() not in response.data and b"root:" not in response.data, name


def test_a_link_out_of_the_corpus_is_neither_indexed_nor_served(client):
    assert client.get("/healthz").get_json()["documents"] == 3
    assert client.get("/api/search", query_string={"q": SECRET}).get_json()["total"] == 0


def raw_get(base: str, path: bytes) -> tuple[int, bytes]:
    """Send one GET with the path exactly as given (no client normalises it); return status and body."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_every_traversal_attempt_is_refused_by_the_real_server(client, site):
    corpus, index, outside = site
    tried = [(name, path) for name, path in attempts(client.application, outside) if not path.startswith("/admin")]
    raw = [(f"{template} raw nul", template.format("reports/care-report.pdf\x00").encode())
           for template in path_routes(client.application) if not template.startswith("/admin")]
    with running_server(corpus, index) as base:
        for name, path in [(name, path.encode()) for name, path in tried] + raw:
            status, body = raw_get(base, path)
            TALLY["attempts"] += 1
            if name.endswith("very long"):
                assert status in (404, 414), name  # gunicorn refuses request lines over 8190 bytes before the app
            elif name.endswith("raw nul"):
                assert status in (400, 404), name  # a raw NUL is not HTTP: gunicorn answers 400
            else:
                assert status == 404, name
            assert SECRET.encode() not in body and b"root:" not in body, name


def every_route_url(app) -> list[str]:
    """Return a working URL for every GET route, filling path arguments with sample values."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        missing = set(rule.arguments) - set(SAMPLE_VALUES)
        assert not missing, f"add sample values for {missing} ({rule.rule}) to test_paths.SAMPLE_VALUES"
        urls.append(re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda match: SAMPLE_VALUES[match.group(1)], rule.rule))
    return urls


def test_security_headers_on_every_route_and_error(client):
    urls = every_route_url(client.application) + ["/documents/missing.pdf", "/api/documents/missing.pdf", "/nowhere"]
    responses = {url: client.get(url) for url in urls}
    responses["POST /search"] = client.post("/search")
    responses["POST /api/search"] = client.post("/api/search")
    for response in responses.values():
        response.close()  # files are streamed; only the headers matter here
    for url, response in responses.items():
        policy = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors" in policy, url
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
        assert response.headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), url
        if url.endswith("/file") and response.mimetype == "application/pdf":
            assert policy == "frame-ancestors 'self'", url  # the browser's PDF viewer must run; the file is only data
            continue
        script_sources = re.search(r"(?:script-src|default-src) ([^;]*)", policy).group(1)
        assert "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources, url
        assert "frame-ancestors 'none'" in policy, url
    statuses = {url: response.status_code for url, response in responses.items()}
    assert statuses["/nowhere"] == 404 and statuses["POST /search"] == 405
    assert all(status < 500 for status in statuses.values()), statuses
    robustness.record("security headers", f"{len(responses)} responses (every GET route, 404s, 405s): CSP without inline "
                      "script and frame-ancestors, X-Content-Type-Options nosniff, X-Frame-Options")


def test_staff_actions_on_escaping_ids_are_404_and_touch_nothing(client, site):
    corpus, _, outside = site
    before = sorted(path.relative_to(corpus.parent) for path in corpus.parent.rglob("*") if "index" not in path.parts)
    token = csrf_token(client)
    for name, escape in ESCAPES.items():
        escape = escape.format(outside=outside)
        for action in ("/admin/documents/{}", "/admin/documents/{}/remove"):
            with client.post(action.format(escape), data={"csrf_token": token, "title": "pwned"}) as response:
                TALLY["attempts"] += 1
                assert response.status_code == 404, (action, name)
    after = sorted(path.relative_to(corpus.parent) for path in corpus.parent.rglob("*") if "index" not in path.parts)
    assert after == before and (outside / "secret.pdf").exists()
    assert "pwned" not in (corpus / "catalog.toml").read_text()


def upload(client, data: bytes, name: str):
    """Upload bytes under a file name through the admin form (encoded in memory: no spooled temp file)."""
    boundary, body = encode_multipart({"csrf_token": csrf_token(client), "file": FileStorage(io.BytesIO(data), name)})
    return client.post("/admin/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}")


HOSTILE_NAMES = ["a\x00b.pdf", "x" * 5_000 + ".pdf", "ünïcødé réport.pdf", "<script>alert(1)</script>.pdf", "CON.pdf",
                 "uploads/../../escape.pdf", "..", "", " .pdf", "%2e%2e%2fescape.pdf", "report.pdf\n.html", "~/.bashrc.pdf"]


def test_hostile_upload_names_land_inside_the_upload_folder(client, site):
    corpus, _, outside = site
    pdf = (corpus / "reports" / "care-report.pdf").read_bytes()
    for name in HOSTILE_NAMES:
        response = upload(client, pdf, name)
        TALLY["uploads"] += 1
        assert response.status_code in (302, 400, 409), (name, response.status_code)  # added, no file chosen, or the name exists
    uploads = corpus / "uploads"
    added = sorted(path.relative_to(corpus).as_posix() for path in corpus.rglob("*") if path.is_file() and path.is_relative_to(uploads))
    assert added and all(re.fullmatch(r"uploads/[A-Za-z0-9][A-Za-z0-9._-]*\.(pdf|html)", name) for name in added), added
    assert all(len(name) < 120 for name in added)
    outside_files = [path.name for path in outside.iterdir()]
    assert outside_files == ["secret.pdf"] and not (corpus.parent / "escape.pdf").exists()
    for path in uploads.iterdir():
        path.unlink()


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(client, site):
    corpus, _, _ = site
    too_big = b"%PDF-1.4\n" + b"0" * ((UPLOAD_MAX_MB + 2) * 1024 * 1024)
    response = upload(client, too_big, "big.pdf")
    assert response.status_code == 413 and "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert not (corpus / "uploads").exists() or not any((corpus / "uploads").iterdir())


def test_a_chunked_upload_over_the_limit_is_refused_by_the_real_server(site, tmp_path):
    corpus, index, _ = site
    with running_server(corpus, index, extra_env={"KIL_ADMIN_PASSWORD": PASSWORD, "KIL_UPLOAD_MAX_MB": str(UPLOAD_MAX_MB)}) as base:
        cookies = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        page = opener.open(f"{base}/admin/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"password": PASSWORD, "csrf_token": token}).encode()
        opener.open(f"{base}/admin/login", data=form)
        token = re.search(r'name="csrf_token" value="([^"]+)"', opener.open(f"{base}/admin/").read().decode()).group(1)
        boundary = "robustboundary"
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="chunked.pdf"\r\n'
                f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode()
        megabyte = b"0" * (1024 * 1024)
        chunks = [head, *[megabyte] * (UPLOAD_MAX_MB + 3), f"\r\n--{boundary}--\r\n".encode()]
        address = urlsplit(base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        cookie = "; ".join(f"{item.name}={item.value}" for item in cookies)
        try:
            connection.request("POST", "/admin/upload", body=iter(chunks), encode_chunked=True,
                               headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie})
            status = connection.getresponse().status
        except (BrokenPipeError, ConnectionResetError):
            status = "connection closed while sending"  # refused before the whole body was read
        finally:
            connection.close()
    assert status in (413, "connection closed while sending")
    assert not (corpus / "uploads").exists() or not [path for path in (corpus / "uploads").iterdir()]


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example", "/admin//evil.example",
                                    "/admin\r\nSet-Cookie: a=b", "/admin\t/x", "/admin/\x00", "javascript:alert(1)", "/admin" + "x" * 5_000])
def test_sign_in_only_ever_returns_to_an_admin_path(site, target):
    corpus, index, _ = site
    client = create_app({"corpus_dir": corpus, "index_dir": index, "admin_password": PASSWORD, "TESTING": True}).test_client()
    token = csrf_token(client, "/admin/login?" + urllib.parse.urlencode({"next": target}))
    response = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token, "next": target})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert not location.scheme and not location.netloc and location.path.startswith("/admin")
