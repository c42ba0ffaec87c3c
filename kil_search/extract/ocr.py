"""Read the pages of a PDF that have no text layer with Tesseract: render each page, recognise it, cache it.

Which pages are scans is scanned_pages.py's to say. A scanned page is rendered by pdftoppm
(poppler-utils), which reads an image and text drawn as shapes alike; the images pypdf can take
out of a page miss the second kind (benchmarks/ocr.py measures the two). Environment: KIL_OCR=0 turns
OCR off, KIL_OCR_LANGS picks Tesseract's languages (default "eng"), KIL_OCR_MAX_PAGES bounds the
pages recognised per file (default 200). In the extraction workers `file_limits` also gives OCR
its share of the file's time limit and the cache folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from kil_search.extract.ocr_cache import OcrCache

RENDER_DPI = 300
MAX_RENDER_PIXELS = 7000  # longest side of a rendered page (A4 at 300 dpi is 3508): a poster-sized page is scaled down
DEFAULT_LANGS = "eng"
DEFAULT_MAX_PAGES = 200
MIN_SECONDS_FOR_A_PAGE = 1.0  # with less time left, a page is not started
MISSING_TESSERACT = "tesseract-ocr"
MISSING_RENDERER = "poppler-utils"

_limits: dict[str, Any] = {"deadline": None, "cache_dir": None}


class _PageNotRead(Exception):
    """One page could not be rendered or recognised; the message says why."""


class _OutOfTime(Exception):
    """The file's OCR time ran out while a page was being recognised."""


@dataclass
class ScanReading:
    """What OCR made of a file's scanned pages: text by page index, counts and warnings."""

    texts: dict[int, str] = field(default_factory=dict)
    read: int = 0
    unread: int = 0
    missing: str = ""  # the Debian package that would have read the unread pages, if one was missing
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """Return the counts kept in the document's metadata (and counted by the status page)."""
        return {"pages_read": self.read, "pages_unread": self.unread, "missing": self.missing}


@contextmanager
def file_limits(seconds: float | None, cache_dir: Path | None) -> Iterator[None]:
    """Within the block, start no page after `seconds` and keep recognised text in cache_dir."""
    previous = dict(_limits)
    _limits.update(deadline=time.monotonic() + seconds if seconds else None, cache_dir=cache_dir)
    try:
        yield
    finally:
        _limits.update(previous)


def ocr_enabled() -> bool:
    """False when KIL_OCR is 0, no, off or false."""
    return os.environ.get("KIL_OCR", "1").strip().lower() not in ("0", "no", "off", "false")


def ocr_langs() -> str:
    """Return Tesseract's languages ("eng", or KIL_OCR_LANGS such as "eng+cym")."""
    return os.environ.get("KIL_OCR_LANGS", "").strip() or DEFAULT_LANGS


def ocr_max_pages() -> int:
    """Return how many pages one file may have recognised (KIL_OCR_MAX_PAGES, default 200)."""
    try:
        return max(0, int(os.environ.get("KIL_OCR_MAX_PAGES", DEFAULT_MAX_PAGES)))
    except ValueError:
        return DEFAULT_MAX_PAGES


def tesseract_command() -> str | None:
    """Return the Tesseract program pytesseract will run, or None when it is not installed."""
    import pytesseract

    return shutil.which(pytesseract.pytesseract.tesseract_cmd)


def read_scanned_pages(path: Path, data: bytes, pages: Any, indexes: list[int]) -> ScanReading:
    """Recognise the text of the given pages (0-based indexes into pypdf's pages) within the page and time limits."""
    reading = ScanReading()
    if not indexes:
        return reading
    if not ocr_enabled():
        reading.unread = len(indexes)
        return reading
    cache = OcrCache(_limits["cache_dir"], hashlib.sha256(data).hexdigest(), ocr_langs())
    to_recognise = []
    for index in indexes:
        cached = cache.get(index + 1)
        if cached is None:
            to_recognise.append(index)
        else:
            reading.texts[index] = cached
    reading.missing = _missing_program() if to_recognise else ""
    if not reading.missing:
        _recognise_pages(path, [(index, _render_dpi(pages[index])) for index in to_recognise], cache, reading)
    reading.read = len(reading.texts)
    reading.unread = len(indexes) - reading.read
    return reading


def _missing_program() -> str:
    """Return the Debian package that OCR needs and lacks, or ""."""
    if tesseract_command() is None:
        return MISSING_TESSERACT
    if shutil.which("pdftoppm") is None:
        return MISSING_RENDERER
    return ""


def _render_dpi(page: Any) -> int:
    """Return the resolution to render a page at: 300 dpi, less when that would exceed MAX_RENDER_PIXELS."""
    try:
        longest_inches = max(float(page.mediabox.width), float(page.mediabox.height)) / 72
    except MemoryError:
        raise
    except Exception:
        return RENDER_DPI
    if longest_inches <= 0:
        return RENDER_DPI
    return max(1, min(RENDER_DPI, int(MAX_RENDER_PIXELS / longest_inches)))


def _recognise_pages(path: Path, indexes: list[tuple[int, int]], cache: OcrCache, reading: ScanReading) -> None:
    """Recognise (page index, dpi) pages one by one until done or a limit is reached; name what was left."""
    max_pages = ocr_max_pages()
    over_page_limit, out_of_time, failed = [], [], []
    reason = ""
    for position, (index, dpi) in enumerate(indexes):
        number = index + 1
        if position >= max_pages:
            over_page_limit.append(number)
            continue
        remaining = _seconds_left()
        if remaining is not None and remaining < MIN_SECONDS_FOR_A_PAGE:
            out_of_time.append(number)
            continue
        try:
            text = recognise_page(path, number, ocr_langs(), remaining, dpi)
        except _OutOfTime:
            out_of_time.append(number)
            continue
        except _PageNotRead as error:
            failed.append(number)
            reason = reason or str(error)
            continue
        cache.put(number, text)
        reading.texts[index] = text
    if over_page_limit:
        reading.warnings.append(f"scanned {_pages(over_page_limit)} not read: at most {max_pages} recognised "
                                "per file (KIL_OCR_MAX_PAGES)")
    if out_of_time:
        reading.warnings.append(f"scanned {_pages(out_of_time)} not read: the file's time limit was reached "
                                "(--rebuild goes on from there: what was read is kept)")
    if failed:
        reading.warnings.append(f"scanned {_pages(failed)}: text could not be recognised ({reason})")


def _seconds_left() -> float | None:
    """Return the seconds left for OCR on this file, or None without a limit."""
    deadline = _limits["deadline"]
    return None if deadline is None else deadline - time.monotonic()


def recognise_page(path: Path, number: int, langs: str = DEFAULT_LANGS, timeout: float | None = None,
                   dpi: int = RENDER_DPI) -> str:
    """Render one page (1-based) at dpi and return the text Tesseract reads on it."""
    import pytesseract

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kil-ocr-") as folder:
        root = Path(folder) / "page"
        try:
            subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-gray",
                            "-singlefile", str(path), str(root)], capture_output=True, check=True, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise _OutOfTime() from error
        except (OSError, subprocess.CalledProcessError) as error:
            raise _PageNotRead(f"pdftoppm could not render the page: {_stderr(error)}") from error
        image = root.with_suffix(".pgm")
        if not image.exists():
            raise _PageNotRead("pdftoppm made no image")
        left = None if timeout is None else max(0.1, timeout - (time.monotonic() - started))
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per worker: the workers run side by side
        try:
            return pytesseract.image_to_string(str(image), lang=langs, timeout=left or 0)
        except RuntimeError as error:
            if "timeout" in str(error).lower():
                raise _OutOfTime() from error
            raise _PageNotRead(str(error).strip()[:200]) from error
        except (OSError, pytesseract.TesseractError) as error:
            raise _PageNotRead(str(error).strip()[:200]) from error


def _stderr(error: Exception) -> str:
    """Return the first line of a failed program's error output, or the error itself."""
    output = getattr(error, "stderr", None) or b""
    line = output.decode("utf-8", "replace").strip().splitlines()[:1]
    return line[0][:200] if line else str(error)[:200]


def _pages(numbers: list[int]) -> str:
    """Say which pages, briefly: "page 3", "pages 3, 4, 9" or "pages 12-500 (489 pages)"."""
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    if len(numbers) <= 5:
        return "pages " + ", ".join(map(str, numbers))
    return f"pages {numbers[0]}-{numbers[-1]} ({len(numbers)} pages)"


def pages_waiting_for_tesseract(metadata: dict) -> int:
    """Return how many scanned pages of a document were not read because Tesseract is missing."""
    summary = metadata.get("ocr") if isinstance(metadata, dict) else None
    if not isinstance(summary, dict) or summary.get("missing") != MISSING_TESSERACT:
        return 0
    return int(summary.get("pages_unread", 0))


def missing_tesseract_warning(pages: int) -> str:
    """Return the once-per-run warning about scanned pages left unread for lack of Tesseract."""
    return f"{pages} scanned page{'s' if pages != 1 else ''} not read: install tesseract-ocr to read them"
