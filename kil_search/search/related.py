"""More like this: documents that share a document's most telling words.

Whoosh's key_terms picks the words of the document's passages that are frequent in it and rare
in the library (the Bo1 model); those words, weighted, form a query whose best passages outside
the document rank the related documents, as search results are ranked.
"""

from __future__ import annotations

from whoosh import sorting
from whoosh import query as wq

from ..index.schema import KIND_PASSAGE

KEY_TERMS = 30
# Enough passages to characterise a long report without reading all of it.
MAX_PASSAGES_READ = 120


def related_documents(searcher, doc_id: str, limit: int = 5) -> list[tuple[str, float]]:
    """Return (doc_id, score) of the documents most like this one, best first."""
    docnums = list(searcher.document_numbers(doc_id=doc_id, kind=KIND_PASSAGE))[:MAX_PASSAGES_READ]
    if not docnums:
        return []
    terms = searcher.key_terms(docnums, "text", numterms=KEY_TERMS)
    if not terms:
        return []
    similar = wq.Or([wq.Term("text", term, boost=weight) for term, weight in terms])
    results = searcher.search(similar, filter=wq.Term("kind", KIND_PASSAGE), mask=wq.Term("doc_id", doc_id),
                              limit=limit * 20, groupedby=sorting.FieldFacet("doc_id"))
    best: dict[str, float] = {}
    for hit in results:
        best.setdefault(hit["doc_id"], hit.score)
    return sorted(best.items(), key=lambda item: -item[1])[:limit]
