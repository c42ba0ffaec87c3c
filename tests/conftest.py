"""Fixtures: a tiny real corpus (PDFs and HTML built in tmp dirs), its index, the app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import robustness
from builders import make_html, make_pdf
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.web import create_app

# The third-party test files handed to the project (beside the checkout; CI has them too).
# KIL_TEST_SHARED_DIR points elsewhere, e.g. at a missing folder to see what a plain clone runs.
SHARED_DIR = Path(os.environ.get("KIL_TEST_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
# Every skip for want of ../shared starts with this; under CI=true such a skip fails the run.
NEEDS_SHARED = "needs ../shared"


def shared_reason(path: Path) -> str:
    """Say why a test that reads ../shared is skipped."""
    return f"{NEEDS_SHARED}: {path} not found (the third-party test files beside the checkout)"


def needs_shared(path: Path):
    """Mark a test that reads `path` under ../shared: skipped without it, a failure under CI=true."""
    return pytest.mark.skipif(not path.exists(), reason=shared_reason(path))
LIBRARY_DIR = Path(__file__).resolve().parents[1] / "corpus"


def pytest_configure(config):
    """Share one sentence-vector cache among the suite's indexes (and the indexers and servers it starts), so the
    sample corpus's sentences are encoded once per run rather than once per index built of it."""
    if not os.environ.get("KIL_SEARCH_VECTOR_CACHE"):
        import tempfile
        os.environ["KIL_SEARCH_VECTOR_CACHE"] = tempfile.mkdtemp(prefix="kil-vectors-")

CARE_PAGES = [
    "Introduction. This report looks at how councils commission services from local community organisations.",
    "Neighbourhood social care in Bradford. The council commissioned neighbourhood social care from a community "
    "business, keeping money in the local economy and supporting older people at home.",
    "Community asset transfer. A library building passed to a community association on a long lease.",
    "Endnotes. Figures are illustrative.",
]


def write_small_corpus(root: Path) -> Path:
    """Write a small corpus: two PDFs, one web page and a catalogue."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "reports").mkdir(exist_ok=True)
    (root / "web").mkdir(exist_ok=True)
    make_pdf(
        root / "reports" / "care-report.pdf",
        CARE_PAGES,
        title="Community care in practice",
        author="Test Author",
        outline=[("Introduction", 1, 0), ("Social care", 2, 0), ("Asset transfer", 3, 0)],
    )
    make_pdf(
        root / "reports" / "economy-briefing.pdf",
        [
            "Local Multiplier 3 measures how spending recirculates in a local economy.",
            "Social value should be weighed in every procurement decision by the council.",
        ],
        title="Local economies briefing",
    )
    make_html(
        root / "web" / "trailblazers.html",
        title="Eleven trailblazer councils announced",
        body_html=(
            "<h1>Eleven trailblazer councils announced</h1><p>Eleven councils joined the network of trailblazers.</p>"
            "<h2>Which councils</h2><p>Bristol, Bradford, Calderdale and Hackney were among the first.</p>"
        ),
        description="Press release about the trailblazer councils",
        published="2020-03-03",
        canonical="https://example.org/news/trailblazers",
    )
    (root / "catalog.toml").write_text(
        '["reports/care-report.pdf"]\n'
        'title = "Community care in practice"\n'
        'type = "research report"\n'
        'date = "2020-11-16"\n'
        'themes = ["adult social care"]\n'
        'places = ["Bradford"]\n'
        'source_url = "https://example.org/care-report"\n',
        encoding="utf-8",
    )
    return root


def search_over_pages(root: Path, pages: dict[str, tuple[str, str]]):
    """Write each (title, body HTML) page into root/corpus, index it with the real indexer and return a SearchService."""
    from kil_search.search import SearchService

    corpus = root / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, (title, body) in pages.items():
        make_html(corpus / name, title=title, body_html=body)
    settings = load_settings(corpus_dir=corpus, index_dir=root / "index", jobs=1)
    run_index(settings)
    return SearchService(settings.index_dir)


def indexed_client(corpus: Path, index_dir: Path, extract_timeout: float = 30):
    """Index a corpus folder with the real indexer and return a test client of the app over it."""
    settings = load_settings(corpus_dir=corpus, index_dir=index_dir, jobs=1, extract_timeout=extract_timeout)
    run_index(settings)
    return create_app({"corpus_dir": corpus, "index_dir": settings.index_dir, "TESTING": True}).test_client()


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """Return a fresh small corpus folder."""
    return write_small_corpus(tmp_path / "corpus")


@pytest.fixture
def settings(corpus_dir: Path, tmp_path: Path):
    """Return settings pointing at the small corpus and a temp index."""
    return load_settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index", jobs=1, extract_timeout=30)


@pytest.fixture
def built_index(settings):
    """Index the small corpus and return the run summary."""
    return run_index(settings)


@pytest.fixture
def app(settings, built_index):
    """Return the app over the indexed small corpus."""
    return create_app({"corpus_dir": settings.corpus_dir, "index_dir": settings.index_dir, "TESTING": True})


@pytest.fixture
def client(app):
    """Return a test client."""
    return app.test_client()


@pytest.fixture(scope="session")
def library_index(tmp_path_factory) -> Path:
    """Index the bundled sample library (corpus/) once per session; return the index folder."""
    index_dir = tmp_path_factory.mktemp("library") / "index"
    run_index(load_settings(corpus_dir=LIBRARY_DIR, index_dir=index_dir, jobs=2))
    return index_dir


def pytest_addoption(parser):
    """Add --long: the robustness suites run at their long size (same as KIL_LONG_TESTS=1)."""
    parser.addoption("--long", action="store_true", help="run the robustness suites at their long size")


def pytest_configure(config):
    """Set KIL_LONG_TESTS before test modules are imported, so module-level sizes see it."""
    if config.getoption("--long"):
        os.environ[robustness.LONG_ENV] = "1"
    if robustness.is_long() and config.getoption("timeout", None) is None:
        config.option.timeout = 0  # the long run takes as long as it takes; CI keeps pyproject's 300 s per test


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true, a test skipped for want of ../shared fails: CI must run what it promises."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI", "").lower() == "true":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if NEEDS_SHARED in reason or "the shared " in reason:  # test_ocr.py says "needs the shared ... PDF"
            report.outcome = "failed"
            report.longrepr = f"skipped under CI=true, which must run it: {reason}"


def pytest_terminal_summary(terminalreporter):
    """Print the figures the robustness suites recorded (what the README's promises quote)."""
    if not robustness.FIGURES:
        return
    size = "long" if robustness.is_long() else "CI"
    terminalreporter.section(f"robustness figures ({size} size)")
    for name, text in robustness.FIGURES.items():
        terminalreporter.write_line(f"{name}: {text}")
