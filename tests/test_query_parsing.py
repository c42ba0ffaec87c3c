"""Query parsing: plain words take a shortcut past Whoosh's tagging passes and must parse exactly as Whoosh does."""

from __future__ import annotations

import random

import pytest

from kil_search.search import query as query_module
from kil_search.search.query import _AND_PARSER, _OR_PARSER, _parse_plain_words, parse_query

# Words of every kind the analyser treats differently: stop words, stems, digits, accents, ligatures,
# underscores, lower-case operator words, one letter, a word that stems to another one's stem.
WORDS = ["the", "of", "and", "or", "not", "a", "council", "councils", "councillor", "funding", "funded",
         "Café", "économie", "straße", "İstanbul", "ﬁnance", "2019", "x", "snake_case", "CARE", "Care", "care",
         "is", "be", "running", "runs", "place", "places", "ÀÉÎ", "volunteering", "9am", "covid19", "über"]


def _leaves(query):
    """Return each leaf's class, text, field, boost and character range, then the whole query's repr."""
    return [(type(node).__name__, getattr(node, "startchar", None), getattr(node, "endchar", None), repr(node))
            for node in query.leaves()] + [repr(query)]


def _plain_texts(count: int) -> list[str]:
    """Return seeded random texts of one to eight plain words joined by single spaces."""
    chosen = random.Random(14)
    return [" ".join(chosen.choice(WORDS) for _ in range(chosen.randint(1, 8))) for _ in range(count)]


@pytest.mark.parametrize("parser", [_AND_PARSER, _OR_PARSER], ids=["all words", "any word"])
def test_plain_words_parse_exactly_as_whoosh_parses_them(parser):
    texts = _plain_texts(400) + WORDS
    for text in texts:
        shortcut = _parse_plain_words(parser, text)
        assert shortcut is not None, text
        expected = parser.parse(text)
        assert shortcut == expected, text
        assert _leaves(shortcut) == _leaves(expected), text


@pytest.mark.parametrize("text", ['"social value"', "care AND funding", "care OR funding", "NOT care", "-care funding",
                                  "+care", "(care funding)", "care  funding", " care", "care-funding", "title:care",
                                  "care*", "care^2", "", "care\tfunding", "care, funding", "ANDMAYBE care"])
def test_anything_but_plain_words_goes_to_whoosh(text):
    assert _parse_plain_words(_AND_PARSER, text) is None


def test_parse_query_answers_as_before_for_plain_and_other_text(monkeypatch):
    texts = _plain_texts(60) + ['"social value" care', "care -funding", "the of and", "care OR funding"]
    with_shortcut = [parse_query(text, any_word) for text in texts for any_word in (False, True)]
    monkeypatch.setattr(query_module, "_parse_plain_words", lambda parser, text: None)
    without = [parse_query(text, any_word) for text in texts for any_word in (False, True)]
    assert with_shortcut == without
    assert sum(parsed.is_empty for parsed in without) >= 1  # only stop words: nothing to search, either way
