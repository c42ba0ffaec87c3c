"""Which PDF pages are scans: (almost) no extractable text, but a page-sized image or text drawn as shapes.

"Microsoft: Print To PDF" draws a web page's text as outlines, with no text layer and no image;
a scanner's PDF holds one large image per page. A page number or a logo alone is neither.
"""

from __future__ import annotations

from typing import Any

MIN_TEXT_CHARS = 20  # fewer letters and digits than this is a page number or a stamp, not a text layer
MIN_DRAWING_BYTES = 1000  # an image-less page with this much content draws something (text as outlines)
MIN_SCAN_PIXELS = 250_000  # a scan of a page, even at 72 dpi, has this many; a logo has far fewer


def scanned_page_indexes(pages: Any, texts: list[str | None]) -> list[int]:
    """Return the 0-based indexes of pages with (almost) no text that draw something."""
    found = []
    for index, text in enumerate(texts):
        if text is None or sum(character.isalnum() for character in text) >= MIN_TEXT_CHARS:
            continue
        if _draws_something(pages[index]):
            found.append(index)
    return found


def _draws_something(page: Any) -> bool:
    """True when a page shows an image or has content long enough to draw text as shapes."""
    try:
        if _has_image(page.get("/Resources"), depth=0):
            return True
        contents = page.get_contents()
        return contents is not None and len(contents.get_data()) >= MIN_DRAWING_BYTES
    except MemoryError:
        raise
    except Exception:
        return False


def _has_image(resources: Any, depth: int) -> bool:
    """True when the resources hold a page-sized image XObject (looking two form levels deep)."""
    if resources is None or depth > 2:
        return False
    resources = resources.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return False
    for reference in xobjects.get_object().values():
        xobject = reference.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image" and _pixels(xobject) >= MIN_SCAN_PIXELS:
            return True
        if subtype == "/Form" and _has_image(xobject.get("/Resources"), depth + 1):
            return True
    return False


def _pixels(image: Any) -> int:
    """Return an image XObject's width times height (0 when they are not numbers)."""
    try:
        return int(image.get("/Width", 0)) * int(image.get("/Height", 0))
    except (TypeError, ValueError):
        return 0
