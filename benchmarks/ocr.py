"""OCR of scanned pages: word accuracy, pages per second, the Post Office Horizon response, the cache.

    python benchmarks/ocr.py            # all sections (about two minutes on 2 busy cores)
    python benchmarks/ocr.py --quick    # scans of known text only

1. Scans made like tests/scans.py's (DejaVu Serif and Sans, 11 pt, 300 dpi): word accuracy of the
   text each method reads, beside the plain baseline (pypdf's text layer, which is empty).
2. The government's response to the Post Office Horizon IT Inquiry (16 pages printed to PDF with
   the text as outlines, no text layer; nothing here was tuned on it): words read per page by
   (a) rendering the page with pdftoppm, as the indexer does, and (b) OCR of the images pypdf takes
   out of the page; then a search for a phrase read off page 9 by eye.
3. Indexing time: a first run (OCR), an unchanged run, a rebuild with the cache and one without.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, print_table

sys.path.insert(0, str(REPO_ROOT / "tests"))

from pypdf import PdfReader  # noqa: E402

from kil_search.config import load_settings  # noqa: E402
from kil_search.extract import extract_pdf  # noqa: E402
from kil_search.extract.ocr import ocr_langs, recognise_page  # noqa: E402
from kil_search.extract.ocr_cache import CACHE_FOLDER  # noqa: E402
from kil_search.indexing import run_index  # noqa: E402
from kil_search.search import SearchService  # noqa: E402
from scans import KNOWN_TEXT, make_scanned_pdf, word_accuracy, words_of  # noqa: E402

POST_OFFICE = (REPO_ROOT.parent / "shared" / "testdata" / "realpdfs" / "uk-inquiries-and-responses"
               / "PostOfficeHorizon-IT-Inquiry-Response.pdf")
PAGE_NINE_PHRASE = '"consult Sir Ross Cranston"'  # read off the image of page 9
ACCURACY_TARGET = 0.98


def images_text(path: Path, number: int) -> str:
    """Return what Tesseract reads on the images pypdf takes out of one page (method b)."""
    import pytesseract

    texts = []
    for image in PdfReader(path).pages[number - 1].images:
        texts.append(pytesseract.image_to_string(image.image, lang=ocr_langs()))
    return "\n".join(texts)


def layer_text(path: Path, number: int) -> str:
    """Return pypdf's text layer of one page (the baseline)."""
    return PdfReader(path).pages[number - 1].extract_text() or ""


def known_text_accuracy(folder: Path) -> tuple[bool, list[float]]:
    """Print word accuracy per font and method on scans of known text; return PASS and seconds per page."""
    rows, seconds, passed = [], [], True
    for font in ("serif", "sans"):
        path = make_scanned_pdf(folder / f"{font}.pdf", [("scan", KNOWN_TEXT)], font=font)
        started = time.perf_counter()
        rendered = recognise_page(path, 1)
        seconds.append(time.perf_counter() - started)
        from_images = images_text(path, 1)
        accuracy = word_accuracy(KNOWN_TEXT, rendered)
        passed &= accuracy >= ACCURACY_TARGET
        rows.append([font, len(words_of(KNOWN_TEXT)), f"{word_accuracy(KNOWN_TEXT, layer_text(path, 1)):.1%}",
                     f"{accuracy:.1%}", f"{word_accuracy(KNOWN_TEXT, from_images):.1%}"])
    print_table("Scans of known text (300 dpi): word accuracy", ["font", "words", "text layer (baseline)",
                "pdftoppm + tesseract", "pypdf images + tesseract"], rows)
    return passed, seconds


def post_office_pages() -> tuple[bool, list[float]]:
    """Print words read per page of the Post Office response by each method; return PASS and seconds per page."""
    rows, seconds = [], []
    blank_or_read = True
    for number in range(1, len(PdfReader(POST_OFFICE).pages) + 1):
        started = time.perf_counter()
        rendered = len(recognise_page(POST_OFFICE, number).split())
        seconds.append(time.perf_counter() - started)
        from_images = len(images_text(POST_OFFICE, number).split())
        blank_or_read &= rendered > 0
        rows.append([number, len(layer_text(POST_OFFICE, number).split()), rendered, from_images])
    totals = ["total", *(sum(row[column] for row in rows) for column in (1, 2, 3))]
    pages_with_words = ["pages with words", *(sum(1 for row in rows if row[column]) for column in (1, 2, 3))]
    print_table("Post Office Horizon response: words read per page", ["page", "text layer (baseline)",
                "pdftoppm + tesseract", "pypdf images + tesseract"], rows + [totals, pages_with_words])
    return blank_or_read, seconds


def indexing_times(folder: Path) -> bool:
    """Index the Post Office response and a text PDF: first run, unchanged run, rebuilds with and without cache."""
    corpus = folder / "corpus"
    corpus.mkdir()
    shutil.copyfile(POST_OFFICE, corpus / POST_OFFICE.name)
    make_scanned_pdf(corpus / "text-only.pdf", [("text", KNOWN_TEXT)] * 3)
    settings = load_settings(corpus_dir=corpus, index_dir=folder / "index", jobs=2, extract_timeout=300)
    timings = {}
    started = time.perf_counter()
    run_index(settings)
    timings["first run (OCR)"] = time.perf_counter() - started
    unchanged = []
    for _ in range(3):
        started = time.perf_counter()
        assert run_index(settings).unchanged == 2
        unchanged.append(time.perf_counter() - started)
    timings["unchanged run (median of 3)"] = statistics.median(unchanged)
    started = time.perf_counter()
    run_index(settings, rebuild=True)
    timings["--rebuild, cache kept"] = time.perf_counter() - started
    hits = SearchService(settings.index_dir).search(PAGE_NINE_PHRASE).results
    shutil.rmtree(settings.index_dir / CACHE_FOLDER)
    started = time.perf_counter()
    run_index(settings, rebuild=True)
    timings["--rebuild, cache removed"] = time.perf_counter() - started
    print_table("Indexing time (2 workers)", ["run", "seconds"], [[name, f"{value:.2f}"] for name, value in timings.items()])
    found = bool(hits) and hits[0].id == POST_OFFICE.name and hits[0].passages[0].page == 9
    where = f"{hits[0].id}, page {hits[0].passages[0].page}" if hits else "nothing"
    print(f"\nSearch {PAGE_NINE_PHRASE}: first result {where}")
    print(f"{'PASS' if found else 'FAIL'}: the page-9 phrase finds the Post Office response on page 9")
    cached_ok = timings["--rebuild, cache kept"] < timings["--rebuild, cache removed"] / 2
    print(f"{'PASS' if cached_ok else 'FAIL'}: a rebuild with the cache takes less than half the time of one without")
    return found and cached_ok


def main() -> int:
    """Run the sections and print PASS/FAIL lines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the scans of known text")
    quick = parser.parse_args().quick
    print(f"OCR languages: {ocr_langs()}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="kil-ocr-bench-") as folder:
        accurate, seconds = known_text_accuracy(Path(folder))
        print(f"{'PASS' if accurate else 'FAIL'}: word accuracy >= {ACCURACY_TARGET:.0%} on serif and sans scans")
        ok &= accurate
        if not quick and POST_OFFICE.exists():
            every_page, post_office_seconds = post_office_pages()
            print(f"{'PASS' if every_page else 'FAIL'}: every Post Office page yields words (pdftoppm + tesseract)")
            seconds += post_office_seconds
            ok &= every_page
            ok &= indexing_times(Path(folder))
        elif not quick:
            print(f"(skipped the Post Office sections: {POST_OFFICE} not found)")
    median = statistics.median(seconds)
    print(f"\nOCR speed (render at 300 dpi + recognise, one page at a time, one core): median {median:.2f} s a page, "
          f"{1 / median:.2f} pages/second over {len(seconds)} pages")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
