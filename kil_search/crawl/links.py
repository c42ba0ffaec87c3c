"""Find the URLs a page links to and the URLs a sitemap lists."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

from .urls import normalise_url

MAX_SITEMAP_URLS = 50_000  # the sitemap protocol's own limit per file


@dataclass
class PageLinks:
    """What a page links to, and whether it lets crawlers follow those links."""

    urls: list[str] = field(default_factory=list)
    follow: bool = True
    index: bool = True


def page_links(body: bytes, page_url: str) -> PageLinks:
    """Return the normalised targets of a page's <a> and <area> links, honouring <base> and meta robots."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(body, "html.parser")
    found = PageLinks()
    robots = soup.find("meta", attrs={"name": lambda name: name and name.lower() in ("robots", "kil-search-crawler")})
    directives = str(robots.get("content", "")).lower() if robots else ""
    found.follow = "nofollow" not in directives and "none" not in directives
    found.index = "noindex" not in directives and "none" not in directives
    base_tag = soup.find("base", href=True)
    base = normalise_url(str(base_tag["href"]), page_url) if base_tag else None
    base = base or page_url
    seen = set()
    for tag in soup.find_all(["a", "area"], href=True):
        if "nofollow" in (tag.get("rel") or []):
            continue
        url = normalise_url(str(tag["href"]), base)
        if url and url not in seen:
            seen.add(url)
            found.urls.append(url)
    return found


def sitemap_entries(body: bytes) -> tuple[list[str], list[str]]:
    """Return (page URLs, nested sitemap URLs) from a sitemap or sitemap index; ([], []) if unreadable."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return [], []
    pages, sitemaps = [], []
    for element in root.iter():
        if _local_name(element.tag) != "loc" or not element.text:
            continue
        url = normalise_url(element.text)
        if url is None:
            continue
        parent_is_sitemap = _local_name(root.tag) == "sitemapindex"
        (sitemaps if parent_is_sitemap else pages).append(url)
        if len(pages) + len(sitemaps) >= MAX_SITEMAP_URLS:
            break
    return pages, sitemaps


def _local_name(tag) -> str:
    """Drop the XML namespace from a tag name."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
