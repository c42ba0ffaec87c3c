"""End to end: the real indexer command, the real server, the real sample corpus."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import SHARED_DIR, needs_shared, write_small_corpus
from servers import REPO_ROOT, get_json, running_server

REAL_WORLD_PDFS = SHARED_DIR / "testdata" / "pdfs"


def run_indexer(*args: str) -> subprocess.CompletedProcess:
    """Run `python indexer.py` and capture what it prints."""
    return subprocess.run([sys.executable, "indexer.py", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)


def test_indexer_then_server_answers_a_query(tmp_path):
    corpus = write_small_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    first = run_indexer("--corpus", str(corpus), "--index", str(index))
    assert first.returncode == 0, first.stderr
    assert "indexed 3, unchanged 0, removed 0, failed 0" in first.stdout
    second = run_indexer("--corpus", str(corpus), "--index", str(index))
    assert "indexed 0, unchanged 3" in second.stdout
    with running_server(corpus, index) as base:
        data = get_json(f"{base}/api/search?q=" + quote("neighbourhood social care"))
        assert data["results"][0]["title"] == "Community care in practice"
        assert data["results"][0]["passages"][0]["page"] == 2


def test_indexer_fails_clearly_without_a_corpus(tmp_path):
    result = run_indexer("--corpus", str(tmp_path / "missing"), "--index", str(tmp_path / "index"))
    assert result.returncode != 0
    assert "corpus folder not found" in result.stderr


@needs_shared(REAL_WORLD_PDFS)
def test_indexer_survives_the_real_world_pdfs(tmp_path):
    index = tmp_path / "index"
    result = run_indexer("--corpus", str(REAL_WORLD_PDFS), "--index", str(index), "--timeout", "60")
    assert result.returncode == 0, result.stderr
    summary = result.stdout
    assert "005-libreoffice-writer-password__libreoffice-writer-password.pdf: encrypted" in summary
    assert "no extractable text" in summary
    pdf_count = len(list(REAL_WORLD_PDFS.glob("*.pdf")))
    again = run_indexer("--corpus", str(REAL_WORLD_PDFS), "--index", str(index))
    assert f"indexed 0, unchanged {pdf_count}, removed 0, failed 0" in again.stdout
    assert "Still failing" in again.stdout


def test_sample_corpus_indexes_without_failure(tmp_path):
    corpus = REPO_ROOT / "corpus"
    result = run_indexer("--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert result.returncode == 0, result.stderr
    assert "failed 0" in result.stdout
    assert "Failed:" not in result.stdout
