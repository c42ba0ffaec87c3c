"""The statistics finder: figures found in sentences we write, and served with their page by /api/statistics."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import make_pdf
from conftest import indexed_client
from kil_search.enrich.statistics import find_statistics


def figures(text: str) -> dict[str, tuple]:
    """Return {value: (kind, number, unit, approximate)} for the figures of text."""
    return {item.value: (item.kind, item.number, item.unit, item.approximate) for item in find_statistics(text)}


@pytest.mark.parametrize("text, value, kind, number, unit", [
    ("The programme cost £1.5m in its first year.", "£1.5m", "money", 1_500_000, "GBP"),
    ("Savings of £300,000 were made.", "£300,000", "money", 300_000, "GBP"),
    ("The budget was £2bn overall.", "£2bn", "money", 2_000_000_000, "GBP"),
    ("Costs range from £2–3m each.", "£2–3m", "money", 2_000_000, "GBP"),
    ("Funding fell by -£200k last year.", "-£200k", "money", -200_000, "GBP"),
    ("Turnout rose to 45% this year.", "45%", "percentage", 45, "%"),
    ("Only 12.5 per cent agreed.", "12.5 per cent", "percentage", 12.5, "%"),
    ("It now reaches 11 councils in the north.", "11 councils", "count", 11, "councils"),
    ("We spoke to 1,450 residents in total.", "1,450 residents", "count", 1450, "residents"),
    ("One in five homes are cold.", "One in five", "ratio", 0.2, "ratio"),
    ("Spend grew 2.5 times in a decade.", "2.5 times", "multiplier", 2.5, "times"),
    ("The lease runs for 25 years from now.", "25 years", "duration", 25, "years"),
])
def test_a_figure_is_found_with_its_value_as_written_and_its_parsed_number(text, value, kind, number, unit):
    found = figures(text)
    assert value in found, found
    assert found[value][:3] == (kind, pytest.approx(number), unit)


def test_an_lm3_score_is_a_multiplier_not_money():
    found = figures("The LM3 score was £1.76 for every pound spent.")
    assert found["£1.76"][0] == "multiplier"


def test_hedged_figures_are_marked_approximate():
    found = figures("Around 45% said yes, and 30% said no.")
    assert found["45%"][3] is True and found["30%"][3] is False


def test_years_and_page_numbers_are_not_counts():
    assert figures("In 2019 the council published it; see 12 pages later and 3 March.") == {}


def test_the_value_stands_at_its_span_in_its_sentence():
    text = "Intro line.\n\nA table row: Leeds | £4.2m | 17 projects\n\nFootnote 3: about 60% of spend stayed local."
    for item in find_statistics(text):
        assert item.sentence[item.start:item.end] == item.value
    assert {"£4.2m", "17 projects", "60%"} <= {item.value for item in find_statistics(text)}


@pytest.fixture
def statistics_client(tmp_path: Path):
    """Index two small reports full of figures and return a client."""
    corpus = tmp_path / "corpus"
    (corpus / "reports").mkdir(parents=True)
    make_pdf(corpus / "reports" / "value.pdf", [
        "Introduction to the social value study of the borough.",
        "Social value reached £1.5m across 11 councils in the study.",
        "About 40% of social value spend stayed local <b>here</b>.",
    ], title="Social value study")
    make_pdf(corpus / "reports" / "other.pdf", ["Parks cost £9m to maintain this year."], title="Parks report")
    return indexed_client(corpus, tmp_path / "index")


def test_api_statistics_gives_values_in_their_sentences_with_page_links(statistics_client):
    body = statistics_client.get("/api/statistics?q=social+value").get_json()
    assert list(body) == ["query", "total", "statistics"]
    by_value = {item["value"]: item for item in body["statistics"]}
    assert {"£1.5m", "11 councils", "40%"} <= set(by_value)
    assert "£9m" not in by_value  # from a document that does not match
    money = by_value["£1.5m"]
    assert money["number"] == 1_500_000 and money["unit"] == "GBP" and money["kind"] == "money"
    assert money["value"] in money["sentence"]
    assert money["page"] == 2 and money["url"].endswith("#page=2")
    assert money["document"]["title"] == "Social value study"
    assert set(money["document"]) == {"id", "title", "type", "date"}


def test_api_statistics_filters_by_kind_and_sorts_by_size(statistics_client):
    body = statistics_client.get("/api/statistics?q=social+value&kind=percentage").get_json()
    assert [item["value"] for item in body["statistics"]] == ["40%"]
    largest = statistics_client.get("/api/statistics?q=social+value&sort=largest").get_json()["statistics"]
    assert largest[0]["value"] == "£1.5m"


def test_statistics_page_marks_the_value_in_an_escaped_sentence(statistics_client):
    html = statistics_client.get("/statistics?q=social+value").get_data(as_text=True)
    assert "<mark>£1.5m</mark>" in html
    assert "<mark>40%</mark>" in html
    assert "&lt;b&gt;here&lt;/b&gt;" in html or "<b>here</b>" not in html
    assert 'href="/files/reports/value.pdf#page=2"' in html or "#page=2" in html


def test_statistics_with_hostile_queries_never_fail(statistics_client):
    for query in ("<script>alert(1)</script>", "£", "%", "\"", "a" * 500):
        assert statistics_client.get("/statistics", query_string={"q": query}).status_code == 200
        assert statistics_client.get("/api/statistics", query_string={"q": query}).status_code == 200


def test_numbers_that_name_things_are_not_counts():
    assert figures("Table 3 shows the Multiplier 3 method; a score of 1 would mean nothing stayed.") == {}
