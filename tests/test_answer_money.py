"""A question about money pooled, paid or raised is answered by a sum of money, not by any figure (issue 15)."""

from __future__ import annotations

import pytest
from builders import make_html
from conftest import indexed_client

from kil_search.answer.question import analyse_question
from kil_search.answer.shapes import wants_money


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app over a page where the pooling sentence has a year and counts, and the sum is said after it."""
    root = tmp_path_factory.mktemp("money")
    web = root / "corpus" / "web"
    web.mkdir(parents=True)
    make_html(web / "dredging.html", title="The dredging alliance",
              body_html="<h1>The dredging alliance</h1><p>In 2021 the harbour board and seven parish councils "
                        "agreed to pool their dredging budgets in a ten-year alliance with the four boatyards. "
                        "Working with the river authority, the board pooled £210,000 a year from maintenance and "
                        "tourism budgets and invited the boatyards to bid together.</p>")
    return indexed_client(root / "corpus", root / "index")


def test_how_much_was_pooled_asks_for_money():
    assert wants_money(analyse_question("How much a year did the harbour board pool for the alliance?"))


def test_the_sum_pooled_is_the_answer_not_a_sentence_with_counts(client):
    answer = client.get("/api/ask", query_string={"q": "How much a year did the harbour board pool for the alliance?"}
                        ).get_json()["answer"]
    assert answer is not None and "£210,000" in answer["text"]
