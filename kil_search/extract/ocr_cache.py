"""Text recognised from scanned pages, kept by the file's content hash so no file is read twice.

One JSON file per (content hash, languages): {"pages": {"9": "text", ...}}. It is rewritten after
every page, so a file cut short by its time limit goes on where it stopped the next time it is
extracted, and a rebuild (which extracts every file again) recognises nothing already recognised.
The folder sits beside the index generations (see CACHE_FOLDER), which a rebuild never removes.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

CACHE_FOLDER = "ocr-cache"
_UNSAFE = re.compile(r"[^A-Za-z0-9_+-]+")


class OcrCache:
    """Recognised page texts of one file, read from and written to a folder (or kept nowhere)."""

    def __init__(self, folder: Path | None, content_hash: str, langs: str):
        self.path = Path(folder) / f"{content_hash}-{_UNSAFE.sub('_', langs)}.json" if folder else None
        self.pages: dict[int, str] = self._load()

    def _load(self) -> dict[int, str]:
        """Return the cached pages; {} when there is no cache or it cannot be read."""
        if self.path is None:
            return {}
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            return {int(number): str(text) for number, text in stored["pages"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def get(self, page_number: int) -> str | None:
        """Return a page's recognised text, or None when it was never recognised."""
        return self.pages.get(page_number)

    def put(self, page_number: int, text: str) -> None:
        """Remember a page's text and write the cache file at once (atomically)."""
        self.pages[page_number] = text
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            temporary.write_text(json.dumps({"pages": {str(number): text for number, text in sorted(self.pages.items())}}),
                                 encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass  # a cache that cannot be written costs time on the next run, never text
