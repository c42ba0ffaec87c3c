"""Reading a passage's stored fields straight from its segment gives what Whoosh's reader gives."""

from __future__ import annotations

import pytest
from whoosh.reading import ReaderClosed

from test_vocabulary import _incrementally_updated
from kil_search.search.grouping import read_stored_fields


def test_every_record_of_every_segment_reads_as_whoosh_reads_it(tmp_path):
    index = _incrementally_updated(tmp_path)
    with index.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) > 1
        for docnum in range(reader.doc_count_all()):
            expected, found = searcher.stored_fields(docnum), read_stored_fields(searcher, docnum)
            assert found == expected and list(found) == list(expected)  # same fields, same order
            assert found is not read_stored_fields(searcher, docnum)  # a dict of its own each time
        assert any(fields.get("text") for fields in map(searcher.stored_fields, range(reader.doc_count_all())))
    index.close()


def test_a_closed_searcher_refuses_as_whoosh_does(tmp_path):
    index = _incrementally_updated(tmp_path)
    searcher = index.searcher()
    searcher.close()
    with pytest.raises(ReaderClosed):
        read_stored_fields(searcher, 0)
    index.close()
