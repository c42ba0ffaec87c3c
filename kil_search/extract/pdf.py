"""Read a PDF into a Document: per-page text, title, metadata, outline and section labels."""

from __future__ import annotations

import io
import logging
import math
import re
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError

from kil_search.errors import ExtractionError
from kil_search.extract import pdf_content
from kil_search.extract.ocr import ScanReading, read_scanned_pages
from kil_search.extract.running_lines import strip_running_lines
from kil_search.extract.scanned_pages import scanned_page_indexes
from kil_search.models import Document, OutlineEntry, Page


# pypdf logs every oddity of a malformed file as a warning; the reasons we care
# about reach the Document as warnings or an ExtractionError instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

HEADER_SEARCH_BYTES = 1024  # readers accept "%PDF-" anywhere in the first KB
MAX_REASON_CHARS = 200
MAX_OUTLINE_ENTRIES = 5000
MAX_OUTLINE_DEPTH = 32
MAX_TITLE_CHARS = 200
HEADING_SIZE_RATIO = 1.15  # a title line is at least this much larger than body text

JUNK_TITLES = {
    "", "untitled", "untitled document", "document", "title", "no title",
    "unknown", "none", "null", "slide 1", "powerpoint presentation", "microsoft word",
}
OFFICE_PREFIX = re.compile(r"^microsoft\s+(word|powerpoint|excel)\s*-\s*", re.IGNORECASE)
FILE_EXTENSION = re.compile(r"\.(docx?|pptx?|xlsx?|rtf|odt|pdf|tex|indd|pages)$", re.IGNORECASE)
NON_TITLE_HEADINGS = {"contents", "table of contents", "abstract", "summary", "foreword", "preface"}

LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
LINE_END_HYPHEN = re.compile(r"([^\W\d_])-\n([^\W\d_])")
PDF_DATE = re.compile(r"^(?:D:)?\s*(\d{4})(\d{2})(\d{2})")


def extract_pdf(path: Path) -> Document:
    """Read one PDF file; raise ExtractionError with a short reason if it cannot be read."""
    # Page content streams are read by our tokenizer (pypdf's operations, built faster; for text,
    # without the operands of drawing operators); installed here, once, not on import.
    pdf_content.install()
    path = Path(path)
    data = _read_pdf_bytes(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _extract(path, data)
        except (ExtractionError, MemoryError):
            raise
        except Exception as error:  # pypdf raises many types on malformed files
            raise ExtractionError(f"broken PDF: {_describe(error)}") from error


def _read_pdf_bytes(path: Path) -> bytes:
    """Return the file's bytes after checking that it looks like a PDF."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ExtractionError(f"cannot read file: {error.strerror or error}") from error
    if not data:
        raise ExtractionError("empty file")
    if b"%PDF-" not in data[:HEADER_SEARCH_BYTES]:
        raise ExtractionError("not a PDF (no %PDF header)")
    return data


def _extract(path: Path, data: bytes) -> Document:
    """Build the Document from an opened reader; errors propagate to the caller."""
    reader = PdfReader(io.BytesIO(data))
    encrypted = _unlock(reader)
    page_count = len(reader.pages)
    warnings_found: list[str] = []
    outline = _read_outline(reader, page_count, warnings_found)
    texts, first_page_lines = _read_pages(reader, page_count, warnings_found)
    scans = _read_scans(path, data, reader, texts, warnings_found)
    empty = sum(1 for text in texts if text is not None and not text)
    if empty:
        warnings_found.append(f"no extractable text on {empty} of {page_count} pages (scanned?)")
    texts = strip_running_lines(texts)
    pages = [
        Page(number=number, text=text or "", section=_section_for(number, outline), ocr=number - 1 in scans.texts)
        for number, text in enumerate(texts, start=1)
    ]
    info = _read_info(reader)
    xmp = _read_xmp(reader)
    metadata = _metadata(info, xmp, page_count, encrypted)
    if scans.read or scans.unread:
        metadata["ocr"] = scans.summary()
    title = (
        _clean_title(_info_text(info, "/Title")) or _clean_title(xmp.get("title", ""))
        or _title_from_lines(first_page_lines) or _title_from_name(path)
    )
    return Document(
        path=str(path), format="pdf", title=title, metadata=metadata,
        pages=pages, outline=outline, warnings=warnings_found,
    )


def _read_scans(path: Path, data: bytes, reader: PdfReader, texts: list[str | None], found: list[str]) -> ScanReading:
    """Put the text OCR recognises on scanned pages into texts; add what OCR could not do to found."""
    scans = read_scanned_pages(path, data, reader.pages, scanned_page_indexes(reader.pages, texts))
    for index, text in scans.texts.items():
        texts[index] = normalise_text(text)
    found.extend(scans.warnings)
    return scans


def _unlock(reader: PdfReader) -> bool:
    """Open an encrypted file with the empty password; return whether it was encrypted."""
    if not reader.is_encrypted:
        return False
    try:
        opened = reader.decrypt("")
    except DependencyError as error:
        raise ExtractionError(f"encrypted (cannot decrypt: {error})") from error
    if not opened:
        raise ExtractionError("encrypted (password required)")
    return True


def _read_pages(reader: PdfReader, page_count: int, found: list[str]) -> tuple[list[str | None], list[tuple[float, str]]]:
    """Return each page's normalised text (None when it failed) and page 1's sized lines."""
    texts: list[str | None] = []
    first_page_lines: list[tuple[float, str]] = []
    for index in range(page_count):
        try:
            page = reader.pages[index]
            with pdf_content.text_only():
                if index == 0:
                    raw, first_page_lines = _text_and_sized_lines(page)
                else:
                    raw = page.extract_text()
            texts.append(normalise_text(raw))
        except MemoryError:
            raise
        except Exception as error:
            found.append(f"page {index + 1}: text could not be extracted ({_describe(error)})")
            texts.append(None)
    return texts, first_page_lines


def _text_and_sized_lines(page: Any) -> tuple[str, list[tuple[float, str]]]:
    """Extract a page's text together with its lines and the largest font size of each."""
    collector = _LineCollector()
    text = page.extract_text(visitor_text=collector.visit)
    collector.finish_line()
    return text, collector.lines


class _LineCollector:
    """Group pypdf's text fragments into lines, remembering each line's largest font size."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, str]] = []
        self.parts: list[str] = []
        self.size = 0.0
        self.baseline: float | None = None

    def visit(self, text: str, cm: list, tm: list, font: Any, font_size: float) -> None:
        """Take one fragment; a newline or a jump in baseline starts a new line."""
        size, baseline = _effective_size_and_y(cm, tm, font_size)
        if self.baseline is not None and text.strip() and abs(baseline - self.baseline) > max(size, 1.0) * 0.5:
            self.finish_line()
        for position, chunk in enumerate(text.split("\n")):
            if position:
                self.finish_line()
            if chunk.strip():
                self.parts.append(chunk)
                self.size = max(self.size, size)
                self.baseline = baseline

    def finish_line(self) -> None:
        """Close the current line, keeping it if it has text."""
        text = " ".join("".join(self.parts).split())
        if text:
            self.lines.append((self.size, text))
        self.parts, self.size, self.baseline = [], 0.0, None


def _effective_size_and_y(cm: list, tm: list, font_size: float) -> tuple[float, float]:
    """Return the rendered font size (text matrix x CTM x Tf size) and the baseline y."""
    try:
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        return abs(float(font_size)) * math.hypot(c, d), float(y)
    except (TypeError, IndexError, ValueError):
        return 0.0, 0.0


def _title_from_lines(lines: list[tuple[float, str]]) -> str:
    """Return the largest-font line of page 1 when it stands out from the body text."""
    if not lines:
        return ""
    chars_by_size: dict[float, int] = {}
    for size, text in lines:
        chars_by_size[round(size, 1)] = chars_by_size.get(round(size, 1), 0) + len(text)
    body_size = max(chars_by_size, key=chars_by_size.get)
    candidates = [
        (index, size) for index, (size, text) in enumerate(lines)
        if size >= body_size * HEADING_SIZE_RATIO and _looks_like_title(text)
    ]
    if not candidates:
        return ""
    best_size = max(size for _, size in candidates)
    start = next(index for index, size in candidates if size == best_size)
    parts = [lines[start][1]]
    for size, text in lines[start + 1:start + 3]:  # a title may wrap onto a second or third line
        if abs(size - best_size) > 0.1 or len(" ".join(parts + [text])) > MAX_TITLE_CHARS:
            break
        parts.append(text)
    return " ".join(parts)


def _looks_like_title(text: str) -> bool:
    """Tell whether a large line could be a title rather than a page number or a 'Contents' heading."""
    letters = sum(character.isalpha() for character in text)
    return letters >= 2 and len(text) <= MAX_TITLE_CHARS and text.strip().lower() not in NON_TITLE_HEADINGS


def _title_from_name(path: Path) -> str:
    """Turn a file name into a title: "annual-report_2023.pdf" -> "annual report 2023"."""
    return " ".join(re.sub(r"[-_]+", " ", path.stem).split()) or path.name


def _clean_title(title: str) -> str:
    """Return a metadata title without Office prefixes, or "" when it is junk."""
    title = OFFICE_PREFIX.sub("", " ".join(title.split()))
    title = FILE_EXTENSION.sub("", title).strip()
    if title.lower() in JUNK_TITLES or not any(character.isalnum() for character in title):
        return ""
    return title


def _read_info(reader: PdfReader) -> Any:
    """Return the document information dictionary, or None when it is missing or unreadable."""
    try:
        return reader.metadata
    except MemoryError:
        raise
    except Exception:
        return None


def _info_text(info: Any, key: str) -> str:
    """Return one text entry of the information dictionary, "" when absent or not text."""
    try:
        value = info.get(key) if info is not None else None
        if hasattr(value, "get_object"):
            value = value.get_object()
    except MemoryError:
        raise
    except Exception:
        return ""
    if not isinstance(value, str):  # TextStringObject is a str; names, arrays and numbers are not
        return ""
    return " ".join(CONTROL_CHARS.sub(" ", value).split())


def _read_xmp(reader: PdfReader) -> dict[str, str]:
    """Return the XMP title and author (some producers fill only XMP); {} when absent or unreadable."""
    try:
        xmp = reader.xmp_metadata
        if xmp is None:
            return {}
        titles, creators = xmp.dc_title or {}, xmp.dc_creator or []
    except MemoryError:
        raise
    except Exception:
        return {}
    title = ""
    if isinstance(titles, dict):
        title = titles.get("x-default") or next(iter(titles.values()), "")
    author = "; ".join(str(creator) for creator in creators if creator) if isinstance(creators, list) else ""
    return {key: " ".join(str(value).split()) for key, value in (("title", title), ("author", author)) if value}


def _metadata(info: Any, xmp: dict[str, str], page_count: int, encrypted: bool) -> dict:
    """Collect the metadata keys that have values."""
    metadata: dict[str, Any] = {}
    for name, key in (("author", "/Author"), ("subject", "/Subject"), ("creator", "/Creator"), ("producer", "/Producer")):
        value = _info_text(info, key) or (xmp.get(name, "") if name == "author" else "")
        if value:
            metadata[name] = value
    for name, key, attribute in (("created", "/CreationDate", "creation_date"), ("modified", "/ModDate", "modification_date")):
        value = _info_date(info, key, attribute)
        if value:
            metadata[name] = value
    metadata["page_count"] = page_count
    if encrypted:
        metadata["encrypted"] = True
    return metadata


def _info_date(info: Any, key: str, attribute: str) -> str:
    """Return a metadata date as ISO 8601; fall back to the raw string's date part; "" if hopeless."""
    if info is None:
        return ""
    try:
        value = getattr(info, attribute)
        if isinstance(value, datetime):
            return value.isoformat()
    except MemoryError:
        raise
    except Exception:
        pass  # malformed dates are common; try the raw string below
    match = PDF_DATE.match(_info_text(info, key))
    if not match:
        return ""
    try:
        return datetime(*map(int, match.groups())).date().isoformat()
    except ValueError:
        return ""


def _read_outline(reader: PdfReader, page_count: int, found: list[str]) -> list[OutlineEntry]:
    """Flatten the bookmarks into entries with 1-based pages; skip what cannot be resolved."""
    entries: list[OutlineEntry] = []
    try:
        outline = reader.outline
    except MemoryError:
        raise
    except Exception as error:
        found.append(f"outline could not be read ({_describe(error)})")
        return entries

    def walk(items: Any, level: int) -> None:
        """Add the entries of one outline level; a nested list holds the children of the entry before it."""
        for item in items:
            if len(entries) >= MAX_OUTLINE_ENTRIES:
                return
            if isinstance(item, list):
                if level < MAX_OUTLINE_DEPTH:
                    walk(item, level + 1)
                continue
            entry = _outline_entry(reader, item, level, page_count)
            if entry is not None:
                entries.append(entry)

    try:
        walk(outline, 0)
    except MemoryError:
        raise
    except Exception as error:
        found.append(f"outline partly unreadable ({_describe(error)})")
    return entries


def _outline_entry(reader: PdfReader, item: Any, level: int, page_count: int) -> OutlineEntry | None:
    """Resolve one bookmark, or return None when its title or page is unusable."""
    try:
        title = " ".join(CONTROL_CHARS.sub(" ", str(item.title or "")).split())
        index = reader.get_destination_page_number(item)
    except MemoryError:
        raise
    except Exception:
        return None
    if not title or index is None or not 0 <= index < page_count:
        return None
    return OutlineEntry(title=title, page=index + 1, level=level)


def _section_for(page_number: int, outline: list[OutlineEntry]) -> str:
    """Return the most specific outline entry in effect on a page: latest page, then deepest."""
    best: OutlineEntry | None = None
    for entry in outline:
        if entry.page > page_number:
            continue
        if best is None or (entry.page, entry.level) >= (best.page, best.level):
            best = entry
    return best.title if best else ""


def normalise_text(text: str) -> str:
    """Collapse spaces, drop blank lines and join words hyphenated across a line end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").translate(LIGATURES)
    text = CONTROL_CHARS.sub(" ", text)
    lines = (HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    return LINE_END_HYPHEN.sub(_join_hyphenated, text)


def _join_hyphenated(match: re.Match) -> str:
    """Join "commis-\\nsioning" but keep "Covid-\\n19" and "North-\\nEast" apart."""
    before, after = match.group(1), match.group(2)
    return before + after if after.islower() else match.group(0)


def _describe(error: BaseException) -> str:
    """Return a one-line reason for an exception, short enough for a log line."""
    message = " ".join(str(error).split()) or type(error).__name__
    if not _is_pypdf_error(error) and type(error).__name__ not in message:
        message = f"{type(error).__name__}: {message}"
    return message[:MAX_REASON_CHARS]


def _is_pypdf_error(error: BaseException) -> bool:
    """Tell whether pypdf raised this exception deliberately (its message is then meaningful)."""
    return type(error).__module__.startswith("pypdf")
