"""Caches of the search path: a value worked out over one index generation is never seen by another (issue 14)."""

from __future__ import annotations

import time

import pytest

from builders import make_html
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.search.generation_cache import GenerationCache
from kil_search.search.service import REFRESH_CHECK_SECONDS
from kil_search.web import create_app


class Index:
    """Stands for an open index: the cache tells indexes apart by identity."""


def test_a_new_generation_never_sees_the_old_ones_values():
    cache, index = GenerationCache(10), Index()
    assert cache.get(index, 1, "q", lambda: "old") == "old"
    assert cache.get(index, 1, "q", lambda: "recomputed") == "old"
    assert cache.get(index, 2, "q", lambda: "new") == "new"
    assert cache.get(Index(), 2, "q", lambda: "other index") == "other index"


def test_the_least_recently_used_value_goes_first():
    cache, index = GenerationCache(2), Index()
    cache.get(index, 1, "a", lambda: 1)
    cache.get(index, 1, "b", lambda: 2)
    cache.get(index, 1, "a", lambda: 0)  # a is used again: b is now the oldest
    cache.get(index, 1, "c", lambda: 3)
    assert cache.get(index, 1, "a", lambda: "gone") == 1
    assert cache.get(index, 1, "b", lambda: "gone") == "gone"


def test_a_thread_on_the_previous_generation_does_not_empty_the_newer_one():
    cache, index = GenerationCache(10), Index()
    cache.get(index, 2, "q", lambda: "new")
    cache.get(index, 1, "q", lambda: "old")
    assert cache.get(index, 2, "q", lambda: "recomputed") == "new"
    assert cache.get(index, 1, "q", lambda: "recomputed") == "old"


def test_a_cache_without_room_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        GenerationCache(0)


def _write(corpus, text: str) -> None:
    make_html(corpus / "grants.html", title="Council grants", body_html=f"<h2>Grants</h2><p>{text}</p>")
    make_html(corpus / "care.html", title="Adult care", body_html="<h2>Care</h2><p>The council commissions adult social "
              "care from local providers and reviews the contracts every year.</p>")


def _search(client, query: str) -> dict:
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize("rebuild", [False, True], ids=["incremental", "rebuild"])
def test_the_same_query_after_a_reindex_shows_the_changed_text(tmp_path, rebuild):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, "The council funds local charities that support adult social care at home.")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1, extract_timeout=30)
    run_index(settings)
    client = create_app({"corpus_dir": corpus, "index_dir": settings.index_dir, "TESTING": True}).test_client()
    for _ in range(2):  # the second time from the caches
        assert _search(client, "microgrants")["total"] == 0
        assert {hit["id"] for hit in _search(client, "care -microgrants")["results"]} == {"grants.html", "care.html"}
        assert _search(client, "microgrnats")["did_you_mean"] is None

    _write(corpus, "The council now awards microgrants to local charities; a panel of residents decides on adult care.")
    run_index(settings, rebuild=rebuild)
    time.sleep(REFRESH_CHECK_SECONDS + 0.1)  # the app looks for a new generation once a second

    found = _search(client, "microgrants")
    assert found["total"] == 1 and "<mark>microgrants</mark>" in found["results"][0]["passages"][0]["excerpt_html"]
    assert {hit["id"] for hit in _search(client, "care -microgrants")["results"]} == {"care.html"}
    assert _search(client, "microgrnats")["did_you_mean"] == {"query": "microgrants", "total": 1}
