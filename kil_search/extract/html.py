"""Read a saved web page into a Document: main content by trafilatura, one Page per heading section.

trafilatura finds the article body; our own rules (html_rules.py) are the fallback when it
finds none, and the document's warnings say so. Charset decoding, the title and any metadata
trafilatura does not give come from our helpers.
"""

from __future__ import annotations

from pathlib import Path

from kil_search.errors import ExtractionError
from kil_search.extract.html_head import (byline, head_metadata, head_title, keep_quote_attributions, parse_tree,
                                          protect_content_sections)
from kil_search.extract.html_main import main_content_xml, sections_from_xml, trafilatura_metadata
from kil_search.extract.html_rules import (decode_html, normalise_date, parse_html, rules_sections, strip_site_name,
                                           title_from_name)
from kil_search.models import Document

__all__ = ["decode_html", "extract_html", "normalise_date", "strip_site_name"]
FALLBACK_WARNING = "trafilatura found no main content; kept the page's text by our own rules"
SHORT_WARNING = "short page: read by our own rules, not trafilatura (which gives the whole page's text when short)"
# trafilatura's own MIN_EXTRACTED_SIZE: below it, it may return the whole page's text, menus included.
MIN_MAIN_CHARS = 250
# Up to this much text trafilatura may still hold the whole page (a short article with a table: its own text
# under 250 characters, and the menus and footer it then keeps on top); over this share of words that our
# rules leave out as page furniture says it did.
SHORT_PAGE_CHARS = 1500
WHOLE_PAGE_SHARE = 0.25
OURS_MISSING_SHARE = 0.1  # and our rules' words must nearly all be in it: their text is ours plus the furniture


def extract_html(path: Path) -> Document:
    """Read one HTML file; raise ExtractionError only if the file cannot be read at all."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ExtractionError(f"cannot read file: {error.strerror or error}") from error
    text = decode_html(data)
    tree = parse_tree(text)
    ours, our_title = head_metadata(tree), head_title(tree)
    protect_content_sections(tree)
    keep_quote_attributions(tree)
    written_by = byline(tree)
    content = main_content_xml(text if tree is None else tree)
    theirs = trafilatura_metadata(content)
    title = _pick_title(theirs.pop("title", ""), our_title, theirs.get("sitename", "")) or title_from_name(path)
    warnings_found: list[str] = []
    pages, outline = sections_from_xml(content, title) if content is not None else ([], [])
    found_chars = sum(len(page.text) for page in pages)
    if found_chars < MIN_MAIN_CHARS:
        warnings_found.append(SHORT_WARNING if pages else FALLBACK_WARNING)
        pages, outline = rules_sections(parse_html(text), title)
        if not pages:
            warnings_found = ["no text content"]
    elif found_chars < SHORT_PAGE_CHARS:
        pages, outline = _unless_whole_page(pages, outline, text, title, warnings_found)
    _keep_byline(pages, written_by)
    return Document(path=str(path), format="html", title=title, metadata=_merge_metadata(theirs, ours),
                    pages=pages, outline=outline, warnings=warnings_found)


def _unless_whole_page(pages: list, outline: list, text: str, title: str, warnings_found: list[str]):
    """Return our rules' sections instead of trafilatura's when, on a short page, trafilatura kept the whole page:
    its main content fell under its own minimum and the menus and footer it added lifted it over ours (its
    words hold nearly all of ours and many more)."""
    ours, our_outline = rules_sections(parse_html(text), title)
    their_words = _words(" ".join(page.text for page in pages))
    our_words = _words(" ".join(page.text for page in ours))
    kept_ours = len(our_words - their_words) <= OURS_MISSING_SHARE * len(our_words)  # theirs = ours + furniture
    if ours and their_words and kept_ours and len(their_words - our_words) > WHOLE_PAGE_SHARE * len(their_words):
        warnings_found.append(SHORT_WARNING)
        return ours, our_outline
    return pages, outline


def _words(text: str) -> set[str]:
    """Return the lower-case words of text."""
    return set(text.lower().split())


def _keep_byline(pages: list, written_by: str) -> None:
    """Put the page's byline under the first heading when the main content left it out (who wrote it matters)."""
    if not pages or not written_by or written_by in pages[0].text:
        return
    lines = pages[0].text.split("\n")
    at = 1 if len(lines) > 1 and lines[0] == pages[0].section else 0
    pages[0].text = "\n".join(lines[:at] + [written_by] + lines[at:])


def _pick_title(theirs: str, ours: str, site_name: str) -> str:
    """Prefer trafilatura's title without its site-name suffix; ours when it has none."""
    return strip_site_name(theirs, site_name) if theirs else ours


def _merge_metadata(theirs: dict, ours: dict) -> dict:
    """Take published date and canonical URL from trafilatura, falling back to ours; the description as written.

    trafilatura strips anything tag-like out of a description ("Lead <script>..." loses its text), so
    the page's own <meta> description comes first and trafilatura's only fills a gap.
    """
    merged = dict(ours)
    for key in ("published", "canonical_url"):
        if theirs.get(key):
            merged[key] = theirs[key]
    merged.setdefault("description", theirs.get("description", ""))
    return {key: value for key, value in merged.items() if value}
