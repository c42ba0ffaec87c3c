"""The briefing basket: add from results and statistics, change it, download Word and Markdown safely."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from builders import make_pdf
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.web import create_app

HOSTILE = 'Grants rose <script>alert(1)</script> [click](javascript:alert(1)) **bold** <img src=x onerror=y>'


@pytest.fixture
def briefing_app(tmp_path: Path):
    """Index a report and return the app (and a way to start another over the same index)."""
    corpus = tmp_path / "corpus"
    (corpus / "reports").mkdir(parents=True)
    make_pdf(corpus / "reports" / "grants.pdf", [
        "Community grants of £250,000 reached 40 groups in the district.",
        "Community grants were spent on youth clubs and food banks.",
    ], title="Community grants review")
    (corpus / "catalog.toml").write_text('["reports/grants.pdf"]\ndate = "2020-05-01"\nplaces = ["Leeds"]\n', encoding="utf-8")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1, extract_timeout=30)
    run_index(settings)
    return lambda: create_app({"corpus_dir": corpus, "index_dir": settings.index_dir, "TESTING": True})


def add(client, quote, page=1, kind="passage"):
    """Post the add form as a browser without script would."""
    return client.post("/briefing/add", data={"doc": "reports/grants.pdf", "page": page, "quote": quote, "kind": kind,
                                              "next": "/search?q=grants"})


def test_every_result_passage_and_statistic_has_an_add_button(briefing_app):
    client = briefing_app().test_client()
    results = client.get("/search?q=community+grants").get_data(as_text=True)
    assert results.count("<button type=\"submit\">Add to briefing</button>") >= 1
    assert 'href="/briefing"' in results
    figures = client.get("/statistics?q=community+grants").get_data(as_text=True)
    assert 'name="kind" value="statistic"' in figures


def test_added_items_are_listed_with_citation_and_survive_a_restart(briefing_app):
    client = briefing_app().test_client()
    response = add(client, "Community grants of £250,000 reached 40 groups.", page=1)
    assert response.status_code == 303 and response.headers["Location"] == "/search?q=grants"
    add(client, "Grants were spent on youth clubs.", page=2)
    cookie = client.get_cookie("kil_briefing")
    restarted = briefing_app().test_client()
    restarted.set_cookie("kil_briefing", cookie.value)
    page = restarted.get("/briefing").get_data(as_text=True)
    assert "Community grants review (Leeds, 2020), p. 1" in page
    assert "Community grants review (Leeds, 2020), p. 2" in page
    assert page.index("£250,000") < page.index("youth clubs")


def test_items_can_be_reordered_annotated_and_removed(briefing_app):
    client = briefing_app().test_client()
    add(client, "First excerpt about grants.")
    add(client, "Second excerpt about grants.", page=2)
    client.post("/briefing/change", data={"item": "1", "action": "up"})
    client.post("/briefing/change", data={"item": "0", "action": "note", "note": "Use in the cabinet paper"})
    page = client.get("/briefing").get_data(as_text=True)
    assert page.index("Second excerpt") < page.index("First excerpt")
    assert "Note: Use in the cabinet paper" in page
    client.post("/briefing/change", data={"item": "0", "action": "remove"})
    page = client.get("/briefing").get_data(as_text=True)
    assert "Second excerpt" not in page and "First excerpt" in page


def test_a_briefing_holds_at_most_fifty_items(briefing_app):
    client = briefing_app().test_client()
    for number in range(50):
        assert add(client, f"Excerpt number {number}").status_code == 303
    assert add(client, "One too many").status_code == 400


def test_redirects_stay_on_this_site(briefing_app):
    client = briefing_app().test_client()
    response = client.post("/briefing/add", data={"doc": "reports/grants.pdf", "page": 1, "quote": "x", "next": "//evil.example/"})
    assert response.headers["Location"] == "/briefing"


def test_unknown_documents_and_empty_excerpts_are_refused(briefing_app):
    client = briefing_app().test_client()
    assert client.post("/briefing/add", data={"doc": "nope.pdf", "quote": "x"}).status_code == 400
    assert client.post("/briefing/add", data={"doc": "reports/grants.pdf", "quote": "  "}).status_code == 400


def test_exports_quote_cite_and_link_without_letting_markup_in(briefing_app):
    client = briefing_app().test_client()
    add(client, HOSTILE, page=2)
    markdown = client.get("/briefing.md")
    assert markdown.headers["Content-Disposition"] == "attachment; filename=briefing.md"
    text = markdown.get_data(as_text=True)
    assert not re.search(r"(?<!\\)<(script|img)", text), text
    assert not re.search(r"(?<!\\)\]\(javascript", text) and "**bold**" not in text
    assert re.search(r"^> Grants rose \\<script\\>", text, re.M)
    assert "Community grants review (Leeds, 2020), p. 2" in text
    assert "<http://localhost/documents/reports/grants.pdf/file#page=2>" in text
    word = docx.Document(io.BytesIO(client.get("/briefing.docx").data))
    paragraphs = [paragraph.text for paragraph in word.paragraphs]
    assert any(HOSTILE in paragraph for paragraph in paragraphs)  # plain text in Word: shown, never run
    assert "Community grants review (Leeds, 2020), p. 2" in paragraphs
    page = client.get("/briefing").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
