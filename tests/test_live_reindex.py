"""Reindexing never interrupts search: rebuilds under load, a second indexer, runs killed mid-way."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from builders import make_pdf
from conftest import write_small_corpus
from kil_search.config import load_settings
from kil_search.index.store import GENERATION_PREFIX, current_generation
from kil_search.indexing import run_index
from kil_search.run_status import read_run_status
from kil_search.search import SearchService
from servers import REPO_ROOT, get_json, running_server

COPIES = 120  # enough files that a rebuild with one worker takes a few seconds
QUERY = "neighbourhood social care"


@pytest.fixture
def big_settings(tmp_path):
    """A corpus of the small corpus plus many copies of two PDFs, already indexed."""
    corpus = write_small_corpus(tmp_path / "corpus")
    bulk = corpus / "bulk"
    bulk.mkdir()
    sources = [make_pdf(tmp_path / f"source-{n}.pdf", [f"Paper {n} about commissioning and social value. " * 30] * 3,
                        title=f"Bulk paper {n}") for n in range(2)]
    for number in range(COPIES):
        shutil.copy(sources[number % 2], bulk / f"paper-{number:03d}.pdf")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=2)
    assert run_index(settings).failed == []
    return settings


def start_indexer(settings, *args: str) -> subprocess.Popen:
    """Start `kil-search index` with one extraction worker, in its own process group."""
    command = [sys.executable, "-m", "kil_search.cli", "index", "--corpus", str(settings.corpus_dir),
               "--index", str(settings.index_dir), "--jobs", "1", *args]
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def wait_for_progress(settings, process: subprocess.Popen, done: int = 0, timeout: float = 60) -> dict:
    """Wait until the run of `process` has extracted at least `done` files."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = read_run_status(settings.index_dir)
        if status.get("pid") == process.pid and status.get("done", 0) >= done and status["state"] == "running":
            return status
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError("the indexer made no progress")


def test_a_long_lived_service_sees_incremental_changes(settings, built_index):
    service = SearchService(settings.index_dir)
    assert service.search(QUERY).total == 1
    (settings.corpus_dir / "reports" / "care-report.pdf").unlink()
    make_pdf(settings.corpus_dir / "allotments.pdf", ["Allotments and food growing in Oldham."], title="Food growing")
    run_index(settings)
    time.sleep(1.1)  # past the service's refresh interval
    assert service.search("neighbourhood").total == 0
    assert [hit.title for hit in service.search("allotments").results] == ["Food growing"]


def test_searches_never_fail_or_come_back_empty_during_reindexing(big_settings):
    outcomes: list[tuple[float, str]] = []
    stop = threading.Event()

    def search_forever(base: str) -> None:
        url = f"{base}/api/search?q={urllib.parse.quote(QUERY)}"
        while not stop.is_set():
            try:
                data = get_json(url, timeout=20)
                ok = data["total"] >= 1 and data["results"][0]["title"] == "Community care in practice"
                outcomes.append((time.monotonic(), "ok" if ok else f"bad answer: {data['total']} results"))
            except Exception as error:  # any failure at all is what this test looks for
                outcomes.append((time.monotonic(), f"{type(error).__name__}: {error}"))

    before = current_generation(big_settings.index_dir)
    with running_server(big_settings.corpus_dir, big_settings.index_dir, workers=2) as base:
        threads = [threading.Thread(target=search_forever, args=(base,)) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            started = time.monotonic()
            rebuild = start_indexer(big_settings, "--rebuild")
            out, err = rebuild.communicate(timeout=240)
            assert rebuild.returncode == 0, err
            rebuilt = time.monotonic()
            for number in range(0, COPIES, 3):
                (big_settings.corpus_dir / "bulk" / f"paper-{number:03d}.pdf").unlink()
            make_pdf(big_settings.corpus_dir / "late.pdf", ["Community shares in Calderdale."], title="Late addition")
            update = start_indexer(big_settings)
            update.communicate(timeout=240)
            assert update.returncode == 0
            time.sleep(1.5)  # let every worker notice the last change
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        after = get_json(f"{base}/api/search?q=calderdale+shares")
    failures = [outcome for _, outcome in outcomes if outcome != "ok"]
    assert failures == []
    during_rebuild = [at for at, _ in outcomes if started <= at <= rebuilt]
    assert len(during_rebuild) >= 20, f"only {len(during_rebuild)} searches ran during the rebuild"
    assert current_generation(big_settings.index_dir) != before
    assert after["results"][0]["title"] == "Late addition"
    assert "Rebuilt index" in out


def test_a_second_indexer_is_refused_while_one_runs(big_settings):
    first = start_indexer(big_settings, "--rebuild")
    try:
        wait_for_progress(big_settings, first)
        second = subprocess.run([sys.executable, "-m", "kil_search.cli", "index", "--corpus", str(big_settings.corpus_dir),
                                 "--index", str(big_settings.index_dir)], cwd=REPO_ROOT, capture_output=True, text=True)
        assert second.returncode == 1
        assert "the index is being updated by another process; try again later" in second.stderr
    finally:
        first.communicate(timeout=240)
    assert first.returncode == 0


@pytest.mark.parametrize("rebuild", [True, False], ids=["rebuild", "incremental"])
def test_a_killed_run_leaves_the_index_searchable_and_the_next_run_finishes(big_settings, rebuild):
    live = current_generation(big_settings.index_dir)
    new_files = 0
    if not rebuild:
        # Forty-page files, so that the run is still extracting when it is killed even on a fast machine.
        source = make_pdf(big_settings.corpus_dir.parent / "long.pdf",
                          [f"Page {page} of a long paper on community anchors and local spending. " * 25 for page in range(40)],
                          title="Long paper")
        for number in range(40):
            shutil.copy(source, big_settings.corpus_dir / "bulk" / f"new-{number}.pdf")
        new_files = 40
    run = start_indexer(big_settings, *(["--rebuild"] if rebuild else []))
    wait_for_progress(big_settings, run, done=1)
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate()
    assert read_run_status(big_settings.index_dir)["state"] == "interrupted"
    assert current_generation(big_settings.index_dir) == live
    service = SearchService(big_settings.index_dir)
    assert [hit.title for hit in service.search(QUERY).results] == ["Community care in practice"]
    assert service.search("commissioning social value", exact=True).total == COPIES
    leftovers = [path for path in big_settings.index_dir.glob(f"{GENERATION_PREFIX}*") if path != live]
    assert len(leftovers) == (1 if rebuild else 0)  # the half-built generation, until the next run
    summary = run_index(big_settings)
    assert summary.failed == [] and len(summary.indexed) == new_files
    assert summary.documents == 3 + COPIES + new_files
    assert [path for path in big_settings.index_dir.glob(f"{GENERATION_PREFIX}*")] == [live]
    assert read_run_status(big_settings.index_dir)["state"] == "finished"


def test_a_search_begun_before_an_update_can_still_read_its_results(settings, built_index):
    """Whoosh opens a segment's stored fields lazily; an update that merges segments must not delete them under it."""
    service = SearchService(settings.index_dir)
    searcher = service.searcher()  # opened, but no stored field read yet
    first_titles = {number: None for number in searcher.document_numbers(kind="passage")}
    for number in range(6):
        make_pdf(settings.corpus_dir / f"update-{number}.pdf", [f"Update {number} about allotments."], title=f"Update {number}")
        run_index(settings)  # each run commits a segment; once there are five, Whoosh merges the small ones
    for number in first_titles:
        first_titles[number] = searcher.stored_fields(number)["title"]
    assert "Community care in practice" in first_titles.values()


def test_files_of_merged_segments_are_deleted_once_old_enough(settings, built_index, monkeypatch):
    def segment_files():
        return {path.name for path in (settings.index_dir / "current").iterdir()
                if path.name.startswith("MAIN_") and path.name != "MAIN_WRITELOCK"}

    before = segment_files()
    for number in range(6):
        make_pdf(settings.corpus_dir / f"update-{number}.pdf", [f"Update {number} about allotments."], title=f"Update {number}")
        run_index(settings)
    assert before <= segment_files()  # merged away, but young: kept for readers still using them
    monkeypatch.setattr("kil_search.index.whoosh_patches.RETAIN_SECONDS", 0)
    make_pdf(settings.corpus_dir / "update-last.pdf", ["The last update."], title="Last update")
    run_index(settings)
    live = {segment.segment_id() for segment in whoosh_index.open_dir(str(settings.index_dir / "current"))._segments()}
    assert {name.split(".")[0] for name in segment_files()} == live  # nothing left but what is in use
    assert before - segment_files()  # the first segment was merged away and its files are gone
    assert SearchService(settings.index_dir).search("allotments").total == 6
