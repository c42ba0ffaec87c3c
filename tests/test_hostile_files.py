"""Hostile and real-world files: each is indexed or reported, in bounded time and memory, and the site still works."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import robustness
from builders import make_pdf
from conftest import SHARED_DIR, shared_reason
from hostile_pdfs import compression_bomb, deep_nesting, many_pages, page_tree_loop, text_bomb, truncated
from kil_search.extract.limits import MAX_DOCUMENT_CHARS, MAX_PAGE_CHARS, MAX_PAGES_WITH_TEXT, within_limits
from kil_search.models import Document, Page
from kil_search.web import create_app

REAL_PDFS = SHARED_DIR / "testdata" / "pdfs"  # indexed beside the hostile files when present
TIMEOUT_SECONDS = robustness.sized(30, 60)  # the runner's per-file limit in this run
RUN_BOUND_SECONDS = robustness.sized(240, 900)  # the whole run, kept well above what it takes
INDEXER_MEMORY_BOUND_MB = 400
WORKER_MEMORY_LIMIT_MB = 2048  # the default RLIMIT_AS of an extraction worker
PAGES = robustness.sized(5_000, 20_000)


def write_hostile_files(folder: Path) -> dict[str, str]:
    """Write the generated hostile files; return {name: what it is}."""
    folder.mkdir(parents=True)
    sample = make_pdf(folder.parent / "truncation-source.pdf",
                      [f"Page {number}: commissioning from local organisations. " * 40 for number in range(1, 31)],
                      title="A whole report to cut short")
    made = {
        "zero-bytes.pdf": "an empty file",
        "zero-bytes.html": "an empty web page",
        "random-bytes.pdf": "a PDF header then 200 KB of random bytes",
        "html-named.pdf": "a web page named .pdf",
        "bomb-4gb.pdf": "a FlateDecode content stream that inflates to 4 GB",
        "bomb-64-streams.pdf": "a page whose 64 content streams inflate to 4 GB together",
        "deep-nesting.pdf": "an array and a dictionary nested 100,000 deep",
        "page-tree-loop.pdf": "a /Kids entry pointing back at its parent",
        f"pages-{PAGES}.pdf": f"{PAGES:,} pages",
        "text-bomb.pdf": "a 10 KB file whose pages hold more text than a page can",
        "deep-nesting.html": "div elements nested deep",
        "unclosed-script.html": "a <script> that never closes",
        "binary.html": "every byte value, as a web page",
    }
    (folder / "zero-bytes.pdf").write_bytes(b"")
    (folder / "zero-bytes.html").write_bytes(b"")
    (folder / "random-bytes.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(200_000))
    (folder / "html-named.pdf").write_text("<html><title>Not a PDF</title><p>Hello</p></html>")
    compression_bomb(folder / "bomb-4gb.pdf", 4 << 30)
    compression_bomb(folder / "bomb-64-streams.pdf", 4 << 30, streams=64)
    deep_nesting(folder / "deep-nesting.pdf", 100_000)
    page_tree_loop(folder / "page-tree-loop.pdf")
    many_pages(folder / f"pages-{PAGES}.pdf", PAGES)
    if robustness.is_long():  # 60 MB of text in a 40 KB file: one 20 MB string on each of 3 pages
        text_bomb(folder / "text-bomb.pdf", pages=3, words_per_page=2_000_000, words_per_string=2_000_000)
    else:
        text_bomb(folder / "text-bomb.pdf", pages=2, words_per_page=15_000)
    depth = robustness.sized(20_000, 100_000)
    (folder / "deep-nesting.html").write_text(f"<title>Deep</title><body>{'<div>' * depth}deep text{'</div>' * depth}")
    (folder / "unclosed-script.html").write_text("<title>Unclosed</title><p>Before<script>alert(1)" + "<p><b>" * 20_000)
    (folder / "binary.html").write_bytes(bytes(range(256)) * 4_000)
    for keep, name in ((0.5, "truncated-half.pdf"), (0.02, "truncated-header.pdf")):
        truncated(folder / name, sample, keep)
        made[name] = f"the first {keep:.0%} of a whole PDF"
    sample.unlink()
    return made


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """Index the hostile files (and the real-world PDFs of ../shared, when present) in one run of the real indexer."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    if REAL_PDFS.is_dir():
        shutil.copytree(REAL_PDFS, corpus / "real", ignore=shutil.ignore_patterns("*.md"))
    made = write_hostile_files(corpus / "hostile")
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "tests/measured_index.py", "--corpus", str(corpus), "--index", str(root / "index"),
         "--timeout", str(TIMEOUT_SECONDS), "--jobs", "2"],
        cwd=robustness.REPO_ROOT, capture_output=True, text=True, timeout=RUN_BOUND_SECONDS,
        env={**os.environ, "KIL_EXTRACT_MEMORY_MB": str(WORKER_MEMORY_LIMIT_MB)},
    )
    seconds = time.monotonic() - started
    memory = json.loads(finished.stdout.strip().splitlines()[-1])
    summary = json.loads((root / "index" / "last_run.json").read_text())
    real = sorted(f"real/{path.name}" for path in (corpus / "real").glob("*.pdf"))
    robustness.record(
        "hostile files",
        f"{len(real)} real-world PDFs + {len(made)} hostile files indexed or reported in {seconds:.0f} s "
        f"(per-file limit {TIMEOUT_SECONDS} s); indexer peak {memory['indexer_peak_mb']:.0f} MB, "
        f"largest worker {memory['worker_peak_mb']:.0f} MB (cap {WORKER_MEMORY_LIMIT_MB} MB); "
        f"{len(summary['indexed'])} indexed, {len(summary['failed'])} reported",
    )
    return {"root": root, "corpus": corpus, "made": made, "real": real, "summary": summary, "memory": memory,
            "seconds": seconds, "output": finished.stdout + finished.stderr, "code": memory["exit_code"]}


def test_every_file_is_indexed_or_reported_with_a_reason(hostile_run):
    summary = hostile_run["summary"]
    assert hostile_run["code"] == 0, hostile_run["output"]
    indexed, failed = set(summary["indexed"]), dict(summary["failed"])
    expected = set(hostile_run["real"]) | {f"hostile/{name}" for name in hostile_run["made"]}
    assert indexed | set(failed) == expected
    assert not indexed & set(failed)
    assert all(reason.strip() for reason in failed.values())
    assert summary["documents"] == len(indexed)  # searchable ones; failures are recorded apart


def test_files_that_cannot_be_read_say_why(hostile_run):
    failed = dict(hostile_run["summary"]["failed"])
    assert failed["hostile/zero-bytes.pdf"] == "empty file"
    assert failed["hostile/html-named.pdf"] == "not a PDF (no %PDF header)"
    assert failed["hostile/page-tree-loop.pdf"].startswith("broken PDF")
    assert failed["hostile/truncated-header.pdf"].startswith("broken PDF")


def test_real_world_pdfs_that_cannot_be_read_are_the_known_ones(hostile_run):
    if not hostile_run["real"]:
        pytest.skip(shared_reason(REAL_PDFS))
    failed = dict(hostile_run["summary"]["failed"])
    assert "encrypted" in failed["real/005-libreoffice-writer-password__libreoffice-writer-password.pdf"]
    # pypdf cannot find the pages of 017 ("Invalid object in /Pages"); every other real-world PDF is indexed.
    known_unreadable = {name for name in hostile_run["real"] if name.startswith(("real/005-", "real/017-"))}
    assert {name for name in failed if name.startswith("real/")} == known_unreadable


def test_bombs_are_defused_with_a_warning(hostile_run):
    warnings = {}
    for doc_id, warning in hostile_run["summary"]["warnings"]:
        warnings.setdefault(doc_id, []).append(warning)
    for name in ("hostile/bomb-4gb.pdf", "hostile/bomb-64-streams.pdf"):
        assert name in hostile_run["summary"]["indexed"]
        assert any("text could not be extracted" in warning for warning in warnings[name]), warnings.get(name)
    assert any(f"text cut at {MAX_PAGE_CHARS:,} characters" in warning for warning in warnings["hostile/text-bomb.pdf"])
    if PAGES > MAX_PAGES_WITH_TEXT:
        assert any(f"from page {MAX_PAGES_WITH_TEXT + 1} on" in warning for warning in warnings[f"hostile/pages-{PAGES}.pdf"])


def test_no_file_hangs_the_run_and_memory_stays_bounded(hostile_run):
    assert hostile_run["seconds"] < RUN_BOUND_SECONDS
    assert hostile_run["memory"]["indexer_peak_mb"] < INDEXER_MEMORY_BOUND_MB
    assert hostile_run["memory"]["worker_peak_mb"] < WORKER_MEMORY_LIMIT_MB


def test_the_site_works_over_the_hostile_index(hostile_run):
    root = hostile_run["root"]
    client = create_app({"corpus_dir": root / "corpus", "index_dir": root / "index", "TESTING": True}).test_client()
    summary = hostile_run["summary"]
    assert client.get("/healthz").get_json()["documents"] == len(summary["indexed"]) + len(summary["failed"])  # every record
    assert client.get("/").status_code == 200
    for doc_id in hostile_run["summary"]["indexed"] + [doc_id for doc_id, _ in hostile_run["summary"]["failed"]]:
        assert client.get(f"/documents/{doc_id}").status_code == 200, doc_id
        assert client.get(f"/api/documents/{doc_id}").status_code == 200, doc_id
    page = min(PAGES, MAX_PAGES_WITH_TEXT) - 7  # pages past the cap are kept but not indexed
    data = client.get(f'/api/search?q="{page} of {PAGES}"').get_json()
    assert [result["id"] for result in data["results"]] == [f"hostile/pages-{PAGES}.pdf"]
    assert data["results"][0]["passages"][0]["url"].endswith(f"#page={page}")


def test_a_page_is_cut_at_the_page_limit():
    document = Document("x.pdf", "pdf", "X", pages=[Page(1, "word " * 30_000), Page(2, "short")])
    within_limits(document)
    assert len(document.pages[0].text) <= MAX_PAGE_CHARS and document.pages[1].text == "short"
    assert document.warnings == [f"text cut at {MAX_PAGE_CHARS:,} characters on page 1"]


def test_text_beyond_the_document_budget_is_not_indexed():
    full_pages = MAX_DOCUMENT_CHARS // MAX_PAGE_CHARS
    pages = [Page(number, "word " * (MAX_PAGE_CHARS // 5)) for number in range(1, full_pages + 3)]
    document = within_limits(Document("x.pdf", "pdf", "X", pages=pages))
    assert sum(len(page.text) for page in document.pages) <= MAX_DOCUMENT_CHARS
    assert [page.text for page in document.pages[full_pages:]] == ["", ""]
    assert document.warnings[-1].startswith(f"text not indexed from page {full_pages + 1} on")


def test_pages_beyond_the_page_budget_are_not_indexed():
    pages = [Page(number, f"page {number}") for number in range(1, MAX_PAGES_WITH_TEXT + 3)]
    document = within_limits(Document("x.pdf", "pdf", "X", pages=pages))
    assert sum(bool(page.text) for page in document.pages) == MAX_PAGES_WITH_TEXT
    assert f"from page {MAX_PAGES_WITH_TEXT + 1} on" in document.warnings[-1]


def test_control_characters_never_reach_the_index():
    document = Document("x.html", "html", "Tab\x00le\x1b[31m", metadata={"author": "A\x07B", "page_count": 1},
                        pages=[Page(1, "one\x00two\nthree\x0cfour", section="S\x7f")])
    within_limits(document)
    assert (document.title, document.metadata["author"]) == ("Tab le [31m", "A B")
    assert (document.pages[0].text, document.pages[0].section) == ("one two\nthree four", "S ")
