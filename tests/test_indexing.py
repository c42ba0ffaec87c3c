"""The indexer: incremental runs, the catalogue, failures and the write lock."""

from __future__ import annotations

import os
import time

import pytest

from builders import make_pdf
from kil_search.errors import CatalogError, IndexBusyError, KilSearchError
from kil_search.index.store import current_generation, write_lock
from kil_search.indexing import run_index
from kil_search.search import SearchService
from kil_search.answer import answer_question


def titles(settings, query):
    """Return the titles of the documents matching query."""
    results = SearchService(settings.index_dir).search(query)
    return [hit.title for hit in results.results]


def test_first_run_indexes_everything(settings, built_index):
    assert sorted(built_index.indexed) == ["reports/care-report.pdf", "reports/economy-briefing.pdf", "web/trailblazers.html"]
    assert built_index.failed == []
    assert built_index.documents == 3
    assert titles(settings, "neighbourhood social care") == ["Community care in practice"]


def test_second_run_extracts_nothing(settings, built_index):
    again = run_index(settings)
    assert again.indexed == [] and again.removed == [] and again.unchanged == 3


def test_touched_but_identical_file_is_unchanged(settings, built_index):
    path = settings.corpus_dir / "reports" / "economy-briefing.pdf"
    later = time.time() + 10
    os.utime(path, (later, later))
    assert run_index(settings).unchanged == 3
    assert run_index(settings).unchanged == 3


def index_files(settings) -> set[str]:
    """Return the names of the live generation's files (a commit adds a table of contents)."""
    return {path.name for path in current_generation(settings.index_dir).iterdir()}


def test_touching_every_file_writes_nothing_and_questions_still_answer(settings, built_index):
    service = SearchService(settings.index_dir)
    before = answer_question(service, "How many councils joined the network of trailblazers?").to_json()
    files_before = index_files(settings)
    later = time.time() + 10
    for path in settings.corpus_dir.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
    summary = run_index(settings)
    assert (summary.indexed, summary.unchanged) == ([], 3)
    assert index_files(settings) - files_before == {"moved_files.json"}  # no commit: only the note beside it
    assert run_index(settings).unchanged == 3  # the note spares hashing again (and is still right)
    after = answer_question(SearchService(settings.index_dir), "How many councils joined the network of trailblazers?").to_json()
    assert after["answer"] == before["answer"] and after["answer"]["document"]["id"] == "web/trailblazers.html"


def test_a_run_writing_only_a_failure_record_leaves_every_route_of_the_arrays_working(settings, built_index):
    # The new segment holds one document record and no passage: no page, year or place column.
    (settings.corpus_dir / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<\n garbage")
    assert [doc_id for doc_id, _reason in run_index(settings).failed] == ["broken.pdf"]
    service = SearchService(settings.index_dir)
    answer = answer_question(service, "How many councils joined the network of trailblazers?").answer
    assert answer is not None and answer.text == "Eleven councils joined the network of trailblazers."
    assert [passage["page"] for passage in service.page_passages("reports/care-report.pdf", 2)] == [2]
    assert titles(settings, "neighbourhood social care") == ["Community care in practice"]
    reader = service.searcher().reader()
    assert len(list(reader.column_reader("page"))) == reader.doc_count_all()  # Whoosh's own column too


def test_an_edited_touched_file_is_reindexed(settings, built_index):
    path = settings.corpus_dir / "reports" / "economy-briefing.pdf"
    later = time.time() + 10
    os.utime(path, (later, later))
    run_index(settings)
    make_pdf(path, ["Allotments and food growing in Oldham."], title="Local economies briefing")
    os.utime(path, (later, later))  # the same time as noted: the size or the hash tells
    assert run_index(settings).indexed == ["reports/economy-briefing.pdf"]
    assert titles(settings, "allotments") == ["Local economies briefing"]


def test_changed_file_is_reindexed(settings, built_index):
    make_pdf(settings.corpus_dir / "reports" / "economy-briefing.pdf", ["Allotments and food growing in Oldham."], title="Local economies briefing")
    summary = run_index(settings)
    assert summary.indexed == ["reports/economy-briefing.pdf"]
    assert titles(settings, "allotments") == ["Local economies briefing"]
    assert titles(settings, "multiplier") == []


def test_added_deleted_and_renamed_files(settings, built_index):
    corpus = settings.corpus_dir
    make_pdf(corpus / "new.pdf", ["Homelessness prevention through early intervention."], title="Homelessness paper")
    (corpus / "reports" / "economy-briefing.pdf").rename(corpus / "reports" / "renamed-briefing.pdf")
    (corpus / "web" / "trailblazers.html").unlink()
    summary = run_index(settings)
    assert sorted(summary.indexed) == ["new.pdf", "reports/renamed-briefing.pdf"]
    assert sorted(summary.removed) == ["reports/economy-briefing.pdf", "web/trailblazers.html"]
    assert titles(settings, "homelessness") == ["Homelessness paper"]
    assert titles(settings, "trailblazers") == []
    hits = SearchService(settings.index_dir).search("multiplier").results
    assert [hit.id for hit in hits] == ["reports/renamed-briefing.pdf"]


def test_catalogue_metadata_wins_and_edits_reindex(settings, built_index):
    hit = SearchService(settings.index_dir).search("neighbourhood").results[0]
    assert (hit.type, hit.date, hit.source_url) == ("research report", "2020-11-16", "https://example.org/care-report")
    catalog = settings.corpus_dir / "catalog.toml"
    catalog.write_text(catalog.read_text().replace('type = "research report"', 'type = "practical guide"'))
    assert run_index(settings).indexed == ["reports/care-report.pdf"]
    assert SearchService(settings.index_dir).search("neighbourhood").results[0].type == "practical guide"


def test_bad_catalogue_entry_names_file_and_line(settings):
    (settings.corpus_dir / "catalog.toml").write_text('# header\n\n["a.pdf"]\ntitle = "A"\ntype = "novel"\n')
    with pytest.raises(CatalogError, match=r"catalog.toml, line 3: type 'novel'"):
        run_index(settings)


def test_catalogue_syntax_error_names_the_line(settings):
    (settings.corpus_dir / "catalog.toml").write_text('["a.pdf"]\ntitle = unquoted\n')
    with pytest.raises(CatalogError, match="line 2"):
        run_index(settings)


def test_broken_and_encrypted_files_are_reported_not_fatal(settings):
    corpus = settings.corpus_dir
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<\n garbage")
    (corpus / "empty.pdf").write_bytes(b"")
    make_pdf(corpus / "locked.pdf", ["Secret words"], password="letmein")
    summary = run_index(settings)
    failed = dict(summary.failed)
    assert set(failed) == {"broken.pdf", "empty.pdf", "locked.pdf"}
    assert "encrypted" in failed["locked.pdf"]
    assert len(summary.indexed) == 3
    again = run_index(settings)
    assert again.indexed == [] and again.failed == []
    assert dict(again.still_failing).keys() == failed.keys()


def test_missing_corpus_is_a_clear_error(settings, tmp_path):
    with pytest.raises(KilSearchError, match="corpus folder not found"):
        run_index(settings.with_overrides(corpus_dir=tmp_path / "nope"))


def test_second_indexer_is_refused(settings):
    with write_lock(settings.index_dir):
        with pytest.raises(IndexBusyError, match="being updated by another process"):
            run_index(settings)


def test_rebuild_swaps_in_a_new_generation(settings, built_index):
    service = SearchService(settings.index_dir)
    assert service.search("neighbourhood").total == 1
    summary = run_index(settings, rebuild=True)
    assert summary.rebuilt and len(summary.indexed) == 3
    generations = sorted(path.name for path in settings.index_dir.glob("gen-*"))
    assert len(generations) == 2  # the live one and the one before it
    time.sleep(1.1)  # past the service's refresh interval
    assert service.search("neighbourhood").total == 1


def test_schema_version_change_rebuilds(settings, built_index, monkeypatch):
    from kil_search.index import store

    monkeypatch.setattr(store, "SCHEMA_VERSION", 999)
    summary = run_index(settings)
    assert summary.rebuilt and len(summary.indexed) == 3


def test_a_rebuild_committed_in_stages_finds_what_one_commit_finds(settings, monkeypatch):
    for number in range(12):
        make_pdf(settings.corpus_dir / f"stage-{number:02d}.pdf",
                 [f"Report {number} on allotments in Oldham.", f"Page two of report {number}: community shares."],
                 title=f"Stage report {number:02d}")
    one_commit = run_index(settings)
    queries = ("allotments oldham", '"community shares"', "neighbourhood care")
    expected = {query: (SearchService(settings.index_dir).search(query).total, titles(settings, query)) for query in queries}
    monkeypatch.setattr("kil_search.index.writer.STAGE_PASSAGES", 4)
    staged = run_index(settings, rebuild=True)
    assert len(list((settings.index_dir / "current").glob("*.trm"))) > 2  # several stages were committed
    assert (staged.documents, staged.passages) == (one_commit.documents, one_commit.passages)
    assert {query: (SearchService(settings.index_dir).search(query).total, titles(settings, query)) for query in queries} == expected
    assert expected["allotments oldham"][0] == 12


def test_a_failure_while_writing_stops_the_workers_and_writes_nothing(settings, built_index, monkeypatch):
    import multiprocessing

    from kil_search.index.writer import IndexWriter

    for number in range(8):
        make_pdf(settings.corpus_dir / f"later-{number}.pdf", [f"Later paper {number} on allotments."], title=f"Later {number}")
    original = IndexWriter.add_document
    calls = []

    def failing(self, doc_id, *args, **kwargs):
        calls.append(doc_id)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(self, doc_id, *args, **kwargs)

    monkeypatch.setattr(IndexWriter, "add_document", failing)
    with pytest.raises(OSError, match="disk full"):
        run_index(settings)
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []  # the extraction workers were stopped
    assert titles(settings, "allotments") == []  # nothing of the failed run is searchable
    monkeypatch.setattr(IndexWriter, "add_document", original)
    assert len(run_index(settings).indexed) == 8
    assert len(SearchService(settings.index_dir).search("allotments").results) == 8
