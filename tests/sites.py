"""A small web site served on 127.0.0.1 from a thread, that counts what crawlers ask of it."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Resource:
    """One URL's answer; etag/last_modified make it answer conditional requests with 304."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    etag: bool = True
    last_modified: bool = True
    stream: Callable | None = None  # writes the body itself (for endless files)


@dataclass
class Hit:
    """A request the site answered."""

    path: str
    status: int
    user_agent: str
    conditional: bool
    at: float
    body_bytes: int


class Site:
    """Serve `resources` (path → Resource) until stopped; record every request in `hits`."""

    def __init__(self):
        self.resources: dict[str, Resource] = {}
        self.hits: list[Hit] = []
        self.streamed_bytes = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "Site":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def page(self, path: str, html: str, **options) -> None:
        """Serve an HTML page at path."""
        self.resources[path] = Resource(html.encode("utf-8"), **options)

    def requested(self, path: str) -> list[Hit]:
        """Return the hits on one path."""
        return [hit for hit in self.hits if hit.path == path]

    def clear(self) -> None:
        """Forget the hits so far."""
        self.hits.clear()


def _handler_for(site: Site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            resource = site.resources.get(self.path)
            if resource is None:
                resource = Resource(b"<h1>Not found</h1>", status=404, etag=False, last_modified=False)
            conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
            etag = f'"{hashlib.sha256(resource.body).hexdigest()[:16]}"'
            modified = formatdate(1_600_000_000 + len(resource.body), usegmt=True)
            not_modified = resource.status == 200 and (
                (resource.etag and self.headers.get("If-None-Match") == etag)
                or (not resource.etag and resource.last_modified and self.headers.get("If-Modified-Since") == modified)
            )
            status = 304 if not_modified else resource.status
            body = b"" if not_modified or resource.stream else resource.body
            self.send_response(status)
            for name, value in resource.headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Type", resource.content_type)
            if resource.status == 200 and resource.etag:
                self.send_header("ETag", etag)
            if resource.status == 200 and resource.last_modified:
                self.send_header("Last-Modified", modified)
            if resource.stream and status == 200:
                self.send_header("Connection", "close")
                self.end_headers()
                self._record(status, conditional, 0)
                resource.stream(self.wfile, site)
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._record(status, conditional, len(body))
            try:
                self.wfile.write(body)
            except OSError:
                pass  # the crawler hung up (a body over its cap)

        def _record(self, status: int, conditional: bool, size: int) -> None:
            site.hits.append(Hit(self.path, status, self.headers.get("User-Agent", ""), conditional, time.monotonic(), size))

        def log_message(self, *args):
            pass

    return Handler


def endless_stream(chunk_size: int = 64 * 1024, limit: int = 200 * 1024 * 1024):
    """Return a stream writer that sends zeros after a PDF header until the reader hangs up."""

    def write(out, site: Site) -> None:
        chunk = b"%PDF-1.4\n" + b"0" * (chunk_size - 9)
        sent = 0
        try:
            while sent < limit:
                out.write(chunk)
                sent += len(chunk)
                site.streamed_bytes = sent
                chunk = b"0" * chunk_size
        except OSError:
            pass

    return write
