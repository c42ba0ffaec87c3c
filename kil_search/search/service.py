"""The read side: one open index per process, a searcher per thread, refreshed when it changes."""

from __future__ import annotations

import copy
import os
import threading
import time
import weakref
from dataclasses import replace
from pathlib import Path

from typing import Callable, Iterable, Mapping

import numpy as np
from whoosh import scoring
from whoosh.query import And, NumericRange, Term

from ..index.schema import KIND_DOCUMENT
from ..index.store import CURRENT_LINK, open_live_index
from ..places import Gazetteer, load_gazetteer
from .case_studies import CaseStudyEntry, all_case_studies
from .best_passage import Ranking, rank_matches, score_for_ranking, score_matches
from .facet_arrays import count_facets_of, passing_passages
from .facets import FacetTable, clean_filters, count_facets, filter_query, matching_passages
from .generation_cache import GenerationCache
from .glossary import Glossary, load_glossary
from .postings import GenerationArrays, StaleArrays
from .grouping import SORTS, find_documents, page_of_ranking
from .matching import Evaluator
from .meaning_rank import QueryVectors, StoredVectors, blend, index_state, wanted as meaning_wanted
from .prepare import PreparedQuery, prepare
from .proximity import FIELD as PROXIMITY_FIELD, MAX_PAIRS, query_words
from .related import related_documents
from .results import DocumentHit, SearchPage, Suggestion, document_url
from .spelling import SPELLING_FIELD, correct_query
from .suggest import suggest
from .vocabulary import Vocabulary, VocabularyArrays

REFRESH_CHECK_SECONDS = 1.0
# A request may still hold the searcher it got a moment ago (search() asks more than once), so a replaced
# searcher is closed when the request ends (the web app calls close_retired), or else once no request can
# still be running on it: gunicorn stops requests after 60 s. Closing it at once answered searches during
# reindexing with ReaderClosed (HTTP 500).
RETIRED_SEARCHER_GRACE_SECONDS = 60.0
# Fewer documents than this and the page looks for a better spelling.
FEW_RESULTS = 3
MAX_CACHED_CORRECTIONS = 10_000  # spelling corrections kept per index generation
MAX_CACHED_QUERIES = 2_000  # prepared queries kept per index generation (parsing was a fifth of a search)
MAX_CACHED_VARIANT_LOOKUPS = 20_000  # words whose index variants are kept per generation
MAX_CACHED_DOC_FREQUENCIES = 200_000  # (field, word) passage counts kept per searcher
_variants_by_generation: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # by the generation's shared arrays
_WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)


class _RememberingEvaluator(Evaluator):
    """The ranking's Evaluator, its look-ups of a word's variants in Whoosh's term index (a fifth of a search on the
    real reports) kept per index generation: the same words, asked of the same generation, give the same list."""

    def _variant_words(self, *args):
        """Return Evaluator._variant_words(*args), worked out once per generation (a copy each time)."""
        memo = _variants_by_generation.get(self.arrays)
        if memo is None:
            memo = _variants_by_generation.setdefault(self.arrays, {})
        if args not in memo:
            if len(memo) >= MAX_CACHED_VARIANT_LOOKUPS:
                memo.clear()
            memo[args] = tuple(super()._variant_words(*args))
        return list(memo[args])


def _remember_doc_frequencies(reader, vocabulary: Callable[[], Vocabulary]) -> None:
    """Make reader.doc_frequency answer scored fields from the generation's vocabulary and remember other answers:
    ranking feedback asks it of every word of the best passages (three fifths of a first-sight search on the real
    reports), and a reader's counts never change."""
    ask = reader.doc_frequency
    known: dict = {}

    def doc_frequency(fieldname: str, text) -> int:
        words = vocabulary()
        if words.covers(fieldname):
            return words.doc_frequency(fieldname, text)
        key = (fieldname, text)
        if key not in known:
            if len(known) >= MAX_CACHED_DOC_FREQUENCIES:
                known.clear()
            known[key] = ask(fieldname, text)
        return known[key]
    doc_frequency.known = known  # type: ignore[attr-defined]  # benchmarks/profile_search.py empties it
    reader.doc_frequency = doc_frequency


def _read_positions_first(arrays: GenerationArrays, query) -> None:
    """Read the word positions of a query of several words before scoring it: the ranking's nearness bonus needs
    them, and the scoring's postings of the same words then come from that one read instead of a second
    (a first-seen word's text postings took 0.2 ms to read, with positions 0.26 ms)."""
    words = query_words(query)
    if len(words) >= 2:
        for word in dict.fromkeys(words[:MAX_PAIRS + 1]):
            arrays.term(PROXIMITY_FIELD, word, positions=True)


class SearchService:
    """Search the live index; safe to share between threads."""

    def __init__(self, index_dir: Path, passages_per_result: int = 3, gazetteer: Gazetteer | None = None,
                 glossary: Glossary | None = None):
        self.index_dir = Path(index_dir)
        self.passages_per_result = passages_per_result
        self.gazetteer = gazetteer or load_gazetteer()
        self.glossary = glossary or load_glossary()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._index = None
        self._index_target = None
        self._arrays_lock = threading.Lock()
        self._arrays = None  # (generation key, GenerationArrays)
        self._table = None  # (generation key, FacetTable)
        self._open: set = set()  # every thread's searcher, so close() can release their files
        self._prepared = GenerationCache(MAX_CACHED_QUERIES)
        self._corrections = GenerationCache(MAX_CACHED_CORRECTIONS)
        self._vocabularies = GenerationCache(1)  # one Vocabulary per generation, shared by threads
        self._query_vectors = QueryVectors()
        self._stored_vectors = StoredVectors(self.index_dir)

    def close(self) -> None:
        """Close every searcher this service opened (the index files they hold)."""
        with self._lock:
            searchers, self._open = self._open, set()
        for searcher in searchers:
            searcher.close()
        with self._arrays_lock:
            if self._arrays is not None:
                self._arrays[1].close()
                self._arrays = None
        self._prepared.clear()
        self._corrections.clear()
        self._vocabularies.clear()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to release
            pass

    def searcher(self):
        """Return this thread's searcher, reopened or refreshed when the index changed."""
        now = time.monotonic()
        local = self._local
        if getattr(local, "searcher", None) is not None and now - local.checked < REFRESH_CHECK_SECONDS:
            return local.searcher
        retired = local.__dict__.setdefault("retired", [])
        for entry in [entry for entry in retired if now - entry[0] > RETIRED_SEARCHER_GRACE_SECONDS]:
            retired.remove(entry)
            self._close_searcher(entry[1])
        index = self._live_index()
        stale = getattr(local, "searcher", None) is not None and (local.index is not index or not local.searcher.up_to_date())
        if stale:
            retired.append((now, local.searcher))  # not closed: the request that asked for it may still be using it
        if stale or getattr(local, "searcher", None) is None:
            # A fresh searcher, not Searcher.refresh(): whoosh-reloaded's refresh reuses readers of
            # segments whose deletions changed (and keeps merged-away ones), so removed documents linger.
            local.searcher = index.searcher(weighting=_WEIGHTING)
            reader = local.searcher.reader()
            _remember_doc_frequencies(reader, lambda index=index, reader=reader: self._vocabulary(index, reader))
            local.index = index
            with self._lock:
                self._open.add(local.searcher)
        local.checked = now
        return local.searcher

    def arrays(self, searcher) -> GenerationArrays:
        """Return the postings arrays of this thread's index and generation, built once and shared by threads."""
        index = self._local.index  # the index this thread's searcher was opened from
        key = (id(index), searcher.reader().generation())
        arrays = self._arrays
        if arrays is not None and arrays[0] == key and arrays[1].source is index:
            return arrays[1]
        with self._arrays_lock:
            current = self._arrays
            if current is not None and current[0] == key and current[1].source is index:
                return current[1]
            if current is not None and self._is_behind(index, key, current):
                # This thread's searcher is older than the arrays (it refreshes within a second):
                # callers see the mismatch and let Whoosh answer, rather than the threads closing
                # each other's arrays back and forth.
                return current[1]
            self._arrays = None  # never left pointing at closed arrays, even if building fails
            if current is not None:
                current[1].close()
            searcher_reader = searcher.reader()
            self._arrays = (key, VocabularyArrays(index, self._vocabulary(index, searcher_reader)))
            return self._arrays[1]

    def _vocabulary(self, index, reader) -> Vocabulary:
        """Return the words of reader's generation of index, read once and shared by threads."""
        return self._vocabularies.get(index, reader.generation(), "words", lambda: Vocabulary(reader))

    def _is_behind(self, index, key, current) -> bool:
        """True when (index, key) is an older view of the index than the current arrays'."""
        if index is not self._index:  # the live index was reopened after a rebuild swapped in
            return True
        return current[1].source is index and key[1] < current[0][1]

    def close_retired(self) -> None:
        """Close the searchers this thread replaced; call when its request is over and nothing can use them."""
        for _, searcher in self._local.__dict__.pop("retired", []):
            self._close_searcher(searcher)

    def _close_searcher(self, searcher) -> None:
        """Close one searcher and forget it (until then `close()` would release it)."""
        with self._lock:
            self._open.discard(searcher)
        searcher.close()

    def _live_index(self):
        """Return the open index of the current generation, reopening after a swap."""
        try:
            target = os.readlink(self.index_dir / CURRENT_LINK)
        except OSError:
            target = None
        with self._lock:
            if self._index is None or target != self._index_target:
                self._index = open_live_index(self.index_dir)
                self._index_target = target
            return self._index

    def search(self, text: str, page: int = 1, per_page: int = 10, filters: Mapping[str, Iterable[str]] | None = None,
               sort: str = "relevance", exact: bool = False) -> SearchPage:
        """Return one page of documents matching text within filters, each with its best passages."""
        started = time.perf_counter()
        page = max(1, page)
        sort = sort if sort in SORTS else "relevance"
        searcher, table = self.searcher(), self.facet_table()
        query = self._prepare(searcher, text, filters, exact)
        sense = text if meaning_wanted(text, exact) else None
        hits, total, matched, complete = self._find(searcher, table, query, page, per_page, sort, sense)
        any_word = total > 0 and not complete  # a long query found passages with most, not all, of its words
        if total == 0 and not query.parsed.is_empty and len(query.parsed.highlight_terms) > 1:
            query = self._prepare(searcher, text, filters, exact, any_word=True)
            hits, total, matched, _complete = self._find(searcher, table, query, page, per_page, sort, sense)
            any_word = total > 0
        facets = []
        if query.runnable:
            facets = (count_facets(table, query.text_query, query.mask, query.filters, self.gazetteer) if matched is None
                      else count_facets_of(table, matched, query.filters, self.gazetteer))
        # Documents having only some of the words do not count: a correction finding all of them is better.
        suggestion = self._did_you_mean(searcher, text, query, exact, 0 if any_word else total) if total < FEW_RESULTS else None
        self._add_document_facts(searcher, hits)
        took = round((time.perf_counter() - started) * 1000, 2)
        return SearchPage(text, total, page, per_page, took, hits, any_word, filters=dict(query.filters), facets=facets, sort=sort,
                          exact=exact, expansions=list(query.rewrite.expansions), case_studies_only=query.rewrite.case_studies_only,
                          suggestion=suggestion)

    def count(self, text: str, filters: Mapping[str, Iterable[str]] | None = None, exact: bool = False) -> int:
        """Return how many documents a search would find (all words; no passages, no facets)."""
        searcher = self.searcher()
        query = self._prepare(searcher, text, filters, exact)
        if not query.runnable:
            return 0
        table = self.facet_table()
        ranked = self._rank(searcher, table, query)
        if ranked is not None:
            return ranked[0].total
        docnums = matching_passages(searcher, query.text_query, query.filter_query, query.mask)
        return len({table.doc_ids[docnum] for docnum in docnums})

    def _prepare(self, searcher, text: str, filters: Mapping[str, Iterable[str]] | None, exact: bool,
                 any_word: bool = False) -> PreparedQuery:
        """Return prepare()'s query, worked out once per index generation and shared by threads (read-only)."""
        filters = {name: tuple(values) for name, values in (filters or {}).items()}
        key = (text, tuple(filters.items()), exact, any_word)
        return self._prepared.get(self._local.index, searcher.reader().generation(), key,
                                  lambda: prepare(searcher, text, filters, self.glossary, self.gazetteer, exact, any_word))

    def _rank(self, searcher, table: FacetTable, query: PreparedQuery,
              sense: str | None = None) -> tuple[Ranking, np.ndarray, bool] | None:
        """Score the query over postings arrays: the ranking within filters, every match (for facets), and
        whether some passage holds every word (a long query needs only most of them).

        None when the arrays are of another generation than the searcher (an index swap
        in between): the caller then lets Whoosh run the query.
        """
        arrays = self.arrays(searcher)
        if (arrays.source is not self._local.index or arrays.generation != searcher.reader().generation()
                or len(table.doc_ids) != arrays.size):
            return None  # the index moved on between opening this searcher and the arrays
        evaluator = _RememberingEvaluator(searcher, arrays, _WEIGHTING.B, _WEIGHTING.K1, combine_fields=True)
        try:
            _read_positions_first(arrays, query.text_query)
            matches, clauses = score_for_ranking(evaluator, searcher, query.text_query)
            ids, scores, held = matches.ids, matches.scores, matches.terms
            if query.mask is not None and len(ids):
                keep = ~np.isin(ids, evaluator.docs(query.mask))
                ids, scores, held = ids[keep], scores[keep], held[keep]
        except StaleArrays:
            return None
        passing = passing_passages(table, query.filters, self.gazetteer)[ids]
        complete = not clauses or bool((held[passing] >= clauses).any())  # among the passages shown
        shown, shown_scores = ids[passing], scores[passing]
        if sense is not None:
            shown_scores = self._by_meaning(searcher, sense, shown, shown_scores)
        return rank_matches(arrays, shown, shown_scores), ids, complete

    def _by_meaning(self, searcher, text: str, ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Return the scores of the passages ids re-ranked by how close their sentences come to text's meaning."""
        if not len(ids):
            return scores
        key = (self._local.index, searcher.reader().generation())  # the index itself: an id could be reused
        state = index_state(self._local.index, searcher)
        return blend(scores, ids, lambda: self._query_vectors.get(text),
                     lambda docnums: self._stored_vectors.of(searcher, key, state, docnums))

    def sentence_vectors(self, passages: list[dict]) -> list:
        """Return each stored passage's sentence vectors (meaning.passage_units order), None where not encoded yet."""
        searcher = self.searcher()
        return self._stored_vectors.of_fields(passages, index_state(self._local.index, searcher))

    def facet_table(self) -> FacetTable:
        """Return the facet columns of this thread's index generation, read once and shared by threads."""
        searcher = self.searcher()
        key = (id(self._local.index), searcher.reader().generation())
        with self._arrays_lock:
            if self._table is None or self._table[0] != key or self._table[1].source is not self._local.index:
                table = FacetTable(searcher)
                table.source = self._local.index
                table._arrays_holder = []  # its FacetArrays, shared with the per-thread copies below
                self._table = (key, table)
            table = self._table[1]
        if table.searcher is not searcher:  # the query pass of the slow path must use this thread's searcher
            table = copy.copy(table)
            table.searcher = searcher
        return table

    def suggest(self, typed: str, limit: int = 8) -> list:
        """Return autocomplete suggestions: titles, themes and frequent words completing typed."""
        titles = [((record.get("details") or {}).get("title", ""), document_url(record["doc_id"])) for record in self.documents()
                  if (record.get("details") or {}).get("status") == "indexed"]
        themes = sorted(set(self.facet_table().theme_labels.values()), key=str.lower)
        searcher = self.searcher()
        return suggest(searcher, typed, titles, themes, limit, self._word_frequency(searcher))

    def related(self, doc_id: str, limit: int = 5) -> list[dict]:
        """Return the records of the documents most like this one (worked out once per searcher)."""
        cache = self._per_searcher("related", dict)
        if (doc_id, limit) not in cache:
            cache[(doc_id, limit)] = [related_id for related_id, _score in self._related(self.searcher(), doc_id, limit)]
        records = [self.document(related_id) for related_id in cache[(doc_id, limit)]]
        return [record for record in records if record is not None]

    def _related(self, searcher, doc_id: str, limit: int) -> list[tuple[str, float]]:
        """Find related documents over the arrays (live records' counts), or with Whoosh when they are of another generation."""
        arrays = self.arrays(searcher)
        if arrays.source is not self._local.index or arrays.generation != searcher.reader().generation():
            return related_documents(searcher, doc_id, limit)
        evaluator = Evaluator(searcher, arrays, _WEIGHTING.B, _WEIGHTING.K1)
        try:
            return related_documents(searcher, doc_id, limit, arrays, lambda query: score_matches(evaluator, searcher, query))
        except StaleArrays:
            return related_documents(searcher, doc_id, limit)

    def case_studies(self) -> list[CaseStudyEntry]:
        """Return every case study in the library (read once per searcher; the copies are yours)."""
        cache = self._per_searcher("case_studies", list)
        if not cache:
            cache.append(all_case_studies(self.searcher(), self.gazetteer))
        return [replace(entry) for entry in cache[0]]

    def _per_searcher(self, name: str, empty: type):
        """Return this thread's cache called name, emptied whenever the searcher changes."""
        searcher = self.searcher()
        caches = getattr(self._local, "caches", None)
        if caches is None or caches[0] is not searcher:
            caches = self._local.caches = (searcher, {})
        return caches[1].setdefault(name, empty())

    def _find(self, searcher, table, query: PreparedQuery, page, per_page, sort, sense: str | None = None):
        """Run a prepared query: one page of documents, the total, every matching passage (None: not known) and
        whether every word was found together."""
        if not query.runnable:
            return [], 0, None, True
        ranked = self._rank(searcher, table, query, sense)
        if ranked is not None:
            hits, total = page_of_ranking(searcher, ranked[0], query.highlight_terms, page, per_page, sort,
                                          self.passages_per_result, self._place_name, query.highlight_phrases)
            return hits, total, ranked[1], ranked[2]
        hits, total = find_documents(searcher, table.dates, query.text_query, query.filter_query, query.mask,
                                     query.highlight_terms, page, per_page, sort, self.passages_per_result,
                                     self._place_name, query.highlight_phrases)
        return hits, total, None, True

    def _did_you_mean(self, searcher, text: str, query: PreparedQuery, exact: bool, total: int) -> Suggestion | None:
        """Return a corrected query when it finds more documents than the one typed."""
        if query.parsed.is_empty:
            return None
        corrected = self._correction(searcher, text)
        if corrected is None:
            return None
        corrected_total = self.count(corrected, query.filters, exact)
        return Suggestion(corrected, corrected_total) if corrected_total > total else None

    def _correction(self, searcher, text: str) -> str | None:
        """Return correct_query's answer for text, worked out once per index generation (the fuzzy term lookups dominate)."""
        return self._corrections.get(self._local.index, searcher.reader().generation(), text,
                                     lambda: correct_query(searcher, text, self._word_frequency(searcher)))

    def _word_frequency(self, searcher):
        """Return a function giving a spelling word's count over the live records of this searcher's index.

        Whoosh's counts include deleted records until a merge drops them, so after an incremental
        run suggestions and corrections differed from a rebuild's; then the arrays count instead.
        """
        reader = searcher.reader()

        def whoosh_frequency(word: str) -> float:
            return reader.frequency(SPELLING_FIELD, word)

        if not reader.has_deletions():
            return whoosh_frequency
        arrays = self.arrays(searcher)
        if arrays.source is not self._local.index or arrays.generation != reader.generation():
            return whoosh_frequency  # the index moved on meanwhile: the next request counts live records

        def live_frequency(word: str) -> float:
            try:
                return arrays.frequency(SPELLING_FIELD, word)
            except StaleArrays:
                return whoosh_frequency(word)
        return live_frequency

    def _add_document_facts(self, searcher, hits: list[DocumentHit]) -> None:
        """Fill in the page and word counts of the shown documents from their records."""
        arrays = self._arrays[1] if self._arrays is not None else None
        if arrays is None or arrays.source is not self._local.index or arrays.generation != searcher.reader().generation():
            arrays = None
        for hit in hits:
            record = arrays.record(hit.id) if arrays is not None else searcher.document(record_id=f"doc:{hit.id}")
            details = (record or {}).get("details") or {}
            hit.page_count = details.get("page_count", 0)
            hit.word_count = details.get("word_count", 0)

    def _place_name(self, code: str) -> str:
        """Return a council's name from its code."""
        council = self.gazetteer.council(code)
        return council.name if council else code

    def top_passages(self, parsed, limit: int = 20, doc_id: str | None = None, one_per_document: bool = False,
                     filters: Mapping[str, Iterable[str]] | None = None, sense: str | None = None) -> list[dict]:
        """Return the best passages for a parsed query: stored fields plus "score", best first.

        doc_id keeps to one document; one_per_document keeps each document's best passage only; filters (the
        search's facets: {"place": ["KIR"]}) keep the passages passing them. sense (a question) orders the
        best word matches by how close they come to its meaning; each keeps its word score.
        """
        if parsed.is_empty:
            return []
        searcher = self.searcher()
        cleaned = clean_filters(filters or {})
        best = self._best_passages(searcher, parsed.query, limit, doc_id, one_per_document, cleaned, sense)
        if best is not None:
            return [{**searcher.stored_fields(docnum), "score": score} for docnum, score in best]
        only = [Term("doc_id", doc_id)] if doc_id is not None else []
        if cleaned:
            only.append(filter_query(cleaned, self.gazetteer))
        collapse = {"collapse": "doc_id", "collapse_limit": 1} if one_per_document else {}
        hits = searcher.search(parsed.query, limit=limit, filter=And(only) if only else None, **collapse)
        return [{**hit.fields(), "score": hit.score} for hit in hits]

    def _best_passages(self, searcher, query, limit: int, doc_id: str | None, one_per_document: bool, filters=None,
                       sense: str | None = None):
        """Return (docnum, score) of the best passages, scored over the arrays; None to let Whoosh do it."""
        arrays = self.arrays(searcher)
        if arrays.source is not self._local.index or arrays.generation != searcher.reader().generation():
            return None
        table = self.facet_table() if filters else None
        if table is not None and len(table.doc_ids) != arrays.size:
            return None  # the index moved on between opening this searcher and the arrays
        try:
            matches = score_matches(Evaluator(searcher, arrays, _WEIGHTING.B, _WEIGHTING.K1), searcher, query)
        except StaleArrays:
            return None
        ids, scores = matches.ids, matches.scores
        if table is not None and len(ids):
            keep = passing_passages(table, filters, self.gazetteer)[ids]
            ids, scores = ids[keep], scores[keep]
        docs = arrays.doc_of[ids]
        if doc_id is not None:
            keep = docs == (arrays.ordinal(doc_id) if arrays.ordinal(doc_id) is not None else -2)
            ids, scores, docs = ids[keep], scores[keep], docs[keep]
        ranking = scores if sense is None else self._by_meaning(searcher, sense, ids, scores)
        order = np.lexsort((ids, -ranking))  # as Whoosh ranks hits: best score, then lowest docnum
        if one_per_document:
            _, first = np.unique(docs[order], return_index=True)
            order = order[np.sort(first)]
        order = order[:limit]
        return [(int(ids[place]), float(scores[place])) for place in order]

    def page_passages(self, doc_id: str, page: int) -> list[dict]:
        """Return the passages of one page (or web page section) of a document, in reading order."""
        searcher = self.searcher()
        arrays = self.arrays(searcher)
        if arrays.source is self._local.index and arrays.generation == searcher.reader().generation():
            ordinal = arrays.ordinal(doc_id)
            found = (arrays.doc_of == ordinal) & (arrays.pages == page) if ordinal is not None else []
            docnums = np.flatnonzero(found).tolist()
        else:
            query = And([Term("doc_id", doc_id), NumericRange("page", page, page)])
            docnums = sorted(hit.docnum for hit in searcher.search(query, limit=None, scored=False))
        return [searcher.stored_fields(docnum) for docnum in docnums]

    def term_rarity(self, terms) -> dict[str, float]:
        """Return the inverse document frequency of each analysed term in passage text, over live records.

        Whoosh's own idf counts deleted records too, so answers after an incremental run would differ
        from a fresh build's.
        """
        searcher = self.searcher()
        arrays = self.arrays(searcher)
        if arrays.source is self._local.index and arrays.generation == searcher.reader().generation():
            try:
                return {term: arrays.idf("text", term) for term in terms}
            except StaleArrays:
                pass
        return {term: searcher.idf("text", term) for term in terms}

    def term_variants(self, terms, shortest: int = 6, spread: int = 2) -> dict[str, set[str]]:
        """Return, for each analysed term, the indexed terms that differ from it only by a short ending.

        The stemmer leaves some pairs apart ("economy" gives "economi", "economic" gives "econom");
        terms of at least `shortest` letters whose one is the other plus at most `spread` letters join.
        """
        reader = self.searcher().reader()
        variants: dict[str, set[str]] = {}
        for term in terms:
            if len(term) < shortest:
                continue
            base = term[:max(shortest, len(term) - spread)]
            found = {other if isinstance(other, str) else other.decode("utf-8", "replace")
                     for other in reader.expand_prefix("text", base)}
            variants[term] = {other for other in found if other != term and abs(len(other) - len(term)) <= spread
                              and (other.startswith(term) or term.startswith(other))}
        return variants

    def unknown_terms(self, terms) -> set[str]:
        """Return the analysed terms that no live passage contains (Whoosh's counts keep deleted ones)."""
        searcher = self.searcher()
        reader = searcher.reader()
        arrays = self.arrays(searcher) if reader.has_deletions() else None
        if arrays is not None and arrays.source is self._local.index and arrays.generation == reader.generation():
            try:
                return {term for term in terms if not len(arrays.term("text", term).ids)}
            except StaleArrays:
                pass
        return {term for term in terms if reader.doc_frequency("text", term) == 0}

    def document(self, doc_id: str) -> dict | None:
        """Return a document's stored record (fields plus details), or None if not indexed."""
        record = self.searcher().document(record_id=f"doc:{doc_id}")
        if record is None or record.get("kind") != KIND_DOCUMENT:
            return None
        return record

    def documents(self) -> list[dict]:
        """Return every document record, sorted by title."""
        records = list(self.searcher().documents(kind=KIND_DOCUMENT))
        return sorted(records, key=lambda record: (record.get("details") or {}).get("title", "").lower())

    def document_count(self) -> int:
        """Return how many document records the index holds, reading no stored fields."""
        return sum(1 for _ in self.searcher().document_numbers(kind=KIND_DOCUMENT))

    def passages_of(self, doc_id: str) -> list[dict]:
        """Return a document's passages in page order."""
        searcher = self.searcher()
        passages = [fields for fields in searcher.documents(doc_id=doc_id) if fields.get("kind") != KIND_DOCUMENT]
        return sorted(passages, key=lambda fields: (fields.get("page", 0), fields.get("record_id", "")))
