#!/usr/bin/env python3
"""Build the sample Keep it Local library from its Markdown-like sources.

Usage (from the repository root)::

    python corpus/_source/build.py              # build every source
    python corpus/_source/build.py five-step-guide.md other.md   # build some

Every ``corpus/_source/*.md`` file with front matter (see FORMAT.md) becomes
one PDF at ``corpus/<output>``.  The script also regenerates
``corpus/catalog.toml`` from the sources' front matter plus the hand-written
``corpus/_source/web-catalog.toml`` (HTML pages), whatever subset is built.

The output is deterministic: core PDF fonts only (nothing embedded), the
creation/modification dates come from the front matter and the file ID is a
hash of the content, so the same sources give byte-identical PDFs.

Needs fpdf2 (``pip install -e .[dev]``).  Exits with status 1 and a
``file:line: message`` diagnostic on a malformed source.
"""

from __future__ import annotations

import math
import re
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

try:
    from fpdf import FPDF
    from fpdf.enums import Align, CharVPos, TableHeadingsDisplay, XPos, YPos
    from fpdf.fonts import FontFace
    from fpdf.line_break import Fragment
    import fpdf.output as _fpdf_output
    from fpdf.syntax import PDFDate
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("build.py needs fpdf2: pip install -e .[dev]")

SOURCE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = SOURCE_DIR.parent
CATALOG = CORPUS_DIR / "catalog.toml"
WEB_CATALOG = SOURCE_DIR / "web-catalog.toml"

CREATOR = "kil-search corpus builder"
DISCLAIMER = (
    "Sample publication written for the kil-search project; "
    "figures in case studies are illustrative."
)

REQUIRED_KEYS = ("output", "title", "kind", "type", "date")
OPTIONAL_KEYS = ("subtitle", "author", "modified", "themes", "places", "source_url")
KINDS = ("report", "briefing")

# --------------------------------------------------------------------------
# Colours and measures (mm, pt)
# --------------------------------------------------------------------------
TEAL = (0, 98, 105)
TEAL_DARK = (0, 70, 76)
ORANGE = (232, 119, 34)
INK = (33, 33, 33)
GREY = (110, 110, 110)
CASE_FILL = (226, 240, 240)
QUOTE_FILL = (253, 238, 224)
TABLE_STRIPE = (240, 246, 246)

MARGIN_X = 27.0
MARGIN_TOP = 24.0
MARGIN_BOTTOM = 24.0
BODY_PT = 11.5
LINE_H = 6.8          # body line height (mm)
PARA_GAP = 3.8        # space after a paragraph (mm)
BOX_PAD = 4.5         # inner padding of boxes (mm)


class SourceError(Exception):
    """A malformed source; carries the file and line for the diagnostic."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")


# --------------------------------------------------------------------------
# Text normalisation: the core fonts use windows-1252
# --------------------------------------------------------------------------
CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u2032": "'", "\u2033": '"',
    "\u2026": "...",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200a": " ",
    "\u200b": "", "\ufeff": "",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-",
    "\u2015": "\u2014",
    "\u2192": "->", "\u2190": "<-", "\u2194": "<->",
    "\u2264": "<=", "\u2265": ">=", "\u2248": "~", "\u2260": "!=",
    "\u2713": "v", "\u2714": "v", "\u2717": "x", "\u2022": "\u2022",
    "\u25cf": "\u2022", "\u25aa": "\u2022", "\u2023": "\u2022",
}


def normalise(text: str, path: Path, line: int) -> str:
    out = []
    for ch in text:
        ch = CHAR_MAP.get(ch, ch)
        try:
            ch.encode("windows-1252")
        except UnicodeEncodeError:
            raise SourceError(
                path, line,
                f"character {ch!r} (U+{ord(ch[0]):04X}) cannot be printed with "
                "the core PDF fonts; use a plain equivalent",
            ) from None
        out.append(ch)
    return "".join(out)


NOTE_RE = re.compile(r"\[\^(\d+)\]")
NOTE_OPEN, NOTE_CLOSE = "\x01", "\x02"
ITALIC_RE = re.compile(r"(?<![*\w])\*(?!\*)(\S(?:[^*]*?\S)?)\*(?![*\w])")


def inline(text: str) -> str:
    """Source inline markup -> fpdf2 markdown (+ endnote sentinels)."""
    text = text.replace("\\", "/")      # a backslash would escape markup
    text = text.replace("__", "\\__")    # literal __ must not toggle italics
    text = ITALIC_RE.sub(r"__\1__", text)
    return NOTE_RE.sub(lambda m: f"{NOTE_OPEN}{m.group(1)}{NOTE_CLOSE}", text)


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------
@dataclass
class Block:
    kind: str           # h1 h2 h3 para bullets numbers table case quote note pagebreak
    line: int
    text: str = ""
    items: list = field(default_factory=list)   # list items / table rows / notes
    children: list = field(default_factory=list)  # blocks inside a box


@dataclass
class Source:
    path: Path
    meta: dict
    meta_lines: dict
    blocks: list
    notes: dict  # number -> (text, line)


def parse_front_matter(path: Path, lines: list[str]):
    if not lines or lines[0].strip() != "---":
        return None
    meta, meta_lines = {}, {}
    for i in range(1, len(lines)):
        raw = lines[i]
        if raw.strip() == "---":
            return meta, meta_lines, i + 1
        stripped = re.sub(r"\s+#.*$", "", raw).strip()
        if not stripped or stripped.startswith("#"):
            continue
        if ":" not in stripped:
            raise SourceError(path, i + 1, "front matter line is not 'key: value'")
        key, value = stripped.split(":", 1)
        key = key.strip()
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            raise SourceError(path, i + 1, f"unknown front matter key {key!r}")
        if key in meta:
            raise SourceError(path, i + 1, f"duplicate front matter key {key!r}")
        meta[key] = value.strip()
        meta_lines[key] = i + 1
    raise SourceError(path, 1, "front matter is not closed by a '---' line")


def check_meta(path: Path, meta: dict, meta_lines: dict) -> None:
    for key in REQUIRED_KEYS:
        if not meta.get(key):
            raise SourceError(path, 1, f"front matter lacks {key!r}")
    if meta["kind"] not in KINDS:
        raise SourceError(path, meta_lines["kind"], f"kind must be one of {KINDS}")
    out = meta["output"]
    if not out.endswith(".pdf") or out.startswith("/") or ".." in out:
        raise SourceError(path, meta_lines["output"], "output must be a relative .pdf path under corpus/")
    for key in ("date", "modified"):
        if meta.get(key):
            try:
                date.fromisoformat(meta[key])
            except ValueError:
                raise SourceError(path, meta_lines[key], f"{key} must be YYYY-MM-DD") from None
    if meta.get("modified") and meta["modified"] < meta["date"]:
        raise SourceError(path, meta_lines["modified"], "modified is before date")
    for key in ("title", "subtitle", "author"):
        if meta.get(key):
            meta[key] = normalise(meta[key], path, meta_lines[key])


def split_list(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


BULLET_RE = re.compile(r"^\s*[-*]\s+(.*)$")
NUMBER_RE = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")
NOTE_DEF_RE = re.compile(r"^\[\^(\d+)\]:\s*(.*)$")


def parse_body(path: Path, lines: list[str], start: int):
    """Return (blocks, notes).  ``start`` is the 0-based index of the first body line."""
    blocks: list[Block] = []
    notes: dict[int, tuple[str, int]] = {}
    stack = [blocks]      # current container
    box: Block | None = None
    para: Block | None = None
    lst: Block | None = None
    in_endnotes = False

    def close_para():
        nonlocal para
        para = None

    def close_list():
        nonlocal lst
        lst = None

    i = start
    while i < len(lines):
        lineno = i + 1
        raw = lines[i].rstrip("\n").rstrip()
        text = normalise(raw, path, lineno)
        s = text.strip()
        i += 1
        target = stack[-1]

        if not s:
            close_para()
            close_list()
            continue

        # boxes -------------------------------------------------------------
        if s.startswith(":::"):
            close_para()
            close_list()
            rest = s[3:].strip()
            if not rest:
                if box is None:
                    raise SourceError(path, lineno, "':::' closes no box")
                if not box.children:
                    raise SourceError(path, box.line, "empty box")
                stack.pop()
                box = None
                continue
            if box is not None:
                raise SourceError(path, lineno, f"box opened inside the box of line {box.line}")
            word, _, title = rest.partition(" ")
            if word == "case":
                if not title.strip():
                    raise SourceError(path, lineno, ":::case needs a title")
                box = Block("case", lineno, text=title.strip())
            elif word == "quote":
                box = Block("quote", lineno, text=title.strip())
            else:
                raise SourceError(path, lineno, f"unknown box type {word!r} (case or quote)")
            target.append(box)
            stack.append(box.children)
            continue

        if s == "\\pagebreak":
            close_para()
            close_list()
            if box is not None:
                raise SourceError(path, lineno, "\\pagebreak inside a box")
            target.append(Block("pagebreak", lineno))
            continue

        # headings ------------------------------------------------------------
        m = re.match(r"^(#{1,6})\s+(.*)$", s)
        if m:
            close_para()
            close_list()
            level = len(m.group(1))
            title = m.group(2).strip()
            if level > 3:
                raise SourceError(path, lineno, "only #, ## and ### headings are allowed")
            if box is not None and level < 3:
                raise SourceError(path, lineno, "only ### headings are allowed inside a box")
            if not title:
                raise SourceError(path, lineno, "empty heading")
            if NOTE_RE.search(title):
                raise SourceError(path, lineno, "no endnote markers in headings")
            if level in (1, 2):
                in_endnotes = title.lower().rstrip(".") in ("endnotes", "notes", "references")
            target.append(Block(f"h{level}", lineno, text=title))
            continue

        # endnote definitions -------------------------------------------------
        m = NOTE_DEF_RE.match(s)
        if m:
            close_para()
            close_list()
            if not in_endnotes or box is not None:
                raise SourceError(path, lineno, "endnote definition outside the final '# Endnotes' chapter")
            num = int(m.group(1))
            if num in notes:
                raise SourceError(path, lineno, f"endnote [^{num}] defined twice")
            notes[num] = (m.group(2).strip(), lineno)
            if target and target[-1].kind == "notes":
                target[-1].items.append((num, m.group(2).strip()))
            else:
                target.append(Block("notes", lineno, items=[(num, m.group(2).strip())]))
            continue

        # tables --------------------------------------------------------------
        if s.startswith("|"):
            close_para()
            close_list()
            if not s.endswith("|") or len(s) < 3:
                raise SourceError(path, lineno, "table row must start and end with '|'")
            cells = [c.strip() for c in s[1:-1].split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue  # markdown separator row: tolerated, ignored
            if target and target[-1].kind == "table" and target[-1].items and target[-1].text == "open":
                table = target[-1]
                if len(cells) != len(table.items[0][0]):
                    raise SourceError(
                        path, lineno,
                        f"table row has {len(cells)} cells, header has {len(table.items[0][0])}",
                    )
                table.items.append((cells, lineno))
            else:
                target.append(Block("table", lineno, text="open", items=[(cells, lineno)]))
            continue
        if target and target[-1].kind == "table":
            target[-1].text = "closed"

        # lists ---------------------------------------------------------------
        mb = BULLET_RE.match(text)
        mn = NUMBER_RE.match(text)
        if mb or mn:
            close_para()
            kind = "bullets" if mb else "numbers"
            item = mb.group(1).strip() if mb else (mn.group(1), mn.group(2).strip())
            if lst is not None and lst.kind == kind:
                lst.items.append(item)
            else:
                lst = Block(kind, lineno, items=[item])
                target.append(lst)
            continue
        if lst is not None and raw[:1] in (" ", "\t"):
            # indented continuation of the previous list item
            last = lst.items[-1]
            if lst.kind == "bullets":
                lst.items[-1] = f"{last} {s}"
            else:
                lst.items[-1] = (last[0], f"{last[1]} {s}")
            continue
        close_list()

        # paragraphs ------------------------------------------------------------
        if in_endnotes and box is None:
            raise SourceError(path, lineno, "the Endnotes chapter may only hold '[^n]: text' lines")
        if para is not None:
            para.text += " " + s
        else:
            para = Block("para", lineno, text=s)
            target.append(para)

    if box is not None:
        raise SourceError(path, box.line, "box is not closed by ':::'")
    return blocks, notes


def load_source(path: Path) -> Source | None:
    lines = path.read_text(encoding="utf-8").splitlines()
    fm = parse_front_matter(path, lines)
    if fm is None:
        return None
    meta, meta_lines, body_start = fm
    check_meta(path, meta, meta_lines)
    blocks, notes = parse_body(path, lines, body_start)
    if not blocks:
        raise SourceError(path, body_start + 1, "the body is empty")
    # every marker needs a note and every note a marker
    used: dict[int, int] = {}

    def walk(bs):
        for b in bs:
            texts = [b.text] if b.kind in ("para", "case", "quote") else []
            if b.kind == "bullets":
                texts = list(b.items)
            elif b.kind == "numbers":
                texts = [t for _, t in b.items]
            elif b.kind == "table":
                texts = [c for cells, _ in b.items for c in cells]
            for t in texts:
                for m in NOTE_RE.finditer(t):
                    used.setdefault(int(m.group(1)), b.line)
            walk(b.children)

    walk(blocks)
    for num, line in sorted(used.items()):
        if num not in notes:
            raise SourceError(path, line, f"endnote [^{num}] is used but not defined")
    for num, (_, line) in sorted(notes.items()):
        if num not in used:
            raise SourceError(path, line, f"endnote [^{num}] is defined but never used")
    return Source(path, meta, meta_lines, blocks, notes)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------
_orig_add_info = _fpdf_output.OutputProducer._add_info


def _add_info_with_moddate(self):
    info = _orig_add_info(self)
    mod = getattr(self.fpdf, "kil_modification_date", None)
    if mod is not None:
        info.mod_date = PDFDate(mod, with_tz=True, encrypt=True)
    return info


_fpdf_output.OutputProducer._add_info = _add_info_with_moddate


def human_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


class Document(FPDF):
    # Only **bold** and __italic__ (our *italic*) are markdown; "--" and "~~"
    # must stay literal text.
    MARKDOWN_STRIKETHROUGH_MARKER = "\x03\x03"
    MARKDOWN_UNDERLINE_MARKER = "\x04\x04"
    MARKDOWN_MARKERS = ("**", "__", "\x03\x03", "\x04\x04")
    MARKDOWN_LINK_REGEX = re.compile(r"(?!x)x")  # no markdown links

    def __init__(self, src: Source):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.src = src
        self.core_fonts_encoding = "windows-1252"
        self.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        self.set_auto_page_break(True, margin=MARGIN_BOTTOM)
        self.set_text_color(*INK)
        self.footer_title = src.meta["title"]
        self.set_display_mode("fullpage", "continuous")
        self.set_lang("en-GB")

    # superscript endnote markers --------------------------------------------
    def _parse_chars(self, text, markdown, **kwargs):
        for frag in super()._parse_chars(text, markdown, **kwargs):
            chars = "".join(frag.characters)
            if NOTE_OPEN not in chars:
                yield frag
                continue
            for part in re.split(f"({NOTE_OPEN}\\d+{NOTE_CLOSE})", chars):
                if not part:
                    continue
                if part.startswith(NOTE_OPEN):
                    gs = frag.graphics_state.copy()
                    gs.char_vpos = CharVPos.SUP
                    yield Fragment(f"[{part[1:-1]}]", gs, frag.k)
                else:
                    yield Fragment(part, frag.graphics_state, frag.k)

    def footer(self):
        if self.page_no() == 1:
            return
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*GREY)
        self.set_draw_color(*TEAL)
        self.set_line_width(0.3)
        self.line(MARGIN_X, self.h - 17, self.w - MARGIN_X, self.h - 17)
        self.set_x(MARGIN_X)
        label = f"{self.footer_title} \u00b7 page {self.page_no()}"
        width = self.w - 2 * MARGIN_X
        while self.get_string_width(label) > width and len(self.footer_title) > 10:
            self.footer_title = self.footer_title[:-2].rstrip() + "\u2026"
            self.footer_title = self.footer_title.replace("\u2026\u2026", "\u2026")
            label = f"{self.footer_title} \u00b7 page {self.page_no()}"
        self.cell(width, 5, label, align="R")
        self.set_text_color(*INK)

    # helpers ------------------------------------------------------------------
    def body_font(self, size=BODY_PT, style=""):
        self.set_font("Helvetica", style, size)
        self.set_text_color(*INK)

    def space_left(self) -> float:
        return self.page_break_trigger - self.y

    def need(self, height: float) -> None:
        if self.space_left() < height:
            self.add_page()

    def text_height(self, text: str, width: float, line_h: float) -> float:
        lines = self.multi_cell(width, line_h, text, markdown=True, dry_run=True, align=Align.L,
                                output="LINES")
        return len(lines) * line_h

    def para(self, text: str, line_h=LINE_H, align=Align.J, gap=PARA_GAP):
        self.multi_cell(0, line_h, inline(text), markdown=True, align=align,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)

    # cover and contents ---------------------------------------------------------
    def cover(self):
        meta = self.src.meta
        self.add_page()
        self.set_fill_color(*TEAL)
        self.rect(0, 0, self.w, 150, style="F")
        self.set_fill_color(*ORANGE)
        self.rect(0, 150, self.w, 4, style="F")
        self.set_xy(MARGIN_X, 26)
        self.set_text_color(255, 255, 255)
        self.set_font("Helvetica", "B", 11)
        self.cell(0, 6, "KEEP IT LOCAL", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 10)
        self.cell(0, 6, meta["type"].capitalize(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        # shrink the title type until title and subtitle fit in the band
        title_pt, sub_pt = 26.0, 14.0
        while True:
            self.set_font("Helvetica", "B", title_pt)
            h = self.text_height(meta["title"], self.epw, title_pt * 0.44)
            if meta.get("subtitle"):
                self.set_font("Helvetica", "", sub_pt)
                h += 4 + self.text_height(meta["subtitle"], self.epw, sub_pt * 0.5)
            if h <= 85 or title_pt <= 16:
                break
            title_pt -= 2
            sub_pt = max(11.0, sub_pt - 1)
        self.set_y(58)
        self.set_font("Helvetica", "B", title_pt)
        self.multi_cell(0, title_pt * 0.44, meta["title"], align=Align.L,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if meta.get("subtitle"):
            self.ln(4)
            self.set_font("Helvetica", "", sub_pt)
            self.multi_cell(0, sub_pt * 0.5, meta["subtitle"], align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_y(168)
        self.set_font("Helvetica", "B", 12)
        self.multi_cell(0, 7, meta.get("author") or "Locality", align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 12)
        d = date.fromisoformat(meta["date"])
        self.cell(0, 7, d.strftime("%B %Y"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        themes = split_list(meta.get("themes", ""))
        places = split_list(meta.get("places", ""))
        self.ln(6)
        self.set_font("Helvetica", "", 9.5)
        self.set_text_color(*GREY)
        if themes:
            self.multi_cell(0, 5, "Themes: " + normalise(", ".join(themes), self.src.path, 1), align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if places:
            self.multi_cell(0, 5, "Places: " + normalise(", ".join(places), self.src.path, 1), align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(self.h - 42)
        self.set_draw_color(*ORANGE)
        self.set_line_width(0.4)
        self.line(MARGIN_X, self.y, self.w - MARGIN_X, self.y)
        self.ln(3)
        self.set_font("Helvetica", "I", 9)
        self.multi_cell(0, 4.6, DISCLAIMER, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def render_toc(self, pdf, outline):
        self.set_y(MARGIN_TOP + 4)
        self.set_font("Helvetica", "B", 22)
        self.set_text_color(*TEAL)
        self.cell(0, 12, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(6)
        width = self.w - 2 * MARGIN_X
        for section in outline:
            if section.level != 0:
                continue
            self.set_font("Helvetica", "", 11.5)
            self.set_text_color(*INK)
            name = section.name
            page = str(section.page_number)
            link = self.add_link(page=section.page_number)
            num_w = self.get_string_width(page) + 2
            name_w = min(self.get_string_width(name), width - num_w - 12)
            if self.get_string_width(name) > name_w:
                while self.get_string_width(name + "...") > name_w:
                    name = name[:-1]
                name = name.rstrip() + "..."
            y = self.y
            self.cell(name_w + 1, 8, name, link=link)
            dots_w = width - name_w - num_w - 3
            # dot leaders are drawn, not typed, so extracted text stays clean
            x0 = MARGIN_X + name_w + 3
            x1 = x0 + dots_w - 1
            self.set_fill_color(*GREY)
            dot_x = x1
            while dot_x > x0:
                self.circle(dot_x, y + 5.6, 0.25, style="F")
                dot_x -= 1.6
            self.set_x(MARGIN_X + name_w + 1 + dots_w + 2)
            self.set_font("Helvetica", "B", 11.5)
            self.cell(num_w, 8, page, align="R", link=link)
            self.set_xy(MARGIN_X, y + 9)
        self.set_text_color(*INK)

    # blocks -----------------------------------------------------------------------
    def chapter(self, title: str):
        self.add_page()
        self.in_chapter = True
        self.start_section(title, level=0)
        self.set_fill_color(*ORANGE)
        self.rect(MARGIN_X, self.y + 2, 18, 1.6, style="F")
        self.ln(8)
        self.set_font("Helvetica", "B", 21)
        self.set_text_color(*TEAL)
        self.multi_cell(0, 9.5, title, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(6)
        self.body_font()

    def section(self, title: str):
        self.set_font("Helvetica", "B", 14)
        h = self.text_height(title, self.epw, 7)
        if self.y > self.t_margin + 1:
            self.ln(2.5)
        self.need(h + 4 + 3 * LINE_H)
        # a ## before any # chapter (short briefings) is a top-level bookmark
        self.start_section(title, level=1 if self.in_chapter else 0)
        self.set_text_color(*TEAL)
        self.multi_cell(0, 7, title, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2.5)
        self.body_font()

    def minor(self, title: str, in_box=False):
        self.set_font("Helvetica", "B", 11.5)
        h = self.text_height(title, self.epw, 6)
        if self.y > self.t_margin + 1:
            self.ln(1)
        self.need(h + 2 + 2 * LINE_H)
        self.set_text_color(*(TEAL_DARK if in_box else TEAL))
        self.multi_cell(0, 6, title, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.body_font()

    def list_items(self, items, numbered: bool, size=BODY_PT, line_h=LINE_H):
        indent = 7.0
        base = self.l_margin
        self.set_font("Helvetica", "", size)
        for item in items:
            label, text = (f"{item[0]}.", item[1]) if numbered else ("\u2022", item)
            self.need(line_h)
            y = self.y
            self.set_x(base + 1.5)
            self.set_text_color(*(TEAL if not numbered else INK))
            self.set_font("Helvetica", "B" if numbered else "", size)
            self.cell(indent - 1.5, line_h, label)
            self.set_text_color(*INK)
            self.set_font("Helvetica", "", size)
            self.set_left_margin(base + indent)
            self.set_xy(base + indent, y)
            self.multi_cell(0, line_h, inline(text), markdown=True, align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_left_margin(base)
            self.ln(1.2)
        self.set_x(base)
        self.ln(PARA_GAP - 1.2)

    def table_block(self, rows):
        header = rows[0][0]
        ncols = len(header)
        size = 9.5 if ncols <= 4 else 8.5
        self.set_font("Helvetica", "", size)
        # column widths in proportion to the text they hold (bounded), but
        # never narrower than the longest word (so words are not split)
        pad = 2.0
        weights, min_w = [], []
        for c in range(ncols):
            mean = sum(len(r[0][c]) for r in rows) / len(rows)
            longest = max(len(r[0][c]) for r in rows)
            weights.append(max(min(mean, 60), min(longest, 26), 6))
            widest = 0.0
            for i, (cells, _) in enumerate(rows):
                self.set_font("Helvetica", "B" if i == 0 else "", size)
                for word in re.sub(r"\*\*|\[\^\d+\]", "", cells[c]).split():
                    widest = max(widest, self.get_string_width(word))
            min_w.append(widest + 2 * pad + 1.5)
        self.set_font("Helvetica", "", size)
        width = self.epw
        fixed: dict[int, float] = {}
        while True:
            free = [c for c in range(ncols) if c not in fixed]
            room = width - sum(fixed.values())
            total = sum(weights[c] for c in free) or 1
            col_widths = [fixed.get(c, room * weights[c] / total) for c in range(ncols)]
            short = [c for c in free if col_widths[c] < min_w[c]]
            if not short or len(fixed) == ncols:
                break
            for c in short:
                fixed[c] = min_w[c]
        line_h = 5.2 if size < 9 else 5.6
        # keep a table together when it fits in half a page; otherwise make
        # sure the header and a few rows start on the same page
        est = 0.0
        for i, (cells, _) in enumerate(rows):
            self.set_font("Helvetica", "B" if i == 0 else "", size)
            lines = max(
                len(self.multi_cell(col_widths[c] - 2 * pad, line_h, inline(cells[c]),
                                    markdown=True, dry_run=True, output="LINES", align=Align.L))
                for c in range(ncols)
            )
            est += lines * line_h + 2 * 1.6 + 0.3
        self.set_font("Helvetica", "", size)
        if est <= self.eph / 2:
            self.need(est + 2)
        else:
            self.need(min(est, 4 * 14))
        numeric = re.compile(r"^[\s£$€%+\-\u2013.,:x0-9()/]+$")
        aligns = []
        for c in range(ncols):
            body = [r[0][c] for r in rows[1:] if r[0][c]]
            aligns.append("RIGHT" if body and all(numeric.match(v) for v in body) else "LEFT")
        heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=TEAL)
        self.set_draw_color(190, 205, 205)
        self.set_fill_color(*TABLE_STRIPE)
        self.set_line_width(0.2)
        with self.table(
            width=width,
            col_widths=col_widths,
            align="LEFT",
            text_align=tuple(aligns),
            line_height=line_h,
            markdown=True,
            headings_style=heading_style,
            cell_fill_color=TABLE_STRIPE,
            cell_fill_mode="ROWS",
            padding=(1.6, pad),
            borders_layout="HORIZONTAL_LINES",
            repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
            first_row_as_headings=True,
        ) as table:
            for cells, _ in rows:
                row = table.row()
                for cell in cells:
                    row.cell(inline(cell))
        self.ln(PARA_GAP + 1.5)
        self.body_font()

    def shade(self, start_page, start_y, end_page, end_y, x, w, colour):
        """Shade a region drawn earlier (multiply blend keeps the text readable)."""
        current_page, current_y = self.page, self.y
        for p in range(start_page, end_page + 1):
            top = start_y if p == start_page else self.t_margin - 3
            bottom = end_y if p == end_page else self.page_break_trigger + 2
            if bottom - top <= 0.5:
                continue
            self.page = p
            with self.local_context(blend_mode="Multiply", fill_color=colour):
                self.rect(x, top, w, bottom - top, style="F")
        self.page, self.y = current_page, current_y

    def box(self, block: Block):
        base_l, base_r = self.l_margin, self.r_margin
        x, w = base_l, self.epw
        if block.kind == "case":
            self.set_font("Helvetica", "B", 11.5)
            title_h = self.text_height(block.text, w - 2 * BOX_PAD, 6) + 5
            self.ln(1.5)
            self.need(title_h + BOX_PAD + 4 * LINE_H)
            self.set_fill_color(*TEAL_DARK)
            self.rect(x, self.y, w, title_h, style="F")
            self.set_text_color(255, 255, 255)
            self.set_xy(x + BOX_PAD, self.y + 2.5)
            self.multi_cell(w - 2 * BOX_PAD, 6, block.text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_y(self.y + 2.5)
            colour = CASE_FILL
        else:
            self.ln(1.5)
            self.need(BOX_PAD * 2 + 3 * LINE_H)
            colour = QUOTE_FILL
        start_page, start_y = self.page, self.y
        self.set_left_margin(base_l + BOX_PAD + (2 if block.kind == "quote" else 0))
        self.set_right_margin(base_r + BOX_PAD)
        self.set_x(self.l_margin)
        self.ln(BOX_PAD)
        self.render_blocks(block.children, in_box=block.kind)
        # remove the trailing paragraph gap, add the box padding
        self.set_y(self.y - PARA_GAP + BOX_PAD) if self.y - PARA_GAP > self.t_margin else None
        end_page, end_y = self.page, self.y
        self.set_left_margin(base_l)
        self.set_right_margin(base_r)
        self.shade(start_page, start_y, end_page, end_y, x, w, colour)
        if block.kind == "quote":
            for p in range(start_page, end_page + 1):
                top = start_y if p == start_page else self.t_margin - 3
                bottom = end_y if p == end_page else self.page_break_trigger + 2
                cur = self.page
                self.page = p
                self.set_fill_color(*ORANGE)
                self.rect(x, top, 1.8, bottom - top, style="F")
                self.page = cur
        self.set_x(base_l)
        self.ln(PARA_GAP + 2)
        self.body_font()

    def notes_block(self, block: Block):
        self.set_font("Helvetica", "", 9.5)
        base = self.l_margin
        for num, text in block.items:
            self.need(5)
            y = self.y
            self.set_x(base)
            self.set_font("Helvetica", "B", 9.5)
            self.cell(9, 5, f"[{num}]")
            self.set_font("Helvetica", "", 9.5)
            self.set_left_margin(base + 9)
            self.set_xy(base + 9, y)
            self.multi_cell(0, 5, inline(text), markdown=True, align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_left_margin(base)
            self.ln(1.5)
        self.set_x(base)
        self.body_font()

    def render_blocks(self, blocks, in_box=None):
        for b in blocks:
            if b.kind == "h1":
                self.chapter(b.text)
            elif b.kind == "h2":
                self.section(b.text)
            elif b.kind == "h3":
                self.minor(b.text, in_box=bool(in_box))
            elif b.kind == "para":
                if in_box == "quote":
                    attribution = b.text.startswith(("\u2014", "\u2013", "--"))
                    if attribution:
                        self.body_font(10, "B")
                        self.para(b.text.lstrip("\u2014\u2013- "), line_h=5.6, align=Align.R)
                    else:
                        self.body_font(12, "I")
                        self.para(b.text, line_h=6.6, align=Align.L)
                    self.body_font()
                elif in_box == "case":
                    self.body_font(10.5)
                    self.para(b.text, line_h=5.8)
                    self.body_font()
                else:
                    self.body_font()
                    self.para(b.text)
            elif b.kind in ("bullets", "numbers"):
                size, lh = (10.5, 5.8) if in_box else (BODY_PT, LINE_H)
                self.list_items(b.items, b.kind == "numbers", size=size, line_h=lh)
            elif b.kind == "table":
                self.table_block(b.items)
            elif b.kind in ("case", "quote"):
                self.box(b)
            elif b.kind == "notes":
                self.notes_block(b)
            elif b.kind == "pagebreak":
                self.add_page()
            else:  # pragma: no cover
                raise AssertionError(b.kind)

    def build(self):
        meta = self.src.meta
        self.set_title(meta["title"])
        self.set_author(meta.get("author") or "Locality")
        if meta.get("subtitle"):
            self.set_subject(meta["subtitle"])
        themes = split_list(meta.get("themes", ""))
        if themes:
            self.set_keywords(normalise(", ".join(["Keep it Local"] + themes), self.src.path, 1))
        self.set_creator(CREATOR)
        created = datetime.combine(date.fromisoformat(meta["date"]), datetime.min.time(),
                                   tzinfo=timezone.utc).replace(hour=9)
        self.set_creation_date(created)
        modified = meta.get("modified") or meta["date"]
        self.kil_modification_date = datetime.combine(
            date.fromisoformat(modified), datetime.min.time(), tzinfo=timezone.utc
        ).replace(hour=9)

        self.in_chapter = False
        self.cover()
        if meta["kind"] == "report":
            chapters = sum(1 for b in self.src.blocks if b.kind == "h1")
            self.add_page()
            self.insert_toc_placeholder(self.render_toc, pages=max(1, math.ceil(chapters / 24)))
            # insert_toc_placeholder leaves us on a fresh page; chapters add their own
            self._skip_next_add_page = True
        elif self.src.blocks[0].kind != "h1":
            self.add_page()
        self.render_blocks(self.src.blocks)

    def add_page(self, *args, **kwargs):
        if getattr(self, "_skip_next_add_page", False):
            self._skip_next_add_page = False
            if self.y <= self.t_margin + 0.01:
                return
        super().add_page(*args, **kwargs)


# --------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------
def toml_str(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(toml_str(v) for v in values) + "]"


def kept_staff_entries(generated: set[str]) -> str:
    """Render the existing catalogue's entries for files the build does not own."""
    try:
        existing = tomllib.loads(CATALOG.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    kept = {key: value for key, value in existing.items() if key not in generated and isinstance(value, dict)}
    if not kept:
        return ""
    parts = ["", "# ---- Added by staff (admin page, crawler, CLI): kept by build.py ----", ""]
    for key in sorted(kept):
        parts.append(f"[{toml_str(key)}]")
        for field, value in kept[key].items():
            rendered = toml_list([str(item) for item in value]) if isinstance(value, list) else toml_str(str(value))
            parts.append(f"{field} = {rendered}")
        parts.append("")
    return "\n".join(parts)


def write_catalog(sources: list[Source]) -> int:
    parts = [
        "# corpus/catalog.toml -- the sample library's entries are GENERATED by corpus/_source/build.py:",
        "# PDF entries come from the front matter of corpus/_source/*.md; the HTML",
        "# page entries are copied from corpus/_source/web-catalog.toml. Edit those, not this.",
        "# Entries for other files (added by staff, the admin page or the crawler) are kept",
        "# by the build, at the end of this file.",
        "# One table per file, keyed by its path relative to corpus/.",
        "",
    ]
    for src in sorted(sources, key=lambda s: s.meta["output"]):
        m = src.meta
        parts.append(f"[{toml_str(m['output'])}]")
        parts.append(f"title = {toml_str(m['title'])}")
        parts.append(f"type = {toml_str(m['type'])}")
        parts.append(f"date = {toml_str(m['date'])}")
        parts.append(f"themes = {toml_list(split_list(m.get('themes', '')))}")
        parts.append(f"places = {toml_list(split_list(m.get('places', '')))}")
        if m.get("source_url"):
            parts.append(f"source_url = {toml_str(m['source_url'])}")
        parts.append("")
    text = "\n".join(parts)
    if WEB_CATALOG.exists():
        web = WEB_CATALOG.read_text(encoding="utf-8")
        try:
            tomllib.loads(web)
        except tomllib.TOMLDecodeError as exc:
            raise SourceError(WEB_CATALOG, 1, f"invalid TOML: {exc}") from None
        text += "\n# ---- HTML pages (from corpus/_source/web-catalog.toml) ----\n\n" + web.rstrip() + "\n"
    text += kept_staff_entries(set(tomllib.loads(text)))
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(CATALOG, 1, f"generated catalogue is invalid (duplicate key?): {exc}") from None
    CATALOG.write_text(text, encoding="utf-8")
    return len(parsed)


# --------------------------------------------------------------------------
def build_pdf(src: Source) -> tuple[Path, int]:
    out = CORPUS_DIR / src.meta["output"]
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf = Document(src)
    pdf.build()
    data = bytes(pdf.output())
    out.write_bytes(data)
    return out, len(pdf.pages)


def main(argv: list[str]) -> int:
    paths = sorted(p for p in SOURCE_DIR.glob("*.md") if p.name != "FORMAT.md")
    try:
        sources = []
        outputs: dict[str, Path] = {}
        names = {Path(a).name for a in argv} | {Path(a).stem for a in argv}
        broken = []
        for p in paths:
            try:
                src = load_source(p)
            except SourceError as exc:
                if argv and p.name not in names and p.stem not in names:
                    # building a subset: another source being edited must not block it
                    print(f"build.py: warning: {exc}", file=sys.stderr)
                    broken.append(p)
                    continue
                raise
            if src is None:
                if p.name.lower().startswith("readme"):
                    continue
                raise SourceError(p, 1, "no front matter (first line must be '---')")
            if src.meta["output"] in outputs:
                raise SourceError(p, src.meta_lines["output"],
                                  f"output also produced by {outputs[src.meta['output']].name}")
            outputs[src.meta["output"]] = p
            sources.append(src)
        wanted = sources
        if argv:
            wanted = [s for s in sources if s.path.name in names or s.path.stem in names]
            missing = names - {s.path.name for s in wanted} - {s.path.stem for s in wanted}
            if missing:
                print(f"build.py: no such source: {', '.join(sorted(missing))}", file=sys.stderr)
                return 2
        for src in wanted:
            try:
                out, pages = build_pdf(src)
            except SourceError:
                raise
            except Exception as exc:  # fpdf2 layout errors: point at the file
                raise SourceError(src.path, 1, f"could not render: {exc!r}") from exc
            print(f"{out.relative_to(CORPUS_DIR)}  {pages} pages")
        if broken:
            print("catalog.toml  not rewritten (some sources are malformed)", file=sys.stderr)
        else:
            n = write_catalog(sources)
            print(f"catalog.toml  {n} entries")
    except SourceError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
