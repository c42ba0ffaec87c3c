"""Running headers and footers are dropped from PDF page text."""

from builders import make_pdf
from kil_search.config import load_settings
from kil_search.extract import extract_pdf
from kil_search.extract.running_lines import strip_running_lines
from kil_search.index.store import STAMP_FILE, current_generation
from kil_search.indexing import run_index
from kil_search.search import SearchService


def test_repeated_footer_with_page_numbers_is_dropped():
    topics = ["housing", "care", "youth", "parks", "libraries", "markets"]
    pages = [f"About {topic}\nBody text on {topic} services.\nAnnual report · page {n}" for n, topic in enumerate(topics, 1)]
    cleaned = strip_running_lines(pages)
    assert all("Annual report" not in text for text in cleaned)
    assert cleaned[2] == "About youth\nBody text on youth services."


def test_lines_repeated_in_the_middle_or_on_few_pages_stay():
    pages = ["Intro\nSame line\nend one", "Other\nSame line\nend two", "Third\nSame line\nend three"]
    assert strip_running_lines(pages) == pages


def test_real_pdf_footer_is_not_in_page_text(tmp_path):
    places = ["Leeds", "Hackney", "Oldham", "Wirral", "Bristol"]
    body = [f"Work in {place}\nCommunity organisations deliver services in {place}.\nGuide to commissioning | {n}"
            for n, place in enumerate(places, 1)]
    document = extract_pdf(make_pdf(tmp_path / "guide.pdf", body))
    assert all("Guide to commissioning" not in page.text for page in document.pages)
    assert "services in Wirral" in document.pages[3].text


def test_a_books_header_is_dropped_whichever_side_its_page_number_is_on():
    """Left-hand pages print "8 BEHAVIOUR CHANGE", right-hand ones "BEHAVIOUR CHANGE 9": neither is half the pages."""
    topics = ["obesity", "transport", "smoking", "energy", "recycling", "alcohol", "exercise"]
    pages = [(f"{n} BEHAVIOUR CHANGE" if n % 2 == 0 else f"BEHAVIOUR CHANGE {n}") + f"\nChapter on {topic}\nThe committee heard "
             f"evidence on {topic}." for n, topic in enumerate(topics, 8)]
    cleaned = strip_running_lines(pages)
    assert all("BEHAVIOUR CHANGE" not in text for text in cleaned)
    assert cleaned[1] == "Chapter on transport\nThe committee heard evidence on transport."



def test_an_index_read_before_this_change_is_read_again_on_the_next_run(tmp_path):
    """An incremental run would keep an unchanged file's old text: the schema stamp makes the next run a rebuild."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    topics = ["obesity", "transport", "smoking", "energy", "recycling", "alcohol", "exercise"]
    make_pdf(corpus / "report.pdf", [(f"{n} LORDS REPORT" if n % 2 == 0 else f"LORDS REPORT {n}") +
                                     f"\nThe committee heard evidence on {topic}." for n, topic in enumerate(topics, 8)])
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1)
    run_index(settings)
    assert SearchService(settings.index_dir).search("lords").total == 0
    (current_generation(settings.index_dir) / STAMP_FILE).write_text("6\n")  # as the version before stamped it
    assert SearchService(settings.index_dir).search("transport").total == 1  # still served meanwhile
    assert run_index(settings).rebuilt
