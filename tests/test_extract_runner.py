"""Extraction in worker processes: results, timeouts, crashes and clean-up."""

from __future__ import annotations

import multiprocessing

import pytest

from builders import make_html, make_pdf
from kil_search.extract.runner import CRASH_HOOK_ENV, SLEEP_HOOK_ENV, extract_in_workers


@pytest.fixture
def files(tmp_path):
    """Write three good files and one broken PDF; return their paths."""
    return [
        make_pdf(tmp_path / "one.pdf", ["Allotments and food growing in Oldham."], title="Food growing"),
        make_pdf(tmp_path / "two.pdf", ["Homelessness prevention through early intervention."]),
        make_html(tmp_path / "three.html", title="Libraries", body_html="<h1>Libraries</h1><p>Opening hours.</p>"),
        _write(tmp_path / "broken.pdf", b"%PDF-1.4\n1 0 obj <<\n garbage"),
    ]


def _write(path, data: bytes):
    """Write bytes to path and return it."""
    path.write_bytes(data)
    return path


def run(paths, **options):
    """Return {file name: result} for a whole run."""
    return {result.path.name: result for result in extract_in_workers(paths, **options)}


def test_good_and_bad_files_in_two_workers(files):
    results = run(files, jobs=2, timeout=30)
    assert set(results) == {"one.pdf", "two.pdf", "three.html", "broken.pdf"}
    assert results["one.pdf"].document.title == "Food growing"
    assert "Homelessness prevention" in results["two.pdf"].document.pages[0].text
    assert results["three.html"].document.format == "html"
    assert results["broken.pdf"].document is None
    assert results["broken.pdf"].error.startswith("broken PDF")
    assert all(0 < result.seconds < 30 for result in results.values())  # each measured, none near the time limit
    assert multiprocessing.active_children() == []


def test_hanging_file_is_abandoned_after_the_timeout(files, monkeypatch):
    monkeypatch.setenv(SLEEP_HOOK_ENV, "two.pdf")
    results = run(files, jobs=2, timeout=1.5)
    assert results["two.pdf"].error == "timed out after 1.5 s"
    assert results["two.pdf"].document is None
    assert results["one.pdf"].document is not None
    assert results["three.html"].document is not None
    assert multiprocessing.active_children() == []


def test_worker_crash_is_reported_and_later_files_still_done(files, monkeypatch):
    monkeypatch.setenv(CRASH_HOOK_ENV, "one.pdf")
    results = run(files, jobs=1, timeout=30)
    assert results["one.pdf"].error == "worker crashed (exit code 3)"
    assert results["two.pdf"].document is not None
    assert results["three.html"].document is not None
    assert len(results) == 4
    assert multiprocessing.active_children() == []


def test_files_queued_behind_a_crash_or_a_hang_are_still_extracted_once(tmp_path, monkeypatch):
    """A busy worker is sent its next file early; when it dies, that file goes to another worker."""
    paths = [make_pdf(tmp_path / f"report-{number}.pdf", [f"Report {number} on community hubs."])
             for number in range(8)]
    monkeypatch.setenv(CRASH_HOOK_ENV, "report-1.pdf")
    monkeypatch.setenv(SLEEP_HOOK_ENV, "report-4.pdf")
    names = [result.path.name for result in extract_in_workers(paths, jobs=2, timeout=1.5)]
    assert sorted(names) == sorted(path.name for path in paths)  # each file reported exactly once
    results = run(paths, jobs=2, timeout=1.5)
    assert results["report-1.pdf"].error == "worker crashed (exit code 3)"
    assert results["report-4.pdf"].error == "timed out after 1.5 s"
    for number in (0, 2, 3, 5, 6, 7):
        assert f"Report {number}" in results[f"report-{number}.pdf"].document.pages[0].text
    assert multiprocessing.active_children() == []


def test_unsupported_and_missing_files_are_errors_not_crashes(tmp_path):
    (tmp_path / "notes.txt").write_text("plain text")
    results = run([tmp_path / "notes.txt", tmp_path / "gone.pdf"], jobs=1, timeout=30)
    assert "unsupported file type" in results["notes.txt"].error
    assert "cannot read file" in results["gone.pdf"].error


def test_closing_the_generator_early_stops_the_workers(files, monkeypatch):
    monkeypatch.setenv(SLEEP_HOOK_ENV, "two.pdf")
    results = extract_in_workers(files, jobs=2, timeout=30)
    next(results)
    results.close()
    assert multiprocessing.active_children() == []


def test_no_paths_starts_no_workers():
    assert list(extract_in_workers([], jobs=4)) == []


def count_pages(path, document, hint):
    """A prepare function for the test below: runs in the worker."""
    if hint == "fail":
        raise ValueError("cannot prepare this one")
    return {"pages": len(document.pages), "hint": hint, "worker": multiprocessing.current_process().name}


def test_prepare_runs_in_the_worker_and_a_failure_only_loses_its_result(tmp_path):
    good = make_pdf(tmp_path / "good.pdf", ["Page one.", "Page two."])
    bad = make_pdf(tmp_path / "bad.pdf", ["Only page."])
    results = run([good, bad], jobs=1, timeout=30, prepare=count_pages, hints={good: "hello", bad: "fail"})
    assert results["good.pdf"].prepared == {"pages": 2, "hint": "hello", "worker": "kil-extract"}
    assert results["bad.pdf"].prepared is None
    assert results["bad.pdf"].document is not None and results["bad.pdf"].error is None
