"""Council-speak: glossary alternatives searched and shown, exact words on request, word endings."""

from __future__ import annotations

import pytest

from finding_corpus import finding_client, finding_service, finding_settings  # noqa: F401 (fixtures)
from kil_search.errors import KilSearchError
from kil_search.search.glossary import Glossary, load_glossary, stems
from kil_search.search.query import parse_query
from kil_search.search.rewrite import rewrite_query

GLOSSARY = Glossary([["VCSE", "voluntary and community sector", "third sector"], ["CAT", "community asset transfer"],
                     ["councillor", "council", "local authority"]])


def test_vcse_finds_passages_that_only_say_voluntary_and_community_sector(finding_service):
    page = finding_service.search("VCSE")
    guide = next(hit for hit in page.results if hit.id == "reports/commissioning-guide.pdf")
    assert "VCSE" not in guide.passages[0].text
    assert "<mark>voluntary</mark> and <mark>community</mark> <mark>sector</mark>" in guide.passages[0].excerpt_html
    assert [expansion.typed for expansion in page.expansions] == ["VCSE"]


def test_the_page_says_what_else_was_searched_and_links_to_the_exact_words(finding_client):
    html = finding_client.get("/search?q=VCSE").get_data(as_text=True)
    assert "Also searched: voluntary and community sector; third sector" in html
    assert '<a href="/search?q=VCSE&amp;exact=1">Search only for the words you typed</a>' in html
    exact = finding_client.get("/search?q=VCSE&exact=1").get_data(as_text=True)
    assert "Also searched" not in exact and "A guide to commissioning" not in exact
    assert "News: VCSE grants announced" in exact


def test_api_lists_the_alternatives(finding_client):
    data = finding_client.get("/api/search?q=VCSE+grants").get_json()
    assert data["also_searched"][0]["typed"] == "VCSE"
    assert "voluntary and community sector" in data["also_searched"][0]["alternatives"]


def test_typed_words_rank_above_alternatives(finding_service):
    assert finding_service.search("VCSE").results[0].id == "web/news.html"


def test_council_finds_councils_and_councillors(finding_service):
    # The stemmer joins council/councils/council's; the glossary joins council and councillor.
    assert stems("councils") == stems("council's") == ("council",)
    assert stems("councillors") == ("councillor",)
    assert finding_service.search("councillors").total >= 2  # the guide says "Councillors", the report "councillors"
    council = {hit.id for hit in finding_service.search("council").results}
    assert "reports/care-close-to-home.pdf" in council  # it says "councils" and "councillors", never "council"


@pytest.mark.parametrize("typed, expected", [
    ("VCSE grants", '((VCSE) OR "voluntary and community sector" OR "third sector") grants'),
    ("community asset transfer", "((community asset transfer) OR CAT)"),
    ("Councillors' role", "((Councillors') OR council OR \"local authority\") role"),
    ('"third sector" -CAT', '"third sector" -CAT'),
    ("NOT VCSE", "NOT VCSE"),
    ("(VCSE OR charity) grants", '( ((VCSE) OR "voluntary and community sector" OR "third sector") OR charity ) grants'),
    ("(care)  homes", "(care)  homes"),
])
def test_rewrite_expands_plain_words_only(typed, expected):
    assert rewrite_query(typed, GLOSSARY).text == expected


def test_exact_leaves_the_text_alone():
    rewrite = rewrite_query("case studies VCSE", GLOSSARY, exact=True)
    assert (rewrite.text, rewrite.expansions, rewrite.case_studies_only) == ("case studies VCSE", [], False)


@pytest.mark.parametrize("typed", ["case studies adult social care", "adult social care case study", "case-studies adult social care"])
def test_case_studies_in_the_query_become_a_filter(typed):
    rewrite = rewrite_query(typed, GLOSSARY)
    assert rewrite.case_studies_only and rewrite.text.split() == ["adult", "social", "care"]


def test_quoted_case_studies_stay_words():
    rewrite = rewrite_query('"case studies" care', GLOSSARY)
    assert not rewrite.case_studies_only and rewrite.text == '"case studies" care'


def test_hyphenated_words_are_words_not_exclusions():
    assert parse_query("co-production").excluded is None
    assert parse_query("care -bradford").excluded is not None


def test_the_shipped_glossary_has_the_groups_the_library_needs():
    glossary = load_glossary()
    assert "voluntary and community sector" in glossary.alternatives(stems("VCSE"))
    assert "community asset transfer" in glossary.alternatives(stems("CAT"))
    assert "Local Multiplier 3" in glossary.alternatives(stems("LM3"))
    assert {"procurement", "contracting"} <= set(glossary.alternatives(stems("commissioning")))


def test_a_broken_glossary_is_a_clear_error(tmp_path):
    path = tmp_path / "glossary.toml"
    path.write_text("[[group]]\nterms = 'not a list'\n")
    with pytest.raises(KilSearchError, match="group 1 needs terms"):
        load_glossary(path)
