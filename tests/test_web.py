"""The web pages and JSON API through Flask's test client."""

from __future__ import annotations

import pytest


def test_home_lists_the_library(client):
    page = client.get("/")
    assert page.status_code == 200
    assert b"Community care in practice" in page.data
    assert b'<label for="q"' in page.data


def test_search_page_shows_highlighted_passage_with_page_link(client):
    page = client.get("/search?q=neighbourhood+social+care")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Community care in practice" in html
    assert "<mark>" in html
    assert 'href="/documents/reports/care-report.pdf/file#page=2"' in html
    assert ">p. 2<" in html


def test_search_with_no_results_helps(client):
    html = client.get("/search?q=xylophone").get_data(as_text=True)
    assert "Nothing found" in html and "Browse every document" in html


def test_api_search_shape(client):
    data = client.get("/api/search?q=social+care&per_page=5").get_json()
    assert set(data) >= {"query", "total", "page", "per_page", "took_ms", "results"}
    assert data["per_page"] == 5 and data["total"] >= 1
    result = data["results"][0]
    assert set(result) >= {"id", "path", "title", "type", "date", "source_url", "url", "file_url", "score", "passages"}
    passage = result["passages"][0]
    assert set(passage) >= {"page", "section", "excerpt_html", "url", "case_study", "places"}
    assert "<mark>" in passage["excerpt_html"] and isinstance(passage["page"], int)


@pytest.mark.parametrize("args", ["page=abc", "page=-4", "per_page=100000", "q=", "q=%00", "q=" + "a" * 3000])
def test_api_search_odd_arguments(client, args):
    response = client.get(f"/api/search?q=care&{args}")
    assert response.status_code == 200
    assert response.get_json()["per_page"] <= 50


def test_document_page_and_json(client):
    html = client.get("/documents/reports/care-report.pdf").get_data(as_text=True)
    assert "Community care in practice" in html
    assert 'href="/documents/reports/care-report.pdf/file#page=2"' in html  # outline entry
    data = client.get("/api/documents/reports/care-report.pdf").get_json()
    assert data["title"] == "Community care in practice"
    assert data["outline"][1] == {"title": "Social care", "page": 2, "level": 0, "url": "/documents/reports/care-report.pdf/file#page=2"}


def test_html_document_page_shows_sections(client):
    html = client.get("/documents/web/trailblazers.html").get_data(as_text=True)
    assert 'id="section-2"' in html and "Calderdale" in html


def test_file_is_served(client):
    with client.get("/documents/reports/care-report.pdf/file") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")


def test_stored_html_is_served_sandboxed(client):
    with client.get("/documents/web/trailblazers.html/file") as response:
        assert response.status_code == 200
        assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/documents/../pyproject.toml/file",
        "/documents/%2e%2e/%2e%2e/etc/passwd/file",
        "/documents/%252e%252e/etc/passwd/file",
        "/documents//etc/passwd/file",
        "/documents/reports/..%2f..%2fcatalog.toml/file",
        "/documents/reports\\..\\catalog.toml/file",
        "/documents/reports/care-report.pdf%00/file",
        "/documents/catalog.toml/file",
        "/documents/catalog.toml",
        "/api/documents/../../etc/passwd",
        "/documents/nothing-here.pdf/file",
    ],
)
def test_paths_outside_the_index_are_404(client, path):
    assert client.get(path, follow_redirects=True).status_code == 404


def test_security_headers(client):
    response = client.get("/search?q=care")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "documents": 3}


def test_api_404_is_json(client):
    response = client.get("/api/documents/missing.pdf")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
