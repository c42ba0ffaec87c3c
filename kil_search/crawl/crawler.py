"""Crawl one site into corpus/crawled/<host>/: pages and the PDFs they link to, politely and safely."""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..catalog_write import update_catalog
from ..config import Settings
from ..errors import KilSearchError
from .fetch import REDIRECT_CODES, Fetcher, FetchError, Reply, TooLarge, user_agent
from .links import page_links
from .site import MAX_REDIRECTS, SiteRules
from .state import CrawlState
from .urls import host_folder, is_skipped_by_suffix, normalise_url, same_site

CRAWLED_FOLDER = "crawled"
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf", "application/octet-stream", "binary/octet-stream")
GONE_CODES = (404, 410)
SAVE_STATE_EVERY = 20

# Called with (outcome, url, note) after each URL: outcome is fetched, unchanged, skipped, robots, failed or removed.
CrawlProgress = Callable[[str, str, str], None]


@dataclass
class CrawlSummary:
    """What one crawl did."""

    start_url: str
    folder: str
    fetched: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    unchanged_content: int = 0
    skipped_by_robots: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    left_unvisited: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """True when files were added, changed or removed."""
        return bool(self.fetched or self.removed)


@dataclass
class _Limits:
    max_pages: int
    max_depth: int
    max_bytes: int


class Crawler:
    """One crawl of one site; `run` does it and returns the summary."""

    def __init__(self, settings: Settings, start_url: str, limits: _Limits, delay: float, progress: CrawlProgress):
        start = normalise_url(start_url)
        if start is None:
            raise KilSearchError(f"{start_url!r} is not an http(s) address")
        self.start = start
        self.corpus_dir = Path(settings.corpus_dir).resolve()
        self.folder = self.corpus_dir / CRAWLED_FOLDER / host_folder(start)
        self.limits = limits
        self.progress = progress
        self.state = CrawlState.load(self.folder)
        self.fetcher = Fetcher(user_agent(settings.crawl_contact), delay)
        self.rules = SiteRules(self.fetcher, self.state, start)
        self.summary = CrawlSummary(start, self.folder.relative_to(self.corpus_dir).as_posix())
        self.sources: dict[str, str] = {}
        self.done: set[str] = set()

    def run(self) -> CrawlSummary:
        """Crawl breadth first from the start URL and the sitemaps, then record sources in the catalogue."""
        started = time.monotonic()
        try:
            self._crawl()
        finally:
            self.state.save()
            self._update_catalog()
            self.summary.requests = self.fetcher.requests
            self.summary.notes = self.rules.notes
            self.summary.seconds = round(time.monotonic() - started, 3)
        return self.summary

    def _crawl(self) -> None:
        self.rules.load_robots()
        asked = self.rules.crawl_delay()
        if asked is not None and asked > self.fetcher.delay:
            self.fetcher.delay = asked
        frontier = deque([(self.start, 0)])
        seen = {self.start}
        for url in self.rules.sitemap_urls():
            if url not in seen:
                seen.add(url)
                frontier.append((url, 1))
        visits = 0
        while frontier and visits < self.limits.max_pages:
            url, depth = frontier.popleft()
            if not self.rules.allows(url):
                self._record("robots", url, "forbidden by robots.txt")
                continue
            visits += 1
            links = self._visit(url)
            if visits % SAVE_STATE_EVERY == 0:
                self.state.save()
            if depth >= self.limits.max_depth:
                continue
            for link in links:
                if link not in seen and same_site(link, self.start) and not is_skipped_by_suffix(link):
                    seen.add(link)
                    frontier.append((link, depth + 1))
        self.summary.left_unvisited = len(frontier)

    def _visit(self, url: str) -> list[str]:
        """Fetch one URL (following redirects on the site) and return the links to follow from it."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if current in self.done:
                return []
            try:
                with self.fetcher.get(current, self.state.conditional_headers(current)) as reply:
                    if reply.status not in REDIRECT_CODES:
                        self.done.add(current)
                        return self._handle(reply)
                    target = normalise_url(reply.headers.get("Location") or "", current)
            except FetchError as error:
                self._record("failed", current, str(error))
                return []
            if target is None:
                self._record("failed", current, f"HTTP {reply.status} without a usable Location")
                return []
            if self.state.file_of(current):
                self._remove(current, f"now redirects to {target}")
            if not same_site(target, self.start):
                self._record("skipped", current, f"redirects off the site to {target}")
                return []
            if not self.rules.allows(target):
                self._record("robots", target, f"redirected from {current}; forbidden by robots.txt")
                return []
            current = target
        self._record("failed", url, f"more than {MAX_REDIRECTS} redirects")
        return []

    def _handle(self, reply: Reply) -> list[str]:
        """Deal with a final (non-redirect) answer."""
        url = reply.url
        if reply.status == 304 and self.state.file_of(url):
            return self._unchanged(url)
        if reply.status in GONE_CODES and self.state.file_of(url):
            self._remove(url, f"HTTP {reply.status}")
            return []
        if reply.status != 200:
            self._record("failed", url, f"HTTP {reply.status} {getattr(reply.stream, 'reason', '')}".strip())
            return []
        if reply.content_type in HTML_TYPES:
            file_format = "html"
        elif reply.content_type in PDF_TYPES:
            file_format = "pdf"
        else:
            self._record("skipped", url, f"content type {reply.content_type or 'missing'} is neither HTML nor PDF")
            return []
        try:
            body = reply.read(self.limits.max_bytes)
        except TooLarge as error:
            self._record("failed", url, f"too large: {error}")
            return []
        except FetchError as error:
            self._record("failed", url, str(error))
            return []
        if file_format == "pdf" and b"%PDF-" not in body[:1024]:
            self._record("failed", url, f"served as {reply.content_type} but is not a PDF")
            return []
        links = page_links(body, url) if file_format == "html" else None
        if links is not None and not links.index:
            self._record("skipped", url, "the page asks not to be indexed (meta robots noindex)")
        else:
            self._save(url, body, file_format, reply)
        return links.urls if links is not None and links.follow else []

    def _save(self, url: str, body: bytes, file_format: str, reply: Reply) -> None:
        """Write the file (only if its bytes changed) and remember its validators."""
        relative = self.state.path_for(url, file_format)
        path = (self.folder / relative).resolve()
        if not path.is_relative_to(self.folder.resolve()):
            self._record("failed", url, "refused a file path outside the crawl folder")
            return
        digest = hashlib.sha256(body).hexdigest()
        old = self.state.urls.get(url, {})
        unchanged = path.is_file() and old.get("sha256") == digest and old.get("path") == relative
        try:
            if not unchanged:
                _write_atomically(path, body)
        except OSError as error:
            self._record("failed", url, f"could not save {relative}: {error.strerror or error}")
            return
        self.state.urls[url] = {"path": relative, "format": file_format, "sha256": digest,
                                "etag": reply.headers.get("ETag", ""), "last_modified": reply.headers.get("Last-Modified", "")}
        doc_id = path.relative_to(self.corpus_dir).as_posix()
        self.sources[doc_id] = url
        if unchanged:
            self.summary.unchanged_content += 1
            self._record("unchanged", url, "same content")
        else:
            self.summary.fetched.append((url, doc_id))
            self._record("fetched", url, f"{len(body):,} bytes → {doc_id}")

    def _unchanged(self, url: str) -> list[str]:
        """Count a 304 and read the links of the copy we already have."""
        path = self.state.file_of(url)
        self.summary.unchanged += 1
        self.sources[path.relative_to(self.corpus_dir).as_posix()] = url
        self._record("unchanged", url, "304 not modified")
        if self.state.urls[url].get("format") != "html":
            return []
        links = page_links(path.read_bytes(), url)
        return links.urls if links.follow else []

    def _remove(self, url: str, reason: str) -> None:
        """Delete the saved copy of a page the site no longer has."""
        path = self.state.file_of(url)
        doc_id = path.relative_to(self.corpus_dir).as_posix()
        path.unlink()
        del self.state.urls[url]
        self.sources[doc_id] = ""
        self.summary.removed.append((url, doc_id))
        self._record("removed", url, f"{reason}: removed {doc_id}")

    def _record(self, outcome: str, url: str, note: str) -> None:
        """Add a URL's outcome to the summary and report it."""
        if outcome == "robots":
            self.summary.skipped_by_robots.append(url)
        elif outcome == "skipped":
            self.summary.skipped.append((url, note))
        elif outcome == "failed":
            self.summary.failed.append((url, note))
        self.progress(outcome, url, note)

    def _update_catalog(self) -> None:
        """Record each crawled file's public address; drop entries of removed files."""
        changes = {doc_id: ({"source_url": url} if url else None) for doc_id, url in self.sources.items()}
        if changes:
            update_catalog(self.corpus_dir, changes)


def crawl_site(settings: Settings, start_url: str, max_pages: int | None = None, max_depth: int | None = None,
               delay: float | None = None, max_bytes: int | None = None,
               progress: CrawlProgress | None = None) -> CrawlSummary:
    """Crawl a site into the corpus and return what happened (the caller decides whether to reindex)."""
    limits = _Limits(
        max_pages=max_pages if max_pages is not None else settings.crawl_max_pages,
        max_depth=max_depth if max_depth is not None else settings.crawl_max_depth,
        max_bytes=max_bytes if max_bytes is not None else settings.crawl_max_mb * 1024 * 1024,
    )
    chosen_delay = delay if delay is not None else settings.crawl_delay
    return Crawler(settings, start_url, limits, chosen_delay, progress or (lambda *args: None)).run()


def _write_atomically(path: Path, body: bytes) -> None:
    """Write through a hidden temporary file and rename, so the indexer never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(body)
    os.replace(temporary, path)
