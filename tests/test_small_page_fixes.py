"""Two things a reader saw in the browser (issue 19): question words marked in excerpts, and
a contents list that numbered titles which carry their own numbers ("1. 1. About this guide")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builders import make_html, make_pdf
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.web import create_app

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("small-fixes")
    corpus = root / "corpus"
    (corpus / "guides").mkdir(parents=True)
    make_pdf(corpus / "guides" / "guide.pdf",
             ["What this guide is for and how to use it: commissioning from local organisations.",
              "How councils commission: what works when a council keeps its spending local."],
             title="A guide to local commissioning",
             outline=[("1. About this guide", 1, 0), ("2. How councils commission", 2, 0), ("2.1 What works", 2, 1)])
    make_html(corpus / "what-works.html", title="What works in community commissioning",
              body_html="<h1>What works</h1><p>What matters is how the council commissions community services.</p>")
    settings = load_settings(corpus_dir=corpus, index_dir=root / "index")
    run_index(settings)
    return create_app({"corpus_dir": corpus, "index_dir": root / "index", "TESTING": True}).test_client()


def marked_words(client, query: str) -> set[str]:
    """Return the words shown highlighted on the results page and in the JSON answer for query."""
    page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["total"] > 0, query
    excerpts = [page] + [passage["excerpt_html"] for result in data["results"] for passage in result["passages"]]
    return {word.lower() for html in excerpts for word in re.findall(r"<mark[^>]*>([^<]*)</mark>", html)}


@pytest.mark.parametrize("question", ["What is commissioning?", "What's commissioning?", "How do councils commission?",
                                      "how’s commissioning done"])
def test_question_words_are_not_highlighted(client, question):
    marked = marked_words(client, question)
    assert {"commissioning", "commission"} & marked  # the word asked about is marked...
    assert not marked & {"what", "how", "do", "is", "what's", "how’s"}  # ...the words that build the question are not


def test_a_question_word_typed_alone_is_still_searched_and_marked(client):
    assert "what" in marked_words(client, "What")


def test_contents_list_shows_each_titles_own_number_once(client):
    html = client.get("/documents/guides/guide.pdf").get_data(as_text=True)
    contents = re.search(r'<nav class="outline".*?</nav>', html, re.S).group()
    assert "<ol" not in contents  # no automatic numbers in front of titles that carry their own
    titles = re.findall(r"<li[^>]*><a [^>]*>([^<]*)</a>", contents)
    assert titles == ["1. About this guide", "2. How councils commission", "2.1 What works"]
    style = (REPO_ROOT / "static" / "style.css").read_text()
    assert re.search(r"\.outline ul \{[^}]*list-style: none", style)
