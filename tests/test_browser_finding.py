"""A person in headless Chromium using the finding aids: facet filters, autocomplete, the phone panel."""

from __future__ import annotations

import pytest

from finding_corpus import write_finding_corpus
from servers import running_server
from browsers import BROWSER_MARKS, browser  # noqa: F401 (browser is a fixture)

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from kil_search.config import load_settings
    from kil_search.indexing import run_index

    root = tmp_path_factory.mktemp("browser-finding")
    corpus = write_finding_corpus(root / "corpus")
    run_index(load_settings(corpus_dir=corpus, index_dir=root / "index", jobs=1))
    with running_server(corpus, root / "index", workers=1) as base:
        yield base


def open_page(browser, width):
    """Return a new page of the given width that records script errors."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def counts(page, facet):
    """Return {label: count} of a facet as shown."""
    shown = {}
    for label in page.locator(f"#facet-{facet} label").all():
        text = label.inner_text()
        name, _, count = text.rpartition(" (")
        shown[name] = int(count.split(")")[0])
    return shown


def test_filtering_by_place_then_council_type_changes_the_counts(server, browser):
    page = open_page(browser, 1280)
    page.goto(server + "/search?q=care")
    assert page.locator(".result-count").inner_text().startswith("2 documents")
    assert counts(page, "council_type") == {"London borough": 1, "Metropolitan district": 1, "Unitary": 2}
    page.get_by_label("Bradford (1)").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**place=Bradford**")
    assert page.locator(".result-count").inner_text().startswith("1 document")
    # The passage naming Bradford also names Lewisham, a London borough; York is a unitary council.
    assert counts(page, "council_type") == {"London borough": 1, "Metropolitan district": 1}
    assert counts(page, "place")["Bradford"] == 1
    page.get_by_label("Metropolitan district (1)").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**council_type=metropolitan**")
    assert page.locator(".active-filters li").count() == 3  # two filters and "Clear all filters"
    places = counts(page, "place")
    assert places["Bradford"] == 1 and "York" not in places  # York is not a metropolitan district
    page.get_by_role("link", name="Clear all filters").click()
    page.wait_for_url("**/search?q=care")
    assert counts(page, "place")["York"] == 1
    assert page.errors == []


def test_facets_are_usable_with_the_keyboard(server, browser):
    page = open_page(browser, 1280)
    page.goto(server + "/search?q=care")
    page.locator("#facet-council_type input").first.focus()
    page.keyboard.press("Space")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Apply filters":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**council_type=**")
    assert page.locator("#facet-council_type input:checked").count() == 1


def test_on_a_phone_the_filters_fold_away_and_open(server, browser):
    page = open_page(browser, 375)
    page.goto(server + "/search?q=care")
    panel = page.locator("#filters")
    assert panel.evaluate("element => element.open") is False
    page.locator("#filters > summary").click()
    assert page.locator("#facet-place").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.errors == []


def test_autocomplete_by_keyboard(server, browser):
    page = open_page(browser, 1280)
    page.goto(server + "/")
    box = page.get_by_role("combobox", name="Search reports, guides and case studies")
    box.press_sequentially("comm", delay=30)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert listbox.get_by_role("option").first.inner_text().startswith("A guide to commissioning")
    box.press("ArrowDown")
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    chosen = page.locator(f"#{active}").inner_text()
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("h1").inner_text() == f"Results for “{chosen}”"
    box = page.get_by_role("combobox", name="Search reports, guides and case studies")
    assert box.input_value() == chosen
    box.fill("")
    box.press_sequentially("soc", delay=30)
    page.get_by_role("listbox").wait_for()
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.errors == []
