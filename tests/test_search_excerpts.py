"""Excerpts mark exactly the words the index analyser finds, whichever way the matches are looked for (issue 14)."""

from __future__ import annotations

import random

import pytest

from kil_search.index.schema import text_analyzer
from markupsafe import escape

from kil_search.search.excerpts import escaped, find_matches, make_excerpt, shown_excerpt
from kil_search.search.query import parse_query


def analysed(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Return (start, end, term) of every word the index analyser turns into one of terms."""
    return [(token.startchar, token.endchar, token.text)
            for token in text_analyzer()(text, chars=True, mode="query") if token.text in terms]


@pytest.mark.parametrize("text, query", [
    ("Recouncil, councillors and the COUNCIL's councils", "council"),
    ("ſervices, services and SERVICES", "services"),  # ſ pairs with s in re.IGNORECASE only
    ("Inspection, ınspection and İnspection", "inspection"),  # dotless i; dotted capital I lower-cases to two letters
    ("KENT and \u212aent", "kent"),  # the Kelvin sign lower-cases to k
    ("care*homes care.home carehome x.care", "care"),
    ("The café in the Café", "café"),  # a non-ASCII prefix
    ("", "council"),
    ("commissioning commission commissioned", "commissioning council"),
])
def test_marked_words_are_the_analysers_words(text, query):
    terms = parse_query(query).highlight_terms
    assert find_matches(text, terms) == analysed(text, terms)


def test_marked_words_match_the_analyser_on_random_text():
    pieces = ["care", "Care", "CARE", "carer", "careful", "council", "Councils", "ſ", "ı", "İ", "\u212a", "é", "e.g",
              ".", "*", "-", "'", " ", " ", " ", "\n", "the", "and", "x", "scare", "cares"]
    terms = parse_query("care councils careful").highlight_terms
    chooser = random.Random(14)
    for _ in range(2000):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 30)))
        assert find_matches(text, terms) == analysed(text, terms), text


def test_excerpt_marks_every_match_in_its_window_and_escapes_the_rest():
    text = "<b>Adult</b> social care & the council's care market. " * 3
    html = str(make_excerpt(text, parse_query("care council").highlight_terms))
    assert html.count("<mark>") == 9
    assert "&lt;b&gt;Adult&lt;/b&gt;" in html and "&amp;" in html


def test_document_text_is_escaped_as_markupsafe_escapes_it():
    chooser = random.Random(7)
    pieces = ["&", "<", ">", "'", '"', "&amp;", "<mark>", "é", "…", "a", " ", "\x00", "\n"]
    for _ in range(500):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 20)))
        assert escaped(text) == str(escape(text))


def test_a_remembered_excerpt_is_the_one_its_text_terms_and_phrases_give():
    text = "Keep it local: local councils keep social care contracts with local charities. " * 8
    for terms, phrases in [({"care"}, set()), ({"council"}, set()), ({"servic"}, {("keep", "local")})]:
        terms, phrases = frozenset(terms), frozenset(phrases)
        for _ in range(2):
            assert shown_excerpt(text, terms, phrases) == make_excerpt(text, terms, phrases=phrases)
    assert shown_excerpt(text.replace("care", "cure"), frozenset({"care"})) == make_excerpt(text.replace("care", "cure"), frozenset({"care"}))
