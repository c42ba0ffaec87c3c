"""Which addresses from documents and the catalogue may become links: absolute http(s) ones only."""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")


def web_address(url: str) -> str:
    """Return url when it is an absolute http(s) address, else "" (so javascript:, data: and the like never link)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)  # also drops tabs and newlines, as browsers do ("java\tscript:")
    except ValueError:
        return ""
    return url if parts.scheme.lower() in WEB_SCHEMES and parts.netloc else ""
