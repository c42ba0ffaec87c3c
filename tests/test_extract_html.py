"""HTML extraction: metadata, main content only, sections by heading, encodings."""

from __future__ import annotations

import pytest

from builders import CHROME_PHRASES, make_html
from kil_search.extract import extract_file
from kil_search.extract.html import decode_html, extract_html, normalise_date, strip_site_name

ARTICLE = (
    "<h1>Community wealth building</h1>"
    "<p>Councils can keep more money circulating in the local economy.</p>"
    "<h2>Procurement</h2><p>Spend with <strong>local</strong> suppliers first.</p>"
    "<ul><li>Split large contracts</li><li>Publish a pipeline</li></ul>"
    "<h3>Social value</h3><table><tr><th>Measure</th><th>Target</th></tr><tr><td>Local spend</td><td>60%</td></tr></table>"
)


def full_text(document) -> str:
    """Join all section texts of a document."""
    return "\n".join(page.text for page in document.pages)


def test_title_description_published_and_canonical(tmp_path):
    path = make_html(
        tmp_path / "cwb.html",
        title="Community wealth building | Example Borough Council",
        body_html=ARTICLE,
        description="How councils keep wealth local",
        published="2020-03-03T09:00:00Z",
        canonical="https://example.org/cwb",
    )
    document = extract_html(path)
    assert document.format == "html"
    assert document.title == "Community wealth building"
    assert document.metadata == {
        "description": "How councils keep wealth local",
        "published": "2020-03-03",
        "canonical_url": "https://example.org/cwb",
        "language": "en-GB",
    }


def test_chrome_is_dropped_and_main_content_kept(tmp_path):
    document = extract_html(make_html(tmp_path / "cwb.html", title="Community wealth building", body_html=ARTICLE))
    text = full_text(document)
    assert "Councils can keep more money circulating in the local economy." in text
    for phrase in CHROME_PHRASES:
        assert phrase not in text


def test_sections_split_by_heading_numbered_from_one(tmp_path):
    document = extract_html(make_html(tmp_path / "cwb.html", title="Community wealth building", body_html=ARTICLE))
    assert [(page.number, page.section) for page in document.pages] == [
        (1, "Community wealth building"), (2, "Procurement"), (3, "Social value"),
    ]
    assert document.pages[1].text == (
        "Procurement\nSpend with local suppliers first.\n- Split large contracts\n- Publish a pipeline"
    )
    assert document.pages[2].text == "Social value\nMeasure | Target\nLocal spend | 60%"
    assert [(entry.title, entry.page, entry.level) for entry in document.outline] == [
        ("Community wealth building", 1, 0), ("Procurement", 2, 1), ("Social value", 3, 2),
    ]


def test_text_before_the_first_heading_is_titled_by_the_document(tmp_path):
    body = "<p>Opening words.</p><h2>Details</h2><p>More words.</p><h2>Empty</h2>"
    document = extract_html(make_html(tmp_path / "p.html", title="Bin collections", body_html=body))
    assert [(page.section, page.text) for page in document.pages] == [
        ("Bin collections", "Opening words."), ("Details", "Details\nMore words."),
    ]


def test_windows_1252_declared_charset(tmp_path):
    body = "<p>The \u201cgreen bin\u201d permit costs \u00a345 \u2013 that\u2019s per year.</p>"
    path = make_html(tmp_path / "old.htm", title="Garden waste", body_html=body, charset="windows-1252")
    assert b"\x93green bin\x94" in path.read_bytes()
    assert "The \u201cgreen bin\u201d permit costs \u00a345 \u2013 that\u2019s per year." in full_text(extract_html(path))


def test_utf8_bom_wins_over_a_wrong_declaration(tmp_path):
    path = tmp_path / "bom.html"
    page = '<html><head><meta charset="windows-1252"><title>Caf\u00e9 grants</title></head><body><p>Caf\u00e9 \u00a3500</p></body></html>'
    path.write_bytes(b"\xef\xbb\xbf" + page.encode("utf-8"))
    document = extract_html(path)
    assert document.title == "Caf\u00e9 grants"
    assert full_text(document) == "Caf\u00e9 \u00a3500"


def test_undeclared_non_utf8_bytes_fall_back_to_windows_1252():
    assert decode_html(b"<p>\xa3100 \x93quoted\x94</p>") == "<p>\u00a3100 \u201cquoted\u201d</p>"


def test_invalid_bytes_do_not_crash(tmp_path):
    path = tmp_path / "bad.html"
    path.write_bytes(b'<meta charset="utf-8"><title>Broken \xff\xfe bytes</title><p>Still \x81\xc3 readable</p>')
    document = extract_html(path)
    assert "readable" in full_text(document)
    assert "\ufffd" in document.title


def test_page_without_main_uses_the_body(tmp_path):
    body = "<nav><a href='/'>Home</a></nav><h1>Parking permits</h1><p>Apply online for a residents permit.</p>"
    document = extract_html(make_html(tmp_path / "p.html", title="Parking permits", body_html=body, chrome=False))
    assert full_text(document) == "Parking permits\nApply online for a residents permit."


def test_article_header_is_kept_but_page_header_dropped(tmp_path):
    body = "<header>Site name</header><article><header><h1>News item</h1></header><p>Story.</p></article>"
    document = extract_html(make_html(tmp_path / "p.html", title="News", body_html=body, chrome=False))
    assert full_text(document) == "News item\nStory."


@pytest.mark.parametrize(
    ("markup", "phrase", "kept"),
    [
        ('<div class="social-share"><a href="#">Share on Facebook</a></div>', "Facebook", False),
        ('<div class="phase-banner">This is a new service.</div>', "new service", False),
        ('<p aria-label="Breadcrumb">Home / Bins</p>', "Home / Bins", False),
        ('<div hidden>Hidden text</div>', "Hidden text", False),
        ('<section class="social-care"><h2>Adult social care</h2><p>Help at home.</p></section>', "Help at home.", True),
        ('<div class="hero-banner"><h2>Garden waste</h2><p>Subscribe each spring.</p></div>', "Subscribe", True),
        ('<div class="shared-content"><p>Opening hours.</p></div>', "Opening hours.", True),
    ],
)
def test_chrome_rules_keep_content_that_only_sounds_like_chrome(tmp_path, markup, phrase, kept):
    path = make_html(tmp_path / "p.html", title="Page", body_html="<p>Intro.</p>" + markup)
    assert (phrase in full_text(extract_html(path))) is kept


def test_empty_content_gives_a_warning_and_no_pages(tmp_path):
    path = make_html(tmp_path / "empty.html", title="Nothing here", body_html="<div><script>x()</script></div>")
    document = extract_html(path)
    assert document.pages == []
    assert document.warnings == ["no text content"]
    assert document.title == "Nothing here"


def test_title_falls_back_to_h1_then_file_name(tmp_path):
    path = tmp_path / "council-tax_bands.html"
    path.write_text("<body><h1>Council tax bands</h1><p>Band A.</p></body>")
    assert extract_html(path).title == "Council tax bands"
    path.write_text("<body><p>Band A.</p></body>")
    assert extract_html(path).title == "council tax bands"


def test_published_falls_back_to_time_element(tmp_path):
    body = '<p>Posted <time datetime="2019-11-05">5 November</time>.</p>'
    document = extract_html(make_html(tmp_path / "p.html", title="Post", body_html=body))
    assert document.metadata["published"] == "2019-11-05"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Bin collections | Leeds City Council", "Bin collections"),
        ("Council tax - Example Borough Council", "Council tax"),
        ("Covid-19 - what you need to know", "Covid-19 - what you need to know"),
        ("Q&A | Help", "Q&A | Help"),
        ("Plain title", "Plain title"),
    ],
)
def test_strip_site_name(title, expected):
    assert strip_site_name(title) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-03-03T09:00:00+00:00", "2020-03-03"),
        ("3 March 2020", "2020-03-03"),
        ("March 3, 2020", "2020-03-03"),
        ("Tue, 03 Mar 2020 09:00:00 GMT", "2020-03-03"),
        ("2020-02-30", "2020-02-30"),
        ("sometime in spring", "sometime in spring"),
    ],
)
def test_normalise_date(raw, expected):
    assert normalise_date(raw) == expected


def test_extract_file_dispatches_htm(tmp_path):
    path = make_html(tmp_path / "PAGE.HTM", title="Libraries", body_html="<p>Opening hours.</p>")
    assert extract_file(path).format == "html"


LONG_STORY = "".join(
    f"<p>Paragraph {n} of the report explains how the council moved its grants to local community groups, "
    f"what it cost, and which services improved for residents over the following year.</p>"
    for n in range(1, 9)
)


def test_long_article_drops_related_links_and_comment_counts(tmp_path):
    body = (
        f"<article><h1>Grants moved to community groups</h1>{LONG_STORY}</article>"
        '<div class="related-articles"><h2>Related articles</h2><ul><li><a href="/a">Bin strike ends</a></li>'
        '<li><a href="/b">Library hours change</a></li></ul></div>'
        '<div class="comment-count">42 comments</div>'
    )
    document = extract_html(make_html(tmp_path / "story.html", title="Grants", body_html=body))
    text = full_text(document)
    assert "Paragraph 8 of the report" in text
    assert "Bin strike ends" not in text and "42 comments" not in text
    assert document.warnings == []


def test_section_whose_id_starts_like_a_menu_is_kept(tmp_path):
    body = (
        f"<h1>Publications</h1>{LONG_STORY}"
        '<section id="navigating-the-storm"><h3>Navigating the Storm</h3>'
        "<p>How community organisations came through the pandemic, and what it cost them: a survey of 247 "
        "organisations with thirty interviews, finding thinner reserves and exhausted staff.</p></section>"
    )
    document = extract_html(make_html(tmp_path / "resources.html", title="Publications", body_html=body))
    assert "Navigating the Storm" in [page.section for page in document.pages]
    assert "survey of 247 organisations" in full_text(document)


def test_short_page_is_read_by_our_rules_and_says_so(tmp_path):
    document = extract_html(make_html(tmp_path / "p.html", title="Bins", body_html="<p>Bins go out on Monday.</p>"))
    assert full_text(document) == "Bins go out on Monday."
    assert document.warnings and "our own rules" in document.warnings[0]


def test_page_of_headings_only_keeps_its_headings(tmp_path):
    body = "<h2>Test Case 1</h2><img src='a.png'><h2>Test Case 2</h2><img src='b.png'>"
    document = extract_html(make_html(tmp_path / "p.html", title="Images", body_html=body, chrome=False))
    assert full_text(document) == "Test Case 1\nTest Case 2"


def test_who_wrote_it_and_who_said_a_quotation_are_kept(tmp_path):
    body = (
        "<article><h1>Three new members join the allotment society</h1>"
        '<div class="post-meta"><span class="author">By Morwenna Tallis, membership secretary</span>'
        '<span class="date">Posted on 3 May 2024</span></div>'
        + "<p>The society welcomed three new members this spring, each taking on a half plot by the river. "
          "They will share the tool shed and the water butts with the older plots. </p>" * 3
        + "<blockquote><p>We had a waiting list for the first time in ten years, and it is still growing.</p>"
          "<footer>— Idris Penhaligon, chair of the society</footer></blockquote>"
        + "<p>Plots are let for a year at a time, and rent goes to the upkeep of paths and fences.</p></article>"
    )
    document = extract_html(make_html(tmp_path / "news.html", title="Three new members", body_html=body))
    text = "\n".join(page.text for page in document.pages)
    assert "By Morwenna Tallis, membership secretary" in text
    assert "Idris Penhaligon, chair of the society" in text
    assert text.index("waiting list for the first time") < text.index("Idris Penhaligon")
    assert not any(phrase in text for phrase in CHROME_PHRASES)


def test_a_short_page_with_a_table_keeps_its_content_without_the_sites_menus(tmp_path):
    """trafilatura keeps the whole page when its own text is short; the menus then lifted it over our minimum."""
    make_html(tmp_path / "scores.html", title="Local multiplier scores",
              body_html="<h1>Local multiplier scores</h1><p>Hubs measured how much of each pound stayed in their "
                        "area.</p><table><tr><th>Council</th><th>Score</th></tr><tr><td>Norfolk</td><td>1.70</td></tr>"
                        "<tr><td>Cornwall</td><td>1.97</td></tr></table>")
    text = "\n".join(page.text for page in extract_html(tmp_path / "scores.html").pages)
    assert "each pound stayed in their area" in text and "Cornwall" in text and "1.97" in text
    assert not any(phrase in text for phrase in CHROME_PHRASES)
