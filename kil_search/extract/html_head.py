"""Our rules on an lxml tree of the page: title, description, date, canonical URL, language; content trafilatura must keep."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from kil_search.extract.html_rules import PUBLISHED_META_NAMES, meta_content, normalise_date, strip_site_name

PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, huge_tree=True)


def parse_tree(html_text: str) -> etree._Element | None:
    """Parse decoded HTML with lxml; None for a page with no elements at all."""
    try:
        return lxml.html.document_fromstring(html_text.encode("utf-8", errors="replace"), parser=PARSER)
    except (etree.ParserError, ValueError):
        return None


def _meta(tree: etree._Element, *names: str) -> str:
    """Return the first non-empty content of a <meta name|property|itemprop> among names (case-insensitive)."""
    return meta_content(tree.iter("meta"), *names)


def head_metadata(tree: etree._Element | None) -> dict:
    """Collect description, published date, canonical URL and language when present."""
    if tree is None:
        return {}
    published = _meta(tree, "article:published_time") or _meta(tree, *PUBLISHED_META_NAMES)
    if not published:
        times = tree.xpath("//time[@datetime]")
        published = str(times[0].get("datetime")).strip() if times else ""
    canonical = [link.get("href") for link in tree.iter("link")
                 if "canonical" in str(link.get("rel") or "").lower() and link.get("href")]
    metadata = {"description": _meta(tree, "description", "og:description"), "published": normalise_date(published),
                "canonical_url": str(canonical[0]).strip() if canonical else "",
                "language": str(tree.get("lang") or "").strip()}
    return {key: value for key, value in metadata.items() if value}


def head_title(tree: etree._Element | None) -> str:
    """Return og:title or <title> without a site-name suffix, else the first h1."""
    if tree is None:
        return ""
    raw = _meta(tree, "og:title")
    titles = tree.xpath("//title")
    if not raw and titles:
        raw = " ".join(titles[0].text_content().split())
    if raw:
        return strip_site_name(raw, _meta(tree, "og:site_name"))
    headings = tree.xpath("//h1")
    return " ".join(headings[0].text_content().split()) if headings else ""



# Starts of an id that make trafilatura drop the element (its xpaths.py); tags that are chrome whatever their id.
RISKY_ID_PARTS = ("nav", "menu", "share", "related", "footer", "premium", "comment", "sidebar", "banner", "social")
CHROME_TAGS = {"nav", "aside", "header", "footer", "form", "html", "body"}


def protect_content_sections(tree: etree._Element | None) -> int:
    """Hide from trafilatura a section's id made from its own heading ("navigating-the-storm"); return how many.

    trafilatura drops any element whose id merely contains "nav", "menu", "share" and the like,
    so a report called "Navigating the Storm" vanished from a resources page. An id whose words
    all come from the section's first heading is a content anchor, never a widget's name.
    """
    if tree is None:
        return 0
    changed = 0
    for element in tree.xpath("//*[@id][.//h1 or .//h2 or .//h3 or .//h4]"):
        id_words = _words(str(element.get("id")))
        if element.tag in CHROME_TAGS or not id_words or not id_words[0].startswith(RISKY_ID_PARTS):
            continue
        headings = element.xpath("(.//h1 | .//h2 | .//h3 | .//h4)[1]")
        if len(id_words) >= 2 and headings and set(id_words) <= set(_words(headings[0].text_content())):
            element.attrib["data-kil-id"] = element.attrib.pop("id")
            changed += 1
    return changed


def _words(text: str) -> list[str]:
    """Return the lower-cased words of text (letters and digits)."""
    return re.findall(r"[a-z0-9]+", text.lower())


# A byline: an element marked as the author's whose text says "By ...".
BYLINE_XPATH = ("//*[contains(concat(' ', normalize-space(@class), ' '), ' author ') or contains(@class, 'byline')"
                " or @rel='author' or @itemprop='author']")


def keep_quote_attributions(tree: etree._Element | None) -> int:
    """Turn a quotation's <footer> or <cite> into a paragraph, so the main content keeps who said it; return how many.

    trafilatura drops footers as page furniture, so "— Grace Adeyemi, chief executive" vanished
    from under her words in a case study.
    """
    if tree is None:
        return 0
    found = tree.xpath("//blockquote//footer | //blockquote//cite")
    for element in found:
        element.tag = "p"
    return len(found)


def byline(tree: etree._Element | None) -> str:
    """Return the page's byline ("By Sam Whitford, network coordinator"), or ""."""
    if tree is None:
        return ""
    for element in tree.xpath(BYLINE_XPATH):
        text = " ".join(element.text_content().split())
        if text.lower().startswith("by ") and len(text) < 200:
            return text
    return ""
