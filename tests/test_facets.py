"""Facets: counts beside every value equal the results its filter gives; filters and sort in the URL."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from finding_corpus import finding_client, finding_service, finding_settings  # noqa: F401 (fixtures)


def facet(page, name):
    """Return {value: count} of one facet of a SearchPage."""
    return {value.value: value.count for value in next(item for item in page.facets if item.name == name).values}


@pytest.mark.parametrize("query, filters", [
    ("care", {}),
    ("council", {}),
    ("case studies", {}),
    ("care", {"council_type": ["metropolitan district"]}),
    ("care", {"type": ["research report", "case study"]}),
    ("commissioning", {"place": ["Kent"]}),
])
def test_every_count_equals_the_total_its_filter_gives(finding_service, query, filters):
    page = finding_service.search(query, filters=filters)
    checked = 0
    for counts in page.facets:
        for value in counts.values:
            chosen = {name: list(values) for name, values in filters.items() if name != counts.name}
            chosen[counts.name] = [value.value]
            assert finding_service.search(query, filters=chosen).total == value.count, (counts.name, value.value)
            checked += 1
    assert checked >= 5


def test_counts_are_documents_not_passages(finding_service):
    page = finding_service.search("care")
    # The care report has two case-study passages and several others about care: it counts once.
    assert facet(page, "type")["research report"] == 1
    assert sum(facet(page, "type").values()) == page.total


def test_values_within_a_facet_are_alternatives_and_facets_combine(finding_service):
    either = finding_service.search("care", filters={"council_type": ["London borough", "unitary"]})
    assert {hit.id for hit in either.results} == {"reports/care-close-to-home.pdf", "web/case-study-york.html"}
    both = finding_service.search("care", filters={"council_type": ["London borough"], "place": ["York"]})
    assert both.total == 0


def test_place_filter_keeps_passages_about_that_place(finding_service):
    page = finding_service.search("care", filters={"place": ["Bradford"]})
    assert [hit.id for hit in page.results] == ["reports/care-close-to-home.pdf"]
    assert all("Bradford" in passage.places for passage in page.results[0].passages)


def test_year_theme_and_type_labels(finding_service):
    page = finding_service.search("care")
    assert set(facet(page, "year")) == {"2021", "2023"}
    labels = {value.label for value in next(item for item in page.facets if item.name == "type").values}
    assert labels == {"Research report", "Case study"}
    assert "adult social care" in facet(page, "theme")


def test_sort_newest_and_oldest(finding_service):
    newest = [hit.date for hit in finding_service.search("council OR care", sort="newest").results]
    oldest = [hit.date for hit in finding_service.search("council OR care", sort="oldest").results]
    assert newest == sorted(newest, reverse=True) and len(newest) >= 3
    assert oldest == sorted(oldest)


def test_filters_and_sort_travel_in_the_url(finding_client):
    args = urlencode([("q", "care"), ("council_type", "metropolitan district"), ("sort", "newest")])
    html = finding_client.get(f"/search?{args}").get_data(as_text=True)
    assert '<input type="checkbox" id="f-council_type-' in html
    assert 'name="council_type" value="metropolitan district" checked' in html
    assert '<input type="hidden" name="sort" value="newest">' in html
    assert "Metropolitan district <span class=\"count\">(1)</span>" in html
    assert 'href="/search?q=care&amp;sort=newest">Clear all</a>' in html
    assert "Remove filter </span>Council type: Metropolitan district" in html
    assert "1 document" in html


def test_facet_panel_works_without_javascript(finding_client):
    html = finding_client.get("/search?q=care").get_data(as_text=True)
    assert '<details class="facet-panel" id="filters" open>' in html
    assert '<form class="facet-form" method="get" action="/search">' in html
    assert '<input type="hidden" name="q" value="care">' in html
    assert '<button type="submit">Apply filters</button>' in html
    assert "<legend>Council type</legend>" in html


def test_api_returns_facets_and_filters(finding_client):
    data = finding_client.get("/api/search?q=care&place=Bradford&sort=oldest").get_json()
    assert data["filters"] == {"place": ["Bradford"]} and data["sort"] == "oldest"
    place = next(item for item in data["facets"] if item["name"] == "place")
    bradford = next(value for value in place["values"] if value["value"] == "Bradford")
    assert bradford == {"value": "Bradford", "label": "Bradford", "count": data["total"], "selected": True}


def test_filters_alone_browse_the_library(finding_client):
    data = finding_client.get("/api/search?q=&region=London").get_json()
    assert {result["id"] for result in data["results"]} == {"reports/care-close-to-home.pdf", "web/news.html"}
    assert "Browse the library" in finding_client.get("/search?region=London").get_data(as_text=True)


# What an odd filter does: a value no document has gives nothing; a malformed or empty one is ignored.
@pytest.mark.parametrize("args, effect", [
    ("place=Atlantis", "nothing"), ("type=novel", "nothing"), ("place=" + "x" * 5000, "nothing"),
    ("theme=a&theme=b&theme=c", "nothing"),
    ("year=%00", "ignored"), ("council_type=", "ignored"), ("sort=sideways", "ignored"), ("case_study=maybe", "ignored"),
])
def test_odd_filters_give_nothing_or_are_ignored(finding_client, args, effect):
    plain = finding_client.get("/api/search?q=care&per_page=50").get_json()
    response = finding_client.get(f"/api/search?q=care&per_page=50&{args}")
    assert response.status_code == 200
    data = response.get_json()
    assert plain["total"] > 0
    if effect == "nothing":
        assert (data["total"], data["results"]) == (0, [])
    else:
        assert data["total"] == plain["total"]
        assert [result["id"] for result in data["results"]] == [result["id"] for result in plain["results"]]
    page = finding_client.get(f"/search?q=care&{args}")
    assert page.status_code == 200
    assert ("No documents match" in page.get_data(as_text=True)) == (effect == "nothing")


def test_unknown_place_matches_nothing(finding_client):
    assert finding_client.get("/api/search?q=care&place=Atlantis").get_json()["total"] == 0


def test_result_cards_show_section_page_count_and_reading_time(finding_client):
    html = finding_client.get("/search?q=simplified+tendering").get_data(as_text=True)
    assert "4 pages · 1 min read" in html
    assert '<span class="section">3. What changed</span>, <a class="page-link" href="/documents/reports/care-close-to-home.pdf/file#page=3">p. 3</a>' in html


def test_case_study_passages_are_labelled_on_result_cards(finding_client):
    html = finding_client.get("/search?q=cooperative").get_data(as_text=True)
    assert '<p class="case-label">Case study: Bowling Park Care Cooperative, Bradford</p>' in html


def test_cli_search_takes_filters_and_says_what_it_did(finding_settings):
    from click.testing import CliRunner

    from kil_search.cli import main

    runner = CliRunner()
    index = str(finding_settings.index_dir)
    result = runner.invoke(main, ["search", "--index", index, "case studies care", "--filter", "council_type=London borough"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 documents")
    assert "[case study: Deptford Works Employment Partnership, London Borough of Lewisham]" in result.output
    typo = runner.invoke(main, ["search", "--index", index, "commisioning"])
    assert "Did you mean: commissioning" in typo.output
    bad = runner.invoke(main, ["search", "--index", index, "care", "--filter", "nonsense"])
    assert bad.exit_code == 2 and "is not NAME=VALUE" in bad.output


def test_a_long_facet_lists_the_most_frequent_values_and_counts_the_rest(tmp_path, monkeypatch):
    from builders import make_pdf
    from kil_search.config import load_settings
    from kil_search.indexing import run_index
    from kil_search.search import SearchService

    monkeypatch.setattr("kil_search.search.facets.FACET_VALUE_LIMIT", 3)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    councils = ["Bradford", "Kirklees", "Oldham", "Rotherham", "Wirral", "Calderdale"]
    for number, council in enumerate(councils):
        # Bradford in every report, Kirklees in five, Oldham in four...: counts 6, 5, 4, 3, 2, 1.
        named = " and ".join(councils[:len(councils) - number])
        make_pdf(corpus / f"report-{number}.pdf", [f"Allotments in {named}."], title=f"Report {number}")
    run_index(load_settings(corpus_dir=corpus, index_dir=tmp_path / "index"))
    service = SearchService(tmp_path / "index")
    place = next(facet for facet in service.search("allotments").facets if facet.name == "place")
    assert [(value.label, value.count) for value in place.values] == [("Bradford", 6), ("Kirklees", 5), ("Oldham", 4)]
    assert place.more == 3 and place.to_json()["more"] == 3
    chosen = next(facet for facet in service.search("allotments", filters={"place": ["Calderdale"]}).facets
                  if facet.name == "place")
    assert "Calderdale" in [value.label for value in chosen.values if value.selected]  # a chosen value is always listed
    from kil_search.web import create_app

    page = create_app({"corpus_dir": corpus, "index_dir": tmp_path / "index"}).test_client().get("/search?q=allotments")
    assert "3 more place values not listed" in page.get_data(as_text=True)
