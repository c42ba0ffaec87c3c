"""Extractive answers on tiny libraries built in tmp: dates, counts, lists, honest silence, how sentences are weighed, API, CLI, web."""

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
from kil_search.search.answer import _shared_title_words, answer_question, looks_like_question
from kil_search.search.candidates import Candidate, PageText, analyse
from kil_search.search.cues import OTHER_COUNT, cue_strength
from kil_search.search.question import analyse_question
from kil_search.search.ranking import _is_keyword_list
from kil_search.search.sense import reverses
from kil_search.search.sentences import split_sentences, split_units
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


# --- How sentences are weighed: a second tiny library, of web pages ---------------------------------

NETWORK_PAGES = {
    "network-news.html": ("Harbour network news",
                          "<h2>Who has joined</h2>"
                          "<p>Eastwick (the first council to join the harbour network after the pilot), Fenmoor, Gorsey Vale and Hollins "
                          "joined in 2022, bringing the harbour network to nine councils.</p>"
                          "<p>Ashby, Brackton, Calder Bay, Dunmere, Elton and Farrow were the councils that joined the harbour network "
                          "first, in May 2019.</p>"
                          "<h2>Joining</h2><p>A council that joins the harbour network agrees to four things:</p>"
                          "<ul><li>endorse the harbour charter;</li><li>name a champion;</li><li>hold a conversation with residents;</li>"
                          "<li>share what it learns.</li></ul><p>The harbour network is supported by Locality.</p>"),
    "local-money.html": ("Keeping money local",
                         "<p>Councils can take money out of the local economy when they let big outsourcing contracts.</p>"
                         "<p>Councils can hold on to more money in the local economy when they buy from suppliers in the area.</p>"),
    "brookside.html": ("Brookside library transfer",
                       "<p>Across town the Ferry Lane Allotment Association took on a 10-year lease of the old depot.</p>"
                       "<p>Rather than close the branch library, the council worked with the Brookside Residents Association "
                       "to transfer the building.</p>"
                       "<p>The association, a volunteer-led charity, took on a 30-year lease at a peppercorn rent.</p>"),
    "millbrook.html": ("Millbrook Trust", "<p>Millbrook Trust has worked in the valley for twenty years and employs 40 staff.</p>"),
    "estate.html": ("Estate family support",
                    "<p>Referrals to children's services from the estate fell by 21 per cent after the first year.</p>"),
    "charter.html": ("Harbour charter", "<p>Nine councils signed the harbour charter in 2021.</p>"),
    "quayside.html": ("Market towns", "<p>At Ferry Lane, footfall on the high street increased by 4 per cent.</p>"
                                      "<p>The Quayside hub opened in spring 2023 with twelve units for local makers.</p>"
                                      "<p>In its first six months:</p><ul><li>the hub recorded 1,800 visitors a week;</li>"
                                      "<li>nine of the twelve units were let to new businesses;</li>"
                                      "<li>footfall on the high street increased by 18 per cent.</li></ul>"),
}


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> SearchService:
    """Index a library of small web pages, each built to test one way of weighing sentences."""
    root = tmp_path_factory.mktemp("network")
    (root / "corpus" / "web").mkdir(parents=True)
    for name, (title, body) in NETWORK_PAGES.items():
        make_html(root / "corpus" / "web" / name, title=title, body_html=f"<h1>{title}</h1>{body}", published="2023-05-02")
    settings = load_settings(corpus_dir=root / "corpus", index_dir=root / "index", jobs=1)
    run_index(settings)
    return SearchService(settings.index_dir)


def test_words_only_inside_brackets_count_for_less(network):
    answer = answer_question(network, "Which councils were the first to join the harbour network?").answer
    assert answer is not None and answer.text.startswith("Ashby, Brackton, Calder Bay")


def test_how_can_prefers_a_way_of_doing_it_to_its_reverse(network):
    answer = answer_question(network, "How can a council keep money in the local economy?").answer
    assert answer is not None and answer.text.startswith("Councils can hold on to more money")


@pytest.mark.parametrize(
    ("sentence", "strength"),
    [
        ("Councils can hold on to more of their budget when they buy from suppliers in the area.", 1.0),
        ("The council should publish what it spends.", 1.0),
        ("Large contracts can leave public services exposed.", 0.8),
        ("Local suppliers were paid on time.", 0.6),
    ],
)
def test_how_can_a_council_prefers_what_councils_can_do(sentence, strength):
    assert cue_strength(analyse_question("How can a council keep money in the local economy?"), sentence) == strength


@pytest.mark.parametrize(
    ("sentence", "reversed_sense"),
    [
        ("Large contracts take money out of local economies.", True),
        ("Profits leak away to head offices elsewhere.", True),
        ("Councils can keep money in the local economy.", False),
        ("Setting out to increase the share spent locally keeps money circulating.", False),
    ],
)
def test_a_sentence_saying_the_reverse_of_the_question_is_told_apart(sentence, reversed_sense):
    assert reverses(analyse_question("How can a council keep money in the local economy?"), analyse(sentence)[1]) is reversed_sense


def test_a_name_in_the_sentence_before_carries_over(network):
    answer = answer_question(network, "How long is the lease the Brookside Residents Association took on?").answer
    assert answer is not None and "30-year lease" in answer.text


def test_a_list_item_is_about_what_the_lines_before_the_list_name(network):
    answer = answer_question(network, "By how much did footfall increase on the Quayside high street?").answer
    assert answer is not None and "18 per cent" in answer.text


def test_a_page_that_never_names_who_is_asked_about_gives_no_answer(network):
    result = answer_question(network, "How many staff does Locality employ?")
    assert result.answer is None, result.answer.text
    assert any("Millbrook" in passage.excerpt_html for passage in result.passages)


def test_by_how_much_takes_a_percentage(network):
    answer = answer_question(network, "By how much did referrals to children's services fall on the estate?").answer
    assert answer is not None and "21 per cent" in answer.text


def test_glossary_alternatives_count_as_the_word_asked(network):
    answer = answer_question(network, "How many local authorities signed the harbour charter?").answer
    assert answer is not None and answer.text.startswith("Nine councils signed")


@pytest.mark.parametrize(
    ("sentence", "strength"),
    [
        ("Eastwick and Fenmoor joined in 2022, bringing the harbour network to nine councils.", 1.0),
        ("The number of councils in the network rose to nine.", 1.0),
        ("A council that joins the harbour network agrees to four things:", OTHER_COUNT),
        ("The network publishes 12 reports a year.", 0.8),
    ],
)
def test_how_many_wants_a_number_of_the_thing_asked_about(sentence, strength):
    assert cue_strength(analyse_question("How many councils are in the harbour network?"), sentence) == strength


@pytest.mark.parametrize(
    ("question", "pairs"),
    [
        ("How many councils are in the network?", ()),
        ("Which councils were the first to join the network?", (("first", "join"), ("join", "network"))),
        ("How can a council keep money in the local economy?", (("council", "keep"), ("keep", "monei"), ("local", "economi"))),
    ],
)
def test_only_words_written_together_make_a_phrase(question, pairs):
    assert analyse_question(question).phrase_pairs == pairs


@pytest.mark.parametrize(
    ("question", "several"),
    [
        ("Which councils took part in the pilot?", True),
        ("Which two early adopters did Locality work with?", True),
        ("Which was the first county council to sign up?", False),
        ("What share of organisations got a grant?", False),
        ("Which charity runs the hub?", False),
    ],
)
def test_which_with_a_plural_noun_asks_for_several(question, several):
    assert analyse_question(question).wants_list is several


@pytest.mark.parametrize(
    ("text", "is_tags"),
    [
        ("Themes: commissioning, procurement, social value, grants, asset transfer", True),
        ("network, county councils, district councils, webinars, events", True),
        ("The first councils to join were: Ashby, Brackton, Calder Bay, Dunmere, Elton", False),
        ("Ashby, Brackton, Calder Bay, Dunmere, Elton and Farrow were the councils that joined first", False),
    ],
)
def test_a_list_of_names_in_a_sentence_is_not_a_line_of_tags(text, is_tags):
    assert _is_keyword_list(text) is is_tags


def test_a_printed_line_ending_in_a_comma_carries_on():
    text = ("3 March 2020\nThe first six councils join the network: Ashby,\nBrackton, Calder Bay, Dunmere,\nElton and Farrow\n"
            "May 2021\nThe network publishes its first report on how councils commission local organisations")
    units = [unit.text for unit in split_units(text, hard_wrapped=True)]
    assert "The first six councils join the network: Ashby, Brackton, Calder Bay, Dunmere, Elton and Farrow" in units


def test_a_sentence_ends_before_an_endnote_mark():
    assert split_sentences("The first councils were Ashby and Elton.[1] Two of them were pilots.") == [
        "The first councils were Ashby and Elton.[1]", "Two of them were pilots."]


def test_search_rank_orders_candidates_without_changing_confidence():
    best = PageText({"doc_id": "a"}, "", retrieval=1.0)
    weaker = PageText({"doc_id": "b"}, "", retrieval=0.2)
    first, second = Candidate(weaker, "x", 0.8, "", "", ""), Candidate(best, "y", 0.78, "", "", "")
    assert sorted([first, second], key=lambda candidate: candidate.rank, reverse=True) == [second, first]
    assert first.score == 0.8


def test_a_word_in_most_retrieved_titles_names_no_document():
    pages = [PageText({"doc_id": doc_id, "title": title}, "", 1.0) for doc_id, title in
             [("a", "Keep it Local: a guide"), ("b", "Keep it Local Timeline"), ("c", "Navigating the Storm")]]
    assert _shared_title_words(pages) == {"keep", "local"}
