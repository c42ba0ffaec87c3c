"""Document text is untrusted: markup, handlers and javascript: URLs in files and the catalogue stay inert text.

Checked in headless Chromium against the real server: a payload that ran would
raise a dialog or set window.__pwned; an escaping mistake would leave injected
elements, handlers or links in the DOM, or break the page's structure.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote

import pytest

import robustness
from builders import make_html, make_pdf
from kil_search.config import load_settings
from kil_search.errors import CatalogError
from kil_search.indexing import run_index
from kil_search.urls import web_address
from kil_search.web import create_app
from servers import running_server
from browsers import BROWSER_MARKS, browser  # noqa: F401 (browser is a fixture)

FLAG = "window.__pwned = (window.__pwned || 0) + 1"
SCRIPT = f"<script>{FLAG}; alert(1)</script>"
IMG = f'"><img src=x onerror="{FLAG}; alert(2)">'
SVG = f"<svg onload='{FLAG}'>"
BROKEN = "</li></ol></main><b>"
JS_URL = f"javascript:{FLAG}; alert(3)"
LONG_WORD = "Unbroken" + "x" * 120  # no break opportunity: must wrap, not widen the page
QUOTED_URL = 'https://example.org/report?a="><script>alert(4)</script>'
PASSWORD = "correct horse battery staple"
PDF_TITLE = f"Report {SCRIPT}"
CATALOGUE_TITLE = f"Catalogued {BROKEN}{IMG} {LONG_WORD}"
HTML_TITLE = f"Page {IMG}"

# Run in the page after it loads: anything here means markup from a document reached the DOM.
DOM_CHECK = """() => {
  const problems = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      if (attribute.name.toLowerCase().startsWith('on')) problems.push(`${element.tagName} ${attribute.name}`);
    }
    for (const name of ['href', 'src', 'action', 'formaction']) {
      const value = element.getAttribute(name);
      if (value !== null && !/^(https?:\\/\\/|\\/|#)/i.test(value)) problems.push(`${element.tagName} ${name}=${value}`);
    }
  }
  for (const script of document.scripts) {
    if (!script.src || new URL(script.src).origin !== location.origin) problems.push('inline or foreign script');
  }
  const injected = 'img, svg, iframe, frame, object, embed, b, i, style, base, math, body meta, body link';
  for (const element of document.querySelectorAll(injected)) problems.push(`injected ${element.tagName}`);
  return {
    problems,
    pwned: window.__pwned ?? null,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    footerLast: !!document.body && document.body.lastElementChild?.matches('footer.site-footer'),
  };
}"""

pytestmark = BROWSER_MARKS


def write_hostile_corpus(root: Path) -> Path:
    """Write two PDFs and a web page whose every field carries a payload, and a catalogue that adds more."""
    (root / "reports").mkdir(parents=True)
    (root / "web").mkdir()
    make_pdf(
        root / "reports" / "hostile-report.pdf",
        [f"Opening payloadword {SCRIPT}", f"Second payloadword {IMG} {BROKEN}", f"Third payloadword {JS_URL} {SVG}"],
        title=PDF_TITLE, author=IMG, subject=JS_URL,
        outline=[(SCRIPT, 1, 0), (IMG, 2, 0), (BROKEN, 3, 1)],
    )
    make_pdf(root / "reports" / "catalogued.pdf", [f"Catalogued payloadword text {LONG_WORD}"])
    make_html(
        root / "web" / "hostile.html",
        title=HTML_TITLE, description=f"Lead {SCRIPT}", canonical=JS_URL, published="2021-01-01",
        body_html=(
            f"<h1>{html.escape(HTML_TITLE)}</h1><p>Intro payloadword {html.escape(SCRIPT)}</p>"
            f"<h2>{html.escape(IMG)}</h2><p>More payloadword {html.escape(BROKEN)} {html.escape(SVG)}</p>"
            f"<script>{FLAG}; alert(5)</script><img src=x onerror=\"{FLAG}; alert(6)\">"
            f"<a href=\"{JS_URL}\">a link</a><iframe src=\"{JS_URL}\"></iframe>"
        ),
    )
    entry = {"title": CATALOGUE_TITLE, "type": "case study", "themes": [SCRIPT], "places": [IMG, BROKEN], "source_url": QUOTED_URL}
    (root / "catalog.toml").write_text(
        '["reports/catalogued.pdf"]\n' + "".join(f"{key} = {json.dumps(value)}\n" for key, value in entry.items()), encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Index the hostile corpus and serve it with the real server; yield (base URL, settings)."""
    root = tmp_path_factory.mktemp("untrusted")
    corpus = write_hostile_corpus(root / "corpus")
    settings = load_settings(corpus_dir=corpus, index_dir=root / "index", jobs=1)
    summary = run_index(settings)
    assert summary.failed == [] and summary.documents == 3
    with running_server(corpus, settings.index_dir, extra_env={"KIL_ADMIN_PASSWORD": PASSWORD}) as base:
        yield base, settings


@pytest.fixture
def visit(browser, site):
    """Open a path on a phone-sized screen; return the page, its DOM check, dialogs and CSP complaints."""
    base, _ = site
    contexts = []

    def open_path(path: str, staff: bool = False):
        context = browser.new_context(viewport={"width": 375, "height": 800})
        contexts.append(context)
        page = context.new_page()
        if staff:
            page.goto(base + "/admin/login")
            page.get_by_label("Password").fill(PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_url("**/admin/")
        seen = {"dialogs": [], "csp": []}
        page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: "Content Security Policy" in message.text and seen["csp"].append(message.text))
        page.goto(base + path, wait_until="load")
        page.wait_for_timeout(200)  # let any onerror/onload handler have its chance
        seen.update(page.evaluate(DOM_CHECK))
        return page, seen

    yield open_path
    for context in contexts:
        context.close()


APP_PAGES = {
    "home": "/",
    "results": "/search?q=payloadword",
    "results for a payload": "/search?q=" + quote(f"{SCRIPT} {IMG} payloadword"),
    "pdf page": "/documents/reports/hostile-report.pdf",
    "catalogued page": "/documents/reports/catalogued.pdf",
    "web page": "/documents/web/hostile.html",
    "missing page": "/documents/" + quote(SCRIPT),
    "answer": "/ask?q=" + quote("what does the second payloadword say?"),
    "case studies": "/case-studies",
    "status": "/status",
}
STAFF_PAGES = {
    "dashboard": "/admin/",
    "edit form": "/admin/documents/reports/catalogued.pdf",
    "edit web page": "/admin/documents/web/hostile.html",
    "remove confirmation": "/admin/documents/reports/hostile-report.pdf/remove",
}
TALLY = {"pages": 0}


@pytest.fixture(scope="module", autouse=True)
def figures():
    """Record how many pages were opened with payloads, once the module is done."""
    yield
    robustness.record("untrusted documents", f"{TALLY['pages']} pages and JSON answers (public and staff) opened in headless "
                      "Chromium over documents with payloads in every field: no dialog, no payload flag, no injected element, "
                      "handler or javascript: link, no CSP violation, layout intact on a phone")


@pytest.mark.parametrize("path", list(APP_PAGES.values()), ids=list(APP_PAGES))
def test_nothing_executes_and_nothing_is_injected(visit, path):
    page, seen = visit(path)
    TALLY["pages"] += 1
    assert seen["dialogs"] == [] and seen["pwned"] is None
    assert seen["problems"] == []
    assert seen["csp"] == []  # the CSP had nothing to block: no injected script ever reached the page
    assert seen["footerLast"], "the page's structure was broken"
    assert seen["overflow"] <= 0, "something pushed the page wider than a phone screen"


@pytest.mark.parametrize("path", list(STAFF_PAGES.values()), ids=list(STAFF_PAGES))
def test_staff_pages_run_nothing_and_keep_their_shape(visit, path):
    page, seen = visit(path, staff=True)
    TALLY["pages"] += 1
    assert seen["dialogs"] == [] and seen["pwned"] is None
    assert seen["problems"] == [] and seen["csp"] == []
    assert seen["footerLast"] and seen["overflow"] <= 0


def test_staff_edit_form_holds_payloads_as_values(visit):
    page, _ = visit("/admin/documents/reports/catalogued.pdf", staff=True)
    assert page.get_by_label("Title").input_value() == CATALOGUE_TITLE
    assert page.get_by_label("Public original (web address)").input_value() == QUOTED_URL


def test_results_show_payloads_as_text(visit):
    page, _ = visit("/search?q=payloadword")
    titles = page.locator("ol.results > li.result .result-title").all_inner_texts()
    assert sorted(titles) == sorted([PDF_TITLE, CATALOGUE_TITLE, HTML_TITLE])
    excerpts = " ".join(page.locator(".excerpt").all_inner_texts())
    assert SCRIPT in excerpts and IMG.strip('"> ') in excerpts
    assert page.locator(".excerpt mark").count() >= 3
    original = page.locator("ol.results > li.result", has_text="Catalogued").get_by_role("link", name="original")
    assert original.get_attribute("href") == QUOTED_URL
    assert page.get_by_role("link", name="original").count() == 1  # the web page's javascript: canonical is not a link


def test_document_page_shows_metadata_and_outline_as_text(visit):
    page, _ = visit("/documents/reports/hostile-report.pdf")
    assert page.locator("main h1").inner_text() == PDF_TITLE
    assert page.locator("dl.doc-meta dt:text-is('Author') + dd").inner_text() == IMG
    assert page.locator("nav.outline li a").all_inner_texts() == [SCRIPT, IMG, BROKEN]
    page, _ = visit("/documents/reports/catalogued.pdf")
    assert page.get_by_text(SCRIPT, exact=True).count() == 1  # the theme
    assert page.get_by_text(f"{IMG}, {BROKEN}", exact=True).count() == 1  # the places


def test_answer_quotes_payloads_as_text(visit):
    page, _ = visit(APP_PAGES["answer"])
    assert IMG in page.locator(".answer-card .answer-text").inner_text()
    assert SCRIPT in page.locator(".answer-card .answer-source").inner_text()  # the document's title


def test_web_page_sections_and_lead_are_text(visit):
    page, _ = visit("/documents/web/hostile.html")
    assert page.locator("main h1").inner_text() == HTML_TITLE
    assert page.locator("p.lead").inner_text() == f"Lead {SCRIPT}"
    assert IMG in page.locator("section.sections h2").all_inner_texts()
    assert page.get_by_role("link", name=JS_URL).count() == 0


@pytest.mark.parametrize("path", ["/api/search?q=payloadword", "/api/documents/web/hostile.html", "/api/documents/reports/hostile-report.pdf"])
def test_json_opened_in_the_browser_runs_nothing(visit, path):
    page, seen = visit(path)
    TALLY["pages"] += 1
    assert seen["dialogs"] == [] and seen["pwned"] is None
    assert page.evaluate("document.querySelectorAll('img, script, iframe').length") == 0


def test_original_web_page_is_served_inert(visit):
    page, seen = visit("/documents/web/hostile.html/file")
    TALLY["pages"] += 1
    assert seen["dialogs"] == [] and seen["pwned"] is None
    assert page.evaluate("document.querySelectorAll('script').length") >= 1  # present in the file, but never run


def test_json_keeps_payloads_as_data_and_drops_javascript_links(site):
    _, settings = site
    client = create_app({"corpus_dir": settings.corpus_dir, "index_dir": settings.index_dir, "TESTING": True}).test_client()
    results = {result["id"]: result for result in client.get("/api/search?q=payloadword").get_json()["results"]}
    assert results["reports/hostile-report.pdf"]["title"] == PDF_TITLE
    assert results["web/hostile.html"]["source_url"] == ""
    assert results["reports/catalogued.pdf"]["source_url"] == QUOTED_URL
    document = client.get("/api/documents/reports/hostile-report.pdf").get_json()
    assert document["metadata"]["author"] == IMG and document["metadata"]["subject"] == JS_URL
    for passage in results["reports/hostile-report.pdf"]["passages"]:
        assert "<script" not in passage["excerpt_html"] and "<img" not in passage["excerpt_html"]


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", "  javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x", "https:javascript:alert(1)",
    "/documents/x", "file:///etc/passwd", "http://", "",
])
def test_only_http_addresses_can_become_links(url):
    assert web_address(url) == ""


@pytest.mark.parametrize("url", ["https://example.org/report", "http://example.org", "HTTPS://EXAMPLE.ORG/a?b=1#c"])
def test_web_addresses_are_kept(url):
    assert web_address(url) == url


def test_catalogue_javascript_url_is_refused_with_its_line(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "catalog.toml").write_text(f'# notes\n["a.pdf"]\ntitle = "A"\nsource_url = "{JS_URL}"\n')
    with pytest.raises(CatalogError, match=r"catalog.toml, line 2: source_url 'javascript:.*' must be a web address starting http:// or https://"):
        run_index(load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1))
