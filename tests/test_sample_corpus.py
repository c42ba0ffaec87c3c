"""The bundled sample library: it indexes cleanly, covers the fact sheet, and answers councillors' queries."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kil_search.config import load_settings
from kil_search.corpus import load_catalog, scan_corpus
from kil_search.indexing import run_index
from kil_search.search import SearchService

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT / "corpus"
FACTS = tomllib.loads((Path(__file__).parent / "data" / "corpus_facts.toml").read_text(encoding="utf-8"))["fact"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Index the real corpus/ once for this module."""
    settings = load_settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("sample") / "index")
    summary = run_index(settings)
    return summary, SearchService(settings.index_dir)


def test_the_whole_corpus_indexes_without_failure(sample):
    summary, _service = sample
    files = scan_corpus(CORPUS)
    assert summary.failed == [] and len(summary.indexed) == len(files)
    assert sum(1 for item in files if item.doc_id.endswith(".pdf")) >= 12
    assert sum(1 for item in files if item.doc_id.endswith(".html")) >= 8


def test_every_file_has_a_catalogue_entry_and_the_corpus_is_small():
    catalog = load_catalog(CORPUS)
    files = scan_corpus(CORPUS)
    assert {item.doc_id for item in files} == set(catalog)
    assert all(entry.type and entry.date and entry.title for entry in catalog.values())
    assert sum(item.size for item in files) < 10 * 1024 * 1024


def test_pdfs_have_at_least_150_pages_with_real_page_numbers(sample):
    _summary, service = sample
    pdfs = [record for record in service.documents() if record["format"] == "pdf"]
    assert sum(record["details"]["page_count"] for record in pdfs) >= 150
    assert all(record["details"]["outline"] for record in pdfs)


@pytest.mark.parametrize("fact", FACTS, ids=[fact["fact"][:60] for fact in FACTS])
def test_fact_sheet_fact_is_findable(sample, fact):
    _summary, service = sample
    found = [phrase for phrase in fact["phrases"] if service.search(f'"{phrase}"').total > 0]
    assert found, f"none of {fact['phrases']} is found in the index"


@pytest.mark.parametrize(
    ("query", "expected_document"),
    [
        ("six principles", "reports/join-the-keep-it-local-movement.pdf"),
        ("trailblazer councils", "web/news-2020-03-03-trailblazer-councils.html"),
        ("community asset transfer", "web/case-study-kirklees-community-asset-transfer.html"),
        ("adult social care Bradford", "reports/keep-it-local-lessons-from-bradford-and-bristol.pdf"),
        ("Local Multiplier 3", "reports/powerful-communities-strong-economies.pdf"),
        ("social value", "reports/keep-it-local-guide-for-community-organisations.pdf"),
        ("Manifesto asks", "reports/keep-it-local-manifesto.pdf"),
    ],
)
def test_councillor_queries_find_the_right_document_on_page_one(sample, query, expected_document):
    _summary, service = sample
    results = service.search(query)
    ids = [hit.id for hit in results.results]
    assert ids, f"nothing found for {query!r}"
    assert expected_document in ids, f"{expected_document} not on page one for {query!r}: {ids}"
    for hit in results.results[:3]:
        assert hit.passages and hit.passages[0].page >= 1 and hit.title and hit.type and hit.date
