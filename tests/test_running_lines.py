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


def test_a_title_over_left_hand_pages_only_is_dropped_and_chapter_titles_stay():
    """A report prints its title over left-hand pages and the chapter's over right-hand ones; chapter openers have
    neither. The title is on fewer than half the pages; each chapter's title on far fewer, and it stays."""
    pages = []
    for chapter, topic in enumerate(["risk", "planning", "exercises"], 1):
        pages.append(f"Chapter {chapter} opens\nThe inquiry looked at {topic} first.")
        for side in range(4):
            header = "Module 1: The resilience of the country" if side % 2 == 0 else f"Chapter {chapter}: About {topic}"
            pages.append(f"{header}\nEvidence on {topic}, part {side}, was heard.")
    cleaned = strip_running_lines(pages)
    assert not any("Module 1" in text for text in cleaned)
    assert sum("Chapter 2: About planning" in text for text in cleaned) == 2
    assert cleaned[1] == "Evidence on risk, part 0, was heard."


def test_numbered_headings_opening_many_pages_stay():
    """A government response opens some pages with the recommendation it answers: numbered headings, not a header."""
    topics = ["ports", "launch sites", "skills", "satellites", "debris", "weather", "licensing", "finance", "defence",
              "research", "exports", "insurance", "spectrum", "regions", "standards"]
    pages = [(f"Recommendation {n}\n" if n % 5 in (0, 2) else "") + f"Work on {topic} began in spring.\nA review of "
             f"{topic} follows.\nFunding for {topic} is agreed.\nThe {topic} team reports yearly."
             for n, topic in enumerate(topics, 1)]
    cleaned = strip_running_lines(pages)
    assert sum(text.startswith("Recommendation") for text in cleaned) == 6


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
    (current_generation(settings.index_dir) / STAMP_FILE).write_text("7\n")  # as the version before stamped it
    assert SearchService(settings.index_dir).search("transport").total == 1  # still served meanwhile
    assert run_index(settings).rebuilt
