"""A question asking for a share ("what proportion", "what weighting") is answered by a percentage or a
fraction, never by a count that happens to sit beside the question's words (issue 15)."""

from __future__ import annotations

import pytest
from builders import make_html
from conftest import indexed_client

from kil_search.answer.candidates import Unit
from kil_search.answer.question import analyse_question
from kil_search.answer.shapes import has_shape


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app over a page whose results table counts residents trained under the contract, in the question's words."""
    root = tmp_path_factory.mktemp("share")
    web = root / "corpus" / "web"
    web.mkdir(parents=True)
    make_html(web / "ferry.html", title="The Wyre ferry contract",
              body_html="<h1>The Wyre ferry contract</h1><p>The harbour board let the ferry contract through a short "
                        "open process: a six-page form, a visit to the slipway in place of a presentation, and social "
                        "value weighted at 15% of the score. The crossing now runs every day from Easter.</p>"
                        "<h2>Results</h2><table><tr><th>Measure</th><th>2023</th></tr>"
                        "<tr><td>Residents given social value training by the harbour board (ferry contract)</td><td>412</td></tr>"
                        "<tr><td>Days the crossing ran</td><td>301</td></tr></table>")
    return indexed_client(root / "corpus", root / "index")


def test_the_weighting_is_the_percentage_not_the_count_in_the_table(client):
    answer = client.get("/api/ask", query_string={
        "q": "What weighting did the harbour board give social value when letting the ferry contract?"}).get_json()["answer"]
    assert answer is not None and "15%" in answer["text"] and "412" not in answer["text"]


@pytest.mark.parametrize("text, fits", [
    ("Social value was weighted at 15% of the score.", True),
    ("Two in five respondents had cut a service.", True),
    ("Around a third of the budget went to local firms.", True),
    ("Passengers carried under the ferry contract | 4,120", False),
])
def test_a_share_question_wants_a_percentage_or_a_fraction(text, fits):
    question = analyse_question("What proportion of the budget went to local firms?")
    unit = Unit(None, text, "sentence", "", "", (), 0)
    assert has_shape(question, unit) is fits
