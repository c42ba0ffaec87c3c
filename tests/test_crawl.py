"""The crawler against a small site served on 127.0.0.1 by the test itself."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import make_pdf
from kil_search.cli import main
from kil_search.config import load_settings
from kil_search.crawl import crawl_site
from kil_search.crawl.urls import relative_file_path
from kil_search.indexing import run_index
from kil_search.search import SearchService
from sites import Resource, Site, endless_stream

CAP = 1_000_000


def html(title: str, body: str) -> str:
    """Return a small web page."""
    return f"<!doctype html><html><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"


def build_site(site: Site, tmp_path: Path, with_trouble: bool = True) -> None:
    """Lay out the test site: pages, PDFs, robots.txt, a sitemap and, optionally, broken links."""
    care = make_pdf(tmp_path / "care.pdf", ["Neighbourhood social care commissioned from a community business in Bradford."],
                    title="Community care report").read_bytes()
    economy = make_pdf(tmp_path / "economy.pdf", ["Local Multiplier 3 measures how spending recirculates."],
                       title="Local economies briefing").read_bytes()
    site.page("/robots.txt", f"User-agent: *\nDisallow: /private/\nSitemap: {site.base}/sitemap.xml\n", content_type="text/plain")
    site.page("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              f"<url><loc>{site.base}/orphan.html</loc></url><url><loc>https://elsewhere.example/x</loc></url></urlset>",
              content_type="application/xml")
    links = ['<a href="/about.html">About</a>', '<a href="/reports/">Reports</a>', '<a href="/private/secret.html">Staff only</a>',
             '<a href="/news.html">News</a>', '<a href="/logo.png">Logo</a>', '<a href="http://elsewhere.example/">Elsewhere</a>',
             '<a href="mailto:team@example.org">Email</a>']
    if with_trouble:
        links += ['<a href="/old-page">Old</a>', '<a href="/missing.html">Missing</a>', '<a href="/huge.pdf">Huge</a>',
                  '<a href="/declared-huge.pdf">Declared huge</a>', '<a href="/fake.pdf">Fake</a>', '<a href="/photo">Photo</a>',
                  '<a href="/a/..%2F..%2F..%2Fescape.html">Tricky</a>']
    site.page("/", html("Keep it Local", "<p>Welcome.</p>" + " ".join(links)))
    site.page("/about.html", html("About the network", "<p>Community anchors keep services local.</p>"), etag=False)
    site.page("/reports/", html("Reports", '<a href="care.pdf">Care</a> <a href="/reports/economy.pdf">Economy</a>'))
    site.resources["/reports/care.pdf"] = Resource(care, content_type="application/pdf")
    site.resources["/reports/economy.pdf"] = Resource(economy, content_type="application/pdf")
    site.page("/news.html", html("News", "<p>Trailblazer councils announced in Calderdale.</p>"))
    site.page("/orphan.html", html("Only in the sitemap", "<p>Allotments and food growing.</p>"))
    site.page("/private/secret.html", html("Secret", "<p>Never fetch me.</p>"))
    if with_trouble:
        site.resources["/old-page"] = Resource(status=301, headers={"Location": "/new-page.html"}, etag=False, last_modified=False)
        site.page("/new-page.html", html("Moved page", "<p>Asset transfer of a library building.</p>"))
        site.resources["/huge.pdf"] = Resource(content_type="application/pdf", stream=endless_stream())
        site.resources["/declared-huge.pdf"] = Resource(b"%PDF-1.4\n" + b"0" * (CAP + 10), content_type="application/pdf")
        site.resources["/fake.pdf"] = Resource(b"<html>not a pdf</html>", content_type="application/pdf")
        site.resources["/photo"] = Resource(b"\xff\xd8\xff", content_type="image/jpeg")
        site.page("/escape.html", html("Escape", "<p>Dots.</p>"))
        site.page("/a/..%2F..%2F..%2Fescape.html", html("Encoded dots", "<p>Encoded slashes stay inside.</p>"))


@pytest.fixture
def site(tmp_path):
    with Site() as served:
        build_site(served, tmp_path)
        yield served


@pytest.fixture
def staff_settings(tmp_path):
    (tmp_path / "corpus").mkdir()
    return load_settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", jobs=1)


def crawl(settings, site, **options):
    options.setdefault("delay", 0)
    options.setdefault("max_bytes", CAP)
    return crawl_site(settings, site.base + "/", **options)


def folder_of(site: Site) -> str:
    return "crawled/127.0.0.1_" + site.base.rsplit(":", 1)[1]


def test_crawl_saves_pages_and_pdfs_with_their_source_urls(site, staff_settings):
    summary = crawl(staff_settings, site)
    folder = folder_of(site)
    saved = sorted(doc_id for _, doc_id in summary.fetched)
    assert saved == sorted(f"{folder}/{name}" for name in (
        "index.html", "about.html", "reports/index.html", "reports/care.pdf", "reports/economy.pdf", "news.html",
        "orphan.html", "new-page.html", "a/escape.html"))
    catalog = tomllib.loads((staff_settings.corpus_dir / "catalog.toml").read_text())
    assert catalog[f"{folder}/reports/care.pdf"]["source_url"] == site.base + "/reports/care.pdf"
    assert catalog[f"{folder}/new-page.html"]["source_url"] == site.base + "/new-page.html"
    index = run_index(staff_settings)
    assert index.failed == [] and index.documents == 9
    hit = SearchService(staff_settings.index_dir).search("neighbourhood social care").results[0]
    assert (hit.title, hit.source_url) == ("Community care report", site.base + "/reports/care.pdf")


def test_crawl_obeys_robots_and_reports_what_it_skipped(site, staff_settings):
    summary = crawl(staff_settings, site)
    assert summary.skipped_by_robots == [site.base + "/private/secret.html"]
    assert site.requested("/private/secret.html") == []
    assert site.requested("/logo.png") == []
    assert all(hit.user_agent.startswith("kil-search-crawler/0.1.0 (+") for hit in site.hits)
    failed = dict(summary.failed)
    assert failed[site.base + "/missing.html"] == "HTTP 404 Not Found"
    assert "too large" in failed[site.base + "/huge.pdf"]
    assert "too large" in failed[site.base + "/declared-huge.pdf"]
    assert "is not a PDF" in failed[site.base + "/fake.pdf"]
    assert "neither HTML nor PDF" in dict(summary.skipped)[site.base + "/photo"]


def test_huge_file_is_not_read_past_the_cap(site, staff_settings):
    crawl(staff_settings, site)
    assert 0 < site.streamed_bytes < 20 * CAP  # the server's send buffers, not the 200 MB it offered
    assert site.requested("/declared-huge.pdf")[0].status == 200
    assert not list(staff_settings.corpus_dir.rglob("*huge*"))


def test_nothing_is_written_outside_the_crawl_folder(site, staff_settings):
    crawl(staff_settings, site)
    folder = (staff_settings.corpus_dir / folder_of(site)).resolve()
    written = [path for path in staff_settings.corpus_dir.rglob("*") if path.is_file()]
    outside = [path for path in written if not path.resolve().is_relative_to(folder)]
    assert sorted(path.name for path in outside) == [".catalog.lock", "catalog.toml"]


def test_second_crawl_of_an_unchanged_site_gets_only_304s(tmp_path, staff_settings):
    with Site() as site:
        build_site(site, tmp_path, with_trouble=False)
        first = crawl(staff_settings, site)
        assert len(first.fetched) == 7
        site.clear()
        second = crawl(staff_settings, site)
    assert second.fetched == [] and second.unchanged == 7
    assert {hit.status for hit in site.hits} == {304}
    assert all(hit.conditional and hit.body_bytes == 0 for hit in site.hits)
    assert {hit.path for hit in site.hits} >= {"/robots.txt", "/sitemap.xml", "/about.html", "/reports/care.pdf"}


def test_a_changed_page_is_fetched_again_and_reindexed(tmp_path, staff_settings):
    with Site() as site:
        build_site(site, tmp_path, with_trouble=False)
        crawl(staff_settings, site)
        run_index(staff_settings)
        site.page("/news.html", html("News", "<p>Homelessness prevention pilot starts in Oldham.</p>"))
        site.clear()
        second = crawl(staff_settings, site)
    assert [url for url, _ in second.fetched] == [site.base + "/news.html"]
    assert [hit.path for hit in site.hits if hit.status == 200] == ["/news.html"]
    summary = run_index(staff_settings)
    assert summary.indexed == [folder_of(site) + "/news.html"]
    service = SearchService(staff_settings.index_dir)
    assert [hit.title for hit in service.search("homelessness oldham").results] == ["News"]
    assert service.search("trailblazer calderdale").total == 0


def test_a_page_gone_from_the_site_leaves_the_corpus_and_catalogue(tmp_path, staff_settings):
    with Site() as site:
        build_site(site, tmp_path, with_trouble=False)
        crawl(staff_settings, site)
        del site.resources["/orphan.html"]
        second = crawl(staff_settings, site)
    doc_id = folder_of(site) + "/orphan.html"
    assert second.removed == [(site.base + "/orphan.html", doc_id)]
    assert not (staff_settings.corpus_dir / doc_id).exists()
    assert doc_id not in tomllib.loads((staff_settings.corpus_dir / "catalog.toml").read_text())


def test_page_and_depth_limits(site, staff_settings):
    limited = crawl(staff_settings, site, max_pages=3)
    assert len(limited.fetched) == 3 and limited.left_unvisited > 0
    site.clear()
    crawl(staff_settings, site, max_depth=1)
    paths = {hit.path for hit in site.hits}
    assert {"/", "/reports/", "/orphan.html"} <= paths
    assert "/reports/care.pdf" not in paths  # two links away from the start page


def test_delay_between_requests_to_the_site(tmp_path, staff_settings):
    with Site() as site:
        build_site(site, tmp_path, with_trouble=False)
        crawl(staff_settings, site, delay=0.15, max_pages=4)
    times = [hit.at for hit in site.hits]
    assert len(times) >= 5
    assert min(later - earlier for earlier, later in zip(times, times[1:])) >= 0.14


def test_redirects_off_site_and_loops_are_not_followed(tmp_path, staff_settings):
    with Site() as site:
        site.page("/", html("Home", '<a href="/away">Away</a> <a href="/loop">Loop</a>'))
        site.resources["/away"] = Resource(status=302, headers={"Location": "http://elsewhere.example/"}, etag=False, last_modified=False)
        site.resources["/loop"] = Resource(status=302, headers={"Location": "/loop?again"}, etag=False, last_modified=False)
        site.resources["/loop?again"] = Resource(status=302, headers={"Location": "/loop"}, etag=False, last_modified=False)
        summary = crawl(staff_settings, site)
    assert "redirects off the site" in dict(summary.skipped)[site.base + "/away"]
    assert dict(summary.failed) == {site.base + "/loop": "more than 5 redirects"}
    assert len(site.requested("/loop")) + len(site.requested("/loop?again")) == 6


@pytest.mark.parametrize("url", [
    "http://h/../../etc/passwd",
    "http://h/..%2F..%2Fetc%2Fpasswd",
    "http://h/%2e%2e/%2e%2e/x.pdf",
    "http://h//etc/passwd",
    "http://h/.hidden/_private",
    "http://h/" + "a" * 400 + ".pdf",
    "http://h/" + "/".join("d" * 12) + "/deep.html",
    "http://h/search?q=" + "x" * 300,
    "http://h/%00null%0a.html",
    "http://h/C:%5CWindows%5Cwin.ini",
])
def test_file_names_from_hostile_urls_stay_inside(url, tmp_path):
    for file_format in ("html", "pdf"):
        relative = relative_file_path(url, file_format)
        path = (tmp_path / relative).resolve()
        assert path.is_relative_to(tmp_path.resolve())
        assert not relative.startswith("/")
        parts = relative.split("/")
        assert all(part and not part.startswith((".", "_")) and len(part) <= 80 for part in parts)
        assert len(parts) <= 8 and relative.endswith("." + file_format)
        assert all(char.isalnum() or char in "._-/" for char in relative)


def test_query_strings_get_distinct_names():
    assert relative_file_path("http://h/page?id=1", "html") != relative_file_path("http://h/page?id=2", "html")


def test_crawl_command_prints_summaries_and_indexes(tmp_path, staff_settings):
    with Site() as site:
        build_site(site, tmp_path, with_trouble=False)
        result = CliRunner().invoke(main, ["crawl", site.base + "/", "--delay", "0", "--max-bytes", "1M",
                                           "--corpus", str(staff_settings.corpus_dir), "--index", str(staff_settings.index_dir)])
    assert result.exit_code == 0, result.output
    assert "fetched 7, unchanged 0 (304: 0), skipped by robots 1" in result.output
    assert "indexed 7, unchanged 0, removed 0, failed 0" in result.output
