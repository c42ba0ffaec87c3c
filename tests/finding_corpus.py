"""A small corpus for the finding aids: case studies in four kinds of council, council-speak, a
typo-prone word, dates and themes; built once per test session (import the fixtures you need)."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import make_html, make_pdf

FOOTER = "Care close to home · page {}"
CARE_REPORT_PAGES = [
    "Care close to home\nA report on neighbourhood care and commissioning",
    "1. Introduction\nCouncils across England commission adult social care from many providers. "
    "This report looks at four councils and what their councillors asked for.\n" + FOOTER.format(2),
    "2. Neighbourhood care\nBradford and Lewisham both changed how they buy care.\n"
    "Case study: Bowling Park Care Cooperative, Bradford\n"
    "Place: Bradford. Service area: adult social care. The cooperative employs local care workers "
    "who live near the older people they support. The council extended its neighbourhood contract.\n"
    "3. What changed\nThe councils simplified their tendering.\n" + FOOTER.format(3),
    "Case study: Deptford Works Employment Partnership, London Borough of\nLewisham\n"
    "Place: Lewisham. Service area: adult social care and employment support. The partnership "
    "coaches residents into care jobs through a grant and a contract.\n"
    "4. Lessons\nReading this report, commissioners in Bath and elsewhere asked how to start. "
    "The Rother Valley Homes Project was mentioned too.\n" + FOOTER.format(4),
]
CARE_REPORT_OUTLINE = [("1. Introduction", 2, 0), ("2. Neighbourhood care", 3, 0), ("3. What changed", 3, 0),
                       ("4. Lessons", 4, 0)]
GUIDE_PAGES = [
    "A guide to commissioning with the voluntary and community sector\n"
    "Commissioning is how a council decides what services it needs and who should provide them. "
    "Councillors should ask how much of their spend reaches the voluntary and community sector.",
    "Social value\nSocial value should be weighed in every procurement decision. Kent County Council "
    "weighted it at 20 per cent. Community asset transfer of a library helped a charity grow.",
]
CATALOG = '''
["reports/care-close-to-home.pdf"]
title = "Care close to home"
type = "research report"
date = "2021-06-01"
themes = ["adult social care", "commissioning"]
places = ["Bradford", "Lewisham"]

["reports/commissioning-guide.pdf"]
title = "A guide to commissioning"
type = "practical guide"
date = "2019-02-01"
themes = ["commissioning", "social value"]
places = ["Kent"]

["web/case-study-york.html"]
title = "York: a housing project that keeps people at home"
type = "case study"
date = "2023-05-01"
themes = ["homelessness", "adult social care"]
places = ["York"]

["web/news.html"]
title = "News: VCSE grants announced"
type = "web page"
date = "2022-03-01"
themes = ["grants"]
'''


def write_finding_corpus(root: Path) -> Path:
    """Write the finding-aids corpus: two PDFs, two web pages and a catalogue."""
    (root / "reports").mkdir(parents=True, exist_ok=True)
    (root / "web").mkdir(exist_ok=True)
    make_pdf(root / "reports" / "care-close-to-home.pdf", CARE_REPORT_PAGES, title="Care close to home",
             outline=CARE_REPORT_OUTLINE)
    make_pdf(root / "reports" / "commissioning-guide.pdf", GUIDE_PAGES, title="A guide to commissioning",
             outline=[("Commissioning", 1, 0), ("Social value", 2, 0)])
    make_html(root / "web" / "case-study-york.html", title="York: a housing project that keeps people at home",
              body_html="<h1>York: a housing project that keeps people at home</h1>"
                        "<p>The City of York Council funded Five Arches to support older tenants at home.</p>"
                        "<h2>What happened</h2><p>Evictions fell and the adult social care budget was protected.</p>")
    make_html(root / "web" / "news.html", title="News: VCSE grants announced",
              body_html="<h1>VCSE grants announced</h1><p>Small VCSE grants open to groups in Hackney.</p>"
                        "<h2>Case study: Shoreditch Larder, Hackney</h2><p>A larder that feeds three hundred families.</p>"
                        "<h2>How to apply</h2><p>Apply online by March.</p>")
    (root / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def finding_settings(tmp_path_factory):
    """Index the finding-aids corpus once and return its settings."""
    from kil_search.config import load_settings
    from kil_search.indexing import run_index

    root = tmp_path_factory.mktemp("finding")
    settings = load_settings(corpus_dir=write_finding_corpus(root / "corpus"), index_dir=root / "index", jobs=1)
    summary = run_index(settings)
    assert not summary.failed, summary.failed
    return settings


@pytest.fixture(scope="session")
def finding_service(finding_settings):
    """Return a search service over the finding-aids corpus."""
    from kil_search.search import SearchService

    return SearchService(finding_settings.index_dir)


@pytest.fixture(scope="session")
def finding_client(finding_settings):
    """Return a test client over the finding-aids corpus."""
    from kil_search.web import create_app

    app = create_app({"corpus_dir": finding_settings.corpus_dir, "index_dir": finding_settings.index_dir, "TESTING": True})
    return app.test_client()
