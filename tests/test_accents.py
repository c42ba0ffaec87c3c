"""A word typed with or without its accents finds, highlights and suggests the other (issue 14)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from builders import make_html, make_pdf
from conftest import indexed_client
from kil_search.answer.words import stems as answer_stems
from kil_search.config import load_settings
from kil_search.errors import IndexMissingError
from kil_search.index.schema import SCHEMA_VERSION, text_analyzer
from kil_search.index.store import STAMP_FILE, current_generation
from kil_search.indexing import run_index
from kil_search.search import SearchService
from kil_search.search.excerpts import find_matches, make_excerpt
from kil_search.search.query import parse_query

CAFE_TEXT = ("The Beauséjour community café opened in 2021. Volunteers from São Paulo and Zürich ran its "
             "naïve art classes, and the CAFÉS of the estate now share one kitchen.")
PLAIN_TEXT = "The Pokemon club met at the Creme Brulee bakery, a naive but popular idea from the Sao Paulo twinning."


@pytest.fixture(scope="module")
def accents_client(tmp_path_factory):
    """Index one page written with accents, one without, and one PDF with accents; return a client."""
    root = tmp_path_factory.mktemp("accents")
    corpus = root / "corpus"
    corpus.mkdir()
    make_html(corpus / "cafe.html", title="Beauséjour café report", body_html=f"<p>{CAFE_TEXT}</p>")
    make_html(corpus / "plain.html", title="Twinning club notes", body_html=f"<p>{PLAIN_TEXT}</p>")
    make_pdf(corpus / "pilot.pdf", ["A pilot at the Hôtel de Ville in Besançon: the régie ran the café."],
             title="Besançon pilot")
    return indexed_client(corpus, root / "index")


def search(client, query: str) -> dict:
    """Return /api/search's JSON for a query."""
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200
    return response.get_json()


def titles(body: dict) -> list[str]:
    """Return the result titles of a search page."""
    return [result["title"] for result in body["results"]]


def excerpts(body: dict) -> str:
    """Return every passage excerpt of a search page, joined."""
    return "\n".join(passage["excerpt_html"] for result in body["results"] for passage in result["passages"])


@pytest.mark.parametrize("query", ["beausejour", "Beausejour cafe", "BEAUSEJOUR", "Beauséjour café", "beausejóur"])
def test_accented_text_is_found_whether_the_query_has_accents_or_not(accents_client, query):
    body = search(accents_client, query)
    assert titles(body) == ["Beauséjour café report"] and not body["matched_any_word"]


@pytest.mark.parametrize("query", ["Pokémon", "crème brûlée", "naïve", "São Paulo"])
def test_plain_text_is_found_by_a_query_with_accents(accents_client, query):
    assert "Twinning club notes" in titles(search(accents_client, query))


def test_a_word_written_both_ways_finds_both_documents(accents_client):
    assert sorted(titles(search(accents_client, "sao paulo"))) == ["Beauséjour café report", "Twinning club notes"]
    assert sorted(titles(search(accents_client, "naive"))) == ["Beauséjour café report", "Twinning club notes"]


def test_the_excerpt_marks_the_accented_words_as_written(accents_client):
    shown = excerpts(search(accents_client, "beausejour cafe zurich"))
    assert "<mark>Beauséjour</mark>" in shown and "<mark>café</mark>" in shown and "<mark>Zürich</mark>" in shown
    assert "<mark>CAFÉS</mark>" in shown  # plural and capitals fold to the same stem
    assert "naïve art classes" in shown  # text that is not marked keeps its accents too


def test_the_excerpt_marks_plain_words_for_an_accented_query(accents_client):
    shown = excerpts(search(accents_client, "Pokémon brûlée"))
    assert "<mark>Pokemon</mark>" in shown and "<mark>Brulee</mark>" in shown


def test_a_phrase_across_an_accented_word_matches_either_way(accents_client):
    for phrase in ('"beausejour community cafe"', '"Beauséjour community café"', '"BEAUSÉJOUR COMMUNITY CAFE"'):
        body = search(accents_client, phrase)
        assert titles(body) == ["Beauséjour café report"], phrase
        assert "<mark>Beauséjour</mark> <mark>community</mark> <mark>café</mark>" in excerpts(body), phrase
    assert search(accents_client, '"cafe community beausejour"')["total"] == 0  # still a phrase: order counts


def test_accents_extracted_from_a_pdf_are_folded_too(accents_client):
    assert titles(search(accents_client, "besancon regie hotel")) == ["Besançon pilot"]
    assert "<mark>Besançon</mark>" in excerpts(search(accents_client, "besancon"))


def test_excluding_a_word_excludes_it_written_with_accents(accents_client):
    assert titles(search(accents_client, "cafe -besancon")) == ["Beauséjour café report"]


def test_did_you_mean_knows_a_word_whatever_its_accents(accents_client):
    assert search(accents_client, "Beauséjour")["did_you_mean"] is None
    assert search(accents_client, "beausejour")["did_you_mean"] is None
    suggestion = search(accents_client, "Beausejuor")["did_you_mean"]
    assert suggestion == {"query": "Beausejour", "total": 1}  # the corrected query finds the accented page


def test_autocomplete_completes_a_prefix_typed_with_or_without_accents(accents_client):
    for typed in ("beause", "beausé", "Beauséjour caf"):
        suggestions = accents_client.get("/api/suggest", query_string={"q": typed}).get_json()["suggestions"]
        assert {"text": "Beauséjour café report", "kind": "title", "url": "/documents/cafe.html"} in suggestions, typed


@pytest.mark.parametrize("text, query", [
    ("Beauséjour, BEAUSÉJOUR and Beausejour", "beausejour"),
    ("İstanbul et Beauséjour", "beausejour"),  # İ lower-cases to two letters: the plain walk
    ("ſo the café", "cafe"),  # ſ pairs with s in re.IGNORECASE only: the plain walk
    ("Thé and the ón", "the on"),  # folding makes stop words: nothing marked
    ("Beause\u0301jour", "beause"),  # a decomposed accent splits the word, as the index splits it
    ("Crème brûlée, creme brulee", "crème brûlée"),
])
def test_marked_words_are_the_analysers_words_with_accents(text, query):
    terms = parse_query(query).highlight_terms
    analysed = [(token.startchar, token.endchar, token.text)
                for token in text_analyzer()(text, chars=True, mode="query") if token.text in terms]
    assert find_matches(text, terms) == analysed


def test_a_phrase_is_marked_in_the_excerpt_whatever_its_accents():
    text = "Crème brûlée, creme brulee and brûlée crème"
    phrase = tuple(token.text for token in text_analyzer()("creme brulee", mode="query"))
    marked = [text[start:end] for start, end, _term in find_matches(text, frozenset(), frozenset({phrase}))]
    assert marked == ["Crème", "brûlée", "creme", "brulee"]


def test_marked_words_match_the_analyser_on_random_accented_text():
    pieces = ["café", "Café", "CAFÉ", "cafe", "cafés", "São", "sao", "é", "É", "ı", "İ", "ſ", "\u0301", "’", "£",
              "Zürich", "zurich", "Σ", "'", ".", "-", " ", " ", " ", "\n", "the", "thé", "x"]
    terms = parse_query("café sao zurich").highlight_terms
    chooser = random.Random(1414)
    for _ in range(2000):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 30)))
        expected = [(token.startchar, token.endchar, token.text)
                    for token in text_analyzer()(text, chars=True, mode="query") if token.text in terms]
        assert find_matches(text, terms) == expected, text


def test_an_excerpt_keeps_every_original_character():
    text = "Le conseil a décidé d’élargir la zone piétonne près du marché de Beauséjour. " * 6
    html = str(make_excerpt(text, parse_query("beausejour decide").highlight_terms))
    assert "<mark>décidé</mark>" in html and "<mark>Beauséjour</mark>" in html
    assert html.replace("<mark>", "").replace("</mark>", "").replace("&#39;", "'").strip(" …") in text


def test_answer_words_fold_accents_as_the_index_does():
    assert answer_stems("Les cafés de Beauséjour, thé") == answer_stems("les cafes de beausejour") == ("le", "cafe", "de", "beausejour")


def test_an_index_from_before_accent_folding_is_still_searched_until_the_indexer_rebuilds_it(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_html(corpus / "cafe.html", title="Community café", body_html="<p>The Beauséjour café and the library.</p>")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1)
    run_index(settings)
    live = current_generation(settings.index_dir)
    (live / STAMP_FILE).write_text("5\n")  # as the version before folding stamped it
    service = SearchService(settings.index_dir)
    assert service.search("library").total == 1  # served, not "no index"
    summary = run_index(settings)
    assert summary.rebuilt
    assert (current_generation(settings.index_dir) / STAMP_FILE).read_text().strip() == str(SCHEMA_VERSION)
    assert SearchService(settings.index_dir).search("beausejour").total == 1
    (current_generation(settings.index_dir) / STAMP_FILE).write_text("4\n")  # older still: not readable
    with pytest.raises(IndexMissingError, match="run `kil-search index`"):
        SearchService(settings.index_dir).search("library")
