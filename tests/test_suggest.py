"""Did you mean, and autocomplete through /api/suggest and the search box's combobox."""

from __future__ import annotations

import re

import pytest

from finding_corpus import finding_client, finding_service, finding_settings  # noqa: F401 (fixtures)
from kil_search.search.spelling import _distance


def test_a_misspelling_suggests_the_word_the_library_uses(finding_service):
    page = finding_service.search("commisioning")
    assert page.total == 0
    assert page.suggestion.query == "commissioning"
    assert page.suggestion.total == finding_service.search("commissioning").total >= 2


def test_the_suggestion_is_a_link_keeping_the_filters(finding_client):
    html = finding_client.get("/search?q=comissioning+guide&type=practical+guide").get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=commissioning+guide&amp;type=practical+guide">commissioning guide</a>?' in html


def test_no_suggestion_when_the_words_are_known(finding_service):
    assert finding_service.search("cooperative").suggestion is None


def test_no_suggestion_unless_it_finds_more(finding_service):
    # "larder" is only in a page that the filter leaves out; correcting "lardre" would find nothing more.
    page = finding_service.search("lardre", filters={"type": ["research report"]})
    assert page.total == 0 and page.suggestion is None
    assert finding_service.search("lardre").suggestion.query == "larder"


def test_capitals_are_kept_in_the_suggestion(finding_service):
    assert finding_service.search("Comissioning").suggestion.query == "Commissioning"


@pytest.mark.parametrize("first, second, distance", [("commisioning", "commissioning", 1), ("ca", "ac", 1),
                                                       ("care", "core", 1), ("care", "care", 0), ("", "abc", 3)])
def test_edit_distance(first, second, distance):
    assert _distance(first, second) == distance


def test_api_suggest_completes_titles_themes_and_words(finding_client):
    data = finding_client.get("/api/suggest?q=comm").get_json()
    kinds = {suggestion["kind"]: suggestion for suggestion in data["suggestions"]}
    assert kinds["title"] == {"text": "A guide to commissioning", "kind": "title", "url": "/documents/reports/commissioning-guide.pdf"}
    assert {"text": "commissioning", "kind": "theme", "url": ""} in data["suggestions"]
    words = [suggestion["text"] for suggestion in data["suggestions"] if suggestion["kind"] == "word"]
    assert "community" in words and all(word.startswith("comm") for word in words)


def test_api_suggest_completes_the_last_word_of_several(finding_client):
    texts = [suggestion["text"] for suggestion in finding_client.get("/api/suggest?q=social+va").get_json()["suggestions"]]
    assert "social value" in texts


@pytest.mark.parametrize("query", ["", "a", "%00", "x" * 3000, "((("])
def test_api_suggest_odd_input(finding_client, query):
    response = finding_client.get(f"/api/suggest?q={query}")
    assert response.status_code == 200 and isinstance(response.get_json()["suggestions"], list)


def test_search_box_is_a_plain_input_that_a_script_enhances(finding_client):
    html = finding_client.get("/").get_data(as_text=True)
    box = re.search(r"<input id=\"q\"[^>]*>", html).group()
    assert 'data-suggest-url="/api/suggest"' in box and 'name="q"' in box and "role=" not in box
    assert '<script src="/static/autocomplete.js" defer></script>' in html
    assert "<script>" not in html and "onclick" not in html


def test_autocomplete_script_follows_the_combobox_pattern(finding_client):
    with finding_client.get("/static/autocomplete.js") as response:
        script = response.get_data(as_text=True)
    for needed in ('"combobox"', '"listbox"', '"option"', "aria-expanded", "aria-activedescendant", "aria-controls",
                   "ArrowDown", "ArrowUp", "Escape", '"status"'):
        assert needed in script, needed
