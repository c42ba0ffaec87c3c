"""URLs for the crawler: normal form, same-site test, and the safe file path each one is saved under."""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_SEGMENT_CHARS = 80
MAX_SEGMENTS = 8
# Links to these are never PDFs or pages: no request is spent on them.
SKIPPED_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .svg .webp .ico .bmp .tif .tiff .css .js .json .xml .rss .atom .zip .gz .tgz .rar .7z "
    ".doc .docx .xls .xlsx .ppt .pptx .odt .ods .csv .txt .mp3 .mp4 .m4a .wav .avi .mov .webm .woff .woff2 .ttf .eot .exe .dmg .iso".split()
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def normalise_url(url: str, base: str | None = None) -> str | None:
    """Resolve url against base and return its normal form, or None if it is not a web address."""
    try:
        joined = urljoin(base, url.strip()) if base else url.strip()
        parts = urlsplit(joined)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    query = quote(parts.query, safe=_QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def site_of(url: str) -> str:
    """Return the host[:port] that identifies a site (the scheme may differ: http and https are one site)."""
    parts = urlsplit(url)
    port = parts.port if parts.port not in (None, DEFAULT_PORTS.get(parts.scheme)) else None
    return f"{parts.hostname}:{port}" if port else (parts.hostname or "")


def same_site(url: str, start: str) -> bool:
    """True when url is on the same host and port as the start URL."""
    return site_of(url) == site_of(start)


def is_skipped_by_suffix(url: str) -> bool:
    """True for links whose name says they are images, scripts, archives or office files."""
    return PurePosixPath(urlsplit(url).path.lower()).suffix in SKIPPED_SUFFIXES


def host_folder(url: str) -> str:
    """Return the folder name for a site: its host, with the port after an underscore."""
    name = site_of(url).replace(":", "_")
    return _UNSAFE.sub("-", name).strip(".-") or "site"


def relative_file_path(url: str, file_format: str) -> str:
    """Return where a fetched URL is saved, relative to its host folder.

    Every segment is decoded once, then stripped to letters, digits, dot, dash and underscore,
    so `..`, encoded slashes and absolute paths cannot climb out; names never start with a
    dot or underscore (the indexer would skip them); long names and query strings are hashed.
    """
    parts = urlsplit(url)
    raw_segments = [segment for segment in parts.path.split("/") if segment]
    directory_index = parts.path.endswith("/") or not raw_segments
    segments = [_safe_segment(unquote(segment)) for segment in raw_segments]
    if directory_index:
        segments.append("index")
    if len(segments) > MAX_SEGMENTS:
        segments = segments[: MAX_SEGMENTS - 1] + [_hashed("-".join(segments[MAX_SEGMENTS - 1:]), "deep")]
    name = segments[-1]
    suffix = ".pdf" if file_format == "pdf" else ".html"
    stem = name[: -len(PurePosixPath(name).suffix)] if PurePosixPath(name).suffix.lower() in (".pdf", ".html", ".htm") else name
    if parts.query:
        stem = f"{stem}-q{short_digest(parts.query)}"
    segments[-1] = _shorten(stem or "index", MAX_SEGMENT_CHARS - len(suffix)) + suffix
    return "/".join(segments)


def _safe_segment(segment: str) -> str:
    """Make one decoded path segment a harmless file or folder name."""
    cleaned = _UNSAFE.sub("-", segment).strip("-")
    cleaned = cleaned.lstrip("._-") or "x"
    if set(cleaned) <= {"."}:
        cleaned = "x"
    return _shorten(cleaned, MAX_SEGMENT_CHARS)


def _shorten(name: str, limit: int) -> str:
    """Cut a long name, keeping it unique with a hash of the whole."""
    return name if len(name) <= limit else _hashed(name, name[: limit - 13])


def _hashed(whole: str, prefix: str) -> str:
    """Return prefix followed by a short hash of whole."""
    return f"{prefix.rstrip('.-')}-{short_digest(whole)}"


def short_digest(text: str) -> str:
    """Return a short, stable hash of text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
