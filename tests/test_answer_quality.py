"""The untouched question set over the real sample corpus: a floor under answer quality, and a judge that cannot flatter."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kil_search.config import PROJECT_ROOT, load_settings
from kil_search.indexing import run_index
from kil_search.search import SearchService

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
from answers import DevQuestion, evaluate, load_questions, normalise, says, text_is_right  # noqa: E402

CORPUS = PROJECT_ROOT / "corpus"
UNTOUCHED = PROJECT_ROOT / "benchmarks" / "untouched.toml"
# benchmarks/untouched.toml's first measurement (python benchmarks/answers.py --questions benchmarks/untouched.toml,
# 4 December 2026, the fitted model of issue 15 before any change made after seeing it), judged with the two key
# errors corrected (see the file's header): 18 of 31 answerable questions right on the first card (58.1%), 3 of 7
# unanswerable ones given no answer (42.9%). The floors are those counts, not the tuned sets' scores.
FIRST_CARD_FLOOR = 18 / 31
SILENT_FLOOR = 3 / 7
pytestmark = pytest.mark.skipif(not (CORPUS / "catalog.toml").exists(), reason="the sample corpus is not present")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    index_dir = tmp_path_factory.mktemp("quality") / "index"
    settings = load_settings(corpus_dir=CORPUS, index_dir=index_dir, jobs=2)
    run_index(settings)
    return evaluate(SearchService(settings.index_dir), load_questions(UNTOUCHED))


def test_the_untouched_set_is_big_enough_and_has_unanswerable_questions():
    questions = load_questions(UNTOUCHED)
    assert len(questions) >= 30
    assert sum(question.none for question in questions) >= 6
    assert all(question.none or question.sources for question in questions)


def test_first_card_is_right_at_least_as_often_as_first_measured(report):
    misses = [row["question"] for row in report["questions"] if not row["none_expected"] and row["rank"] != 1]
    assert report["figures"]["first_card"] >= round(FIRST_CARD_FLOOR, 3), misses


def test_no_answer_when_the_corpus_has_none_at_least_as_often_as_first_measured(report):
    wrong = [row["card"] for row in report["questions"] if row["none_expected"] and not row["null"]]
    assert report["figures"]["null_on_unanswerable"] >= round(SILENT_FLOOR, 3), wrong


def test_every_key_is_written_on_its_keyed_page(tmp_path_factory):
    """A keyed page holds the answer: otherwise a renamed fact, or a careless key, reads as a miss."""
    index_dir = tmp_path_factory.mktemp("keys") / "index"
    settings = load_settings(corpus_dir=CORPUS, index_dir=index_dir, jobs=2)
    run_index(settings)
    service = SearchService(settings.index_dir)
    pages: dict[str, str] = {}
    for record in service.documents():
        for passage in service.passages_of(record["doc_id"]):
            key = f"{record['doc_id']}#{passage['page']}"
            pages[key] = f"{pages.get(key, '')}\n{passage['text']}"
    stale = []
    for question in (question for question in load_questions(UNTOUCHED) if not question.none):
        keyed = [text for key, text in pages.items() if key in question.sources]
        whole_documents = [source for source in question.sources if "#" not in source]
        if not whole_documents and not any(text_is_right(text, question) for text in keyed):
            stale.append(question.q)
    assert stale == []


@pytest.mark.parametrize(("text", "phrase", "found"), [
    ("Locality started the campaign in 2017.", "17", False),
    ("Sixty councils took part.", "six", False),
    ("The six principles are these.", "six", True),
    ("It cost £2,650 per job.", "£2,650", True),
    ("It cost £12,650 per job.", "£2,650", False),
    ("Around 10% of the value.", "10%", True),
    ("Around 110% of the value.", "10%", False),
    ("“Keep it Local” – the campaign", '"keep it local" - the campaign', True),
])
def test_the_judge_matches_whole_words_and_numbers(text, phrase, found):
    assert says(text, phrase) is found


def test_a_list_key_needs_every_listed_item():
    question = DevQuestion(q="Which?", answer=["Ashby"], all=["Ashby", "Brackton"])
    assert text_is_right("Ashby and Brackton joined.", question)
    assert not text_is_right("Ashby joined.", question)
    assert normalise("  A   B ") == "a b"
