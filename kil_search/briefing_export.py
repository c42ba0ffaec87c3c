"""A briefing's exports: Markdown and Word, each excerpt quoted with a citation and a link; no markup gets through."""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document as WordDocument

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # Word's XML refuses them
MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]<>#!|~&])")


def citation(item: dict) -> str:
    """Return "Title (Locality, 2020), p. 12" for an item (parts left out when unknown)."""
    where = ", ".join(part for part in (item.get("locality", ""), (item.get("date") or "")[:4]) if part)
    page = f", p. {item['page']}" if item.get("format") == "pdf" else f", section {item['page']}"
    return f"{item.get('title', '')}{f' ({where})' if where else ''}{page}"


def plain(text: str) -> str:
    """Return text without characters that cannot stand in a document."""
    return CONTROL_CHARS.sub("", text or "")


def markdown_text(text: str) -> str:
    """Escape every character Markdown (or HTML inside Markdown) would read as markup."""
    return MARKDOWN_ACTIVE.sub(r"\\\1", plain(text))


def to_markdown(items: list[dict], base_url: str, today: date | None = None) -> str:
    """Return the briefing as Markdown: a title, the date, then each excerpt quoted with its citation and link."""
    lines = ["# Briefing", "", f"Compiled {(today or date.today()).isoformat()}", ""]
    for number, item in enumerate(items, 1):
        lines.append(f"## {number}. {markdown_text(item.get('title', ''))}")
        lines.append("")
        lines.extend(f"> {markdown_text(line)}" if line.strip() else ">" for line in plain(item["quote"]).splitlines() or [""])
        lines.append("")
        lines.append(f"— {markdown_text(citation(item))}")
        if item.get("note"):
            lines.append("")
            lines.append(f"Note: {markdown_text(item['note'])}")
        lines.append("")
        link = base_url.rstrip("/") + item["url"]
        lines.append(f"<{link.replace('>', '%3E').replace('<', '%3C').replace(' ', '%20')}>")
        lines.append("")
    return "\n".join(lines)


def to_docx(items: list[dict], base_url: str, today: date | None = None) -> bytes:
    """Return the briefing as a Word file: a title, the date, then each excerpt quoted with its citation and link."""
    word = WordDocument()
    word.add_heading("Briefing", level=0)
    word.add_paragraph(f"Compiled {(today or date.today()).isoformat()}")
    for number, item in enumerate(items, 1):
        word.add_heading(plain(f"{number}. {item.get('title', '')}"), level=1)
        word.add_paragraph(plain(f"“{item['quote']}”"), style="Quote")
        word.add_paragraph(plain(citation(item)))
        if item.get("note"):
            word.add_paragraph(plain(f"Note: {item['note']}"))
        word.add_paragraph(plain(base_url.rstrip("/") + item["url"]))
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
