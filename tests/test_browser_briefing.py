"""A councillor in headless Chromium: search, collect two passages and a figure, download the briefing."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from builders import make_pdf
from servers import running_server
from browsers import BROWSER_MARKS, browser  # noqa: F401 (browser is a fixture)

pytestmark = BROWSER_MARKS

# axe-core is not installed on this machine and the tests may not download it: this is a focused check
# of what axe would flag on these pages (names of controls, labels, one h1, no sideways scroll at 375 px).
ACCESSIBILITY_PROBLEMS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('button, a[href], input:not([type=hidden]), select')) {
    const name = (el.getAttribute('aria-label') || el.innerText || el.value || '').trim();
    const labelled = el.labels && el.labels.length > 0;
    if (!name && !labelled) problems.push('no name: ' + el.outerHTML.slice(0, 80));
    if ((el.tagName === 'INPUT' || el.tagName === 'SELECT') && !labelled && !el.getAttribute('aria-label'))
      problems.push('no label: ' + el.outerHTML.slice(0, 80));
  }
  if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count');
  if (!document.documentElement.lang) problems.push('no lang');
  if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('sideways scroll');
  return problems;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from kil_search.config import load_settings
    from kil_search.indexing import run_index

    root = tmp_path_factory.mktemp("browser-briefing")
    corpus = root / "corpus"
    (corpus / "reports").mkdir(parents=True)
    make_pdf(corpus / "reports" / "food.pdf", [
        "Community food hubs opened in every ward of the town.",
        "Community food hubs served 1,450 residents, and about 30% were new to support.",
    ], title="Food hubs evaluation")
    make_pdf(corpus / "reports" / "energy.pdf", ["Community energy schemes cut bills by £300,000 in total."],
             title="Community energy report")
    (corpus / "catalog.toml").write_text('["reports/food.pdf"]\ndate = "2021-03-01"\nplaces = ["York"]\n'
                                         '["reports/energy.pdf"]\ndate = "2019-01-01"\n', encoding="utf-8")
    run_index(load_settings(corpus_dir=corpus, index_dir=root / "index", jobs=1))
    with running_server(corpus, root / "index", workers=1) as base:
        yield base


def test_collect_two_passages_and_a_figure_then_download_both_files(server, browser, tmp_path: Path):
    context = browser.new_context(viewport={"width": 375, "height": 800}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server + "/search?q=community")
    buttons = page.get_by_role("button", name="Add to briefing")
    assert buttons.count() >= 2
    buttons.nth(0).focus()
    page.keyboard.press("Enter")  # keyboard-usable, and without script: the form posts and comes back
    page.wait_for_load_state()
    page.get_by_role("button", name="Add to briefing").nth(1).click()
    page.wait_for_load_state()
    page.goto(server + "/statistics?q=community+food")
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == []
    row = page.locator("table.statistics tbody tr").filter(has=page.locator("td:first-child", has_text="1,450 residents"))
    assert row.locator("mark").first.inner_text() == "1,450 residents"
    row.get_by_role("button", name="Add to briefing").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Briefing").click()
    assert page.locator(".briefing-item").count() == 3
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == []
    with page.expect_download() as markdown_download:
        page.get_by_role("link", name="Markdown (.md)").click()
    markdown = Path(markdown_download.value.path()).read_text(encoding="utf-8")
    with page.expect_download() as word_download:
        page.get_by_role("link", name="Word (.docx)").click()
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(Path(word_download.value.path()).read_bytes())).paragraphs)
    for text in (markdown, word):
        assert "Food hubs evaluation (York, 2021), p. 2" in text
        assert "Community energy report (2019), p. 1" in text
        assert "1,450 residents" in text
        assert "/documents/reports/food.pdf/file#page=2" in text
    assert "> Community" in markdown
    page.goto(server + "/documents/reports/food.pdf")
    page.get_by_label("Search inside this report").fill("hubs")
    page.keyboard.press("Enter")
    page.wait_for_url("**document=reports**")
    assert page.locator(".inside-pages li").count() == 2
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == []
    context.close()
    assert errors == []
