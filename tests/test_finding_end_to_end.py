"""The finding aids over the real sample library (corpus/): the issue's "done when" checks."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.places import load_gazetteer
from kil_search.web import create_app
from servers import REPO_ROOT

CASE_QUERY = {"q": "case studies adult social care", "council_type": "metropolitan district"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = load_settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path_factory.mktemp("sample") / "index", jobs=2)
    summary = run_index(settings)
    assert summary.failed == [] and summary.documents >= 20
    app = create_app({"corpus_dir": settings.corpus_dir, "index_dir": settings.index_dir, "TESTING": True})
    return app.test_client()


def test_case_studies_about_adult_social_care_in_metropolitan_districts(client):
    data = client.get("/api/search?" + urlencode(CASE_QUERY)).get_json()
    assert data["case_studies_only"] and data["total"] >= 2
    gazetteer = load_gazetteer()
    shown = []
    for result in data["results"]:
        for passage in result["passages"]:
            assert passage["case_study"], (result["id"], passage["page"])
            assert [gazetteer.resolve(place).council_type for place in passage["places"]] == ["metropolitan district"]
            assert isinstance(passage["page"], int) and passage["url"].endswith(f"#page={passage['page']}")
            shown.append((passage["case_study"], passage["page"]))
    assert ("Bowling Park Community Care, Bradford", 10) in shown
    listed = client.get("/api/case-studies?" + urlencode({"council_type": "metropolitan district", "theme": "adult social care"})).get_json()
    assert {entry["title"] for entry in listed["case_studies"]} <= {title for title, _page in shown}


def test_the_results_page_shows_those_case_studies_with_page_numbers(client):
    html = client.get("/search?" + urlencode(CASE_QUERY)).get_data(as_text=True)
    assert "Showing case studies only" in html
    assert '<p class="case-label">Case study: Bowling Park Community Care, Bradford</p>' in html
    assert 'file#page=10">p. 10</a>' in html


@pytest.mark.parametrize("query, filters", [
    ("case studies adult social care", {"council_type": ["metropolitan district"]}),
    ("social value", {}),
    ("commissioning", {"region": ["London"], "type": ["research report"]}),
])
def test_every_facet_count_equals_the_results_of_its_filter(client, query, filters):
    def search(chosen):
        pairs = [("q", query)] + [(name, value) for name, values in chosen.items() for value in values]
        return client.get("/api/search?" + urlencode(pairs)).get_json()

    checked = 0
    for facet in search(filters)["facets"]:
        for value in facet["values"]:
            chosen = {name: values for name, values in filters.items() if name != facet["name"]}
            chosen[facet["name"]] = [value["value"]]
            assert search(chosen)["total"] == value["count"], (facet["name"], value["value"])
            checked += 1
    assert checked >= 8


def test_a_misspelling_suggests_commissioning(client):
    html = client.get("/search?q=commisioning").get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=commissioning">commissioning</a>?' in html


def test_vcse_finds_voluntary_and_community_sector_and_says_so(client):
    data = client.get("/api/search?q=VCSE&per_page=20").get_json()
    only_long_form = [passage for result in data["results"] for passage in result["passages"]
                      if "<mark>voluntary</mark> and <mark>community</mark> <mark>sector</mark>" in passage["excerpt_html"]
                      and "VCSE" not in passage["excerpt_html"]]
    assert only_long_form
    html = client.get("/search?q=VCSE").get_data(as_text=True)
    assert "Also searched: voluntary and community sector" in html
    assert 'href="/search?q=VCSE&amp;exact=1"' in html
