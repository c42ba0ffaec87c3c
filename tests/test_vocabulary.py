"""A generation's vocabulary answers word look-ups from memory exactly as Whoosh answers them."""

from __future__ import annotations

import numpy as np

from conftest import search_over_pages
from kil_search.config import load_settings
from kil_search.index.store import open_live_index
from kil_search.indexing import run_index
from kil_search.search.postings import GenerationArrays
from kil_search.search.vocabulary import Vocabulary, VocabularyArrays

PAGES = {
    "orchards.html": ("Community orchards", "<h2>Planting</h2><p>Volunteers planted apple trees in the parish orchard.</p>"),
    "ferries.html": ("River ferries", "<h2>Timetables</h2><p>The ferry crossing runs hourly in summer.</p>"),
    "markets.html": ("Farmers markets", "<p>Stallholders sell cheese and apples on Saturdays.</p>"),
}


def _incrementally_updated(tmp_path):
    """Index the pages, then change one and remove another: an index with deletions over several segments."""
    service = search_over_pages(tmp_path, PAGES)
    service.close()
    corpus = tmp_path / "corpus"
    (corpus / "ferries.html").write_text("<html><head><title>River boats</title></head><body><p>Boats carry "
                                         "bicycles across the estuary.</p></body></html>", encoding="utf-8")
    (corpus / "markets.html").unlink()
    run_index(load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", jobs=1))
    return open_live_index(tmp_path / "index")


def test_counts_are_whooshs_for_every_word_of_every_field_deleted_records_included(tmp_path):
    index = _incrementally_updated(tmp_path)
    with index.reader() as reader:
        assert reader.has_deletions()
        vocabulary = Vocabulary(reader)
        for field in ("title", "section", "text"):
            words = [word.decode("utf-8") for word in reader.lexicon(field)]
            assert words
            for word in words:
                assert vocabulary.holds(field, word)
                assert vocabulary.doc_frequency(field, word) == reader.doc_frequency(field, word) > 0
        assert vocabulary.holds("text", "chees")  # only the removed page had it: Whoosh keeps it until a merge
        assert not vocabulary.holds("text", "zeppelin")
        assert vocabulary.doc_frequency("text", "zeppelin") == reader.doc_frequency("text", "zeppelin") == 0
    index.close()


def test_arrays_give_the_same_postings_and_empty_ones_for_unknown_words(tmp_path):
    index = _incrementally_updated(tmp_path)
    plain = GenerationArrays(index)
    with index.reader() as reader:
        shortcut = VocabularyArrays(index, Vocabulary(reader))
    for field, word in [("text", "orchard"), ("text", "boat"), ("title", "river"), ("text", "chees"), ("section", "plant")]:
        for positions in (False, True):
            expected, found = plain.term(field, word, positions), shortcut.term(field, word, positions)
            assert np.array_equal(expected.ids, found.ids) and np.array_equal(expected.weights, found.weights)
            assert (expected.keys is None) == (found.keys is None)
    for positions in (False, True):
        expected, found = plain.term("title", "zeppelin", positions), shortcut.term("title", "zeppelin", positions)
        assert len(found.ids) == len(found.weights) == 0
        assert (found.ids.dtype, found.weights.dtype) == (expected.ids.dtype, expected.weights.dtype)
        assert (found.keys is None) == (expected.keys is None)
        if positions:
            assert found.keys.dtype == expected.keys.dtype and not len(found.keys)
    plain.close()
    shortcut.close()
    index.close()


def test_search_finds_live_words_and_not_removed_or_unknown_ones(tmp_path):
    _incrementally_updated(tmp_path).close()
    from kil_search.search import SearchService

    service = SearchService(tmp_path / "index")
    try:
        assert [hit.id for hit in service.search("estuary bicycles").results] == ["ferries.html"]
        assert service.search("cheese").total == 0  # the removed page's word
        assert service.search("zeppelin").total == 0
        assert service.search("orchard").total == 1
    finally:
        service.close()


def test_every_word_is_read_from_exactly_the_segments_holding_it_with_the_same_postings(tmp_path):
    index = _incrementally_updated(tmp_path)
    plain = GenerationArrays(index)
    with index.reader() as reader:
        vocabulary = Vocabulary(reader)
        shortcut = VocabularyArrays(index, vocabulary)
    assert len(shortcut.leaves) > 1 and shortcut._segment_bits is not None
    asked: list[tuple[int, str]] = []
    for place, (leaf, _offset) in enumerate(shortcut.leaves):
        def postings(field, text, *args, _leaf=leaf, _place=place, **kwargs):
            asked.append((_place, text))
            return type(_leaf).postings(_leaf, field, text, *args, **kwargs)
        leaf.postings = postings  # this instance only: record which segments are asked
    for field in ("title", "section", "text"):
        for word in [word.decode("utf-8") for word in plain._searcher.reader().lexicon(field)] + ["zeppelin"]:
            for positions in (False, True):
                asked.clear()
                expected, found = plain._read(field, word, positions), shortcut._read(field, word, positions)
                assert np.array_equal(expected.ids, found.ids) and np.array_equal(expected.weights, found.weights)
                assert (expected.keys is None and found.keys is None) or np.array_equal(expected.keys, found.keys)
                holding = {place for place, (leaf, _offset) in enumerate(shortcut.leaves)
                           if leaf.doc_frequency(field, word) > 0}
                assert {place for place, _text in asked} == holding
    plain.close()
    shortcut.close()
    index.close()
