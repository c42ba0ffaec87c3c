"""Our content-stream reader gives pypdf exactly what pypdf's own parser gives, or defers to it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from kil_search.extract import pdf_content
from builders import make_pdf
from conftest import SHARED_DIR, shared_reason

SHARED_PDFS = SHARED_DIR / "testdata" / "pdfs"
SAMPLE_REPORTS = Path(__file__).resolve().parents[1] / "corpus" / "reports"


@pytest.fixture(autouse=True)
def quiet_pypdf():
    """pypdf logs every oddity of the awkward streams below; the comparison is what matters."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)
    pdf_content.install()  # the extractor's state, whatever a test did


def _same(first, second) -> bool:
    """Equal values of the same pypdf types, all the way down."""
    if type(first) is not type(second):
        return False
    if isinstance(first, (list, tuple)):
        return len(first) == len(second) and all(_same(a, b) for a, b in zip(first, second))
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(_same(first[key], second[key]) for key in first)
    return first == second


def _parse(data: bytes, fast: bool):
    """Return the operations of a content stream, or the type and text of the error it raises."""
    (pdf_content.install if fast else pdf_content.uninstall)()
    stream = ContentStream(None, None)
    stream.set_data(data)
    try:
        return stream.operations
    except Exception as error:  # compared between the two parsers
        return ("raised", type(error).__name__, str(error))


def _each_page(path: Path, fast: bool, read) -> list:
    """read(reader, page) for every page of one PDF, with our reader in or out (or what went wrong)."""
    (pdf_content.install if fast else pdf_content.uninstall)()
    found = []
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")
        for page in reader.pages:
            try:
                found.append(read(reader, page))
            except Exception as error:
                found.append(("raised", type(error).__name__))
    except Exception as error:
        found.append(("raised", type(error).__name__))
    return found


def _text_for_the_extractor(reader, page) -> str:
    """A page's text as our extractor asks for it."""
    with pdf_content.text_only():
        return page.extract_text()


def _text_and_operations(reader, page) -> tuple:
    """A page's text and its content stream's operations, in full."""
    contents = page.get_contents()
    return page.extract_text(), ContentStream(contents, reader).operations if contents is not None else None


def _texts(path: Path, fast: bool) -> list:
    """Every page's text from one PDF as our extractor asks for it."""
    return _each_page(path, fast, _text_for_the_extractor)


def _pages(path: Path, fast: bool) -> list:
    """Every page's text and operations from one PDF."""
    return _each_page(path, fast, _text_and_operations)


AWKWARD_STREAMS = {
    "text run": b"BT /F1 12 Tf 72 712 Td (Hello world) Tj ET",
    "TJ array with kerning": b"BT /F1 9.5 Tf [(Keep)-250(it)-250.5(Local)] TJ ET",
    "numbers of every shape": b"1 -2 +3 .5 -.25 4. 0.000 -0 12345678901234567 cm",
    "malformed numbers": b"1.2.3 -- + . 1,5 Tc",
    "number at the very end": b"BT 12 Tf 7",
    "very long number": b"123456789012345678901234567890 Tw",
    "escaped strings": b"(a\\(b\\)c) Tj (tab\\there\\n) Tj (\\101\\102\\7) Tj (line\\\ncontinued) Tj (odd\\q) Tj",
    "nested parentheses": b"(outer (inner) outer) Tj",
    "unterminated string": b"(never closed Tj",
    "hex strings": b"<48656c6c6f> Tj <4 8 6 5> Tj <abc> Tj <> Tj",
    "bad hex": b"<12zz> Tj",
    "names": b"/F1 1 Tf /A#20B Do /Caf\xc3\xa9 gs / sh /Name\x00x Do",
    "dictionary operands": b"/Span <</ActualText (x) /MCID 3>> BDC (y) Tj EMC /P <</MCID 0>> BDC EMC",
    "arrays of everything": b"[1 2.5 /N (s) <41> [3 [4]] true false null] TJ [ ] TJ",
    "array with comment": b"[1 % note\n 2] TJ",
    "unterminated array": b"[1 2 (x)",
    "stray closers": b"1 ] Tj",
    "stray parenthesis": b") Tj",
    "comments": b"% a comment\nBT %another\r(x) Tj ET %last",
    "looks like a reference": b"1 0 R Do",
    "inline image": b"q BI /W 2 /H 1 /BPC 8 /CS /G ID \x00\xff EI Q (after) Tj",
    "inline image after operands": b"1 BI /W 1 /H 1 ID x EI",
    "whitespace kinds": b"\x00BT\x0c\t/F1 12 Tf\r\n(x)\x00Tj ET",
    "vertical tab": b"BT\x0b(x) Tj ET",
    "long operator": b"1 " + b"X" * 200,
    "long name": b"/" + b"N" * 300 + b" Do",
    "quote operators": b"(a) ' 1 2 (b) \"",
    "operator glued to operands": b"BT/F1 12Tf(x)Tj[(y)]TJ ET",
    "braces": b"{ 1 } Tj",
    "empty": b"",
    "only whitespace": b" \n\r\t",
}


@pytest.mark.parametrize("name", sorted(AWKWARD_STREAMS))
def test_awkward_streams_parse_as_pypdf_parses_them(name):
    data = AWKWARD_STREAMS[name]
    assert _same(_parse(data, fast=True), _parse(data, fast=False)), name


def test_ordinary_page_streams_are_read_by_the_fast_reader(tmp_path):
    """A normal page is read without falling back to pypdf's parser (else there is no gain)."""
    path = make_pdf(tmp_path / "ordinary.pdf", ["Commissioning services from local organisations. " * 40] * 3)
    reader = PdfReader(path)
    for page in reader.pages:
        stream = ContentStream(page.get_contents(), reader)
        operations = pdf_content.parse_operations(stream.get_data(), stream)
        assert any(operator == b"Tj" or operator == b"TJ" for _, operator in operations)


def test_built_pdf_text_is_unchanged(tmp_path):
    path = make_pdf(tmp_path / "guide.pdf", ["A guide to commissioning (with brackets) and 50% of spend",
                                             "Second page: £1.5m kept local"])
    assert _pages(path, fast=True) == _pages(path, fast=False)


def _pdfs_in(folder: Path) -> list[Path]:
    """The PDFs of a folder (the test is skipped when ../shared is missing)."""
    paths = sorted(folder.glob("*.pdf"))
    if not paths and folder == SHARED_PDFS:
        pytest.skip(shared_reason(folder))
    assert paths, f"no PDFs at {folder}"
    return paths


@pytest.mark.parametrize("folder", [SHARED_PDFS, SAMPLE_REPORTS], ids=["real-world", "sample-reports"])
def test_real_pdfs_give_the_same_text_and_operations(folder):
    for path in _pdfs_in(folder):
        fast, stock = _pages(path, fast=True), _pages(path, fast=False)
        assert len(fast) == len(stock), path.name
        for number, (ours, theirs) in enumerate(zip(fast, stock), start=1):
            assert _same(ours, theirs), f"{path.name} page {number}"


@pytest.mark.parametrize("folder", [SHARED_PDFS, SAMPLE_REPORTS], ids=["real-world", "sample-reports"])
def test_text_only_reading_gives_the_same_text(folder):
    """Leaving out drawing operands changes no page's extracted text."""
    for path in _pdfs_in(folder):
        assert _texts(path, fast=True) == _texts(path, fast=False), path.name


def test_text_only_reading_drops_only_drawing_operands():
    data = b"0.5 0.5 0.5 rg 10 20 m 30 40 l 1 2 3 4 5 6 c f BT /F1 12 Tf 72 700 Td [(a) 5 (b)] TJ ET 1 0 0 1 5 5 cm"
    stock = _parse(data, fast=False)
    with pdf_content.text_only():
        ours = _parse(data, fast=True)
    assert [operator for _, operator in ours] == [operator for _, operator in stock]
    for (mine, operator), (theirs, _) in zip(ours, stock):
        if operator in (b"rg", b"m", b"l", b"c", b"f"):
            assert mine == []
        else:
            assert _same(mine, theirs), operator
    assert _same(_parse(data, fast=True), stock)  # outside the block, nothing is left out


def test_every_operator_pypdf_text_extraction_reads_is_kept():
    """If a pypdf upgrade starts reading another operator's operands, this fails."""
    import inspect
    import re

    from pypdf._page import PageObject

    source = inspect.getsource(PageObject._extract_text)
    named = {literal.encode("latin-1") for _, literal in re.findall(r"""\bb(["'])(.+?)\1""", source)}
    assert named and named <= pdf_content.TEXT_OPERATORS
    assert {b"Tj", b"TJ", b"Tf", b"Td", b"Tm", b"cm", b"q", b"Q", b"BT", b"ET"} <= pdf_content.TEXT_OPERATORS


def test_the_extractor_uses_the_fast_reader():
    import kil_search.extract.pdf  # noqa: F401  (installing is part of importing the extractor)

    assert getattr(ContentStream._parse_content_stream, "_kil_fast", False)
    from pypdf._text_extraction import _text_extractor

    assert _text_extractor.get_text_operands is pdf_content._text_operands


def test_string_measuring_matches_pypdfs_for_every_font_kind():
    """Text and width of shown strings: dict-encoded, named-encoding and str operands, odd bytes."""
    from pypdf._text_extraction import get_text_operands
    from pypdf.generic._font import Font

    identity = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    rotated = [0.0, 1.0, -1.0, 0.0, 0.0, 0.0]
    fonts = [
        Font(name="dict", encoding={65: "A", 32: " ", 200: "\u00e9", 7: "fi"},
             character_widths={"A": 722, " ": 278, "default": 500, "\u00e9": 556.5}, space_width=278),
        Font(name="named", encoding="cp1252", character_widths={"a": 500, "default": 600}, space_char="a",
             space_width=333.3),
        Font(name="utf16", encoding="utf-16-be", character_widths={"default": 1000}),
    ]
    strings = [b"A A\xc8\x07 z\x00\xff", b"", b"\x00A\x00 \xd8\x00", "already text", b"a b a"]
    for font in fonts:
        for operand in strings:
            for matrix in (identity, rotated):
                for orientations in ((0, 90, 180, 270), (0,)):
                    arguments = ([operand], identity, matrix, font, orientations)
                    assert pdf_content._text_operands(*arguments) == get_text_operands(*arguments), (font.name, operand)
    assert pdf_content._text_operands([], identity, identity, fonts[0], (0,)) == get_text_operands(
        [], identity, identity, fonts[0], (0,))
