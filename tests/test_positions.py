"""Word positions decoded from Whoosh's stored values in one go equal Whoosh's own decoding, value by value."""

from __future__ import annotations

import random

import numpy as np
from whoosh.formats import Characters, Positions

from kil_search.search.positions import decode_positions


def _values(format_, position_lists):
    """Return Whoosh's stored value for each list of positions (as its writer stores them)."""
    if isinstance(format_, Characters):
        return [format_.encode([(position, position * 5, position * 5 + 4) for position in positions]) for positions in position_lists]
    return [format_.encode(positions) for positions in position_lists]


def _expected(format_, values):
    """Return (counts, flat positions) decoded one value at a time by Whoosh."""
    lists = [format_.decode_positions(value) for value in values]
    return [len(positions) for positions in lists], [position for positions in lists for position in positions]


def _check(format_, values):
    counts, flat = decode_positions(format_, values)
    expected_counts, expected_flat = _expected(format_, values)
    assert counts.dtype == flat.dtype == np.int64
    assert counts.tolist() == expected_counts
    assert flat.tolist() == expected_flat


def test_many_postings_small_and_large_positions_equal_whooshs():
    chosen = random.Random(14)
    position_lists = [sorted(chosen.sample(range(limit), chosen.randint(1, 40))) for limit in (50, 300, 70_000, 900_000) for _ in range(60)]
    position_lists.append(list(range(0, 3000, 2)))  # past pickle's batches of a thousand items
    chosen.shuffle(position_lists)
    _check(Positions(), _values(Positions(), position_lists))


def test_one_posting_and_none():
    _check(Positions(), _values(Positions(), [[7]]))
    counts, flat = decode_positions(Positions(), [])
    assert counts.tolist() == flat.tolist() == []


def test_a_value_without_its_stop_and_another_format_decode_as_whoosh_does():
    values = _values(Positions(), [[1, 4, 9], [2], [300, 301]])
    values[1] = values[1][:-1]  # Whoosh's decode_positions adds the STOP back itself
    _check(Positions(), values)
    _check(Characters(), _values(Characters(), [[1, 4, 9], [2], [300, 301]]))


def test_postings_taken_from_a_positions_read_equal_a_plain_read(tmp_path):
    from conftest import search_over_pages
    from kil_search.index.store import open_live_index
    from kil_search.search.postings import GenerationArrays

    search_over_pages(tmp_path, {"canals.html": ("Canal towpaths", "<p>The canal towpath reopened; canal boats moor by the lock.</p>"),
                                 "locks.html": ("Lock keepers", "<p>Lock keepers open the lock gates for boats.</p>")}).close()
    index = open_live_index(tmp_path / "index")
    positions_first, plain = GenerationArrays(index), GenerationArrays(index)
    for word in ("canal", "lock", "boat", "absent"):
        with_positions = positions_first.term("text", word, positions=True)
        derived, expected = positions_first.term("text", word), plain.term("text", word)
        assert derived.keys is None and expected.keys is None
        assert np.array_equal(derived.ids, expected.ids) and np.array_equal(derived.weights, expected.weights)
        assert np.array_equal(derived.ids, with_positions.ids)
    assert len(plain.term("text", "lock").ids) == 2
    positions_first.close()
    plain.close()
    index.close()
