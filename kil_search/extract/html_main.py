"""A web page's main content and metadata by trafilatura, turned into our heading sections."""

from __future__ import annotations

import logging

import trafilatura
from lxml import etree

from kil_search.extract.html_rules import SectionWriter
from kil_search.models import OutlineEntry, Page

# Readability's test pages: favor_recall=True scores F1 0.961 against 0.955 for the defaults.
EXTRACT_OPTIONS = {"favor_recall": True, "include_comments": False, "include_tables": True,
                   "include_images": False, "with_metadata": True, "deduplicate": False,
                   # the page's own date tags only: htmldate's search of the whole text halves the speed
                   "date_extraction_params": {"extensive_search": False, "original_date": True}}
HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
BLOCK_TAGS = {"p", "quote", "head", "list", "item", "table", "main", "comments", "div", "note", "details", "summary"}
METADATA_KEYS = {"title": "title", "description": "description", "date": "published", "url": "canonical_url",
                 "sitename": "sitename"}

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs every page it finds too short
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def main_content_xml(page: str | etree._Element) -> etree._Element | None:
    """Return trafilatura's XML tree of a page's (HTML text or lxml tree) main content, or None when it finds none."""
    try:
        xml = trafilatura.extract(page, output_format="xml", **EXTRACT_OPTIONS)
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        return None  # a page trafilatura cannot parse is read by our rules instead
    if not xml:
        return None
    try:
        return etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(huge_tree=True, recover=True))
    except etree.XMLSyntaxError:
        return None


def trafilatura_metadata(doc: etree._Element | None) -> dict:
    """Return title, description, published date, canonical URL and site name from the <doc> element."""
    if doc is None:
        return {}
    found = {ours: " ".join(str(doc.get(theirs) or "").split()) for theirs, ours in METADATA_KEYS.items()}
    return {key: value for key, value in found.items() if value}


def sections_from_xml(doc: etree._Element, document_title: str) -> tuple[list[Page], list[OutlineEntry]]:
    """Split trafilatura's main content into numbered Pages by its headings, as our rules do."""
    main = doc.find("main")
    writer = SectionWriter(document_title)
    if main is not None:
        _write(main, writer)
    return writer.pages()


def _write(element: etree._Element, writer: SectionWriter) -> None:
    """Walk the XML in document order, ending lines at blocks (iteratively: content can nest deeply)."""
    stack: list[tuple[etree._Element, bool]] = [(child, False) for child in reversed(element)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            if _is_block(node):
                writer.end_line()
            if node.tag == "item":
                writer.prefix = ""
            if node.tail:
                writer.write(node.tail)
            continue
        if not isinstance(node.tag, str):
            if node.tail:
                writer.write(node.tail)
            continue
        if _write_whole(node, writer):
            if node.tail:
                writer.write(node.tail)
            continue
        if _is_block(node):
            writer.end_line()
            if node.tag == "item":
                writer.prefix = "- "
        if node.text:
            writer.write(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))


def _write_whole(node: etree._Element, writer: SectionWriter) -> bool:
    """Write headings, table rows, code and line breaks in one go; False for other elements."""
    tag = node.tag
    if tag == "head":
        text = " ".join("".join(node.itertext()).split())
        level = HEADING_LEVELS.get(str(node.get("rend") or "").lower())
        if text and level:
            writer.heading(text, level)
        elif text:  # h5, h6 and headings without a level read as a line of their own
            writer.end_line()
            writer.write(text)
            writer.end_line()
    elif tag == "lb":
        writer.end_line()
    elif tag == "row":
        writer.end_line()
        cells = [" ".join("".join(cell.itertext()).split()) for cell in node.iter("cell")]
        writer.write(" | ".join(cell for cell in cells if cell))
        writer.end_line()
    elif tag == "code":
        writer.end_line()
        for line in "".join(node.itertext()).splitlines():
            writer.write(line)
            writer.end_line()
    elif tag == "graphic":
        pass
    else:
        return False
    return True


def _is_block(node: etree._Element) -> bool:
    """Tell whether an element starts and ends a line of its own."""
    return node.tag in BLOCK_TAGS
