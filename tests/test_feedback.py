"""Pseudo-relevance feedback: a long query's best passages lend their words to rank the rest, never to add documents."""

from __future__ import annotations

import pytest

from conftest import search_over_pages

LONG_QUERY = "how well do wind tunnel measurements of flutter on swept wings agree with linear theory"
PAGES = {
    # The best matches: most of the typed words, and both speak of aeroelastic divergence.
    "best.html": ("Flutter of swept wings",
                  "<p>Wind tunnel measurements of flutter on swept wings agree with linear theory until "
                  "aeroelastic divergence sets in; aeroelastic divergence limits the speed.</p>"),
    "second.html": ("Flutter tests",
                    "<p>Flutter measurements in a wind tunnel on swept wings show aeroelastic divergence "
                    "ahead of what linear theory gives.</p>"),
    # Two pages holding the same two typed words, equally long: only one shares the best pages' subject
    # (named so that a tie would put the other first).
    "b-related.html": ("Note one", "<p>Wind and theory. Aeroelastic divergence of panels, aeroelastic divergence again.</p>"),
    "a-unrelated.html": ("Note two", "<p>Wind and theory. Harbour ferries of islands, harbour ferries again.</p>"),
    # No typed word at all: feedback must not bring it in.
    "subject-only.html": ("Panels", "<p>Aeroelastic divergence of thin panels.</p>"),
}
FILLER = ["library opening hours", "bus routes in villages", "parks and open spaces", "council tax bands",
          "school admissions", "waste collection days", "housing repairs", "planning applications",
          "adult social care charges", "leisure centre prices", "parking permits", "cemetery records",
          "street lighting", "allotment waiting lists", "youth clubs", "market stalls"]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    pages = dict(PAGES)
    for number, subject in enumerate(FILLER):  # so the subject's words are rare, as in a real library
        pages[f"filler-{number}.html"] = (subject.title(), f"<p>Notes on {subject} for residents.</p>")
    service = search_over_pages(tmp_path_factory.mktemp("feedback"), pages)
    yield service
    service.close()


def test_a_long_query_ranks_a_page_sharing_its_best_matches_subject_above_an_equal_one(service):
    ranked = [hit.id for hit in service.search(LONG_QUERY, per_page=50).results]
    assert ranked[:2] == ["best.html", "second.html"]
    assert ranked.index("b-related.html") < ranked.index("a-unrelated.html")


def test_feedback_never_finds_a_page_without_a_typed_word(service):
    ranked = [hit.id for hit in service.search(LONG_QUERY, per_page=50).results]
    assert "subject-only.html" not in ranked


def test_a_short_query_is_not_re_ranked(service):
    ranked = [hit.id for hit in service.search("wind theory", per_page=50).results]
    assert {"b-related.html", "a-unrelated.html"} <= set(ranked)
    scores = {hit.id: hit.score for hit in service.search("wind theory", per_page=50).results}
    assert scores["b-related.html"] == pytest.approx(scores["a-unrelated.html"])


def test_a_four_word_query_is_re_ranked_at_a_smaller_share(service):
    query = "wind tunnel flutter theory"
    scores = {hit.id: hit.score for hit in service.search(query, per_page=50).results}
    assert scores["b-related.html"] > scores["a-unrelated.html"]
    long_scores = {hit.id: hit.score for hit in service.search(LONG_QUERY, per_page=50).results}
    lift = scores["b-related.html"] / scores["a-unrelated.html"]
    assert lift < long_scores["b-related.html"] / long_scores["a-unrelated.html"]
