"""More like this on document pages, and section labels from PDF outlines on passages."""

from __future__ import annotations

from finding_corpus import finding_client, finding_service, finding_settings  # noqa: F401 (fixtures)
from kil_search.enrich import enrich_document
from kil_search.models import Document, OutlineEntry, Page


def test_related_documents_share_telling_words(finding_service):
    related = [record["doc_id"] for record in finding_service.related("web/case-study-york.html")]
    assert related and "web/case-study-york.html" not in related
    assert related[0] == "reports/care-close-to-home.pdf"  # both about adult social care and older people at home


def test_document_page_shows_more_like_this(finding_client):
    html = finding_client.get("/documents/web/case-study-york.html").get_data(as_text=True)
    assert '<h2 id="related-heading">More like this</h2>' in html
    assert '<a href="/documents/reports/care-close-to-home.pdf">Care close to home</a>' in html


def test_document_json_lists_related_documents(finding_client):
    data = finding_client.get("/api/documents/web/case-study-york.html").get_json()
    assert data["related"][0]["id"] == "reports/care-close-to-home.pdf"
    assert set(data["related"][0]) == {"id", "title", "type", "date", "url"}


def test_passages_are_labelled_with_the_heading_they_fall_under():
    document = Document("r.pdf", "pdf", "R", pages=[
        Page(1, "1. Foreword\n1.1 Why\nA short reason.\n" + "Body text goes on. " * 100 + "\n1.2 How\nThe method."),
        Page(2, "More on the method, which took a year and a great many interviews.\n2. Findings\nWhat we found."),
    ], outline=[OutlineEntry("1. Foreword", 1, 0), OutlineEntry("1.1 Why", 1, 1), OutlineEntry("1.2 How", 1, 1),
                OutlineEntry("2. Findings", 2, 0)])
    labels = [(passage.page, passage.section, passage.text[:12]) for passage in enrich_document(document, "R", "briefing", []).passages]
    assert labels[0] == (1, "1.1 Why", "1. Foreword\n")
    assert labels[1][:2] == (1, "1.1 Why")  # starts mid-way through 1.1, though 1.2 begins later in it
    assert labels[-1] == (2, "1.2 How", "More on the ")


def test_a_single_place_document_lends_its_place_to_every_passage():
    pages = [Page(1, "The council changed its grants."), Page(2, "Results after a year.")]
    enrichment = enrich_document(Document("r.pdf", "pdf", "R", pages=pages), "R", "briefing", ["Wirral"])
    assert [passage.place_codes for passage in enrichment.passages] == [("WRL",), ("WRL",)]
    assert enrichment.place_codes == ["WRL"]


def test_unknown_catalogue_places_are_reported():
    enrichment = enrich_document(Document("r.pdf", "pdf", "R", pages=[Page(1, "Text.")]), "R", "briefing", ["England", "Leeds"])
    assert enrichment.unresolved_places == ["England"] and enrichment.place_codes == ["LDS"]
