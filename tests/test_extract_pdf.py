"""PDF extraction: pages, titles, metadata, outline, encryption and broken files."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from builders import make_pdf
from kil_search.errors import ExtractionError
from kil_search.extract import extract_file
from kil_search.extract.pdf import extract_pdf, normalise_text

REPORT_PAGES = [
    "Councils can commission local services from community organisations.",
    "Neighbourhood social care in Bradford keeps money in the local economy.",
    "Community asset transfer gave the library building to a local association.",
]


def test_text_of_every_page_with_one_based_numbers(tmp_path):
    document = extract_pdf(make_pdf(tmp_path / "report.pdf", REPORT_PAGES))
    assert document.format == "pdf"
    assert document.path == str(tmp_path / "report.pdf")
    assert [page.number for page in document.pages] == [1, 2, 3]
    assert "Neighbourhood social care in Bradford" in document.pages[1].text
    assert document.metadata["page_count"] == 3
    assert document.warnings == []


def test_title_author_and_creation_date_from_metadata(tmp_path):
    created = datetime(2021, 6, 30, 14, 5, tzinfo=timezone.utc)
    path = make_pdf(tmp_path / "r.pdf", REPORT_PAGES, title="Community care in practice", author="Jo Bloggs", created=created)
    document = extract_pdf(path)
    assert document.title == "Community care in practice"
    assert document.metadata["author"] == "Jo Bloggs"
    assert document.metadata["created"].startswith("2021-06-30")
    assert "encrypted" not in document.metadata


def test_office_prefix_is_stripped_from_metadata_title(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", REPORT_PAGES, title="Microsoft Word - Annual report 2023.docx")
    assert extract_pdf(path).title == "Annual report 2023"


def test_junk_metadata_title_falls_back_to_largest_first_page_line(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", REPORT_PAGES, title="untitled", heading="Keeping Wealth Local")
    assert extract_pdf(path).title == "Keeping Wealth Local"


def test_title_falls_back_to_file_name_when_no_line_stands_out(tmp_path):
    path = make_pdf(tmp_path / "annual-report_2023.pdf", REPORT_PAGES)
    assert extract_pdf(path).title == "annual report 2023"


def test_outline_entries_and_section_labels(tmp_path):
    outline = [("Introduction", 1, 0), ("Social care", 2, 0), ("Bradford", 2, 1), ("Assets", 3, 0)]
    document = extract_pdf(make_pdf(tmp_path / "r.pdf", REPORT_PAGES, outline=outline))
    assert [(entry.title, entry.page, entry.level) for entry in document.outline] == outline
    # On page 2 the deeper "Bradford" entry is the most specific section in effect.
    assert [page.section for page in document.pages] == ["Introduction", "Bradford", "Assets"]


def test_pages_before_the_first_bookmark_have_no_section(tmp_path):
    document = extract_pdf(make_pdf(tmp_path / "r.pdf", REPORT_PAGES, outline=[("Assets", 3, 0)]))
    assert [page.section for page in document.pages] == ["", "", "Assets"]


def test_user_password_is_reported_as_encrypted(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", REPORT_PAGES, password="letmein")
    with pytest.raises(ExtractionError, match="encrypted"):
        extract_pdf(path)


def test_owner_password_only_opens_and_is_flagged(tmp_path):
    document = extract_pdf(make_pdf(tmp_path / "owner.pdf", REPORT_PAGES, password=""))
    assert "Bradford" in document.pages[1].text
    assert document.metadata["encrypted"] is True


def test_blank_pages_give_a_warning_but_keep_the_document(tmp_path):
    document = extract_pdf(make_pdf(tmp_path / "scan.pdf", REPORT_PAGES, blank_pages={2, 3}))
    assert document.warnings == ["no extractable text on 2 of 3 pages (scanned?)"]
    assert [page.text == "" for page in document.pages] == [False, True, True]


def test_all_blank_pages_still_return_a_document(tmp_path):
    document = extract_pdf(make_pdf(tmp_path / "scan.pdf", ["", ""]))
    assert document.warnings == ["no extractable text on 2 of 2 pages (scanned?)"]
    assert len(document.pages) == 2


def test_words_hyphenated_across_lines_are_joined(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", ["The commis-\nsioning of services in the North-\nEast."])
    text = extract_pdf(path).pages[0].text
    assert "commissioning" in text
    assert "North-\nEast" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a   b\t c", "a b c"),
        ("line one\n\n\n  line two  ", "line one\nline two"),
        ("commis-\nsioning", "commissioning"),
        ("Covid-\n19", "Covid-\n19"),
        ("North-\nEast", "North-\nEast"),
        ("self- \n  help", "selfhelp"),
        ("e\ufb03cient \x00 text\r\nnext", "efficient text\nnext"),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("broken_date", "expected"),
    [(b"D:2021XX99000000Z", None), (b"D:20210630??????Z", "2021-06-30")],
)
def test_malformed_metadata_date_does_not_fail_the_document(tmp_path, broken_date, expected):
    path = make_pdf(tmp_path / "r.pdf", REPORT_PAGES, created=datetime(2021, 6, 30, tzinfo=timezone.utc))
    data = path.read_bytes()
    assert b"D:20210630000000Z" in data
    path.write_bytes(data.replace(b"D:20210630000000Z", broken_date))
    document = extract_pdf(path)
    assert document.metadata.get("created") == expected
    assert len(document.pages) == 3


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (os.urandom(4096).replace(b"%PDF", b"xxxx"), "not a PDF"),
        (b"<html><body>not a pdf</body></html>", "not a PDF"),
        (b"%PDF-1.4\n1 0 obj <<\n garbage", "broken PDF"),
    ],
)
def test_unreadable_files_raise_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match=reason):
        extract_pdf(path)


def test_truncated_file_raises_broken_pdf(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", REPORT_PAGES)
    path.write_bytes(path.read_bytes()[:400])
    with pytest.raises(ExtractionError, match="broken PDF"):
        extract_pdf(path)


def test_missing_file_raises(tmp_path):
    with pytest.raises(ExtractionError, match="cannot read file"):
        extract_pdf(tmp_path / "nowhere.pdf")


def test_extract_file_dispatches_by_suffix_case_insensitively(tmp_path):
    path = make_pdf(tmp_path / "REPORT.PDF", REPORT_PAGES)
    assert extract_file(path).format == "pdf"
    other = tmp_path / "notes.docx"
    other.write_bytes(b"PK")
    with pytest.raises(ExtractionError, match="unsupported file type"):
        extract_file(other)
