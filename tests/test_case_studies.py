"""Case studies: found at indexing time, listed with place and page, ranked for "councils like mine"."""

from __future__ import annotations

import pytest

from finding_corpus import finding_client, finding_service, finding_settings  # noqa: F401 (fixtures)
from kil_search.enrich import enrich_document
from kil_search.enrich.case_studies import MAX_CASE_STUDY_CHARS
from kil_search.models import Document, OutlineEntry, Page


def pdf(pages, outline=()):
    """Return an extracted-looking PDF document."""
    return Document("x.pdf", "pdf", "Report", pages=[Page(number, text) for number, text in enumerate(pages, start=1)],
                    outline=[OutlineEntry(title, page, level) for title, page, level in outline])


def case_passages(enrichment):
    return [(passage.page, passage.case_title, passage.place_codes) for passage in enrichment.passages if passage.case_title]


def test_a_case_study_box_ends_at_the_next_heading():
    document = pdf(["1. Care\nIntro text.\nCase study: Bowling Park Care, Bradford\nThe cooperative grew.\n"
                    "2. Money\nBudgets were cut in Leeds."],
                   outline=[("1. Care", 1, 0), ("2. Money", 1, 0)])
    enrichment = enrich_document(document, "Report", "research report", [])
    assert case_passages(enrichment) == [(1, "Bowling Park Care, Bradford", ("BRD",))]
    after = [passage for passage in enrichment.passages if passage.text.startswith("2. Money")][0]
    assert after.case_title == "" and after.place_codes == ("LDS",) and after.section == "2. Money"


def test_a_case_study_continues_over_a_page_break():
    document = pdf(["Case study: Health for All, Leeds\nPart one.", "Part two of the story.\n3. Next\nOther text."],
                   outline=[("3. Next", 2, 0)])
    pages = [(page, title) for page, title, _codes in case_passages(enrich_document(document, "R", "briefing", []))]
    assert pages == [(1, "Health for All, Leeds"), (2, "Health for All, Leeds")]


def test_a_wrapped_heading_is_joined_to_find_its_place():
    document = pdf(["Case study: Southern Brooks Community Partnerships, South\nGloucestershire\nText."])
    assert case_passages(enrich_document(document, "R", "briefing", [])) == [
        (1, "Southern Brooks Community Partnerships, South Gloucestershire", ("SGC",))]


def test_without_a_next_heading_a_box_is_capped():
    long_text = "Case study: Allerton Hub, Bradford\n" + "A sentence about the hub and its work.\n" * 300
    enrichment = enrich_document(pdf([long_text]), "R", "briefing", [])
    in_case = sum(len(passage.text) for passage in enrichment.passages if passage.case_title)
    assert MAX_CASE_STUDY_CHARS <= in_case < MAX_CASE_STUDY_CHARS + 200
    assert enrichment.passages[-1].case_title == ""


def test_a_section_about_one_organisation_in_one_place_is_a_case_study():
    document = pdf(["Bede House, Southwark\nDay services for adults.", "Other matters\nNothing here."],
                   outline=[("Bede House, Southwark", 1, 0), ("Other matters", 2, 0)])
    assert case_passages(enrich_document(document, "R", "research report", [])) == [(1, "Bede House, Southwark", ("SWK",))]


def test_mentions_of_case_studies_in_prose_are_not_case_studies():
    document = pdf(["Chapters 4 and 5 each include case studies.\nA case study: the text goes on about Leeds."])
    assert case_passages(enrich_document(document, "R", "research report", [])) == []


def test_a_case_study_passage_carries_only_its_own_place():
    document = pdf(["Case study: Five Arches, York\nInspired by work in Bradford and Leeds."])
    assert case_passages(enrich_document(document, "R", "briefing", [])) == [(1, "Five Arches, York", ("YOR",))]


def test_indexed_case_studies_from_headings_boxes_and_whole_pages(finding_service):
    entries = {entry.title: entry for entry in finding_service.case_studies()}
    assert set(entries) == {
        "Bowling Park Care Cooperative, Bradford",
        "Deptford Works Employment Partnership, London Borough of Lewisham",
        "Shoreditch Larder, Hackney",
        "York: a housing project that keeps people at home",
    }
    bowling = entries["Bowling Park Care Cooperative, Bradford"]
    assert (bowling.page, bowling.place.council_type, bowling.place.region) == (3, "metropolitan district", "Yorkshire and The Humber")
    assert bowling.url == "/documents/reports/care-close-to-home.pdf/file#page=3"
    assert bowling.themes == ["adult social care"]
    assert entries["Shoreditch Larder, Hackney"].url == "/documents/web/news.html#section-2"


def test_case_studies_page_lists_place_type_region_and_page(finding_client):
    html = finding_client.get("/case-studies").get_data(as_text=True)
    assert "4 of 4 case studies" in html
    assert "Bowling Park Care Cooperative, Bradford" in html
    assert "Bradford · metropolitan district · Yorkshire and The Humber" in html
    assert 'href="/documents/reports/care-close-to-home.pdf/file#page=3">p. 3</a>' in html
    assert "CC BY 4.0" in html


def test_case_studies_filter_by_council_type(finding_client):
    data = finding_client.get("/api/case-studies?council_type=London+borough").get_json()
    assert {entry["place"] for entry in data["case_studies"]} == {"Lewisham", "Hackney"}
    assert data["total"] == 2
    counts = {option["value"]: option["count"] for option in data["options"]["council_type"]}
    assert counts == {"London borough": 2, "metropolitan district": 1, "unitary": 1}


def test_councils_like_mine_come_first(finding_client):
    # Southwark: a London borough; Lewisham and Hackney are London boroughs in London too.
    data = finding_client.get("/api/case-studies?like=Southwark").get_json()
    assert data["like"]["code"] == "SWK"
    order = [(entry["place"], entry["like_mine"]) for entry in data["case_studies"]]
    assert [label for _place, label in order[:2]] == ["Same type of council, same region"] * 2
    assert {place for place, _label in order[:2]} == {"Lewisham", "Hackney"}
    # Wakefield: a metropolitan district in the same region as Bradford.
    first = finding_client.get("/api/case-studies?like=WKF").get_json()["case_studies"][0]
    assert (first["place"], first["like_mine"]) == ("Bradford", "Same type of council, same region")


def test_councils_like_mine_then_same_type_elsewhere(finding_client):
    # Manchester: a metropolitan district in the North West; Bradford is one elsewhere.
    entries = finding_client.get("/api/case-studies?like=Manchester").get_json()["case_studies"]
    assert (entries[0]["place"], entries[0]["like_mine"]) == ("Bradford", "Same type of council")


def test_the_council_picker_lists_councils_by_region(finding_client):
    html = finding_client.get("/case-studies?like=BRD").get_data(as_text=True)
    assert '<optgroup label="Yorkshire and The Humber">' in html
    assert '<option value="BRD" selected>Bradford</option>' in html
    assert "councils like Bradford (metropolitan district, Yorkshire and The Humber) first" in html


# An unknown council to compare with, or an empty filter, is ignored; a council type nobody has gives nothing.
@pytest.mark.parametrize("args, effect", [("like=Atlantis", "ignored"), ("like=%00", "ignored"),
                                          ("council_type=" + "x" * 5000, "nothing"), ("theme=&place=&region=", "ignored")])
def test_odd_case_study_filters_give_nothing_or_are_ignored(finding_client, args, effect):
    every = finding_client.get("/api/case-studies").get_json()
    response = finding_client.get(f"/api/case-studies?{args}")
    assert response.status_code == 200
    data = response.get_json()
    assert every["total"] > 0
    if effect == "nothing":
        assert (data["total"], data["case_studies"]) == (0, [])
    else:
        assert data["like"] is None
        assert data["total"] == every["total"] and data["case_studies"] == every["case_studies"]
    assert finding_client.get(f"/case-studies?{args}").status_code == 200


def test_document_page_lists_its_case_studies(finding_client):
    html = finding_client.get("/documents/reports/care-close-to-home.pdf").get_data(as_text=True)
    assert "Case studies in this document" in html
    assert "Bradford, metropolitan district · p. 3" in html
