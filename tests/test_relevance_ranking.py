"""Ranking of natural-language queries: function words, long queries needing most words, BM25F fields."""

from __future__ import annotations

import pytest

from conftest import search_over_pages
from kil_search.search.rewrite import rewrite_query

PAGES = {
    "slabs.html": ("Heat conduction in composite slabs",
                   "<p>We study heat conduction in composite slabs made of two layers of different metals.</p>"),
    "transfer.html": ("Heat transfer in boundary layers",
                      "<p>Heat transfer from a flat plate to a laminar boundary layer at high speed.</p>"),
    "library.html": ("Library services",
                     "<p>The council set the budget for library services for the next three years.</p>"),
    "transport.html": ("Transport", "<h2>Transport</h2><p>Transport, transport and more transport for the town.</p>"),
    "rural.html": ("Village news",
                   "<p>Rural bus routes kept running thanks to transport grants from the parish.</p>"),
    "value.html": ("Procurement notes",
                   "<p>Councils weigh social value in procurement. The value of social clubs is another matter.</p>"),
    "value-apart.html": ("More procurement notes",
                         "<p>Councils weigh procurement value; social clubs matter too for the council.</p>"),
    "together.html": ("Pilot", "<p>The pilot tested wind tunnel models for one season.</p>"),
    "apart.html": ("Trial", "<p>Tunnel flooded; models lost; wind rose.</p>"),  # shorter: plain BM25 puts it first
    "separation.html": ("Boundary studies", "<p>Layer separation behind a step on a flat plate.</p>"),
}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    service = search_over_pages(tmp_path_factory.mktemp("relevance"), PAGES)
    yield service
    service.close()


def test_question_words_need_not_appear_in_the_results(service):
    results = service.search("What is the budget for library services?")
    assert [hit.id for hit in results.results] == ["library.html"]
    assert not results.matched_any_word


def test_a_long_question_finds_the_passage_with_most_of_its_words_and_says_not_all_matched(service):
    results = service.search("what problems of heat conduction in composite slabs have been solved so far")
    assert results.results[0].id == "slabs.html"
    assert "transfer.html" in [hit.id for hit in results.results]  # "heat" alone still counts, lower
    assert results.matched_any_word


def test_a_long_query_whose_words_all_appear_somewhere_does_not_say_any_word(service):
    results = service.search("heat conduction composite slabs metals")
    assert results.results[0].id == "slabs.html"
    assert not results.matched_any_word


def test_the_any_word_notice_looks_only_at_what_is_left_after_exclusions(service):
    results = service.search("heat conduction composite slabs -two")  # the page holding them all says "two"
    assert [hit.id for hit in results.results] == ["transfer.html"]
    assert results.matched_any_word


def test_a_word_repeated_in_title_heading_and_text_does_not_outweigh_a_second_word(service):
    results = service.search("rural transport grants")
    assert results.results[0].id == "rural.html"


def test_a_quoted_phrase_in_a_long_query_stays_a_must(service):
    results = service.search('"social value" councils weigh procurement')
    assert [hit.id for hit in results.results] == ["value.html"]


def test_words_typed_together_rank_the_passage_that_has_them_together_first(service):
    results = service.search("wind tunnel models")
    assert [hit.id for hit in results.results][:2] == ["together.html", "apart.html"]


def test_a_hyphenated_word_is_found_by_its_words_in_title_and_text(service):
    results = service.search("boundary-layer separation")  # "boundary" only in the title, "layer" in the text
    assert [hit.id for hit in results.results] == ["separation.html"]
    assert not results.matched_any_word


def test_each_word_of_a_hyphenated_word_counts_in_a_long_query(service):
    results = service.search("boundary-layer separation behind step")
    assert results.results[0].id == "separation.html"
    assert "transfer.html" in [hit.id for hit in results.results]  # "boundary layer" alone still counts, lower
    assert not results.matched_any_word  # the separation page holds every word


def test_short_queries_still_need_every_word(service):
    results = service.search("heat slabs")
    assert [hit.id for hit in results.results] == ["slabs.html"]
    assert not results.matched_any_word


@pytest.mark.parametrize("typed, searched", [
    ("what is the budget", "budget"),
    ("who are we", "who are we"),  # nothing else left: searched as typed
    ("care OR the council", "care OR the council"),  # a word next to an operator stays
    ('"the social" what', '"the social" what'),  # no plain word would be left
    ('what "the social" care', '"the social" care'),  # quoted phrases are kept whole
    ("NOT what care", "NOT what care"),
    ("-the care", "-the care"),
])
def test_function_words_are_left_out_only_where_nothing_depends_on_them(typed, searched):
    assert rewrite_query(typed, None).text == searched
