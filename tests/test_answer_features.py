"""What the answer scorer reads of a candidate: the kind of answer asked for wherever the question word stands,
word forms that share a stem's start, and how a candidate compares with the others on its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import make_html
from kil_search.answer import answer_question
from kil_search.answer.answer import candidate_rows
from kil_search.answer.answer_types import asked_kind
from kil_search.answer.features import FEATURES
from kil_search.answer.question import analyse_question
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.search import SearchService

# Each paragraph is a web page section; the sentences of a section compete for the answer.
SECTIONS = {
    "The bridge": [
        "The harbour bridge was opened with a long ceremony on the quay in the rain.",
        "The harbour bridge was opened by Mayor Ellen Hartwell.",
    ],
    "The port": [
        "The new port changed the economic life of the valley.",
        "The valley changed little while the mills were being built.",
    ],
    "The mill": [
        "Weaving at the mill stopped when the river flooded the lower floors.",
        "Weaving at the mill stopped in 1931.",
    ],
}


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> SearchService:
    """Index one web page of three sections, two sentences each."""
    root = tmp_path_factory.mktemp("features")
    body = "".join(f"<h2>{heading}</h2><p>{' '.join(sentences)}</p>" for heading, sentences in SECTIONS.items())
    (root / "corpus").mkdir()
    make_html(root / "corpus" / "valley.html", title="A history of the valley", body_html=body)
    settings = load_settings(corpus_dir=root / "corpus", index_dir=root / "index", jobs=1)
    run_index(settings)
    return SearchService(settings.index_dir)


@pytest.mark.parametrize("question, kind", [
    ("The harbour bridge was opened by whom?", "who"),
    ("Weaving at the mill stopped in what year?", "when"),
    ("The mill was built where?", "where"),
    ("How many looms did the mill have?", "how_many"),
    ("What changed the valley?", "what"),
])
def test_the_kind_of_answer_asked_for_is_read_wherever_the_question_word_stands(question, kind):
    assert asked_kind(analyse_question(question)) == kind


def test_a_by_whom_question_is_answered_by_the_sentence_naming_someone(service):
    answer = answer_question(service, "The harbour bridge was opened by whom?", threshold=0.0).answer
    assert answer is not None and "Ellen Hartwell" in answer.text


def test_an_in_what_year_question_is_answered_by_the_sentence_with_a_year(service):
    answer = answer_question(service, "Weaving at the mill stopped in what year?", threshold=0.0).answer
    assert answer is not None and "1931" in answer.text


def test_another_form_of_a_question_word_counts_for_the_sentence_using_it(service):
    answer = answer_question(service, "What changed the economy of the valley?", threshold=0.0).answer
    assert answer is not None and "economic life" in answer.text


def test_the_best_candidate_on_its_page_leads_by_nothing_and_the_others_trail(service):
    _question, _hits, units, rows = candidate_rows(service, "When did weaving at the mill stop?")
    assert len(units) >= 2
    lead = rows[:, FEATURES.index("page_lead")]
    overall = rows[:, FEATURES.index("overall_lead")]
    assert lead.max() == 0.0 and overall.max() == 0.0
    assert (lead <= 0.0).all() and (overall <= lead + 1e-9).all()
    places = rows[:, FEATURES.index("position")]
    assert ((0.0 <= places) & (places <= 1.0)).all()


def test_a_figure_beside_the_counted_thing_is_told_from_a_figure_far_from_it(tmp_path):
    (tmp_path / "corpus").mkdir()
    body = ("<h2>The looms</h2><p>The weaving shed held 120 looms of oak. "
            "The looms were built of oak by carpenters of the valley who, after many long and hard seasons "
            "of work, went on to build 14 boats.</p>")
    make_html(tmp_path / "corpus" / "shed.html", title="The weaving shed", body_html=body)
    settings = load_settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", jobs=1)
    run_index(settings)
    _question, _hits, units, rows = candidate_rows(SearchService(settings.index_dir), "How many looms did the shed hold?")
    near = {unit.text: rows[place, FEATURES.index("typed_near")] for place, unit in enumerate(units)}
    assert near["The weaving shed held 120 looms of oak."] == 1.0
    assert next(value for text, value in near.items() if "14 boats" in text) == -1.0
