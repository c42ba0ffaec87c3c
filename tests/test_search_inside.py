"""Search inside a report: only that document's pages, in page order, with marked excerpts."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import make_pdf
from conftest import indexed_client


@pytest.fixture
def inside_client(tmp_path: Path):
    """Index two reports that both talk about allotments and return a client."""
    corpus = tmp_path / "corpus"
    (corpus / "reports").mkdir(parents=True)
    make_pdf(corpus / "reports" / "green.pdf", [
        "Allotments in the borough are popular with families.",
        "Parks and play areas were renovated last spring.",
        "Waiting lists for allotments grew again this year.",
    ], title="Green spaces review")
    make_pdf(corpus / "reports" / "food.pdf", ["Allotments feed hundreds of households."], title="Food plan")
    return indexed_client(corpus, tmp_path / "index")


def test_api_search_inside_a_document_gives_only_its_pages_in_page_order(inside_client):
    body = inside_client.get("/api/search?q=allotments&document=reports/green.pdf").get_json()
    assert body["document"]["title"] == "Green spaces review"
    assert [hit["page"] for hit in body["pages"]] == [1, 3]
    assert all(hit["url"].startswith("/documents/reports/green.pdf/file#page=") for hit in body["pages"])
    assert "<mark>Allotments</mark>" in body["pages"][0]["excerpt_html"]


def test_the_results_page_inside_a_document_lists_its_pages(inside_client):
    html = inside_client.get("/search?q=allotments&document=reports/green.pdf").get_data(as_text=True)
    assert "Page 1" in html and "Page 3" in html and "Page 2" not in html
    assert "Food plan" not in html


def test_the_document_page_has_a_search_box_for_itself(inside_client):
    html = inside_client.get("/documents/reports/green.pdf").get_data(as_text=True)
    assert 'name="document" value="reports/green.pdf"' in html
    assert 'for="inside-q"' in html


def test_an_unknown_document_is_a_404_and_hostile_text_is_escaped(inside_client):
    assert inside_client.get("/search?q=x&document=../etc/passwd").status_code == 404
    assert inside_client.get("/api/search?q=x&document=nope.pdf").status_code == 404
    html = inside_client.get("/search", query_string={"q": "<script>x</script>", "document": "reports/green.pdf"})
    assert html.status_code == 200 and "<script>x</script>" not in html.get_data(as_text=True)
