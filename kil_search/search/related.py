"""More like this: documents that share a document's most telling words.

Whoosh's expander picks the words of the document's passages that are frequent in it and rare
in the library (the Bo1 model); those words, weighted, form a query whose best passages outside
the document rank the related documents, as search results are ranked.

With the generation's arrays, the library's counts and the scores are those of its live records
(Whoosh's own count deleted records until a merge drops them), so a document page shows the
same related documents after incremental runs as after a rebuild; ties go by document id.
"""

from __future__ import annotations

import numpy as np
from whoosh import classify, sorting
from whoosh import query as wq

from ..index.schema import KIND_PASSAGE
from .postings import GenerationArrays

KEY_TERMS = 30
# Enough passages to characterise a long report without reading all of it.
MAX_PASSAGES_READ = 120
FIELD = "text"


def related_documents(searcher, doc_id: str, limit: int = 5, arrays: GenerationArrays | None = None,
                      score=None) -> list[tuple[str, float]]:
    """Return (doc_id, score) of the documents most like this one, best first.

    arrays (of the searcher's generation) and score (query -> Matches over them) count live records only.
    """
    if arrays is not None and score is not None:
        return _related_over_arrays(searcher, doc_id, limit, arrays, score)
    docnums = list(searcher.document_numbers(doc_id=doc_id, kind=KIND_PASSAGE))[:MAX_PASSAGES_READ]
    if not docnums:
        return []
    terms = searcher.key_terms(docnums, FIELD, numterms=KEY_TERMS)
    if not terms:
        return []
    results = searcher.search(_similar(terms), filter=wq.Term("kind", KIND_PASSAGE), mask=wq.Term("doc_id", doc_id),
                              limit=limit * 20, groupedby=sorting.FieldFacet("doc_id"))
    best: dict[str, float] = {}
    for hit in results:
        best.setdefault(hit["doc_id"], hit.score)
    return sorted(best.items(), key=lambda item: -item[1])[:limit]


def _similar(terms: list[tuple[str, float]]) -> wq.Query:
    """Return the query of the key terms, each weighted."""
    return wq.Or([wq.Term(FIELD, term, boost=weight) for term, weight in terms])


def _related_over_arrays(searcher, doc_id: str, limit: int, arrays: GenerationArrays, score) -> list[tuple[str, float]]:
    """Find related documents with the live records' counts and scores."""
    ordinal = arrays.ordinal(doc_id)
    if ordinal is None:
        return []
    docnums = np.flatnonzero(arrays.doc_of == ordinal)[:MAX_PASSAGES_READ].tolist()
    if not docnums:
        return []
    expander = classify.Expander(_LiveCounts(searcher.reader(), arrays), FIELD)
    for docnum in docnums:
        expander.add_document(docnum)
    terms = expander.expanded_terms(KEY_TERMS)
    if not terms:
        return []
    matches = score(_similar(terms))
    documents = arrays.doc_of[matches.ids]
    keep = (documents >= 0) & (documents != ordinal)
    best = np.full(len(arrays.doc_ids), -np.inf)
    np.maximum.at(best, documents[keep], matches.scores[keep])
    found = [(arrays.doc_ids[number], float(best[number])) for number in np.flatnonzero(np.isfinite(best))]
    return sorted(found, key=lambda item: (-item[1], item[0]))[:limit]


class _LiveCounts:
    """What Whoosh's expander reads of an index, counted over live records only."""

    def __init__(self, reader, arrays: GenerationArrays):
        self.schema = reader.schema
        self._reader = reader
        self._arrays = arrays

    def doc_count_all(self) -> int:
        """Return the number of live records."""
        return self._arrays.live_count()

    def field_length(self, field: str) -> float:
        """Return the field's total length over live records."""
        return self._arrays.average_length(field) * self._arrays.live_count()

    def has_vector(self, docnum: int, field: str) -> bool:
        """Say there are no term vectors: the expander reads stored text."""
        return False

    def stored_fields(self, docnum: int) -> dict:
        """Return a record's stored fields."""
        return self._reader.stored_fields(docnum)

    def frequency(self, field: str, text) -> float:
        """Return a term's weight over live records."""
        return self._arrays.frequency(field, text.decode("utf-8") if isinstance(text, bytes) else text)

    def __contains__(self, term) -> bool:
        """True when a live record holds the (field, text) term."""
        return self.frequency(*term) > 0
