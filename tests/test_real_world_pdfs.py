"""Real-world PDFs from many producers: each is extracted or reported, and the run finishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED_DIR, needs_shared
from kil_search.extract.runner import extract_in_workers

PDF_DIR = SHARED_DIR / "testdata" / "pdfs"

pytestmark = needs_shared(PDF_DIR)


@pytest.fixture(scope="module")
def results():
    """Extract every real-world PDF once; return {file name: result}."""
    paths = sorted(PDF_DIR.glob("*.pdf"))
    return {result.path.name: result for result in extract_in_workers(paths, jobs=2, timeout=60)}


def test_every_file_is_extracted_or_reported(results):
    assert sorted(results) == sorted(path.name for path in PDF_DIR.glob("*.pdf"))
    for name, result in results.items():
        assert (result.document is None) != (result.error is None), name
        if result.document is not None:
            assert result.document.metadata["page_count"] == len(result.document.pages) > 0, name
            assert result.document.title.strip(), name
        else:
            assert result.error.strip(), name


def test_encrypted_file_is_reported_as_encrypted(results):
    encrypted = [result for name, result in results.items() if name.startswith("005-")]
    assert encrypted and all("encrypted" in result.error for result in encrypted)


def test_image_only_pages_are_flagged(results):
    document = results["007-imagemagick-images__imagemagick-images.pdf"].document
    assert document.warnings == ["no extractable text on 2 of 6 pages (scanned?)"]


def test_bookmarks_label_pages(results):
    document = results["009-pdflatex-geotopo__GeoTopo-komprimiert.pdf"].document
    assert document.title == "Geometrie und Topologie"
    assert document.pages[9].section == "1.2 Metrische Räume"


def test_title_from_xmp_when_the_info_dictionary_has_none(results):
    assert results["020-xmp__output_with_metadata_pymupdf.pdf"].document.title == "Sample PDF with XMP Metadata"
