"""Find the pages worth reading for a question, through the search service only."""

from __future__ import annotations

from dataclasses import dataclass

from .query import passage_query
from .question import Question
from .candidates import PageText, analyse
from .sentence_terms import glossary_synonyms

RETRIEVED_PASSAGES = 60
PAGES_PER_DOCUMENT = 6
MAX_PAGES = 24
# A document whose title names part of the question is also searched for the rest of it:
# "the ten recommendations of the Bradford and Bristol report" lives on a page that never says "Bristol".
TITLE_SHARE = 0.2
TITLED_DOCUMENTS = 2
TITLED_PASSAGES = 12
CONFLATED_NAME_RARITY = 3.0
# Inverse document frequency raised to this power weighs each question word: above 1, one rare word
# missing from a sentence costs more than several common ones found (set on benchmarks/questions.toml).
RARITY_POWER = 1.5


@dataclass
class Retrieved:
    """What retrieval found: the pages to read, the passages behind them and each term's rarity."""

    pages: list[PageText]
    hits: list[dict]
    rarity: dict[str, float]


def retrieve(service, question: Question) -> Retrieved:
    """Return the best pages for the question's terms, plus the best pages of documents its title words name."""
    if not question.terms:
        return Retrieved([], [], {})
    question.variants = _variants(service, question)
    question.synonyms = glossary_synonyms(getattr(service, "glossary", None), question)
    wanted = question.search_terms + sorted(set().union(*question.variants.values()))
    hits = service.top_passages(passage_query(wanted), RETRIEVED_PASSAGES)
    if not hits:
        return Retrieved([], [], {})
    by_stem = service.term_rarity(question.search_terms)
    rarity = {term: _rarity(question, term, by_stem) ** RARITY_POWER for term in question.terms}
    best = hits[0]["score"] or 1.0
    chosen = _choose_pages(hits, best, {}, PAGES_PER_DOCUMENT, MAX_PAGES)
    for doc_id, rest in _titled_documents(service, question, rarity):
        rest = list(dict.fromkeys(question.stems.get(term, term) for term in rest))
        titled = service.top_passages(passage_query(rest), TITLED_PASSAGES, doc_id=doc_id)
        chosen.update(_choose_pages(titled, best, chosen, PAGES_PER_DOCUMENT, PAGES_PER_DOCUMENT))
    pages = []
    for (doc_id, number), retrieval in chosen.items():
        parts = service.page_passages(doc_id, number)
        if parts:
            pages.append(PageText(parts[0], "\n".join(part.get("text", "") for part in parts), min(1.0, retrieval)))
    return Retrieved(pages, hits, rarity)


def _variants(service, question: Question) -> dict[str, frozenset[str]]:
    """Return the index terms that count as each (non-name) question term: the same word with another ending."""
    stems = {term: question.stems.get(term, term) for term in question.terms if not question.is_name(term)}
    by_stem = service.term_variants(set(stems.values()))
    return {term: frozenset(by_stem.get(stem, ())) for term, stem in stems.items() if by_stem.get(stem)}


def _rarity(question: Question, term: str, by_stem: dict[str, float]) -> float:
    """Return a term's rarity; a name whose stem is a common word ("Locality", "local") is rarer than the word."""
    stem = question.stems.get(term, term)
    return max(by_stem[stem], CONFLATED_NAME_RARITY) if stem != term else by_stem[stem]


def _choose_pages(hits: list[dict], best: float, taken: dict, per_document: int, most: int) -> dict:
    """Return {(doc_id, page): relative score} for the best new pages, at most per_document of each document."""
    chosen: dict[tuple[str, int], float] = {}
    counts: dict[str, int] = {}
    for hit in hits:
        key = (hit["doc_id"], hit.get("page", 0))
        if key in chosen or key in taken or counts.get(key[0], 0) >= per_document:
            continue
        chosen[key] = hit["score"] / best
        counts[key[0]] = counts.get(key[0], 0) + 1
        if len(chosen) >= most:
            break
    return chosen


def _titled_documents(service, question: Question, rarity: dict[str, float]) -> list[tuple[str, list[str]]]:
    """Return (doc_id, terms its title lacks) for documents whose titles name a good share of the question."""
    total = sum(rarity.values()) or 1.0
    titles = service.top_passages(passage_query(question.search_terms, {"title": 1.0}), 10, one_per_document=True)
    found: dict[str, tuple[float, list[str]]] = {}
    for hit in titles:
        if hit["doc_id"] in found:
            continue
        words = analyse(hit.get("title", ""))[0]
        share = sum(rarity[term] for term in question.terms if term in words) / total
        rest = [term for term in question.terms if term not in words] or question.terms
        if share >= TITLE_SHARE:
            found[hit["doc_id"]] = (share, rest)
    ranked = sorted(found.items(), key=lambda item: item[1][0], reverse=True)[:TITLED_DOCUMENTS]
    return [(doc_id, rest) for doc_id, (_share, rest) in ranked]
