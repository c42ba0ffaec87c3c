"""Staff in headless Chromium: sign in, upload a PDF, reindex, find it; strangers get nowhere."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from builders import make_pdf
from conftest import write_small_corpus
from servers import running_server
from browsers import BROWSER_MARKS, browser, opened_page  # noqa: F401 (browser is a fixture)

pytestmark = BROWSER_MARKS
PASSWORD = "browser test password"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-admin")
    corpus = write_small_corpus(root / "corpus")
    from kil_search.config import load_settings
    from kil_search.indexing import run_index

    run_index(load_settings(corpus_dir=corpus, index_dir=root / "index", jobs=1))
    env = {"KIL_ADMIN_PASSWORD": PASSWORD, "KIL_JOBS": "1"}
    with running_server(corpus, root / "index", extra_env=env) as base:
        yield base, root


@pytest.fixture
def page(browser):
    with opened_page(browser, 1000, 900) as opened:
        yield opened


def test_upload_reindex_and_find_the_new_document(server, page, tmp_path):
    base, _ = server
    pdf = make_pdf(tmp_path / "Food growing report.pdf", ["Allotments and community orchards feed Oldham families."],
                   title="Growing food together")
    page.goto(base + "/admin/")
    assert "/admin/login" in page.url
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Manage the library").is_visible()

    page.get_by_label("PDF or HTML file").set_input_files(str(pdf))
    page.get_by_label("Update the search index straight away").uncheck()
    page.get_by_role("button", name="Upload", exact=True).click()
    assert page.get_by_text("Added uploads/Food_growing_report.pdf.").is_visible()
    row = page.locator("tr", has_text="uploads/Food_growing_report.pdf")
    assert "new: reindex to make it searchable" in row.inner_text()

    page.get_by_role("button", name="Reindex now").click()
    state = page.locator("tr", has_text="uploads/Food_growing_report.pdf").locator("td").nth(2)
    expect(state).to_have_text("searchable", timeout=60_000)  # the page refreshes itself while the run goes on
    assert "indexed 1, unchanged 3" in page.locator(".last-run").inner_text()

    page.goto(base + "/")
    page.get_by_label("Search reports, guides and case studies").fill("community orchards")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    page.wait_for_timeout(1100)  # a worker checks for a new index at most once a second
    page.reload()
    first = page.locator(".result").first
    assert first.locator(".result-title").inner_text() == "Growing food together"
    assert first.locator("mark").count() >= 2


def test_strangers_cannot_do_anything(server, page):
    base, root = server
    before = sorted(path.name for path in (root / "corpus").rglob("*") if path.is_file())
    for path in ("/admin/", "/admin/documents/web/trailblazers.html", "/admin/documents/web/trailblazers.html/remove"):
        page.goto(base + path)
        assert "/admin/login" in page.url and page.get_by_label("Password").is_visible()
    for path in ("/admin/upload", "/admin/reindex", "/admin/logout", "/admin/documents/web/trailblazers.html",
                 "/admin/documents/web/trailblazers.html/remove"):
        request = urllib.request.Request(base + path, data=b"csrf_token=x&title=Hacked&reindex=yes", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        refused.value.close()
        assert refused.value.code == 403
    page.goto(base + "/admin/login")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("That password is not right.").is_visible()
    assert sorted(path.name for path in (root / "corpus").rglob("*") if path.is_file()) == before
