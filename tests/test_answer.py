"""Extractive answers on tiny libraries built in tmp: dates, counts, lists, honest silence, filters, facts, API, CLI, web."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import make_html, make_pdf
from kil_search.cli import main
from kil_search.config import Settings, load_settings
from kil_search.indexing import run_index
from kil_search.search import SearchService
from kil_search.answer import answer_question, looks_like_question, score_candidates
from kil_search.answer.model import WEIGHTS_FILE, load_model
from kil_search.answer.sentences import split_sentences, split_units
from kil_search.web import create_app

REVIEW_PAGES = [
    "Harbour Trust annual review. A community anchor organisation on the Portsmouth waterfront.",
    "Our history. The Harbour Trust was founded on 14 June 2011 by residents of the Quayside estate. "
    "It took over the old harbour master's office as its first home.",
    "Our people. The trust employs 23 staff and works with 140 volunteers, most of whom live within a mile "
    "of the Quayside community centre.",
    "Our priorities. The trust agreed five priorities for the next three years:\n"
    "1. Keep the Quayside community centre open seven days a week.\n"
    "2. Run a free debt advice service with the city council.\n"
    "3. Train young people from the estate as sailing instructors.\n"
    "4. Grow the food pantry into a community shop.\n"
    "5. Buy the boathouse through community asset transfer.",
]


def write_answer_corpus(root: Path) -> Path:
    """Write a tiny library: one annual review PDF, one briefing PDF and one web page."""
    (root / "reports").mkdir(parents=True)
    (root / "web").mkdir()
    make_pdf(root / "reports" / "harbour-review.pdf", REVIEW_PAGES, title="Harbour Trust annual review",
             outline=[("Our history", 2, 0), ("Our people", 3, 0), ("Our priorities", 4, 0)])
    make_pdf(root / "reports" / "tides-briefing.pdf",
             ["Tide tables. Spring tides in the harbour reach 4.8 metres; neap tides reach 3.1 metres.",
              "Moorings. The council licenses 310 moorings along the western shore."],
             title="Harbour tides briefing")
    make_html(root / "web" / "boathouse.html", title="Saving the boathouse",
              body_html="<h1>Saving the boathouse</h1><p>The boathouse dates from 1894.</p>"
                        "<h2>The appeal</h2><p>The appeal raised £86,000 from 1,200 donors in six weeks.</p>",
              published="2023-05-02")
    (root / "catalog.toml").write_text(
        '["reports/harbour-review.pdf"]\ntitle = "Harbour Trust annual review"\ntype = "research report"\ndate = "2023-04-01"\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Settings:
    """Index the answering library once for the module; return its settings."""
    root = tmp_path_factory.mktemp("answers")
    settings = load_settings(corpus_dir=write_answer_corpus(root / "corpus"), index_dir=root / "index", jobs=1)
    run_index(settings)
    return settings


@pytest.fixture(scope="module")
def service(library) -> SearchService:
    return SearchService(library.index_dir)


@pytest.fixture(scope="module")
def client(library):
    """Return a test client of the app over the answering library."""
    app = create_app({"corpus_dir": library.corpus_dir, "index_dir": library.index_dir, "TESTING": True})
    return app.test_client()


@pytest.mark.parametrize(
    ("text", "is_question"),
    [
        ("When was the Harbour Trust founded?", True),
        ("when was the harbour trust founded", True),
        ("how to join the network", True),
        ("Which councils joined first", True),
        ("Does it cost anything to join", True),
        ("harbour trust founded?", True),
        ("harbour trust", False),
        ("social value", False),
        ("what", False),
        ('"community asset transfer"', False),
        ("council -bradford", False),
        ("", False),
        ("   ", False),
    ],
)
def test_question_detection(text, is_question):
    assert looks_like_question(text) is is_question


def test_a_when_question_gets_the_date_with_its_page(service):
    result = answer_question(service, "When was the Harbour Trust founded?")
    answer = result.answer
    assert answer is not None
    assert "14 June 2011" in answer.text
    assert answer.document["id"] == "reports/harbour-review.pdf"
    assert answer.document["title"] == "Harbour Trust annual review"
    assert answer.page == 2
    assert answer.url.startswith("/documents/reports/harbour-review.pdf/file#page=2&search=")
    assert "founded" in answer.url


def test_a_how_many_question_gets_the_number(service):
    answer = answer_question(service, "How many volunteers does the trust have?").answer
    assert answer is not None and "140 volunteers" in answer.text and answer.page == 3


def test_a_how_much_question_on_a_web_page_links_to_its_section(service):
    answer = answer_question(service, "How much did the boathouse appeal raise?").answer
    assert answer is not None and "£86,000" in answer.text
    assert answer.url == "/documents/web/boathouse.html#section-2"


def test_what_are_the_five_question_returns_the_whole_list(service):
    answer = answer_question(service, "What are the five priorities of the Harbour Trust?").answer
    assert answer is not None and answer.page == 4
    lines = answer.text.splitlines()
    assert lines[0].endswith("five priorities for the next three years:")
    assert [line[:2] for line in lines[1:]] == ["1.", "2.", "3.", "4.", "5."]
    assert "boathouse" in lines[-1]


def test_an_unrelated_question_gets_no_confident_answer(service):
    result = answer_question(service, "What is the capital of Peru?")
    assert result.answer is None and result.alternatives == []


def test_stop_and_question_words_alone_find_nothing(service):
    assert answer_question(service, "What is it?").answer is None
    assert answer_question(service, "").answer is None


def test_api_ask_shape(client):
    data = client.get("/api/ask?q=When+was+the+Harbour+Trust+founded%3F").get_json()
    assert set(data) >= {"question", "answer", "alternatives", "passages"}
    assert data["question"] == "When was the Harbour Trust founded?"
    answer = data["answer"]
    assert set(answer) >= {"text", "context", "document", "page", "section", "url", "score"}
    assert set(answer["document"]) == {"id", "title", "type", "date"}
    assert answer["document"] == {"id": "reports/harbour-review.pdf", "title": "Harbour Trust annual review",
                                  "type": "research report", "date": "2023-04-01"}
    assert answer["page"] == 2 and "14 June 2011" in answer["text"] and answer["text"] in answer["context"]
    assert 0 < answer["score"] <= 1


def test_api_ask_without_an_answer_offers_passages(client):
    data = client.get("/api/ask?q=How+deep+is+the+harbour+mud%3F").get_json()
    assert data["answer"] is None and data["alternatives"] == []
    assert all(set(passage) >= {"document", "page", "excerpt_html", "url"} for passage in data["passages"])


@pytest.mark.parametrize("query", ["", "%00", "?", "a" * 3000, "<script>alert(1)</script>?", "what what what?"],
                         ids=["empty", "nul", "mark", "long", "script", "only-question-words"])
def test_api_ask_odd_input_never_fails(client, query):
    response = client.get(f"/api/ask?q={query}")
    assert response.status_code == 200
    assert "<script>" not in json.dumps(response.get_json()["passages"])


def test_search_page_shows_an_answer_card_for_a_question(client):
    html = client.get("/search?q=When+was+the+Harbour+Trust+founded%3F").get_data(as_text=True)
    assert '<section class="answer-card" aria-labelledby="answer-heading">' in html
    assert "14 June 2011" in html
    assert 'href="/documents/reports/harbour-review.pdf/file#page=2&amp;search=' in html
    assert "Research report" in html and "2023-04-01" in html


def test_search_page_has_no_card_for_keywords_but_ask_page_does(client):
    assert "answer-card" not in client.get("/search?q=harbour+trust").get_data(as_text=True)
    assert "answer-card" in client.get("/ask?q=harbour+trust+founded").get_data(as_text=True)


def test_card_says_plainly_when_it_has_no_answer(client):
    html = client.get("/search?q=What+is+the+capital+of+Peru%3F").get_data(as_text=True)
    assert "No confident answer" in html


def test_cli_ask_prints_answer_and_source(library):
    runner = CliRunner()
    result = runner.invoke(main, ["ask", "--index", str(library.index_dir), "How many volunteers does the trust have?"])
    assert result.exit_code == 0, result.output
    assert "140 volunteers" in result.output
    assert "Harbour Trust annual review · page 3" in result.output
    data = json.loads(runner.invoke(main, ["ask", "--index", str(library.index_dir), "--json", "When was the trust founded?"]).output)
    assert data["answer"]["page"] == 2


def test_cli_ask_without_index_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["ask", "--index", str(tmp_path / "nothing"), "When was the trust founded?"])
    assert result.exit_code != 0 and "Error" in result.output


def test_api_ask_before_any_index_is_503(tmp_path):
    app = create_app({"corpus_dir": tmp_path, "index_dir": tmp_path / "no-index", "TESTING": True})
    response = app.test_client().get("/api/ask?q=When+was+the+trust+founded%3F")
    assert response.status_code == 503 and "error" in response.get_json()


def test_ask_page_without_a_question_asks_for_one(client):
    html = client.get("/ask?q=").get_data(as_text=True)
    assert "Type a few words to search." in html and "answer-card" not in html


def test_a_type_filter_keeps_answers_to_documents_of_that_type(client):
    unfiltered = client.get("/api/ask", query_string={"q": "When was the Harbour Trust founded?"}).get_json()
    assert unfiltered["answer"]["document"]["id"] == "reports/harbour-review.pdf"
    briefings = client.get("/api/ask", query_string={"q": "When was the Harbour Trust founded?", "type": "briefing"}).get_json()
    cards = ([briefings["answer"]] if briefings["answer"] else []) + briefings["alternatives"]
    assert all(card["document"]["id"] != "reports/harbour-review.pdf" for card in cards)
    assert all(passage["document"]["type"] == "briefing" for passage in briefings["passages"])


def test_a_filter_nothing_meets_gives_no_answer(service):
    result = answer_question(service, "When was the Harbour Trust founded?", filters={"type": ["novel"]})
    assert result.answer is None and result.passages == []


def test_when_was_a_document_published_reads_its_date(service):
    answer = answer_question(service, "When was the Harbour Trust annual review published?").answer
    assert answer is not None and "1 April 2023" in answer.text
    assert answer.document["id"] == "reports/harbour-review.pdf"


def test_a_cover_page_is_never_an_answer(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(corpus / "lantern.pdf",
             ["Lantern Project annual report. Places: Ashby, Brackton, Calder Bay, Dunmore, Eastwick",
              "The Lantern Project runs evening classes. Its evening classes began in 2015 in the old mill at Brackton, "
              "and in 2019 they moved to the library where 300 learners now come each week."],
             title="Lantern Project annual report")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1)
    run_index(settings)
    service = SearchService(settings.index_dir)
    scored = score_candidates(service, "Which places does the Lantern Project annual report cover?")
    assert scored.units, "the second page should still be read"
    assert all(unit.page.fields["page"] != 1 for unit in scored.units)
    assert all(not unit.text.startswith("Places:") for unit in scored.units)


def test_the_shipped_model_fits_the_features_and_its_threshold_is_a_probability():
    model = load_model(WEIGHTS_FILE)
    assert 0 < model.threshold < 1
    assert len(model.scorer.weights) == len(model.scorer.mean) == len(model.scorer.scale)


def test_a_model_fitted_for_other_features_is_refused_with_a_clear_error(tmp_path):
    data = json.loads(WEIGHTS_FILE.read_text())
    data["features"] = data["features"][:-1]
    stale = tmp_path / "weights.json"
    stale.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="fit_answers.py"):
        load_model(stale)


def test_a_printed_line_ending_in_a_comma_carries_on():
    text = ("3 March 2020\nThe first six councils join the network: Ashby,\nBrackton, Calder Bay, Dunmere,\nElton and Farrow\n"
            "May 2021\nThe network publishes its first report on how councils commission local organisations")
    units = [unit.text for unit in split_units(text, hard_wrapped=True)]
    assert "The first six councils join the network: Ashby, Brackton, Calder Bay, Dunmere, Elton and Farrow" in units


def test_a_sentence_ends_before_an_endnote_mark():
    assert split_sentences("The first councils were Ashby and Elton.[1] Two of them were pilots.") == [
        "The first councils were Ashby and Elton.[1]", "Two of them were pilots."]


def test_which_organisation_in_a_place_is_a_case_study_reads_the_case_studies(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "web").mkdir(parents=True)
    make_html(corpus / "web" / "bede.html", title="Case study: Bede House, Southwark",
              body_html="<h1>Case study: Bede House, Southwark</h1><p>Bede House runs a domestic abuse service for "
                        "Southwark Council under a five-year grant agreement.</p>")
    make_html(corpus / "web" / "news.html", title="News",
              body_html="<h1>News</h1><p>Southwark Council published its budget; the council funds many "
                        "organisations in Southwark and Leeds.</p>")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1)
    run_index(settings)
    service = SearchService(settings.index_dir)
    if not any(entry.place and entry.place.name == "Southwark" for entry in service.case_studies()):
        pytest.fail("the indexer should have found the Southwark case study")
    answer = answer_question(service, "Which organisation in Southwark is a case study?").answer
    assert answer is not None and "Bede House" in answer.text and answer.document["id"] == "web/bede.html"
