"""What the answer scorer reads beyond shared stems: a word spelled much like the question's, a reason for a
why-question, and a sentence that says what a thing is for "what is X?"."""

from __future__ import annotations

import pytest

from builders import make_html
from kil_search.answer import answer_question
from kil_search.answer.answer import candidate_rows
from kil_search.answer.answer_types import defines, gives_reason
from kil_search.answer.features import FEATURES
from kil_search.answer.question import analyse_question
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.search import SearchService

SECTIONS = {
    "The ferry": [
        "The ferry across the estuary closed in the winter of the great storm.",
        "The ferry across the estuary closed because the river silted up and boats could no longer land.",
    ],
    "The guild": [
        "In 1402 the Weavers Guild bought the old hall by the market, and the Weavers Guild met there every month.",
        "The Weavers Guild was a society of cloth makers that set prices and trained apprentices.",
    ],
    "The settlers": [
        "Settlers from Normandy crossed the channel in small boats after the harvest.",
        "The Normans built a stone keep above the river crossing.",
    ],
}


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> SearchService:
    """Index one web page of three sections, two sentences each."""
    root = tmp_path_factory.mktemp("cues")
    body = "".join(f"<h2>{heading}</h2><p>{' '.join(sentences)}</p>" for heading, sentences in SECTIONS.items())
    (root / "corpus").mkdir()
    make_html(root / "corpus" / "estuary.html", title="A history of the estuary", body_html=body)
    settings = load_settings(corpus_dir=root / "corpus", index_dir=root / "index", jobs=1)
    run_index(settings)
    return SearchService(settings.index_dir)


def _column(service: SearchService, question: str, name: str) -> dict[str, float]:
    """Return each candidate sentence's value in one feature column."""
    _question, _hits, units, rows = candidate_rows(service, question)
    return {unit.text: float(rows[place, FEATURES.index(name)]) for place, unit in enumerate(units)}


def test_a_why_question_is_answered_by_the_sentence_giving_a_reason(service):
    answer = answer_question(service, "Why did the ferry across the estuary close?", threshold=0.0).answer
    assert answer is not None and "silted up" in answer.text


def test_the_sentence_saying_what_the_thing_asked_about_is_is_marked_as_defining_it(service):
    values = _column(service, "What was the Weavers Guild?", "defines")
    assert next(value for text, value in values.items() if "society of cloth makers" in text) == 1.0
    assert next(value for text, value in values.items() if "bought the old hall" in text) == 0.0


def test_a_name_spelled_much_like_the_questions_counts_and_an_unlike_one_does_not(service):
    values = _column(service, "What did the settlers from Normandy build above the river?", "spelled_near")
    normans = next(value for text, value in values.items() if text.startswith("The Normans built"))
    assert normans > 0.0  # "Normans" for "Normandy": no shared stem, most letters shared
    ferry = next(value for text, value in values.items() if "winter of the great storm" in text)
    assert ferry == 0.0


@pytest.mark.parametrize("question, sentence, expected", [
    ("Why was the bridge closed?", "The bridge was closed because its piers cracked.", 1.0),
    ("Why was the bridge closed?", "The bridge was closed in May.", -1.0),
    ("What was the reason for the delay?", "Work stopped due to the floods.", 1.0),
    ("When was the bridge closed?", "The bridge was closed because its piers cracked.", 0.0),
])
def test_a_reason_is_looked_for_only_when_one_is_asked_for(question, sentence, expected):
    assert gives_reason(analyse_question(question), sentence) == expected


@pytest.mark.parametrize("question, sentence, expected", [
    ("What is the Weavers Guild?", "The Weavers Guild is a society of cloth makers.", 1.0),
    ("What is the Weavers Guild?", "Members of the Weavers Guild met in the hall.", 0.0),
    ("What is the Weavers Guild?", "The market is a busy place.", 0.0),
    ("Who founded the Weavers Guild?", "The Weavers Guild is a society of cloth makers.", 0.0),
])
def test_a_sentence_defines_only_the_thing_asked_about(question, sentence, expected):
    assert defines(analyse_question(question), sentence) == expected
