"""A long query's word missing from a passage counts, for less, through an index word that starts the same way or
an irregular form of it ("fought" for "fight")."""

from __future__ import annotations

import pytest

from conftest import search_over_pages

PAGES = {
    # Equal but for one word: "originated" (stemmed "originat") is a variant of the typed "origins" ("origin").
    "a-plain.html": ("Notes", "<p>The name of the festival came from the town guilds, as the records show.</p>"),
    "b-variant.html": ("Notes", "<p>The name of the festival originated with the town guilds, as records show.</p>"),
    "c-other.html": ("Parking", "<p>Parking permits for residents of the town centre.</p>"),
    # Equal but for one word: "fought" is a form of the typed "fight" no stemmer joins to it.
    "d-plain.html": ("Ward news", "<p>Residents there took on the closure of the ward library.</p>"),
    "e-irregular.html": ("Ward news", "<p>Residents there fought the closure of the ward library.</p>"),
}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    service = search_over_pages(tmp_path_factory.mktemp("variants"), PAGES)
    yield service
    service.close()


def test_a_variant_of_a_missing_word_ranks_its_passage_first(service):
    results = service.search("origins of the festival name guilds")
    assert [hit.id for hit in results.results][:2] == ["b-variant.html", "a-plain.html"]


def test_a_variant_is_not_the_word_so_the_any_word_notice_stays(service):
    assert service.search("origins of the festival name guilds").matched_any_word


def test_a_short_query_is_not_matched_in_full_by_a_variant_but_ranked_by_it(service):
    results = service.search("festival origins")  # no page says "origins": any word, and the page says so
    assert results.matched_any_word
    assert [hit.id for hit in results.results] == ["b-variant.html", "a-plain.html"]


def test_an_irregular_form_of_a_missing_word_ranks_its_passage_first(service):
    results = service.search("residents fight library closure")
    assert [hit.id for hit in results.results][:2] == ["e-irregular.html", "d-plain.html"]
    assert results.matched_any_word  # "fought" is not "fight": no page holds every word
