"""What the crawler remembers about a site between runs: per URL its file and validators.

The file lives beside the crawled files (`corpus/crawled/<host>/.crawl-state.json`); its name
starts with a dot, so the indexer never sees it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .urls import relative_file_path, short_digest

STATE_FILE_NAME = ".crawl-state.json"
STATE_VERSION = 1


class CrawlState:
    """Per-URL records (file path, ETag, Last-Modified, hash) and cached robots/sitemap bodies."""

    def __init__(self, folder: Path, data: dict | None = None):
        self.folder = folder
        data = data if isinstance(data, dict) and data.get("version") == STATE_VERSION else {}
        self.urls: dict[str, dict] = dict(data.get("urls", {}))
        self.meta: dict[str, dict] = dict(data.get("meta", {}))

    @classmethod
    def load(cls, folder: Path) -> "CrawlState":
        """Read the state of a host folder (empty when there is none or it is unreadable)."""
        try:
            data = json.loads((folder / STATE_FILE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        return cls(folder, data)

    def save(self) -> None:
        """Write the state atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / STATE_FILE_NAME
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        data = {"version": STATE_VERSION, "urls": self.urls, "meta": self.meta}
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)

    def conditional_headers(self, url: str, record: dict | None = None) -> dict:
        """Return If-None-Match / If-Modified-Since for a URL whose file we still have."""
        record = record if record is not None else self.urls.get(url)
        if not record:
            return {}
        if "path" in record and not (self.folder / record["path"]).is_file():
            return {}
        headers = {}
        if record.get("etag"):
            headers["If-None-Match"] = record["etag"]
        if record.get("last_modified"):
            headers["If-Modified-Since"] = record["last_modified"]
        return headers

    def path_for(self, url: str, file_format: str) -> str:
        """Return the file path a URL is saved under, unique among the site's URLs."""
        record = self.urls.get(url)
        wanted = relative_file_path(url, file_format)
        if record and record.get("path") == wanted:
            return wanted
        taken = {entry.get("path") for other, entry in self.urls.items() if other != url}
        if wanted not in taken:
            return wanted
        stem, _, suffix = wanted.rpartition(".")
        return f"{stem}-{short_digest(url)}.{suffix}"

    def file_of(self, url: str) -> Path | None:
        """Return the saved file of a URL, if it still exists."""
        record = self.urls.get(url)
        if not record or "path" not in record:
            return None
        path = self.folder / record["path"]
        return path if path.is_file() else None
