"""Postings as arrays: one index generation's term postings and field lengths, decoded once.

Whoosh walks its posting lists one document at a time through a tree of Python
matcher objects, which costs tens of milliseconds for common words over 50,000
passages. Here a term's postings are read block by block straight into NumPy arrays
(docnums, weights) and kept in a bounded cache for the life of the generation, so
scoring and counting become a few vector operations. Nothing is keyed on query text:
the cache holds index data, like an operating system's page cache.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh.reading import TermNotFound

from ..index.schema import KIND_DOCUMENT
from .positions import decode_positions
from .records import RecordNumbering

CACHE_BYTES = 128 * 1024 * 1024  # decoded postings kept per worker, shared by its threads
SCORED_FIELDS = ("title", "section", "text")
POSITION_BITS = 20  # a passage has far fewer than a million words


class StaleArrays(Exception):
    """The arrays were closed because a newer generation replaced them."""


@dataclass
class TermPostings:
    """Where a term occurs: sorted docnums, weights and (for phrases) docnum << 20 | position keys."""

    ids: np.ndarray
    weights: np.ndarray
    keys: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        """Return the memory the arrays take."""
        return self.ids.nbytes + self.weights.nbytes + (self.keys.nbytes if self.keys is not None else 0)


class GenerationArrays:
    """Per-generation arrays: which document each docnum belongs to, its page, field lengths, postings.

    Every per-record array comes from one RecordNumbering, so all have the generation's record
    count (deleted records included, masked by `live`) and cannot disagree in length.
    """

    def __init__(self, index):
        self.source = index
        searcher = self._searcher = index.searcher()
        reader = searcher.reader()
        self.generation = reader.generation()
        self.size = reader.doc_count_all()
        self.leaves = reader.leaf_readers()
        self._lock = threading.Lock()
        self._closed = False
        self._cache: OrderedDict = OrderedDict()
        self._cached = 0
        numbering = RecordNumbering(reader)  # every array below has one entry per record number
        doc_id_column = numbering.column("doc_id", "")
        records = {number: searcher.stored_fields(number) for number in searcher.document_numbers(kind=KIND_DOCUMENT)}
        self.doc_ids = sorted(record["doc_id"] for record in records.values())
        ordinal = {doc_id: number for number, doc_id in enumerate(self.doc_ids)}
        self.records = [None] * len(self.doc_ids)
        for record in records.values():
            self.records[ordinal[record["doc_id"]]] = record
        self._ordinal = ordinal
        live = numbering.live
        self.doc_of = numbering.array("doc_of", [ordinal.get(doc_id, -1) for doc_id in doc_id_column], np.int64)
        self.doc_of[~live] = -1  # deleted records (an old version of a document) belong to no document
        for number in records:
            self.doc_of[number] = -1  # document records are not passages
        self.pages = numbering.array("pages", numbering.column("page", 0), np.int64)
        self.lengths = {name: numbering.field_lengths(name) for name in SCORED_FIELDS}
        self.live = live
        self._live_count: int | None = None
        self._average_lengths: dict[str, float] = {}
        self.numbering = numbering  # for any further per-record array: same numbering, same length

    def live_count(self) -> int:
        """Return how many records are not deleted (what a fresh build of the same files would hold)."""
        if self._live_count is None:
            self._live_count = int(self.live.sum())
        return self._live_count

    def average_length(self, field: str) -> float:
        """Return a field's mean length over the live records, the same whatever the index's history.

        Whoosh's avg_field_length divides a segment total by every record, deleted ones included,
        and a merge re-adds the merged records' rounded lengths to that total: after incremental
        runs scores differed from a rebuild's. Here it is the mean of the live records' own
        (rounded) lengths, which a rebuild of the same files gives too.
        """
        with self._lock:
            if field not in self._average_lengths:
                if self._closed:
                    raise StaleArrays("the index generation was replaced")
                lengths = self.numbering.field_lengths(field, default=0)[self.live]
                self._average_lengths[field] = float(np.nansum(lengths)) / max(1, self.live_count())
            return self._average_lengths[field]

    def frequency(self, field: str, text: str) -> float:
        """Return a term's total weight over the live records (Whoosh's frequency counts deleted ones)."""
        return float(self.term(field, text).weights.sum())

    def idf(self, field: str, text: str) -> float:
        """Return Whoosh's inverse document frequency of a term over the live records (see average_length)."""
        return math.log(self.live_count() / (len(self.term(field, text).ids) + 1)) + 1

    def ordinal(self, doc_id: str) -> int | None:
        """Return a document's number in these arrays, or None."""
        return self._ordinal.get(doc_id)

    def record(self, doc_id: str) -> dict | None:
        """Return a document's stored record (fields and details), or None."""
        ordinal = self._ordinal.get(doc_id)
        return None if ordinal is None else self.records[ordinal]

    def term(self, field: str, text: str, positions: bool = False) -> TermPostings:
        """Return a term's postings across segments (deleted documents left out)."""
        key = (field, text, positions)
        with self._lock:  # Whoosh's posting reader seeks a shared file: one decoder at a time
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
            if self._closed:
                raise StaleArrays("the index generation was replaced")
            read = None if positions else self._cache.get((field, text, True))  # positions read first: no second read
            found = self._cache[key] = TermPostings(read.ids, read.weights) if read is not None else self._read(field, text, positions)
            self._cached += found.nbytes
            while self._cached > CACHE_BYTES and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                self._cached -= dropped.nbytes
            return found

    def close(self) -> None:
        """Close the generation's own searcher (after any decoding in progress)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._searcher.close()

    def _segments_to_read(self, field: str, text: str) -> list[bool] | None:
        """Return, per segment, whether to look text up in it (None: in every one)."""
        return None

    def _read(self, field: str, text: str, positions: bool) -> TermPostings:
        """Decode every block of a term's posting lists into arrays."""
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        values: list | None = [] if positions else None
        wanted = self._segments_to_read(field, text)
        for place, (leaf, offset) in enumerate(self.leaves):
            if wanted is not None and not wanted[place]:
                continue
            try:
                matcher = leaf.postings(field, text)
            except TermNotFound:
                continue
            matcher = getattr(matcher, "child", matcher)  # a FilterMatcher over deletions: filtered below
            leaf_ids, leaf_weights, leaf_values = _decode_blocks(matcher, positions)
            id_parts.append(leaf_ids + offset if offset else leaf_ids)
            weight_parts.append(leaf_weights)
            if values is not None:
                values.append(decode_positions(leaf.schema[field].format, leaf_values))
        # docnums and Whoosh's float32 weights, stored exactly
        id_array = (np.concatenate(id_parts) if len(id_parts) > 1 else id_parts[0] if id_parts else _EMPTY_IDS).astype(np.int32)
        weight_array = (np.concatenate(weight_parts) if len(weight_parts) > 1 else weight_parts[0] if weight_parts
                        else _EMPTY_WEIGHTS).astype(np.float32)
        if values is not None:  # per leaf (positions per posting, the positions): joined
            counts = np.concatenate([leaf_counts for leaf_counts, _ in values] or [np.empty(0, np.int64)])
            flat = np.concatenate([leaf_flat for _, leaf_flat in values] or [np.empty(0, np.int64)])
        if len(id_array) and not self.live[id_array].all():
            keep = self.live[id_array]
            id_array, weight_array = id_array[keep], weight_array[keep]
            if values is not None:
                flat, counts = flat[np.repeat(keep, counts)], counts[keep]
        if values is None:
            return TermPostings(id_array, weight_array)
        return TermPostings(id_array, weight_array, (np.repeat(id_array.astype(np.int64), counts) << POSITION_BITS) | flat)


def _decode_blocks(matcher, positions: bool) -> tuple[np.ndarray, np.ndarray, list]:
    """Read a Whoosh leaf matcher's blocks whole rather than posting by posting: (docnums as int64, weights as
    float32, the values when positions are wanted).

    Each whoosh3 block is one pickled (docnum gaps, weights, values) tuple; Whoosh's own readers turn the gaps
    and weights into numbers one posting at a time through generators (a third of a first-seen word's read),
    NumPy sums and converts them at once, to the same numbers.
    """
    if not hasattr(matcher, "_read_data") or getattr(matcher, "_byteids", False):  # not the whoosh3 codec
        ids: list = []
        weights: list = []
        values: list = []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if positions:
                values.append(matcher.value())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32), values
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    block_values: list = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        gaps, weights, _values = matcher._data
        count = matcher._blocklength
        id_parts.append(np.cumsum(np.array(gaps, dtype=np.int64)))  # Whoosh's delta_decode
        if weights is None:  # every weight 1.0, or all the same: Whoosh stores one value or none
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_parts.append(np.array(weights, dtype=np.float32))
        if positions:
            matcher._read_values()
            block_values.extend(matcher._values)
        matcher._next_block()
    if not id_parts:
        return _EMPTY_IDS, _EMPTY_WEIGHTS, block_values
    if len(id_parts) == 1:
        return id_parts[0], weight_parts[0], block_values
    return np.concatenate(id_parts), np.concatenate(weight_parts), block_values


_EMPTY_IDS = np.empty(0, np.int64)
_EMPTY_WEIGHTS = np.empty(0, np.float32)
