"""Build hostile PDFs byte by byte: bombs, loops, deep nesting, thousands of pages (a plain module)."""

from __future__ import annotations

import zlib
from pathlib import Path

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
BOMB_CHUNK_BYTES = 1 << 20
ADLER_MODULUS = 65521


def pdf_bytes(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """Return a PDF whose object N+1 is objects[N], with a correct xref table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref_at)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """Return a stream object body holding data."""
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_content(text: str) -> bytes:
    """Return a page content stream that shows one line of text."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
    return b"BT /F1 11 Tf 72 720 Td (" + escaped + b") Tj ET"


def many_pages(path: Path, page_count: int, word: str = "page") -> Path:
    """Write a PDF of page_count one-line pages ("<word> N of M") sharing one font; fast for thousands."""
    # 1 catalog, 2 pages root, 3 font, then (page, content) pairs.
    kids = b" ".join(b"%d 0 R" % (4 + 2 * index) for index in range(page_count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % page_count, FONT]
    for index in range(page_count):
        content_number = 5 + 2 * index
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % content_number)
        objects.append(stream(text_content(f"{word} {index + 1} of {page_count}")))
    Path(path).write_bytes(pdf_bytes(objects))
    return Path(path)


def zeros_deflated(size: int) -> bytes:
    """Return a zlib stream that inflates to `size` zero bytes, built without holding them in memory.

    After a full flush deflate restarts from a byte boundary with no history, so
    every further identical chunk compresses to identical bytes: compress two
    chunks, repeat the second, finish, and append the Adler-32 of n zeros
    (a stays 1, b = n mod 65521).
    """
    chunks = max(2, size // BOMB_CHUNK_BYTES)
    chunk = bytes(BOMB_CHUNK_BYTES)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    total = chunks * BOMB_CHUNK_BYTES
    adler = ((total % ADLER_MODULUS) << 16) | 1
    return b"\x78\xda" + first + repeated * (chunks - 1) + compressor.flush(zlib.Z_FINISH) + adler.to_bytes(4, "big")


def compression_bomb(path: Path, inflated_bytes: int = 4 << 30, streams: int = 1) -> Path:
    """Write a one-page PDF whose content (split over `streams` FlateDecode streams) inflates to inflated_bytes."""
    payload = zeros_deflated(inflated_bytes // streams)
    content_numbers = range(5, 5 + streams)
    contents = b"[" + b" ".join(b"%d 0 R" % number for number in content_numbers) + b"]"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents " + contents + b" >>",
        FONT,
    ]
    objects += [stream(payload, b"/Filter /FlateDecode ")] * streams
    Path(path).write_bytes(pdf_bytes(objects))
    return Path(path)


def deep_nesting(path: Path, depth: int = 100_000) -> Path:
    """Write a PDF whose page carries an array nested `depth` levels deep, and an /Info of nested dictionaries."""
    nested_array = b"[" * depth + b"]" * depth
    nested_dict = b"<< /A " * depth + b"1" + b" >>" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R /Junk " + nested_array + b" >>",
        stream(text_content("nested objects")),
        FONT,
        nested_dict,
    ]
    Path(path).write_bytes(pdf_bytes(objects, trailer_extra=b"/Info 6 0 R "))
    return Path(path)


def page_tree_loop(path: Path) -> Path:
    """Write a PDF whose page tree loops: a /Pages node lists its own parent (and itself) among its /Kids."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 3 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R] /Count 2 >>",
        stream(text_content("a page inside a loop")),
        FONT,
    ]
    Path(path).write_bytes(pdf_bytes(objects))
    return Path(path)


def truncated(path: Path, source: Path, keep: float = 0.5) -> Path:
    """Write the first `keep` fraction of a real PDF's bytes."""
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def text_bomb(path: Path, pages: int = 4, words_per_page: int = 2_000_000, words_per_string: int = 1) -> Path:
    """Write a small PDF whose pages each show `words_per_page` words (megabytes of text compressed to kilobytes).

    pypdf spends ~80 us per text operator, so one long string per page yields far more text per second.
    """
    shown = b"(" + b"community " * words_per_string + b") Tj "
    content = b"BT /F1 1 Tf 0 0 Td " + shown * max(1, words_per_page // words_per_string) + b"ET"
    packed = zlib.compress(content, 9)
    kids = b" ".join(b"%d 0 R" % (4 + index) for index in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages, FONT]
    content_number = 4 + pages
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                b"/Contents %d 0 R >>" % content_number] * pages
    objects.append(stream(packed, b"/Filter /FlateDecode "))
    Path(path).write_bytes(pdf_bytes(objects))
    return Path(path)
