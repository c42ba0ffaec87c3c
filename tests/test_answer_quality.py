"""The development and blind question sets over the real sample corpus: a floor under answer quality."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kil_search.config import PROJECT_ROOT, load_settings
from kil_search.indexing import run_index
from kil_search.search import SearchService

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
from answers import evaluate, load_questions, normalise  # noqa: E402

CORPUS = PROJECT_ROOT / "corpus"
BENCHMARKS = PROJECT_ROOT / "benchmarks"
# Measured with `python benchmarks/answers.py --questions FILE`: the development set 94.9% first card, 100% silent
# on unanswerable questions; the blind set (written before tuning) 81.5% and 87.5%. The floors sit a few points
# below so that a change that makes answers worse cannot pass unnoticed.
QUESTION_SETS = {"questions.toml": (0.89, 0.80), "blind.toml": (0.74, 0.80)}  # file: (first card, silent when unanswerable)
pytestmark = pytest.mark.skipif(not (CORPUS / "catalog.toml").exists(), reason="the sample corpus is not present")


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> SearchService:
    index_dir = tmp_path_factory.mktemp("quality") / "index"
    settings = load_settings(corpus_dir=CORPUS, index_dir=index_dir, jobs=2)
    run_index(settings)
    return SearchService(settings.index_dir)


@pytest.fixture(scope="module", params=sorted(QUESTION_SETS))
def question_set(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def report(service, question_set) -> dict:
    return evaluate(service, load_questions(BENCHMARKS / question_set))


@pytest.mark.parametrize(("name", "least", "least_unanswerable"), [("questions.toml", 40, 8), ("blind.toml", 25, 6)])
def test_question_set_is_big_enough_and_has_unanswerable_questions(name, least, least_unanswerable):
    questions = load_questions(BENCHMARKS / name)
    assert len(questions) >= least
    assert sum(question.none for question in questions) >= least_unanswerable


def test_answer_key_still_matches_the_corpus(service, question_set):
    """Every expected answer is still written where the key says: a renamed fact would otherwise read as a miss."""
    pages: dict[tuple[str, int], str] = {}
    for record in service.documents():
        for passage in service.passages_of(record["doc_id"]):
            key = (record["doc_id"], passage["page"])
            pages[key] = f"{pages.get(key, '')}\n{passage['text']}"
    stale = []
    for question in (question for question in load_questions(BENCHMARKS / question_set) if not question.none):
        places = [key for key in pages if not question.sources or any(
            source in (key[0], f"{key[0]}#{key[1]}") for source in question.sources)]
        texts = [normalise(pages[key]) for key in places]
        if not any(any(normalise(phrase) in text for phrase in question.answer)
                   and all(normalise(phrase) in text for phrase in question.all) for text in texts):
            stale.append(question.q)
    assert stale == []


def test_first_card_is_right_often_enough(report, question_set):
    figures = report["figures"]
    misses = [row["question"] for row in report["questions"] if not row["none_expected"] and row["rank"] != 1]
    assert figures["first_card"] >= QUESTION_SETS[question_set][0], misses


def test_no_confident_answer_when_the_corpus_has_none(report, question_set):
    figures = report["figures"]
    wrong = [row["card"] for row in report["questions"] if row["none_expected"] and not row["null"]]
    assert figures["null_on_unanswerable"] >= QUESTION_SETS[question_set][1], wrong
    assert figures["null_on_answerable"] <= 0.2
