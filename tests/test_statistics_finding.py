"""More of the statistics finder: references that are not figures, hedged and negative figures, filters,
hostile document text on the page, and figures that follow an incremental reindex."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import make_pdf
from kil_search.config import load_settings
from kil_search.enrich.statistics import find_statistics
from kil_search.indexing import run_index
from kil_search.web import create_app


def values(text: str) -> list[str]:
    """Return the values of the figures found in text, in reading order."""
    return [item.value for item in find_statistics(text)]


def by_value(text: str) -> dict:
    """Return {value: Statistic} for the figures of text."""
    return {item.value: item for item in find_statistics(text)}


@pytest.mark.parametrize("text", [
    "See page 12 for details and p. 14 too.",
    "Section 4.2 sets out the approach.",
    "Table 3 shows the trend since 2015.",
    "The strategy runs from 2020 to 2025.",
])
def test_page_section_and_table_numbers_and_years_are_not_figures(text):
    assert values(text) == []


def test_a_year_before_a_word_ending_in_k_is_still_a_year():
    assert values("The contract variation in 2020 took one phone call.") == []


def test_the_dash_of_a_financial_year_is_no_minus_and_starts_no_range():
    assert values("Trading fell from 28% of income in 2019-20 to 19% in 2021-22.") == ["28%", "19%"]
    assert by_value("It fell by -3% and −5% and rose 2-4%.")["-3%"].number == -3


def test_a_number_before_a_function_word_or_after_type_is_no_count():
    assert values("Care leavers aged 19 to 21 who are in touch; safe 121 before a shift; type 2 diabetes.") == []


def test_the_second_half_of_a_financial_year_is_not_a_count():
    assert values("Only a fifth of spend in 2021/22 went to local firms.") == []


def test_a_number_beside_a_capitalised_word_is_a_table_cell_not_a_count():
    assert values("Recommendations 28 Endnotes 30") == []
    assert values("Stage Councils Network 11 Next steps") == []


def test_a_count_names_the_plural_noun_after_an_adjective():
    found = by_value("The charity phoned 1,640 older residents and its 46 care workers delivered 21,400 food parcels.")
    assert found["1,640 older residents"].unit == "older residents"
    assert found["46 care workers"].unit == "care workers" and found["46 care workers"].number == 46
    assert found["21,400 food parcels"].unit == "food parcels"
    assert by_value("It reached 11 councils in the north.")["11 councils"].unit == "councils"


def test_a_count_opening_a_sentence_after_a_hedge_is_kept():
    found = by_value("About 1,200 people attended. All 11 councils signed.")
    assert found["1,200 people"].approximate is True
    assert "11 councils" in found


def test_a_footnote_marker_after_a_value_stays_out_of_the_value():
    found = by_value("Local spend rose to £2m.3 Later years were flat.")
    assert list(found) == ["£2m"]
    assert found["£2m"].number == 2_000_000


def test_a_range_keeps_its_text_and_parses_to_its_lower_bound():
    found = by_value("Each hub will cost £2–3m to build.")
    assert found["£2–3m"].number == 2_000_000 and found["£2–3m"].kind == "money"


def test_negative_and_approximate_figures():
    found = by_value("Footfall changed by -3% while around £2m was lost and nearly 45 per cent of shops closed.")
    assert found["-3%"].number == -3 and found["-3%"].approximate is False
    assert found["£2m"].approximate is True and found["£2m"].number == 2_000_000
    assert found["45 per cent"].approximate is True and found["45 per cent"].unit == "%"


def test_a_table_row_gives_each_cell_figure_with_the_row_as_its_sentence():
    found = by_value("Council | Spend | Projects\n\nKirklees | £1,250,000 | 14 projects | 2019")
    assert found["£1,250,000"].number == 1_250_000
    assert found["14 projects"].unit == "projects"
    assert "2019" not in found
    assert "Kirklees" in found["14 projects"].sentence


def test_counts_are_whole_things_with_a_noun():
    found = by_value("The fund helped 1,450 residents and 3 options were costed; one in five replied.")
    assert found["1,450 residents"].number == 1450
    assert found["3 options"].unit == "options"
    assert found["one in five"].kind == "ratio" and found["one in five"].number == pytest.approx(0.2)


def _write_reports(corpus: Path) -> None:
    """Write a research report and a case study with figures, one of them carrying markup in its text."""
    (corpus / "reports").mkdir(parents=True, exist_ok=True)
    make_pdf(corpus / "reports" / "study.pdf", [
        "Opening words about procurement in the borough.",
        "Procurement spend reached £4.5m across 9 councils <script>alert(1)</script> last year.",
    ], title="Procurement study")
    make_pdf(corpus / "reports" / "story.pdf", ["Procurement in Preston kept 63% of spend local."],
             title="Preston story")
    (corpus / "catalog.toml").write_text(
        '["reports/study.pdf"]\ntype = "research report"\n\n["reports/story.pdf"]\ntype = "case study"\n',
        encoding="utf-8")


@pytest.fixture
def indexed(tmp_path: Path):
    """Index the two reports; return (settings, client)."""
    corpus = tmp_path / "corpus"
    _write_reports(corpus)
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1, extract_timeout=30)
    run_index(settings)
    app = create_app({"corpus_dir": corpus, "index_dir": settings.index_dir, "TESTING": True})
    return settings, app.test_client()


def test_each_figure_stands_in_its_sentence_with_a_page_link(indexed):
    _settings, client = indexed
    body = client.get("/api/statistics?q=procurement").get_json()
    assert body["total"] == len(body["statistics"]) >= 3
    for item in body["statistics"]:
        assert item["value"] in item["sentence"]
        assert item["url"].endswith(f"#page={item['page']}")
    money = next(item for item in body["statistics"] if item["value"] == "£4.5m")
    assert money["page"] == 2 and money["document"]["type"] == "research report"


def test_a_type_filter_keeps_only_that_type_s_figures(indexed):
    _settings, client = indexed
    body = client.get("/api/statistics?q=procurement&type=case+study").get_json()
    assert [item["value"] for item in body["statistics"]] == ["63%"]
    assert {item["document"]["title"] for item in body["statistics"]} == {"Preston story"}


def test_markup_in_a_document_s_text_is_escaped_on_the_statistics_page(indexed):
    _settings, client = indexed
    html = client.get("/statistics?q=procurement").get_data(as_text=True)
    assert "<mark>£4.5m</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_an_incremental_reindex_replaces_an_edited_report_s_figures(indexed):
    settings, _client = indexed
    make_pdf(settings.corpus_dir / "reports" / "study.pdf", [
        "Opening words about procurement in the borough.",
        "Procurement spend reached £7.25m across 12 councils last year.",
    ], title="Procurement study")
    summary = run_index(settings)
    assert summary.indexed == ["reports/study.pdf"]  # only the edited file was read again
    client = create_app({"corpus_dir": settings.corpus_dir, "index_dir": settings.index_dir,
                         "TESTING": True}).test_client()
    found = {item["value"] for item in client.get("/api/statistics?q=procurement").get_json()["statistics"]}
    assert {"£7.25m", "12 councils", "63%"} <= found
    assert not {"£4.5m", "9 councils"} & found
