"""Atom feeds of a search, newest first, and the OpenSearch description linked from every page."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as XML

import pytest

from builders import make_pdf
from conftest import indexed_client

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


@pytest.fixture
def feed_client(tmp_path: Path):
    """Index three dated reports about libraries and return a client."""
    corpus = tmp_path / "corpus"
    (corpus / "reports").mkdir(parents=True)
    catalog = []
    for name, date in (("old", "2015-02-01"), ("new", "2023-06-30"), ("middle", "2019-09-09")):
        make_pdf(corpus / "reports" / f"{name}.pdf", [f"Community libraries & <reading> groups, the {name} report."],
                 title=f"Libraries {name}")
        catalog.append(f'["reports/{name}.pdf"]\ndate = "{date}"\n')
    (corpus / "catalog.toml").write_text("\n".join(catalog), encoding="utf-8")
    return indexed_client(corpus, tmp_path / "index")


def test_the_atom_feed_parses_and_lists_the_newest_first(feed_client):
    response = feed_client.get("/search.atom?q=libraries")
    assert response.mimetype == "application/atom+xml"
    feed = XML.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Libraries new", "Libraries middle", "Libraries old"]
    assert entries[0].findtext(f"{ATOM}updated") == "2023-06-30T00:00:00Z"
    assert entries[0].find(f"{ATOM}link").get("href") == "http://localhost/documents/reports/new.pdf"
    assert "<reading>" in entries[0].findtext(f"{ATOM}summary")  # the document's text, escaped once by XML
    assert feed.findtext(f"{ATOM}updated") == "2023-06-30T00:00:00Z"


def test_results_pages_link_their_feed_and_every_page_links_opensearch(feed_client):
    results = feed_client.get("/search?q=libraries&type=report").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in results
    assert 'href="/search.atom?q=libraries&amp;type=report"' in results
    for path in ("/", "/search?q=libraries", "/briefing", "/statistics"):
        assert 'rel="search" type="application/opensearchdescription+xml"' in feed_client.get(path).get_data(as_text=True)


def test_the_opensearch_description_is_valid_and_suggests_from_the_index(feed_client):
    description = XML.fromstring(feed_client.get("/opensearch.xml").data)
    assert description.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert description.findtext(f"{OPENSEARCH}ShortName")
    urls = {url.get("type"): url.get("template") for url in description.findall(f"{OPENSEARCH}Url")}
    assert urls["text/html"] == "http://localhost/search?q={searchTerms}"
    suggest = urls["application/x-suggestions+json"].replace("http://localhost", "").replace("{searchTerms}", "libr")
    query, texts = feed_client.get(suggest).get_json(force=True)
    assert query == "libr" and any("librar" in text.lower() for text in texts)


def test_a_hostile_feed_query_still_gives_well_formed_xml(feed_client):
    response = feed_client.get("/search.atom", query_string={"q": "]]></feed><x>&", "type": "<b>"})
    XML.fromstring(response.data)


def test_characters_xml_forbids_are_dropped_from_the_feed(feed_client):
    feed = XML.fromstring(feed_client.get("/search.atom", query_string={"q": "libraries\x08\x1f"}).data)
    assert feed.findtext(f"{ATOM}title") == "Keep it Local search: libraries"
