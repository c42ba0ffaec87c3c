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
from . import facets
from .facets import FACETS, UNTRIMMED_FACETS, Facet, FacetCounts, FacetTable, Filters, _facet_counts, index_term
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
        self.value_number: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            numbering: dict[tuple[str, ...], int] = {}
            codes = [numbering.setdefault(values, len(numbering)) for values in table.values[facet.field]]
            tuples = list(numbering)
            names = sorted({value for values in tuples for value in values})
            value_number = self.value_number[facet.field] = {name: number for number, name in enumerate(names)}
            self.tuples[facet.field], self.names[facet.field] = tuples, names
            self.codes[facet.field] = np.array(codes, dtype=np.int64)
            self.starts[facet.field] = np.cumsum([0] + [len(values) for values in tuples])
            self.flat[facet.field] = np.array([value_number[value] for values in tuples for value in values], dtype=np.int64)
        self.documents = int(self.document.max()) + 1 if len(self.document) else 0
        self.document_code = {facet.field: self._per_document(self.codes[facet.field]) for facet in FACETS}
        fields = [facet.field for facet in FACETS]
        held_per_document = [field for field in fields if self.document_code[field] is not None]
        self.of_documents = _ValueSpace(self, held_per_document, [self.document_code[field] for field in held_per_document], True)
        held_per_passage = [field for field in fields if self.document_code[field] is None]
        self.of_passages = _ValueSpace(self, held_per_passage, [self.codes[field] for field in held_per_passage], False)

    def _per_document(self, codes: np.ndarray) -> np.ndarray | None:
        """Return each document's code when all its passages share one (a document-level facet), else None."""
        passages = self.is_passage
        first = np.full(self.documents, -1, dtype=np.int64)
        first[self.document[passages][::-1]] = codes[passages][::-1]  # the first passage's code wins
        return first if np.array_equal(first[self.document[passages]], codes[passages]) else None

    def passes(self, field: str, terms: set, docnums: np.ndarray | None = None) -> np.ndarray:
        """Return, per docnum (all, or those given), whether its values include one of terms."""
        per_code = np.array([bool(terms.intersection(values)) for values in self.tuples[field]], dtype=bool)
        codes = self.codes[field] if docnums is None else self.codes[field][docnums]
        return per_code[codes] if len(per_code) else np.zeros(len(codes), dtype=bool)

    def counts_of(self, fields: list[str], docnums: np.ndarray) -> dict[str, np.ndarray]:
        """Return, for each field, how many documents the given passages give each of its values (by value number).

        Facets held per document are counted over the distinct documents, the others over the
        distinct (document, combination of values) pairs: a few array operations in all, not per facet.
        """
        counted: dict[str, np.ndarray] = {}
        for space in (self.of_documents, self.of_passages):
            wanted = [field for field in fields if field in space.offsets]
            if not wanted:
                continue
            counts = space.counts(docnums) if len(docnums) else np.zeros(space.size, dtype=np.int64)
            for field in wanted:
                counted[field] = counts[space.offsets[field]:space.offsets[field] + len(self.names[field])]
        return counted

    def listed_counts(self, facet: Facet, counts: np.ndarray, chosen: set) -> tuple[dict[str, int], int]:
        """Return the counts of the values a facet can list, by name, and how many values with results it cannot.

        The values _facet_counts would leave out (beyond the FACET_VALUE_LIMIT most frequent, ties kept,
        chosen ones always in) are left out here, before any of them is named.
        """
        names, numbers = self.names[facet.field], np.flatnonzero(counts)
        hidden = 0
        limit = facets.FACET_VALUE_LIMIT
        if facet.name not in UNTRIMMED_FACETS and len(numbers) > limit:
            found = counts[numbers]
            edge = np.partition(found, len(found) - limit)[len(found) - limit]
            value_number = self.value_number[facet.field]
            keep = (found >= edge) | np.isin(numbers, [value_number[term] for term in chosen if term in value_number])
            hidden, numbers = len(numbers) - int(keep.sum()), numbers[keep]
        return dict(zip([names[number] for number in numbers.tolist()], counts[numbers].tolist())), hidden


class _ValueSpace:
    """The values of several facet fields numbered as one (each field from its offset), per owner code.

    An owner code stands for one combination of the fields' values: a document's (for facets held per
    document) or a passage's (for the others); counting then expands each distinct owner once.
    """

    def __init__(self, arrays: FacetArrays, fields: list[str], codes: list[np.ndarray], per_document: bool):
        self.arrays = arrays
        self.per_document = per_document  # codes are per document number, else per docnum
        self.offsets: dict[str, int] = {}
        size = 0
        for field in fields:
            self.offsets[field] = size
            size += len(arrays.names[field])
        self.size = size
        combinations, self.code = np.zeros((0, len(fields)), dtype=np.int64), np.zeros(0, dtype=np.int64)
        if fields and len(codes[0]):
            combinations, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
            self.code = inverse.reshape(-1).astype(np.int64)
        self.starts, self.flat = self._values(fields, combinations)
        self.combinations = max(1, len(combinations))
        if not per_document and fields:  # (with no fields, nothing is ever counted here)
            self._number_pairs()

    def _number_pairs(self) -> None:
        """Number the distinct (document, combination) pairs of the passages and the distinct (document,
        value) pairs they give, so that counting marks bitmaps as long as those lists, not documents x values."""
        arrays = self.arrays
        pair_keys, pair_of = np.unique(arrays.document * self.combinations + self.code, return_inverse=True)
        self.pair_of = pair_of.reshape(-1).astype(np.int64)  # per docnum
        values, pairs = _values_of_codes(self.starts, self.flat, pair_keys % self.combinations, np.arange(len(pair_keys)))
        owner_values, self.pair_value_of = np.unique((pair_keys // self.combinations)[pairs] * max(1, self.size) + values,
                                                     return_inverse=True)
        self.pair_value_of = self.pair_value_of.reshape(-1).astype(np.int64)  # grouped by pair, as values are
        self.pair_value_starts = np.concatenate([[0], np.cumsum(np.bincount(pairs, minlength=len(pair_keys)))]).astype(np.int64)
        self.value_of_pair_value = owner_values % max(1, self.size)

    def _values(self, fields: list[str], combinations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (starts, flat): the global value numbers of each combination of the fields' tuple codes."""
        arrays, owners, values = self.arrays, [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for column, field in enumerate(fields):
            codes = combinations[:, column]
            present = codes >= 0  # -1: a document without passages
            found, owned_by = _values_of_codes(arrays.starts[field], arrays.flat[field], codes[present], np.flatnonzero(present))
            values.append(found + self.offsets[field])
            owners.append(owned_by)
        owner, value = np.concatenate(owners), np.concatenate(values)
        starts = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(combinations)))]).astype(np.int64)
        return starts, value[np.argsort(owner, kind="stable")]

    def counts(self, docnums: np.ndarray) -> np.ndarray:
        """Return, per global value number, how many distinct documents the passages docnums give it."""
        arrays = self.arrays
        if self.per_document:
            owners = _distinct(arrays.document[docnums], arrays.documents)
            values, _owners = _values_of_codes(self.starts, self.flat, self.code[owners], owners)
            return np.bincount(values, minlength=self.size)
        pairs = _marked(self.pair_of[docnums], len(self.pair_value_starts) - 1)
        pair_values, _pairs = _values_of_codes(self.pair_value_starts, self.pair_value_of, pairs, pairs)
        pair_values = _marked(pair_values, len(self.value_of_pair_value))
        return np.bincount(self.value_of_pair_value[pair_values], minlength=self.size)


def _values_of_codes(starts: np.ndarray, flat: np.ndarray, codes: np.ndarray, owners: np.ndarray):
    """Expand codes to the value numbers of their tuples, with the owner of each value."""
    first = starts[codes]
    lengths = starts[codes + 1] - first
    places = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    return flat[places], np.repeat(owners, lengths)


def _marked(keys: np.ndarray, size: int) -> np.ndarray:
    """Return the distinct keys (all in 0..size-1), sorted, with a bitmap of size."""
    seen = np.zeros(size, dtype=bool)
    seen[keys] = True
    return np.flatnonzero(seen)


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
    chosen = _selected_terms(filters, gazetteer)
    passing = {field: arrays.passes(field, terms, docnums) for field, terms in chosen.items()}
    failed = sum((~ok).astype(np.int64) for ok in passing.values()) if passing else np.zeros(len(docnums), np.int64)
    unfiltered = [facet.field for facet in FACETS if facet.field not in passing]
    counts = arrays.counts_of(unfiltered, docnums[failed == 0] if passing else docnums)  # one pass for them all
    for field, ok in passing.items():  # a filtered facet also counts the passages failing only its own filter
        counts.update(arrays.counts_of([field], docnums[(failed == 0) | ((failed == 1) & ~ok)]))
    counted = []
    for facet in FACETS:
        listed, hidden = arrays.listed_counts(facet, counts[facet.field], chosen.get(facet.field, set()))
        counted.append(_facet_counts(facet, listed, filters, table, gazetteer, hidden))
    return counted
