"""Answers that are lists spread over a page break or under numbered subheadings, and question phrasing (issue 15)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from builders import make_pdf
from conftest import indexed_client
from kil_search.answer.candidates import Page, announcing_line, is_list, units_of
from kil_search.answer.question import analyse_question
from kil_search.search import SearchService

FILLER = ("The trust has worked on the estate for many years with residents, the council and local businesses, "
          "and it reports every year on what it has done and what it plans to do next. ")
STEPS_PAGES = [
    "Lighthouse Trust plan. " + FILLER * 4,
    "How we will work. " + FILLER * 3 + "\nThe plan sets out four steps that the trust will take over the next year:",
    "1. Repaint the lantern room before the winter gales.\n"
    "2. Open the keeper's cottage as a museum.\n"
    "3. Train volunteers to guide visitors.\n"
    "4. Raise funds for a new foghorn.\n"
    "Each step has its own budget and its own lead volunteer. " + FILLER,
]
RECOMMENDATIONS_PAGES = [
    "Lighthouse review. " + FILLER * 4,
    "5. Four recommendations\n"
    "Our recommendations are addressed to the county council and to the trust's board.\n"
    "5.1 For the county council\n"
    "1. Fund the coastal path for five years.\n"
    "2. Transfer the old pier to the trust.\n"
    "5.2 For the board\n"
    "3. Publish the accounts each quarter.\n"
    "4. Recruit two trustees from the harbour estate.\n"
    "6. Next steps\n"
    "The board will answer the recommendations by the spring. " + FILLER,
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """Return a test client over a library of two short PDFs whose lists break across pages or subheadings."""
    root = tmp_path_factory.mktemp("lists")
    (root / "corpus" / "reports").mkdir(parents=True)
    make_pdf(root / "corpus" / "reports" / "lighthouse-plan.pdf", STEPS_PAGES, title="Lighthouse Trust plan")
    make_pdf(root / "corpus" / "reports" / "lighthouse-review.pdf", RECOMMENDATIONS_PAGES, title="Lighthouse review")
    return indexed_client(root / "corpus", root / "index")


def ask(client, question: str) -> dict | None:
    """Return the answer /api/ask gives to question (None when it gives none)."""
    return client.get(f"/api/ask?q={quote(question)}").get_json()["answer"]


def test_a_list_announced_at_the_foot_of_a_page_is_answered_with_the_next_pages_items(client):
    answer = ask(client, "What are the four steps the Lighthouse Trust will take?")
    assert answer is not None and answer["document"]["id"] == "reports/lighthouse-plan.pdf"
    for step in ("Repaint the lantern room", "keeper's cottage", "Train volunteers", "new foghorn"):
        assert step in answer["text"]


def test_a_heading_announcing_n_things_gathers_them_across_its_numbered_subheadings(client):
    answer = ask(client, "What are the four recommendations of the Lighthouse review?")
    assert answer is not None and answer["page"] == 2
    for recommendation in ("coastal path", "old pier", "accounts each quarter", "two trustees"):
        assert recommendation in answer["text"]
    assert "Next steps" not in answer["text"]


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("When did the regatta take place?", ["regatta"]),
        ("What was the old pier known as?", ["old", "pier"]),
        ("What were these boats called?", ["boat"]),
        ("Why didn't the council fund the path today?", ["council", "fund", "path"]),
        ("When did the festival begin?", ["festiv"]),
        ("Where is the place of worship?", ["place", "worship"]),  # "place" is content unless "take place"
    ],
)
def test_question_phrasing_is_not_what_a_question_is_about(question, terms):
    assert analyse_question(question).terms == terms


def test_a_page_opening_with_a_list_keeps_the_line_announcing_it_from_the_page_before(tmp_path):
    root = tmp_path / "corpus"
    (root / "reports").mkdir(parents=True)
    make_pdf(root / "reports" / "lighthouse-plan.pdf", STEPS_PAGES, title="Lighthouse Trust plan")
    indexed_client(root, tmp_path / "index")
    service = SearchService(tmp_path / "index")
    fields = service.page_passages("reports/lighthouse-plan.pdf", 3)[0]
    text = "\n".join(part["text"] for part in service.page_passages("reports/lighthouse-plan.pdf", 3))
    page = Page(fields, text, 0, 1.0, announced=announcing_line(service, fields, text))
    lists = [unit.text.splitlines() for unit in units_of(page) if is_list(unit)]
    assert lists and lists[0][0].endswith("four steps that the trust will take over the next year:")
    assert [line[:2] for line in lists[0][1:]] == ["1.", "2.", "3.", "4."]
