"""Paths and ids: traversal on every route that takes one answers 404; every response carries the security headers."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import robustness
from builders import make_pdf
from conftest import write_small_corpus
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.web import create_app
from servers import running_server

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
TALLY = {"attempts": 0}


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
    corpus, index, _ = site
    return create_app({"corpus_dir": corpus, "index_dir": index, "TESTING": True}).test_client()


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
    tried = attempts(client.application, outside)
    raw = [(f"{template} raw nul", template.format("reports/care-report.pdf\x00").encode()) for template in path_routes(client.application)]
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
    robustness.record("paths", f"{TALLY['attempts']} traversal attempts ({len(ESCAPES)} kinds on each of "
                      f"{len(path_routes(client.application))} routes, in the app and raw through gunicorn): all 404 "
                      "(414/400 from gunicorn for over-long or raw-NUL request lines)")


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
