"""Build tiny real PDFs and web pages for tests (a plain module: import what you need)."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

BODY_FONT_SIZE = 11
HEADING_FONT_SIZE = 20

# Text that make_html puts in the page chrome; none of it may reach the extracted text.
CHROME_PHRASES = (
    "Skip to main content",
    "We use cookies to make this website work",
    "Accept additional cookies",
    "Council home",
    "Bins and recycling services",
    "You are here",
    "Related pages",
    "Sign up to our newsletter",
    "Search this site",
    "trackVisit",
    "Copyright Example Borough Council",
    "Share this page",
)


def make_pdf(
    path: Path,
    pages: list[str],
    *,
    title: str | None = None,
    author: str | None = None,
    subject: str | None = None,
    outline: list[tuple[str, int, int]] | None = None,
    created: datetime | None = None,
    password: str | None = None,
    blank_pages: set[int] = frozenset(),
    heading: str | None = None,
    owner_password: str = "owner-secret",
) -> Path:
    """Write a PDF with one page per text (Helvetica); return its path.

    outline entries are (title, 1-based page, level); page numbers in blank_pages
    get no text at all, like a scanned page; heading is printed large above the
    first page's text; password sets a user password, and password="" encrypts
    with only an owner password (opens without one, as many office exports do).
    """
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    if title is not None:
        pdf.set_title(title)
    if author is not None:
        pdf.set_author(author)
    if subject is not None:
        pdf.set_subject(subject)
    if created is not None:
        pdf.set_creation_date(created)
    if password is not None:
        pdf.set_encryption(owner_password=owner_password, user_password=password)
    sections = sorted(outline or [], key=lambda entry: entry[1])
    for number, text in enumerate(pages, start=1):
        pdf.add_page()
        for section_title, _, level in (entry for entry in sections if entry[1] == number):
            pdf.start_section(section_title, level=level)
        if number in blank_pages:
            continue
        if number == 1 and heading:
            pdf.set_font("Helvetica", style="B", size=HEADING_FONT_SIZE)
            pdf.multi_cell(0, 10, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", size=BODY_FONT_SIZE)
        pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    path = Path(path)
    pdf.output(str(path))
    return path


def make_html(
    path: Path,
    *,
    title: str,
    body_html: str,
    description: str | None = None,
    published: str | None = None,
    canonical: str | None = None,
    charset: str = "utf-8",
    chrome: bool = True,
) -> Path:
    """Write a web page with body_html inside <main> and realistic chrome around it; return its path.

    With chrome=False the body holds only body_html (no <main>). The file is
    encoded in `charset`, which the page also declares.
    """
    head = [f'<meta charset="{charset}">', f"<title>{html.escape(title)}</title>"]
    if description is not None:
        head.append(f'<meta name="description" content="{html.escape(description)}">')
    if published is not None:
        head.append(f'<meta property="article:published_time" content="{html.escape(published)}">')
    if canonical is not None:
        head.append(f'<link rel="canonical" href="{html.escape(canonical)}">')
    head.append('<link rel="stylesheet" href="/styles.css">')
    body = _CHROME_TEMPLATE.format(main=body_html) if chrome else body_html
    page = (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n' + "\n".join(head) + "\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
    path = Path(path)
    path.write_bytes(page.encode(charset))
    return path


_CHROME_TEMPLATE = """
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<div id="cookie-banner" class="cookie-banner" role="region" aria-label="Cookies on this site">
  <p>We use cookies to make this website work and to collect information about how you use it.</p>
  <button type="button">Accept additional cookies</button>
</div>
<header class="site-header">
  <a href="/" class="logo">Council home</a>
  <nav aria-label="Main menu">
    <ul><li><a href="/bins">Bins and recycling services</a></li><li><a href="/tax">Council tax</a></li></ul>
  </nav>
</header>
<div class="breadcrumbs"><span>You are here:</span> <a href="/">Home</a> &gt; <a href="/bins">Bins</a></div>
<div class="page-wrapper">
  <main id="main-content">
{main}
    <div class="share-links"><a href="https://example.com/share">Share this page</a></div>
  </main>
  <aside><h2>Related pages</h2><ul><li><a href="/a">Garden waste</a></li></ul></aside>
</div>
<form action="/search" class="site-search"><label for="q">Search this site</label><input id="q" name="q"></form>
<div class="newsletter-signup"><p>Sign up to our newsletter</p></div>
<footer class="site-footer"><p>Copyright Example Borough Council</p></footer>
<script>function trackVisit() {{ return "trackVisit"; }}</script>
"""
