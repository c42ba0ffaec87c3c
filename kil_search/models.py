"""Plain data that flows from extraction to the index: documents and their pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Page:
    """One PDF page (1-based, as a viewer numbers it) or one HTML section (counted from 1)."""

    number: int
    text: str
    section: str = ""
    ocr: bool = False  # the text was recognised from a scan of the page (kil_search.extract.ocr)


@dataclass
class OutlineEntry:
    """A bookmark or heading: its title, the page it points to and its depth (0 = top)."""

    title: str
    page: int
    level: int = 0


@dataclass
class Document:
    """What extraction found in one file."""

    path: str
    format: str  # "pdf" | "html"
    title: str
    metadata: dict = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    outline: list[OutlineEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """Return the `kil-search extract --json` shape."""
        return {
            "path": self.path,
            "format": self.format,
            "title": self.title,
            "metadata": self.metadata,
            "pages": [asdict(page) for page in self.pages],
            "outline": [asdict(entry) for entry in self.outline],
            "warnings": list(self.warnings),
        }
