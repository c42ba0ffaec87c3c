"""Real-world PDFs from many producers: each is extracted or reported, and the run finishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kil_search.extract.runner import extract_in_workers

PDF_DIR = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "pdfs"

pytestmark = pytest.mark.skipif(not PDF_DIR.is_dir(), reason=f"real-world PDFs not found at {PDF_DIR}")


def test_every_real_world_pdf_is_extracted_or_reported():
    paths = sorted(PDF_DIR.glob("*.pdf"))
    assert paths
    results = {result.path: result for result in extract_in_workers(paths, jobs=2, timeout=60)}
    assert set(results) == set(paths)
    for path, result in results.items():
        assert (result.document is None) != (result.error is None), path.name
        if result.document is not None:
            assert result.document.metadata["page_count"] == len(result.document.pages) > 0, path.name
            assert result.document.title.strip(), path.name
        else:
            assert result.error.strip(), path.name
    encrypted = [result for path, result in results.items() if path.name.startswith("005-")]
    assert encrypted and all("encrypted" in result.error for result in encrypted)
