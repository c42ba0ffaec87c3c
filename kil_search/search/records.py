"""One index generation's record numbering: every per-record array is read here, with one length.

Whoosh numbers the records of a generation segment by segment, deleted ones included, and
every array the search keeps per record (which document a passage belongs to, its page, its
field lengths, its facet values) is indexed by that number. Whoosh's own multi-segment
column reader leaves out the segments that have no file for a column: a segment holding
only document records (an incremental run that rewrote a record) has no `page` column, so
the page list came out shorter than the document list and questions crashed. Here every
column is read segment by segment, a segment without the column giving its default for each
of its records, and every array is checked against the one length before anyone uses it.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np


class MisalignedArray(RuntimeError):
    """An array built for a generation does not have one entry per record number."""


class RecordNumbering:
    """The record numbers (docnums) of one reader: their count, which are live, and columns over them."""

    def __init__(self, reader):
        self.reader = reader
        self.leaves = list(reader.leaf_readers())
        self.size = reader.doc_count_all()
        expected = 0
        for leaf, offset in self.leaves:
            if offset != expected:
                raise MisalignedArray(f"segment starts at record {offset}, expected {expected}")
            expected += leaf.doc_count_all()
        self.check("records", expected)
        self._live: np.ndarray | None = None

    @property
    def live(self) -> np.ndarray:
        """Return a mask of the records that are not deleted."""
        if self._live is None:
            live = np.zeros(self.size, dtype=bool)
            live[np.fromiter(self.reader.all_doc_ids(), dtype=np.int64)] = True
            self._live = live
        return self._live

    def column(self, field: str, default: Any) -> list:
        """Return a column's value for every record, default where a segment has no such column."""
        values: list = []
        for leaf, _offset in self.leaves:
            if leaf.has_column(field):
                values.extend(leaf.column_reader(field))
            else:
                values.extend([default] * leaf.doc_count_all())
        self.check(field, len(values))
        return values

    def field_lengths(self, field: str, default: int = 1) -> np.ndarray:
        """Return every record's length in a field (default for a record without the field)."""
        lengths: list = []
        for leaf, _offset in self.leaves:
            lengths.extend(leaf.doc_field_length(number, field, default) for number in range(leaf.doc_count_all()))
        return self.array(f"{field} lengths", lengths, np.float64)

    def array(self, name: str, values: Iterable, dtype) -> np.ndarray:
        """Return values as an array of one entry per record, or raise MisalignedArray."""
        built = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=dtype)
        self.check(name, len(built))
        return built

    def check(self, name: str, length: int) -> None:
        """Raise MisalignedArray unless length is the number of records."""
        if length != self.size:
            raise MisalignedArray(f"{name}: {length} entries for {self.size} records")
