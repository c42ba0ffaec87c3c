"""Our own main-content rules for web pages: the fallback when trafilatura finds no main content.

Also the charset, metadata and title helpers that html.py uses for every page.
"""

from __future__ import annotations

import codecs
import re
import warnings
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag
from bs4.dammit import EncodingDetector

from kil_search.errors import ExtractionError
from kil_search.models import Document, OutlineEntry, Page

DROPPED_TAGS = ("script", "style", "noscript", "template", "svg", "nav", "aside", "form", "button", "iframe",
                "object", "embed", "canvas", "dialog", "select", "input", "textarea")
PAGE_CHROME_TAGS = ("header", "footer")  # dropped unless they belong to an article or the main element
CHROME_ROLES = {"banner", "navigation", "contentinfo", "complementary", "search"}
CHROME_SUBSTRINGS = ("cookie", "consent", "breadcrumb", "newsletter")
CHROME_WORDS = {"banner", "skip", "skiplink", "skiplinks", "share", "sharing", "social", "socials"}
MAX_WIDGET_CHARS = 300
SKIP_LINK_TEXT = re.compile(r"^(skip|jump) (to|navigation)\b", re.IGNORECASE)
HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
PUBLISHED_META_NAMES = {"date", "dc.date", "dcterms.date", "pubdate", "publish-date",
                        "article:published_time", "citation_publication_date"}
TITLE_SEPARATORS = (" | ", " – ", " — ", " - ")
MIN_TITLE_REMAINDER = 8  # "Bin collections | Leeds City Council" keeps "Bin collections"
SMALL_WORDS = {"a", "an", "and", "at", "for", "in", "of", "on", "the", "to"}
WIDE_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d", "%Y%m%d")


def extract_html_by_rules(path: Path) -> Document:
    """Read one HTML file by our rules alone (as before trafilatura); raise ExtractionError if unreadable."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ExtractionError(f"cannot read file: {error.strerror or error}") from error
    soup = parse_html(decode_html(data))
    title = page_title(soup) or title_from_name(path)
    pages, outline = rules_sections(soup, title)
    return Document(path=str(path), format="html", title=title, metadata=page_metadata(soup),
                    pages=pages, outline=outline, warnings=[] if pages else ["no text content"])


def parse_html(text: str) -> BeautifulSoup:
    """Parse decoded HTML leniently, without bs4's warnings about odd markup."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bs4 warns about markup that looks like a URL or XML
        return BeautifulSoup(text, "html.parser")


def rules_sections(soup: BeautifulSoup, title: str) -> tuple[list[Page], list[OutlineEntry]]:
    """Find the main content by our rules and split it into sections (changes soup)."""
    container = _main_container(soup)
    _drop_chrome(soup, keep=container)
    return _sections(container, title)


def decode_html(data: bytes) -> str:
    """Decode by BOM, then the declared charset, else UTF-8, else windows-1252; never raise."""
    data, bom_encoding = EncodingDetector.strip_byte_order_mark(data)
    declared = bom_encoding or _usable_encoding(EncodingDetector.find_declared_encoding(data, is_html=True))
    if declared:
        return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1252", errors="replace")


def _usable_encoding(name: str | None) -> str | None:
    """Map a declared charset to a codec as browsers do; None when unknown or impossible."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    if codec in ("latin-1", "iso8859-1", "ascii"):
        return "windows-1252"  # browsers read these labels as windows-1252
    if codec.startswith(("utf-16", "utf-32")):
        return "utf-8"  # without a BOM an ASCII-compatible page cannot really be UTF-16
    return codec


def _meta(soup: BeautifulSoup, *names: str) -> str:
    """Return the first non-empty content of a <meta name|property> among names (case-insensitive)."""
    return meta_content(soup.find_all("meta"), *names)


def meta_content(tags, *names: str) -> str:
    """Return the first non-empty content among <meta> tags (BeautifulSoup or lxml) named one of names."""
    wanted = {name.lower() for name in names}
    for tag in tags:
        key = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = " ".join(str(tag.get("content") or "").split())
        if key in wanted and content:
            return content
    return ""


def page_metadata(soup: BeautifulSoup) -> dict:
    """Collect description, published date, canonical URL and language when present."""
    metadata: dict[str, str] = {}
    metadata["description"] = _meta(soup, "description", "og:description")
    published = _meta(soup, "article:published_time") or _meta(soup, *PUBLISHED_META_NAMES)
    if not published:
        time_tag = soup.find("time", attrs={"datetime": True})
        published = str(time_tag["datetime"]).strip() if time_tag else ""
    metadata["published"] = normalise_date(published)
    canonical = soup.find("link", rel=lambda rel: rel and "canonical" in str(rel).lower(), href=True)
    metadata["canonical_url"] = str(canonical["href"]).strip() if canonical else ""
    html = soup.find("html")
    metadata["language"] = str(html.get("lang") or "").strip() if html else ""
    return {key: value for key, value in metadata.items() if value}


def normalise_date(value: str) -> str:
    """Return "YYYY-MM-DD" for a parseable date, else the value unchanged."""
    value = value.strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return value
    for date_format in WIDE_DATE_FORMATS:
        try:
            return datetime.strptime(value, date_format).date().isoformat()
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return value


def page_title(soup: BeautifulSoup) -> str:
    """Return og:title or <title> without a site-name suffix, else the first h1."""
    raw = _meta(soup, "og:title")
    if not raw and soup.title:
        raw = " ".join(soup.title.get_text(" ").split())
    if raw:
        return strip_site_name(raw, _meta(soup, "og:site_name"))
    heading = soup.find("h1")
    return " ".join(heading.get_text(" ").split()) if heading else ""


def strip_site_name(title: str, site_name: str = "") -> str:
    """Drop a trailing " | Site Name" when what remains still makes a title."""
    for separator in TITLE_SEPARATORS:
        head, found, suffix = title.rpartition(separator)
        if not found or len(head.strip()) < MIN_TITLE_REMAINDER:
            continue
        if suffix.strip().lower() == site_name.strip().lower() or separator == " | " or _looks_like_name(suffix):
            return head.strip()
    return title


def _looks_like_name(text: str) -> bool:
    """Tell whether a title suffix reads like a site name ("Leeds City Council"), not a phrase."""
    words = text.split()
    return 0 < len(words) <= 6 and all(word[0].isupper() or word.lower() in SMALL_WORDS or not word[0].isalpha()
                                       for word in words)


def title_from_name(path: Path) -> str:
    """Turn a file name into a title: "bin-collections.html" -> "bin collections"."""
    return " ".join(re.sub(r"[-_]+", " ", path.stem).split()) or path.name


def _main_container(soup: BeautifulSoup) -> Tag:
    """Return the element holding the page's own content: main, a lone article, #content, or body."""
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    if main:
        return main
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.select_one("#content, #main, .content") or soup.body or soup


def _drop_chrome(soup: BeautifulSoup, keep: Tag) -> None:
    """Remove navigation, banners, scripts and other page furniture, but never `keep` or its ancestors."""
    protected = {id(keep)} | {id(parent) for parent in keep.parents}
    doomed: list[Tag] = []
    stack: list[tuple[Tag, bool]] = [(soup, False)]
    while stack:  # top-down and iterative: skips whole chrome subtrees, survives deep nesting
        element, in_content = stack.pop()
        for child in element.children:
            if not isinstance(child, Tag):
                continue
            if id(child) not in protected and _is_chrome(child, in_content):
                doomed.append(child)
            else:
                stack.append((child, in_content or child.name in ("article", "main")))
    for element in doomed:
        element.decompose()


def _is_chrome(element: Tag, in_content: bool) -> bool:
    """Tell whether an element is page furniture rather than content (in_content: inside article/main)."""
    name = element.name
    if name in DROPPED_TAGS:
        return True
    if name in PAGE_CHROME_TAGS:
        return not in_content
    if element.has_attr("hidden") or str(element.get("aria-hidden", "")).lower() == "true":
        return True
    if str(element.get("role", "")).lower() in CHROME_ROLES:
        return True
    if name == "a" and SKIP_LINK_TEXT.match(" ".join(element.get_text(" ").split())):
        return True
    classes = element.get("class") or []
    classes = [classes] if isinstance(classes, str) else classes
    labels = " ".join([str(element.get("id", "")), *classes, str(element.get("aria-label", ""))]).lower()
    if any(part in labels for part in CHROME_SUBSTRINGS):
        return True
    # "social", "banner" also name content ("social-care", "hero-banner"): only small widgets go.
    return not CHROME_WORDS.isdisjoint(re.split(r"[^a-z0-9]+", labels)) and _is_widget_sized(element)


def _is_widget_sized(element: Tag) -> bool:
    """Tell whether an element is small enough to be a widget: no headings and little text."""
    return element.find(list(HEADING_LEVELS)) is None and len(element.get_text()) <= MAX_WIDGET_CHARS


class SectionWriter:
    """Collect lines of text into sections that start at each h1-h4 heading."""

    def __init__(self, document_title: str):
        self.sections: list[tuple[str, int, list[str]]] = [(document_title, 0, [])]
        self.fragments: list[str] = []
        self.prefix = ""

    def write(self, text: str) -> None:
        """Add inline text to the current line."""
        self.fragments.append(text)

    def end_line(self) -> None:
        """Finish the current line, if it has any text."""
        line = " ".join("".join(self.fragments).split())
        self.fragments = []
        if line:
            self.sections[-1][2].append(self.prefix + line)
            self.prefix = ""

    def heading(self, text: str, level: int) -> None:
        """Start a new section titled by a heading."""
        self.end_line()
        self.prefix = ""
        self.sections.append((text, level, [text]))

    def pages(self) -> tuple[list[Page], list[OutlineEntry]]:
        """Finish writing; return numbered Pages, one per section with text, and an outline of the headings."""
        self.end_line()
        pages: list[Page] = []
        outline: list[OutlineEntry] = []
        waiting: list[tuple[str, int]] = []  # headings with no text of their own point at the next section
        for index, (title, level, lines) in enumerate(self.sections):
            is_heading = index > 0
            if len(lines) <= (1 if is_heading else 0):
                if is_heading:
                    waiting.append((title, level))
                continue
            pages.append(Page(number=len(pages) + 1, text="\n".join(lines), section=title))
            if is_heading:
                waiting.append((title, level))
            outline.extend(OutlineEntry(title=text, page=len(pages), level=depth - 1) for text, depth in waiting)
            waiting = []
        if not pages and waiting:  # a page of headings only still has text worth finding
            pages.append(Page(number=1, text="\n".join(text for text, _ in waiting), section=self.sections[0][0]))
            outline = [OutlineEntry(title=text, page=1, level=depth - 1) for text, depth in waiting]
        return pages, outline


def _write(container: Tag, writer: SectionWriter) -> None:
    """Walk the container in document order, ending lines at block elements (iteratively: pages nest deeply)."""
    stack: list[tuple[object, bool]] = [(child, False) for child in reversed(list(container.children))]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            writer.end_line()
            if node.name == "li":
                writer.prefix = ""
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, SKIPPED_STRINGS):
                writer.write(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        if _write_whole(node, writer):
            continue
        if node.name in BLOCK_TAGS:
            writer.end_line()
            if node.name == "li":
                writer.prefix = "- "
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.children)))


def _write_whole(tag: Tag, writer: SectionWriter) -> bool:
    """Write headings, table rows, preformatted text and line breaks in one go; False for other tags."""
    name = tag.name
    if name in HEADING_LEVELS:
        text = " ".join(tag.get_text(" ").split())
        if text:
            writer.heading(text, HEADING_LEVELS[name])
    elif name == "br":
        writer.end_line()
    elif name == "tr":
        writer.end_line()
        cells = [" ".join(cell.get_text(" ").split()) for cell in tag.find_all(["td", "th"], recursive=False)]
        writer.write(" | ".join(cell for cell in cells if cell))
        writer.end_line()
    elif name == "pre":
        writer.end_line()
        for line in tag.get_text().splitlines():
            writer.write(line)
            writer.end_line()
    else:
        return False
    return True


def _sections(container: Tag, document_title: str) -> tuple[list[Page], list[OutlineEntry]]:
    """Split the cleaned content into numbered Pages and an outline of its headings."""
    writer = SectionWriter(document_title)
    _write(container, writer)
    return writer.pages()
