"""Scanned PDF pages are read by OCR: the right page, only scans, cached, within limits, and without Tesseract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import indexed_client
from kil_search.config import load_settings
from kil_search.extract import extract_file
from kil_search.extract import ocr
from kil_search.extract.ocr_cache import CACHE_FOLDER
from kil_search.indexing import run_index
from kil_search.status import index_status
from kil_search.web import create_app
from browsers import BROWSER_MARKS, browser, opened_page  # noqa: F401 (browser is a fixture)
from scans import KNOWN_TEXT, make_scanned_pdf, word_accuracy
from servers import running_server

PROJECT_ROOT = Path(__file__).resolve().parents[1]
POST_OFFICE = (PROJECT_ROOT.parent / "shared" / "testdata" / "realpdfs" / "uk-inquiries-and-responses"
               / "PostOfficeHorizon-IT-Inquiry-Response.pdf")
SCANNED_WORDS = ("The allotment committee inspected the greenhouses at Pemberton Lane and found the water "
                 "butts empty, so the members agreed to buy two new rain barrels before the summer show.")
TEXT_PAGE = "Minutes of the parish meeting. Apologies were received from two councillors."

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                                reason="needs Debian's tesseract-ocr and poppler-utils")


@pytest.fixture
def recognised(monkeypatch) -> list[int]:
    """Record the page numbers OCR recognises in this process."""
    pages: list[int] = []
    original = ocr.recognise_page

    def counting(path, number, *args, **kwargs):
        pages.append(number)
        return original(path, number, *args, **kwargs)

    monkeypatch.setattr(ocr, "recognise_page", counting)
    return pages


def mixed_pdf(path: Path) -> Path:
    """Write a text page, a scanned page and a text page."""
    return make_scanned_pdf(path, [("text", TEXT_PAGE), ("scan", SCANNED_WORDS), ("text", "Any other business: none.")])


def test_scanned_page_words_are_found_on_their_page_and_text_pages_are_not_recognised(tmp_path, recognised):
    document = extract_file(mixed_pdf(tmp_path / "minutes.pdf"))
    assert recognised == [2]
    first, scanned, last = document.pages
    assert "Pemberton Lane" in scanned.text and "greenhouses" in scanned.text and scanned.ocr
    assert "Pemberton" not in first.text + last.text
    assert not first.ocr and not last.ocr and "parish meeting" in first.text
    assert document.metadata["ocr"] == {"pages_read": 1, "pages_unread": 0, "missing": ""}
    assert not any("scanned" in warning for warning in document.warnings)


@pytest.mark.parametrize("font", ["serif", "sans"])
def test_word_accuracy_on_a_300_dpi_scan_of_known_text(tmp_path, font):
    document = extract_file(make_scanned_pdf(tmp_path / f"{font}.pdf", [("scan", KNOWN_TEXT)], font=font))
    assert word_accuracy(KNOWN_TEXT, document.pages[0].text) >= 0.98


def test_cache_spares_a_second_recognition_of_the_same_content(tmp_path, recognised):
    first = mixed_pdf(tmp_path / "a.pdf")
    copy = tmp_path / "renamed copy.pdf"
    shutil.copyfile(first, copy)
    with ocr.file_limits(None, tmp_path / "cache"):
        text = extract_file(first).pages[1].text
        again = extract_file(copy).pages[1]
    assert recognised == [2]
    assert again.text == text and again.ocr


def test_ocr_off_leaves_scans_unread_and_says_so(tmp_path, monkeypatch, recognised):
    monkeypatch.setenv("KIL_OCR", "0")
    document = extract_file(mixed_pdf(tmp_path / "minutes.pdf"))
    assert recognised == [] and document.pages[1].text == "" and not document.pages[1].ocr
    assert document.metadata["ocr"]["pages_unread"] == 1
    assert "no extractable text on 1 of 3 pages (scanned?)" in document.warnings


def test_page_limit_names_the_pages_left(tmp_path, monkeypatch, recognised):
    monkeypatch.setenv("KIL_OCR_MAX_PAGES", "1")
    document = extract_file(make_scanned_pdf(tmp_path / "three.pdf", [("scan", SCANNED_WORDS)] * 3))
    assert recognised == [1]
    assert "Pemberton" in document.pages[0].text and document.pages[2].text == ""
    assert any("pages 2, 3 not read: at most 1 recognised per file (KIL_OCR_MAX_PAGES)" in w for w in document.warnings)


def test_a_page_with_only_a_logo_and_a_page_number_is_not_recognised(tmp_path, recognised):
    from fpdf import FPDF
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("L", (220, 110), 0).save(logo)
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.image(str(logo), x=170, y=10, w=25)
    pdf.set_font("helvetica", size=11)
    pdf.set_xy(180, 280)
    pdf.cell(10, 5, "31")
    pdf.output(str(tmp_path / "back-page.pdf"))
    document = extract_file(tmp_path / "back-page.pdf")
    assert recognised == [] and "ocr" not in document.metadata


def test_an_unknown_ocr_language_is_a_warning_not_a_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("KIL_OCR_LANGS", "xx-no-such-language")
    document = extract_file(mixed_pdf(tmp_path / "minutes.pdf"))
    assert "parish meeting" in document.pages[0].text and document.pages[1].text == ""
    assert any(w.startswith("scanned page 2: text could not be recognised") for w in document.warnings)
    assert document.metadata["ocr"]["pages_unread"] == 1


def test_a_poster_sized_scan_is_rendered_small_enough_to_read(tmp_path):
    poster = make_scanned_pdf(tmp_path / "poster.pdf", [("scan", SCANNED_WORDS)], page_mm=(2100, 2970))
    started = time.monotonic()
    document = extract_file(poster)  # at 300 dpi this page would be 24,800 x 35,080 pixels
    assert "Pemberton" in document.pages[0].text and document.pages[0].ocr
    assert time.monotonic() - started < 60


def test_missing_tesseract_in_process_leaves_text_pages_alone(tmp_path, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-such-tesseract"))
    document = extract_file(mixed_pdf(tmp_path / "minutes.pdf"))
    assert "parish meeting" in document.pages[0].text and document.pages[1].text == ""
    assert document.metadata["ocr"] == {"pages_read": 0, "pages_unread": 1, "missing": "tesseract-ocr"}


def corpus_with(tmp_path: Path, files: dict[str, list[tuple[str, str]]]) -> Path:
    """Write a corpus folder of scanned PDFs."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, pages in files.items():
        make_scanned_pdf(corpus / name, pages)
    return corpus


def indexed_mixed_pdf(tmp_path: Path):
    """Index a corpus of one mixed PDF (text, scan, text); return the index folder and a test client of the app."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    mixed_pdf(corpus / "allotments.pdf")
    return tmp_path / "index", indexed_client(corpus, tmp_path / "index", extract_timeout=60)


def test_scanned_report_is_found_on_its_page_in_the_browser_and_the_api(tmp_path):
    index_dir, client = indexed_mixed_pdf(tmp_path)
    data = client.get("/api/search?q=greenhouses+Pemberton").get_json()
    passage = data["results"][0]["passages"][0]
    assert data["results"][0]["id"] == "allotments.pdf"
    assert passage["page"] == 2 and passage["ocr"] is True and passage["url"].endswith("#page=2")
    html = client.get("/search?q=greenhouses+Pemberton").get_data(as_text=True)
    assert "Text recognised from a scan" in html and ">p. 2<" in html
    text_hit = client.get("/api/search?q=apologies+councillors").get_json()["results"][0]["passages"][0]
    assert text_hit["page"] == 1 and text_hit["ocr"] is False
    assert "Text recognised from a scan" not in client.get("/search?q=apologies+councillors").get_data(as_text=True)
    status = client.get("/api/status").get_json()
    assert (status["ocr_pages"], status["scanned_pages_unread"]) == (1, 0)
    assert "Scanned pages read by OCR</dt><dd>1<" in client.get("/status").get_data(as_text=True)
    from click.testing import CliRunner

    from kil_search.cli import main

    printed = CliRunner().invoke(main, ["search", "--index", str(index_dir), "greenhouses Pemberton"]).output
    assert "p.2 : [text recognised from a scan]" in printed


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_a_person_finds_the_scanned_page_in_the_browser(tmp_path, browser):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    mixed_pdf(corpus / "allotments.pdf")
    run_index(load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1, extract_timeout=60))
    with running_server(corpus, tmp_path / "index") as base, opened_page(browser, 1024, 800) as page:
        page.goto(base + "/")
        page.get_by_label("Search reports, guides and case studies").fill("greenhouses Pemberton")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=*")
        passage = page.locator(".result .passage").first
        assert passage.locator(".scan-label").inner_text() == "Text recognised from a scan"
        assert passage.locator(".page-link").inner_text() == "p. 2"
        assert passage.locator(".page-link").get_attribute("href").endswith("/file#page=2")
        assert passage.locator("mark").count() >= 2


def test_rebuild_takes_the_text_from_the_cache_not_tesseract(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    mixed_pdf(corpus / "allotments.pdf")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1, extract_timeout=60)
    run_index(settings)
    [cache_file] = (settings.index_dir / CACHE_FOLDER).glob("*.json")
    stored = json.loads(cache_file.read_text())
    assert "Pemberton" in stored["pages"]["2"]
    # Had Tesseract run again, this word (on no page of the file) could not be found.
    stored["pages"]["2"] = "zanzibarquux marker written into the cache"
    cache_file.write_text(json.dumps(stored))
    run_index(settings, rebuild=True)
    client = create_app({"corpus_dir": corpus, "index_dir": settings.index_dir, "TESTING": True}).test_client()
    results = client.get("/api/search?q=zanzibarquux").get_json()["results"]
    assert [result["id"] for result in results] == ["allotments.pdf"]
    assert results[0]["passages"][0]["page"] == 2


def test_time_limit_holds_on_a_large_scan_and_names_the_pages_left(tmp_path):
    corpus = corpus_with(tmp_path, {"big-scan.pdf": [("scan", SCANNED_WORDS)] * 40})
    timeout = 8.0
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1, extract_timeout=timeout)
    started = time.monotonic()
    summary = run_index(settings)
    seconds = time.monotonic() - started
    assert summary.indexed == ["big-scan.pdf"] and not summary.failed
    assert seconds < timeout + 20  # worker start and index writing on top of the file's limit
    warnings = [warning for doc_id, warning in summary.warnings if doc_id == "big-scan.pdf"]
    assert any("not read: the file's time limit was reached" in warning and "40" in warning for warning in warnings)
    status = index_status(settings.index_dir)
    # How many pages Tesseract reads inside the limit depends on the machine (a fast one read 10 of 40);
    # what must hold is that every page is counted once, read or named as left, and some were left.
    assert status["ocr_pages"] + status["scanned_pages_unread"] == 40
    assert status["scanned_pages_unread"] >= 1


def test_without_tesseract_the_indexer_runs_and_warns_once(tmp_path):
    corpus = corpus_with(tmp_path, {
        "one.pdf": [("text", TEXT_PAGE), ("scan", SCANNED_WORDS)],
        "two.pdf": [("scan", KNOWN_TEXT)],
    })
    only_pdftoppm = tmp_path / "bin"
    only_pdftoppm.mkdir()
    (only_pdftoppm / "pdftoppm").symlink_to(shutil.which("pdftoppm"))
    environment = {**os.environ, "PATH": str(only_pdftoppm)}
    index = tmp_path / "index"
    run = subprocess.run([sys.executable, "indexer.py", "--corpus", str(corpus), "--index", str(index), "--jobs", "1"],
                         cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("2 scanned pages not read: install tesseract-ocr to read them") == 1
    assert "indexed 2" in run.stdout and "failed 0" in run.stdout
    status = subprocess.run([sys.executable, "-c", "from kil_search.cli import main; main()", "status", "--index",
                             str(index)], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert "Scanned pages: 0 read by OCR, 2 left unread." in status.stdout


@pytest.mark.slow
@pytest.mark.skipif(not POST_OFFICE.exists(), reason="needs the shared Post Office Horizon response PDF")
def test_post_office_response_page_nine_is_found_by_a_phrase_read_off_its_image(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(POST_OFFICE, corpus / POST_OFFICE.name)
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1, extract_timeout=240)
    summary = run_index(settings)
    assert summary.indexed == [POST_OFFICE.name]
    status = index_status(settings.index_dir)
    assert (status["ocr_pages"], status["scanned_pages_unread"]) == (16, 0)
    client = create_app({"corpus_dir": corpus, "index_dir": settings.index_dir, "TESTING": True}).test_client()
    result = client.get('/api/search?q="consult Sir Ross Cranston"').get_json()["results"][0]
    assert result["id"] == POST_OFFICE.name
    assert result["passages"][0]["page"] == 9 and result["passages"][0]["ocr"] is True


def test_answers_drawn_from_a_scan_say_so(tmp_path):
    _index, client = indexed_mixed_pdf(tmp_path)
    data = client.get("/api/ask", query_string={"q": "What did the allotment committee agree to buy?"}).get_json()
    shown = ([data["answer"]] if data["answer"] else []) + data["passages"]
    from_scan = [card for card in shown if card["page"] == 2]
    assert from_scan and all(card["ocr"] is True for card in from_scan)
    assert all(card["ocr"] is False for card in shown if card["page"] != 2)
    page = client.get("/ask", query_string={"q": "What did the allotment committee agree to buy?"}).get_data(as_text=True)
    assert "Text recognised from a scan" in page
