"""The shapes of an answer: the answer card, the passages shown without one, and their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from ..search.excerpts import make_excerpt


@dataclass
class Answer:
    """An answer found in one document: the text, a sentence of context either side, where it is."""

    text: str
    before: str
    after: str
    document: dict  # id, title, type, date
    format: str
    page: int
    section: str
    url: str
    score: float
    terms: frozenset[str] = frozenset()
    ocr: bool = False  # the sentence was read by OCR from a scanned page

    @property
    def context(self) -> str:
        """Return the answer with its sentence of context either side."""
        return " ".join(part for part in (self.before, self.text, self.after) if part)

    def html(self, part: str = "text") -> Markup:
        """Return the answer text (or its before/after context) escaped, with question words marked."""
        text = getattr(self, part)
        return make_excerpt(text, self.terms, width=len(text) + 1) if text else Markup("")

    def to_json(self) -> dict:
        """Return the /api/ask shape of an answer."""
        return {
            "text": self.text,
            "context": self.context,
            "document": self.document,
            "page": self.page,
            "section": self.section,
            "url": self.url,
            "score": round(self.score, 3),
            "ocr": self.ocr,
        }


@dataclass
class RelevantPassage:
    """A passage shown when no sentence answers convincingly."""

    document: dict
    format: str
    page: int
    section: str
    excerpt_html: Markup
    url: str
    ocr: bool = False  # the passage was read by OCR from a scanned page

    def to_json(self) -> dict:
        """Return the /api/ask shape of a passage."""
        return {"document": self.document, "page": self.page, "section": self.section,
                "excerpt_html": str(self.excerpt_html), "url": self.url, "ocr": self.ocr}


@dataclass
class AnswerResult:
    """The answer to a question (or None), other documents' answers and the most relevant passages."""

    question: str
    answer: Answer | None
    alternatives: list[Answer] = field(default_factory=list)
    passages: list[RelevantPassage] = field(default_factory=list)
    took_ms: float = 0.0

    def to_json(self) -> dict:
        """Return the /api/ask JSON shape."""
        return {
            "question": self.question,
            "answer": self.answer.to_json() if self.answer else None,
            "alternatives": [alternative.to_json() for alternative in self.alternatives],
            "passages": [passage.to_json() for passage in self.passages],
            "took_ms": self.took_ms,
        }
