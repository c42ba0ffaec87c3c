"""HTTP for the crawler: one request at a time, a clear user agent, a pause between requests to a site.

Redirects are not followed here (the crawler follows them itself, checking each hop), and bodies
are read only up to a cap so a huge or endless file costs no more than the cap.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message

from .. import __version__
from .urls import site_of

READ_CHUNK = 1 << 16
REDIRECT_CODES = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A request failed before any HTTP answer (connection refused, timeout...)."""


class TooLarge(Exception):
    """A body was bigger than the cap; reading stopped there."""


def user_agent(contact: str) -> str:
    """Return the crawler's user agent, naming who to contact."""
    return f"kil-search-crawler/{__version__} (+{contact})" if contact else f"kil-search-crawler/{__version__}"


@dataclass
class Reply:
    """An HTTP answer whose body has not been read yet."""

    url: str
    status: int
    headers: Message
    stream: object

    @property
    def content_type(self) -> str:
        """Return the media type without parameters, lower case."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def declared_length(self) -> int | None:
        """Return Content-Length when the server sent a valid one."""
        try:
            return int(self.headers.get("Content-Length", ""))
        except ValueError:
            return None

    def read(self, limit: int) -> bytes:
        """Read the body, raising TooLarge as soon as it passes limit bytes."""
        declared = self.declared_length
        if declared is not None and declared > limit:
            raise TooLarge(f"{declared} bytes declared, over the {limit}-byte cap")
        chunks, size = [], 0
        while True:
            try:
                chunk = self.stream.read(READ_CHUNK)
            except (OSError, http.client.HTTPException) as error:
                raise FetchError(f"connection failed while reading: {error}") from None
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"more than the {limit}-byte cap")
            chunks.append(chunk)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back to the caller instead of following them."""

    def redirect_request(self, request, fp, code, message, headers, new_url):
        return None


class Fetcher:
    """Make polite GET requests: user agent, per-site delay, timeout; count them."""

    def __init__(self, agent: str, delay: float = 1.0, timeout: float = 30.0):
        self.agent = agent
        self.delay = delay
        self.timeout = timeout
        self.requests = 0
        self._last_request: dict[str, float] = {}
        self._opener = urllib.request.build_opener(_NoRedirects())

    @contextmanager
    def get(self, url: str, headers: dict | None = None):
        """Send a GET and yield its Reply (any status); raise FetchError when no answer came."""
        self._wait_for_turn(url)
        request = urllib.request.Request(url, headers={"User-Agent": self.agent, **(headers or {})})
        try:
            stream = self._opener.open(request, timeout=self.timeout)
            status = stream.status
        except urllib.error.HTTPError as error:
            stream, status = error, error.code
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
            raise FetchError(_reason(error)) from None
        try:
            yield Reply(url, status, stream.headers, stream)
        finally:
            stream.close()

    def _wait_for_turn(self, url: str) -> None:
        """Sleep until `delay` seconds have passed since the last request to this site."""
        site = site_of(url)
        last = self._last_request.get(site)
        if last is not None:
            pause = self.delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)
        self._last_request[site] = time.monotonic()
        self.requests += 1


def _reason(error: BaseException) -> str:
    """Turn a network error into a short reason."""
    if isinstance(error, urllib.error.URLError):
        error = error.reason if isinstance(error.reason, BaseException) else error
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(error) or type(error).__name__
