"""Build scanned PDFs for OCR tests: text drawn into a 300 dpi image with a Debian font, one image per page.

A plain module (tests and benchmarks/ocr.py import it). A page is either ("text", words), set as
real PDF text, or ("scan", words), drawn into an image and placed as the page's only content.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

DPI = 300
A4_MM = (210, 297)
A4_PIXELS = (2480, 3508)  # A4 at 300 dpi
MARGIN_PIXELS = 240  # about 20 mm
FONT_POINTS = 11
FONTS = {
    "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
}

# Known text for accuracy measurements (written for these tests).
KNOWN_TEXT = (
    "The parish council met on a wet Tuesday evening to agree the budget for the coming year. "
    "Members heard that the library van will visit the three outlying villages twice a month, "
    "and that the community transport scheme carried more passengers than in any year before. "
    "A resident asked why the footpath beside the river had not been repaired; the clerk replied "
    "that the landowner had agreed to share the cost and work would begin in the spring. "
    "The council thanked the volunteers who keep the village hall open, painted the fence and "
    "planted bulbs along the green. It resolved to ask the district council for a grant towards "
    "a new play area, to publish the minutes of every meeting within ten working days, and to "
    "review the contract for grass cutting before it ends in September. The chair closed the "
    "meeting at nine o'clock and invited everyone to the summer fair on the second Saturday of July."
)


def scan_image(text: str, font: str = "serif", points: int = FONT_POINTS) -> Image.Image:
    """Draw text onto a white A4 page image at 300 dpi, wrapped inside the margins."""
    typeface = ImageFont.truetype(FONTS[font], round(points * DPI / 72))
    image = Image.new("L", A4_PIXELS, 255)
    draw = ImageDraw.Draw(image)
    line_height = round(typeface.size * 1.45)
    y = MARGIN_PIXELS
    for line in _wrap(text, typeface, A4_PIXELS[0] - 2 * MARGIN_PIXELS):
        draw.text((MARGIN_PIXELS, y), line, font=typeface, fill=0)
        y += line_height
        if y > A4_PIXELS[1] - MARGIN_PIXELS:
            break
    return image


def _wrap(text: str, typeface: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break text into lines no wider than width pixels."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and typeface.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def make_scanned_pdf(path: Path, pages: list[tuple[str, str]], font: str = "serif",
                     page_mm: tuple[float, float] = A4_MM) -> Path:
    """Write a PDF whose ("scan", text) pages are images only (an A4 scan stretched over the page) and
    ("text", text) pages real text."""
    pdf = FPDF(unit="mm", format=page_mm)
    pdf.set_auto_page_break(False)
    images: dict[str, bytes] = {}
    for kind, text in pages:
        pdf.add_page()
        if kind == "scan":
            if text not in images:
                buffer = io.BytesIO()
                scan_image(text, font).save(buffer, format="PNG")
                images[text] = buffer.getvalue()
            pdf.image(io.BytesIO(images[text]), x=0, y=0, w=page_mm[0], h=page_mm[1])
        else:
            pdf.set_font("helvetica", size=FONT_POINTS)
            pdf.set_xy(20, 20)
            pdf.multi_cell(170, 6, text)
    pdf.output(str(path))
    return path


def words_of(text: str) -> list[str]:
    """Return the lower-case words of a text, punctuation dropped (how accuracy is counted)."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def word_accuracy(expected: str, recognised: str) -> float:
    """Return the share of expected words found, in order, in the recognised text."""
    from difflib import SequenceMatcher

    truth, found = words_of(expected), words_of(recognised)
    matcher = SequenceMatcher(a=truth, b=found, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / len(truth) if truth else 1.0
