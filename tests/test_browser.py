"""A person in headless Chromium: type a query into the served page, see highlighted results."""

from __future__ import annotations


import pytest

from browsers import BROWSER_MARKS, browser, opened_page  # noqa: F401 (browser is a fixture)
from conftest import write_small_corpus
from servers import running_server

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    corpus = write_small_corpus(root / "corpus")
    from kil_search.config import load_settings
    from kil_search.indexing import run_index

    run_index(load_settings(corpus_dir=corpus, index_dir=root / "index", jobs=1))
    with running_server(corpus, root / "index") as base:
        yield base


@pytest.fixture
def page(browser):
    with opened_page(browser, 375, 800) as opened:
        yield opened


def test_typing_a_query_shows_highlighted_results(server, page):
    page.goto(server + "/")
    page.get_by_label("Search reports, guides and case studies").fill("neighbourhood social care")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    first = page.locator(".result").first
    assert first.locator(".result-title").inner_text() == "Community care in practice"
    assert first.locator("mark").count() >= 2
    link = first.locator(".page-link").first
    assert link.inner_text() == "p. 2"
    assert first.locator(".passage-where").first.inner_text() == "Social care, p. 2"
    assert link.get_attribute("href").endswith("/file#page=2")


def test_keyboard_reaches_the_search_box_and_results(server, page):
    page.goto(server + "/search?q=council")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"


def test_page_fits_a_phone_screen(server, page):
    page.goto(server + "/search?q=social+care")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_question_gets_an_answer_card_reachable_by_keyboard(server, page):
    page.goto(server + "/")
    page.get_by_label("Search reports, guides and case studies").fill("How did the Bradford council keep money in the local economy?")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    card = page.get_by_role("region", name="Answer from the library")
    assert "keeping money in the local economy" in card.inner_text()
    for _ in range(12):  # Tab from the top of the page until the card's link has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('answer-link')"):
            break
    focused = page.evaluate("({text: document.activeElement.textContent, href: document.activeElement.getAttribute('href')})")
    assert focused["text"] == "Community care in practice, page 2"
    path, _, fragment = focused["href"].partition("#")
    assert path == "/documents/reports/care-report.pdf/file"
    assert fragment.split("&")[0] == "page=2"
