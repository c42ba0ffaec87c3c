"""Run a passage query and fold the passages into documents, by relevance or by date."""

from __future__ import annotations

import weakref
from typing import Callable

from markupsafe import Markup
from whoosh import query as wq
from whoosh import sorting

from .best_passage import Ranking
from .excerpts import shown_excerpt
from .results import DocumentHit, PassageHit, passage_url

SORTS = ("relevance", "newest", "oldest")
_NO_EXCERPT = Markup("")  # until excerpts() makes the shown passages' ones
MAX_CACHED_SCHEMAS = 64  # segments' schemas whose field names are kept
MAX_CACHED_PASSAGES = 20_000  # stored passages kept per index generation (read-only dicts; a generation never changes)
# By the generation's arrays, which the threads of a worker share (each has a searcher of its own): kept per
# searcher, a repeated query landing on another thread of the worker read its passages again (~40 us each).
_stored_by_generation: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_names_by_schema: dict[int, tuple] = {}  # id(schema): (schema, its field names); schemas are not hashable


def find_documents(searcher, dates: list[str], text_query: wq.Query, filters: wq.Query, mask: wq.Query | None,
                   terms: frozenset[str], page: int, per_page: int, sort: str, passages_per_result: int,
                   place_name: Callable[[str], str], phrases: frozenset[tuple[str, ...]] = frozenset()) -> tuple[list[DocumentHit], int]:
    """Return one page of matching documents (each with its best passages) and the document total."""
    fold = _Folder(terms, phrases, passages_per_result, place_name)
    if sort not in ("newest", "oldest"):
        documents, total = _by_relevance(searcher, text_query, filters, mask, page * per_page, fold)
        return fold.excerpts(documents[(page - 1) * per_page: page * per_page]), total
    groups = searcher.search(text_query, filter=filters, mask=mask, limit=1, groupedby=sorting.FieldFacet("doc_id")).groups("doc_id")
    dated = sorted(groups, key=lambda doc_id: (dates[groups[doc_id][0]], doc_id), reverse=sort == "newest")
    ordered = [doc_id for doc_id in dated if dates[groups[doc_id][0]]] + [doc_id for doc_id in dated if not dates[groups[doc_id][0]]]
    shown = ordered[(page - 1) * per_page: page * per_page]
    if not shown:
        return [], len(groups)
    only_shown = wq.And([filters, wq.Or([wq.Term("doc_id", doc_id) for doc_id in shown])])
    documents, _total = _by_relevance(searcher, text_query, only_shown, mask, len(shown), fold)
    position = {doc_id: index for index, doc_id in enumerate(shown)}
    return fold.excerpts(sorted(documents, key=lambda document: position[document.id])), len(groups)


def page_of_ranking(searcher, ranking: Ranking, terms: frozenset[str], page: int, per_page: int, sort: str,
                    passages_per_result: int, place_name: Callable[[str], str],
                    phrases: frozenset[tuple[str, ...]] = frozenset()) -> tuple[list[DocumentHit], int]:
    """Return one page of a ranking's documents (by relevance or date), loading only the passages shown."""
    ordered = [int(ordinal) for ordinal in ranking.documents]
    if sort in ("newest", "oldest"):
        records = ranking.arrays.records
        dated = sorted(ordered, key=lambda ordinal: (records[ordinal].get("date", ""), records[ordinal]["doc_id"]),
                       reverse=sort == "newest")
        ordered = [ordinal for ordinal in dated if records[ordinal].get("date")] + \
                  [ordinal for ordinal in dated if not records[ordinal].get("date")]
    fold = _Folder(terms, phrases, passages_per_result, place_name)
    by_id: dict[str, DocumentHit] = {}
    for ordinal in ordered[(page - 1) * per_page: page * per_page]:
        for docnum, score in ranking.best_passages(ordinal, passages_per_result):
            fold.add(by_id, _stored_fields(searcher, ranking.arrays, docnum), score)
    return fold.excerpts(list(by_id.values())), ranking.total


def _stored_fields(searcher, generation, docnum: int) -> dict:
    """Return a passage's stored fields, read from the index once per generation (about 40 µs each read).

    generation: the postings arrays of the searcher's index generation (the ranking's), shared by threads.
    """
    try:
        cache = _stored_by_generation[generation]
    except KeyError:
        cache = _stored_by_generation.setdefault(generation, {})
    fields = cache.get(docnum)
    if fields is None:
        if len(cache) >= MAX_CACHED_PASSAGES:
            cache.clear()
        fields = cache[docnum] = read_stored_fields(searcher, docnum)
    return fields


def read_stored_fields(searcher, docnum: int) -> dict:
    """Return searcher.stored_fields(docnum), read straight from its segment's stored column when every field
    it holds is a schema field (Whoosh tests each field against the schema on every read: a third of a read)."""
    reader = searcher.reader()
    if reader.is_atomic():
        leaf, number = reader, docnum
    else:
        segment, number = reader._segment_and_docnum(docnum)
        leaf = reader.readers[segment]
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is None or leaf.is_closed or docnum < 0:
        return searcher.stored_fields(docnum)  # another reader kind, or a closed one (which raises as before)
    fields = perdoc.stored_fields(number)
    names = _schema_names(leaf.schema)
    if fields.keys() <= names:
        return dict(fields)
    schema = leaf.schema
    return {name: value for name, value in fields.items() if name in schema}


def _schema_names(schema) -> frozenset:
    """Return the names of a schema's (non-dynamic) fields, worked out once per schema object."""
    known = _names_by_schema.get(id(schema))
    if known is None or known[0] is not schema:
        if len(_names_by_schema) >= MAX_CACHED_SCHEMAS:
            _names_by_schema.clear()
        known = _names_by_schema[id(schema)] = (schema, frozenset(schema.names()))
    return known[1]


def _by_relevance(searcher, text_query, filters, mask, wanted_docs: int, fold) -> tuple[list[DocumentHit], int]:
    """Fold the best-scoring passages into documents until enough documents are complete."""
    limit = max(100, wanted_docs * 10)
    while True:
        results = searcher.search(text_query, filter=filters, mask=mask, limit=limit, groupedby=sorting.FieldFacet("doc_id"))
        total = len(results.groups("doc_id"))
        documents = fold(results)
        if len(documents) >= min(wanted_docs, total) or results.scored_length() >= len(results):
            return documents, total
        limit *= 4


class _Folder:
    """Group scored passages by document, keeping the best few of each."""

    def __init__(self, terms: frozenset[str], phrases: frozenset[tuple[str, ...]], passages_per_result: int,
                 place_name: Callable[[str], str]):
        self.terms = terms
        self.phrases = phrases
        self.passages_per_result = passages_per_result
        self.place_name = place_name
        self._places: dict[str, tuple[str, ...]] = {}  # a place_codes value's names (passages of a document share them)

    def __call__(self, results) -> list[DocumentHit]:
        """Return the documents of the results in order of their best passage."""
        by_id: dict[str, DocumentHit] = {}
        for hit in results:
            self.add(by_id, hit.fields(), hit.score)
        return list(by_id.values())

    def add(self, by_id: dict[str, DocumentHit], fields: dict, score: float) -> None:
        """Add a scored passage to its document (made from the passage's fields if new), up to the limit."""
        doc_id = fields["doc_id"]
        document = by_id.get(doc_id)
        if document is None:
            document = by_id[doc_id] = DocumentHit(
                id=doc_id, title=fields.get("title", ""), type=fields.get("doc_type", ""),
                date=fields.get("date", ""), format=fields.get("format", ""),
                source_url=fields.get("source_url", ""), score=score,
            )
        if len(document.passages) < self.passages_per_result:
            text = fields.get("text", "")
            page = fields.get("page", 0)
            document.passages.append(PassageHit(
                page=page, section=fields.get("section", ""),
                excerpt_html=_NO_EXCERPT,
                url=passage_url(doc_id, document.format, page),
                score=score, text=text,
                case_study=fields.get("case_title", ""),
                ocr=bool(fields.get("ocr")),
                places=self._place_names(fields.get("place_codes") or ""),
            ))

    def _place_names(self, codes: str) -> list[str]:
        """Return the names of the councils a passage's place_codes value lists (a new list each time)."""
        names = self._places.get(codes)
        if names is None:
            names = self._places[codes] = tuple(self.place_name(code) for code in codes.split(",") if code)
        return list(names)

    def excerpts(self, documents: list[DocumentHit]) -> list[DocumentHit]:
        """Make the excerpts of the documents shown (only those: excerpts cost the most)."""
        for document in documents:
            for passage in document.passages:
                passage.excerpt_html = shown_excerpt(passage.text, self.terms, self.phrases)
        return documents
