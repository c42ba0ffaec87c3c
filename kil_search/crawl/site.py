"""A site's own instructions to crawlers: robots.txt rules and the URLs its sitemaps list."""

from __future__ import annotations

import zlib
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from .fetch import REDIRECT_CODES, Fetcher, FetchError, TooLarge
from .links import sitemap_entries
from .state import CrawlState
from .urls import normalise_url, same_site

AGENT_TOKEN = "kil-search-crawler"
MAX_REDIRECTS = 5
MAX_ROBOTS_BYTES = 500 * 1024  # what large search engines read of a robots.txt
MAX_SITEMAP_BYTES = 10 * 1024 * 1024
MAX_SITEMAP_FILES = 20
MAX_CRAWL_DELAY = 60.0


class SiteRules:
    """robots.txt rules and sitemap URLs of one site, fetched once per crawl (conditionally on re-crawls)."""

    def __init__(self, fetcher: Fetcher, state: CrawlState, start_url: str):
        self.fetcher = fetcher
        self.state = state
        self.start_url = start_url
        parts = urlsplit(start_url)
        self.root = f"{parts.scheme}://{parts.netloc}"
        self.robots = RobotFileParser(f"{self.root}/robots.txt")
        self.notes: list[str] = []

    def load_robots(self) -> None:
        """Fetch robots.txt: missing means all allowed; forbidden, failing or unreachable means none."""
        try:
            status, body = fetch_small(self.fetcher, self.state, self.robots.url, MAX_ROBOTS_BYTES, self.start_url)
        except (FetchError, TooLarge) as error:
            status, body = 0, None
            self.notes.append(f"robots.txt could not be read ({error}): crawling nothing")
        if status == 200 and body is not None:
            self.robots.parse(body.encode("latin-1").decode("utf-8", "replace").splitlines())
        elif status in (401, 403) or status >= 500:
            self.robots.disallow_all = True
            self.notes.append(f"robots.txt answered {status}: crawling nothing")
        elif status:
            self.robots.allow_all = True

    def allows(self, url: str) -> bool:
        """True when robots.txt lets this crawler fetch url."""
        return self.robots.can_fetch(AGENT_TOKEN, url)

    def crawl_delay(self) -> float | None:
        """Return the Crawl-delay robots.txt asks of us (capped), if any."""
        delay = self.robots.crawl_delay(AGENT_TOKEN)
        return min(float(delay), MAX_CRAWL_DELAY) if delay is not None else None

    def sitemap_urls(self) -> list[str]:
        """Return the same-site page URLs listed by the sitemaps robots.txt names, else /sitemap.xml."""
        queue = list(self.robots.site_maps() or []) or [f"{self.root}/sitemap.xml"]
        pages, done = [], set()
        while queue and len(done) < MAX_SITEMAP_FILES:
            url = normalise_url(queue.pop(0))
            if not url or url in done or not same_site(url, self.start_url) or not self.allows(url):
                continue
            done.add(url)
            try:
                status, body = fetch_small(self.fetcher, self.state, url, MAX_SITEMAP_BYTES, self.start_url)
            except (FetchError, TooLarge) as error:
                self.notes.append(f"sitemap {url} could not be read: {error}")
                continue
            if status != 200 or body is None:
                continue
            found, nested = sitemap_entries(_maybe_gunzip(body.encode("latin-1")))
            pages.extend(page for page in found if same_site(page, self.start_url))
            queue.extend(nested)
        return pages


def fetch_small(fetcher: Fetcher, state: CrawlState, url: str, limit: int, start_url: str) -> tuple[int, str | None]:
    """GET a small file, following same-site redirects; on 304 reuse the body cached in the state.

    The body comes back as latin-1 text, which round-trips any bytes.
    """
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        cached = state.meta.get(current)
        headers = state.conditional_headers(current, cached) if cached else {}
        with fetcher.get(current, headers) as reply:
            if reply.status in REDIRECT_CODES:
                target = normalise_url(reply.headers.get("Location") or "", current)
                if not target or not same_site(target, start_url):
                    return 404, None
                current = target
                continue
            if reply.status == 304 and cached:
                return 200, cached["body"]
            if reply.status != 200:
                return reply.status, None
            body = reply.read(limit).decode("latin-1")
            state.meta[current] = {"etag": reply.headers.get("ETag", ""),
                                   "last_modified": reply.headers.get("Last-Modified", ""), "body": body}
            return 200, body
    return 404, None


def _maybe_gunzip(data: bytes) -> bytes:
    """Decompress a gzipped sitemap, never past the sitemap size cap."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, MAX_SITEMAP_BYTES)
    except zlib.error:
        return b""
