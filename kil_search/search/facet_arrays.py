"""Facets as arrays: count facet values over known matching passages with vector operations.

The same counts as facets.count_facets, without a query pass or a Python loop per passage:
each facet field gets one code per passage (its tuple of values), so choosing passages,
pairing them with their documents and counting distinct documents per value are NumPy
operations over all matches at once.
"""

from __future__ import annotations

import threading

import numpy as np

from ..index.schema import KIND_PASSAGE
from ..places import Gazetteer
from .facets import FACETS, FacetCounts, FacetTable, Filters, _facet_counts, index_term
from .sets import distinct

DENSE_LIMIT = 8_000_000  # (document, value) pairs counted with a bitmap up to this many (if not too sparse)


class FacetArrays:
    """A FacetTable as arrays: for each facet field, a code per passage for its tuple of values."""

    def __init__(self, table: FacetTable):
        self.is_passage = np.array([kind == KIND_PASSAGE for kind in table.kinds], dtype=bool)
        documents = {doc_id: number for number, doc_id in enumerate(dict.fromkeys(table.doc_ids))}
        self.document = np.array([documents[doc_id] for doc_id in table.doc_ids], dtype=np.int64)
        self.tuples: dict[str, list[tuple[str, ...]]] = {}
        self.codes: dict[str, np.ndarray] = {}
        self.names: dict[str, list[str]] = {}
        self.starts: dict[str, np.ndarray] = {}
        self.flat: dict[str, np.ndarray] = {}
        for facet in FACETS:
            numbering: dict[tuple[str, ...], int] = {}
            codes = [numbering.setdefault(values, len(numbering)) for values in table.values[facet.field]]
            tuples = list(numbering)
            names = sorted({value for values in tuples for value in values})
            value_number = {name: number for number, name in enumerate(names)}
            self.tuples[facet.field], self.names[facet.field] = tuples, names
            self.codes[facet.field] = np.array(codes, dtype=np.int64)
            self.starts[facet.field] = np.cumsum([0] + [len(values) for values in tuples])
            self.flat[facet.field] = np.array([value_number[value] for values in tuples for value in values], dtype=np.int64)
        self.documents = int(self.document.max()) + 1 if len(self.document) else 0
        self.document_code = {facet.field: self._per_document(self.codes[facet.field]) for facet in FACETS}

    def _per_document(self, codes: np.ndarray) -> np.ndarray | None:
        """Return each document's code when all its passages share one (a document-level facet), else None."""
        passages = self.is_passage
        first = np.full(self.documents, -1, dtype=np.int64)
        first[self.document[passages][::-1]] = codes[passages][::-1]  # the first passage's code wins
        return first if np.array_equal(first[self.document[passages]], codes[passages]) else None

    def _values_of(self, field: str, codes: np.ndarray, owners: np.ndarray):
        """Return (value numbers, owners) for the tuples of the given codes."""
        return _values_of_codes(self.starts[field], self.flat[field], codes, owners)

    def passes(self, field: str, terms: set, docnums: np.ndarray | None = None) -> np.ndarray:
        """Return, per docnum (all, or those given), whether its values include one of terms."""
        per_code = np.array([bool(terms.intersection(values)) for values in self.tuples[field]], dtype=bool)
        codes = self.codes[field] if docnums is None else self.codes[field][docnums]
        return per_code[codes] if len(per_code) else np.zeros(len(codes), dtype=bool)

    def document_counts(self, field: str, docnums: np.ndarray) -> dict[str, int]:
        """Return, for each value of field, how many documents the given passages give it."""
        names = self.names[field]
        if not len(docnums) or not names:
            return {}
        per_document = self.document_code[field]
        if per_document is not None:  # one code per document: count over the distinct documents
            documents = _distinct(self.document[docnums], self.documents)
            values, owners = self._values_of(field, per_document[documents], documents)
            counts = np.bincount(values, minlength=len(names))
        else:
            values, owners = self._values_of(field, self.codes[field][docnums], self.document[docnums])
            pairs = _distinct(owners * len(names) + values, self.documents * len(names))
            counts = np.bincount(pairs % len(names), minlength=len(names))
        return {names[number]: int(counts[number]) for number in np.flatnonzero(counts)}


def _values_of_codes(starts: np.ndarray, flat: np.ndarray, codes: np.ndarray, owners: np.ndarray):
    """Expand codes to the value numbers of their tuples, with the owner of each value."""
    first = starts[codes]
    lengths = starts[codes + 1] - first
    places = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    return flat[places], np.repeat(owners, lengths)


def _distinct(keys: np.ndarray, size: int) -> np.ndarray:
    """Return the distinct keys (all in 0..size-1), sorted: a bitmap when it is dense enough, else a sort."""
    if size <= min(DENSE_LIMIT, max(1 << 16, 16 * len(keys))):
        seen = np.zeros(size, dtype=bool)
        seen[keys] = True
        return np.flatnonzero(seen)
    return distinct(keys)


_BUILD_LOCK = threading.Lock()


def facet_arrays(table: FacetTable) -> FacetArrays:
    """Return the table's arrays, built on first use (once, however many threads ask)."""
    holder = table.__dict__.setdefault("_arrays_holder", [])  # shared by shallow copies of the table
    if not holder:
        with _BUILD_LOCK:
            if not holder:
                holder.append(FacetArrays(table))
    return holder[0]


def _selected_terms(filters: Filters, gazetteer: Gazetteer) -> dict[str, set]:
    """Return the index terms chosen in each filtered facet's field."""
    return {facet.field: {index_term(facet, value, gazetteer) for value in filters[facet.name]}
            for facet in FACETS if facet.name in filters}


def passing_passages(table: FacetTable, filters: Filters, gazetteer: Gazetteer) -> np.ndarray:
    """Return a mask over docnums of the passages passing every filter (what filter_query keeps)."""
    arrays = facet_arrays(table)
    keep = arrays.is_passage.copy()
    for field, terms in _selected_terms(filters, gazetteer).items():
        keep &= arrays.passes(field, terms)
    return keep


def count_facets_of(table: FacetTable, docnums: np.ndarray, filters: Filters, gazetteer: Gazetteer) -> list[FacetCounts]:
    """Count facets as count_facets does, for the passages already known to match (vector operations)."""
    arrays = facet_arrays(table)
    docnums = docnums[arrays.is_passage[docnums]]
    passing = {field: arrays.passes(field, terms, docnums) for field, terms in _selected_terms(filters, gazetteer).items()}
    failed = sum((~ok).astype(np.int64) for ok in passing.values()) if passing else np.zeros(len(docnums), np.int64)
    counted = []
    for facet in FACETS:
        relevant = failed == 0
        if facet.field in passing:
            relevant |= (failed == 1) & ~passing[facet.field]
        counts = arrays.document_counts(facet.field, docnums[relevant])
        counted.append(_facet_counts(facet, counts, filters, table, gazetteer))
    return counted
