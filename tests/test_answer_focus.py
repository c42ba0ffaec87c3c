"""Near-miss questions: every rare word is on a page, but not the thing asked about with its value beside it."""

from __future__ import annotations

import pytest
from builders import make_html
from conftest import indexed_client

from kil_search.answer.question import analyse_question


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app over three small pages about two organisations on a harbour."""
    root = tmp_path_factory.mktemp("focus")
    web = root / "corpus" / "web"
    web.mkdir(parents=True)
    make_html(web / "harbour-trust.html", title="The Harbour Trust",
              body_html="<h1>The Harbour Trust</h1><p>The Harbour Trust runs a café and a boat yard on the quay at "
                        "Penmorva. Its volunteers repaired fourteen boats for local fishing families. The Harbour "
                        "Trust employs 12 staff, most of them from the town. Its annual turnover is £640,000, half "
                        "of it from the café.</p>")
    make_html(web / "survey.html", title="Survey of harbour organisations",
              body_html="<h1>Survey of harbour organisations</h1><p>We surveyed the organisations around the quay "
                        "in spring, with help from the Fenwick Guild. Respondents ranged from volunteer groups to "
                        "sailing clubs with turnovers above £2 million; the median annual income was about "
                        "£90,000.</p><p>The Fenwick Guild trains young people in boat repair on the old slipway.</p>")
    make_html(web / "marsh.html", title="The Marsh Cooperative",
              body_html="<h1>The Marsh Cooperative</h1><p>The Marsh Cooperative grows salt-marsh plants for "
                        "restoration schemes along the estuary. It employs 30 staff and sells to three councils.</p>")
    return indexed_client(root / "corpus", root / "index")


def ask(client, question: str) -> dict:
    """Return /api/ask's JSON for a question."""
    response = client.get("/api/ask", query_string={"q": question})
    assert response.status_code == 200
    return response.get_json()


def test_a_figure_beside_the_thing_asked_about_is_the_answer(client):
    answer = ask(client, "What is the Harbour Trust's annual turnover?")["answer"]
    assert answer is not None and "£640,000" in answer["text"]
    staff = ask(client, "How many staff does the Harbour Trust employ?")["answer"]
    assert staff is not None and "12 staff" in staff["text"]


def test_a_turnover_figure_said_of_others_does_not_answer(client):
    # The survey page holds "Fenwick Guild", "annual" and a turnover figure, but not the Guild's turnover.
    assert ask(client, "What is the Fenwick Guild's annual turnover?")["answer"] is None


def test_a_staff_count_of_another_organisation_does_not_answer(client):
    # Only the Marsh Cooperative's staff are counted anywhere; the Guild's page says nothing of its staff.
    assert ask(client, "How many staff does the Fenwick Guild employ?")["answer"] is None


def test_a_role_no_page_names_gets_no_answer(client):
    assert ask(client, "Who is the chair of the Fenwick Guild?")["answer"] is None


def test_the_focus_is_the_thing_asked_about_not_the_kind_of_answer():
    assert analyse_question("What is Locality's annual turnover?").focus == ("annual", "turnover")
    assert analyse_question("Who is the current chief executive of the Trust?").focus == ("chief", "executive")
    assert analyse_question("How many staff does the Trust employ?").focus == ("staff",)
    assert analyse_question("What broadband speeds do rural parishes get?").focus == ("broadband", "speeds")
    # The kind of answer ("what year", "the name of") and a subject asked to be defined are no focus.
    assert analyse_question("What year did the trust open?").focus == ()
    assert analyse_question("What is the name of the boat yard?").focus == ()
    assert analyse_question("What is the Social Value Act?").focus == ()
    assert analyse_question("Who was made governor of the island?").focus == ()
