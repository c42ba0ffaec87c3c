"""Answer a question with the sentences that say it, from which report, date and page; or say none does."""

from __future__ import annotations

import time
from collections import Counter
from urllib.parse import quote

from .answer_types import Answer, AnswerResult, RelevantPassage
from .candidates import Candidate, analyse, words_of_page
from .excerpts import find_matches, make_excerpt
from .question import Question, analyse_question, looks_like_question
from .ranking import score_page
from .retrieval import Retrieved, retrieve
from .results import file_url, passage_url

__all__ = ["Answer", "AnswerResult", "answer_question", "looks_like_question"]

# Calibrated on benchmarks/questions.toml (python benchmarks/answers.py): below this no sentence is trusted.
CONFIDENT_SCORE = 0.55
ALTERNATIVE_SCORE = 0.45
UNKNOWN_WORD = 0.8  # the share of confidence kept when a question word appears nowhere in the library
SHARED_TITLE_DOCUMENTS = 3  # with fewer retrieved documents, no title word is common to them...
SHARED_TITLE_SHARE = 0.5  # ...otherwise a word in this share of their titles names a series ("Keep it Local"), not a document
MAX_ALTERNATIVES = 3
SHOWN_PASSAGES = 3
LINK_TERMS = 3


def answer_question(service, question: str, confident_score: float = CONFIDENT_SCORE) -> AnswerResult:
    """Answer question from the passages the search service finds; None when nothing is convincing."""
    started = time.perf_counter()
    asked, found, candidates = rank_candidates(service, question)
    terms = frozenset(asked.search_terms)
    answer, alternatives = None, []
    if candidates and candidates[0].score >= confident_score:
        answer = _answer(service, candidates[0], terms)
        seen = {answer.document["id"]}
        for candidate in candidates[1:]:
            doc_id = candidate.page.fields["doc_id"]
            if len(alternatives) >= MAX_ALTERNATIVES:
                break
            if doc_id not in seen and candidate.score >= ALTERNATIVE_SCORE:
                seen.add(doc_id)
                alternatives.append(_answer(service, candidate, terms))
    passages = _relevant_passages(found.hits, terms)
    took = round((time.perf_counter() - started) * 1000, 2)
    return AnswerResult(asked.text, answer, alternatives, passages, took)


def rank_candidates(service, question: str) -> tuple[Question, Retrieved, list[Candidate]]:
    """Return the read question, what retrieval found and every candidate answer, best first."""
    asked = analyse_question(question)
    found = retrieve(service, asked)
    found.rarity = {term: rarity * asked.weight(term) for term, rarity in found.rarity.items()}
    asked.shared_title_words = _shared_title_words(found.pages)
    document_words = _recurring_words(found.pages)
    _rank_dates(found.pages)
    candidates = [candidate for page in found.pages
                  for candidate in score_page(asked, found.rarity, page, document_words[page.fields["doc_id"]])]
    if candidates and service.unknown_terms(asked.search_terms):
        for candidate in candidates:  # the library never uses one of the question's words: less sure of everything
            candidate.score *= UNKNOWN_WORD
    candidates.sort(key=lambda candidate: candidate.rank, reverse=True)
    return asked, found, candidates


def _recurring_words(pages) -> dict[str, frozenset[str]]:
    """Return, for each document, the words on at least two of its retrieved pages."""
    counts: dict[str, Counter] = {}
    for page in pages:
        counts.setdefault(page.fields["doc_id"], Counter()).update(words_of_page(page))
    return {doc_id: frozenset(word for word, count in counter.items() if count >= 2) for doc_id, counter in counts.items()}


def _shared_title_words(pages) -> frozenset[str]:
    """Return the words in the titles of at least half the retrieved documents (of three or more): a series name."""
    titles = {page.fields["doc_id"]: analyse(page.fields.get("title", ""))[0] for page in pages}
    if len(titles) < SHARED_TITLE_DOCUMENTS:
        return frozenset()
    counts = Counter(word for words in titles.values() for word in words)
    return frozenset(word for word, count in counts.items() if count >= SHARED_TITLE_SHARE * len(titles))


def _rank_dates(pages) -> None:
    """Set each page's recency: where its document's date falls among the retrieved documents' dates."""
    dates = sorted({page.fields.get("date", "") for page in pages if page.fields.get("date")})
    for page in pages:
        date = page.fields.get("date", "")
        page.recency = (dates.index(date) / (len(dates) - 1) if len(dates) > 1 else 1.0) if date in dates else 0.0


def _answer(service, candidate: Candidate, terms: frozenset[str]) -> Answer:
    """Turn a scored candidate into an answer with its document, section and link."""
    fields = candidate.page.fields
    doc_id, doc_format, page = fields["doc_id"], fields.get("format", ""), fields.get("page", 0)
    section = candidate.heading or _section_in_effect(service, fields)
    return Answer(
        text=candidate.text, before=candidate.before, after=candidate.after,
        document=_document(fields), format=doc_format, page=page, section=section,
        url=answer_url(doc_id, doc_format, page, _link_words(candidate.text, terms)),
        score=candidate.score, terms=terms,
    )


def _section_in_effect(service, fields: dict) -> str:
    """Return the section a page starts in: the previous page's last section for a PDF."""
    if fields.get("format") == "pdf" and fields.get("page", 0) > 1:
        previous = service.page_passages(fields["doc_id"], fields["page"] - 1)
        if previous:
            return previous[-1].get("section", "")
    return fields.get("section", "")


def answer_url(doc_id: str, doc_format: str, page: int, words: list[str]) -> str:
    """Return the link to an answer: the PDF at its page with the words to find, or the web page section."""
    if doc_format != "pdf":
        return passage_url(doc_id, doc_format, page)
    search = f"&search={quote(' '.join(words))}" if words else ""
    return f"{file_url(doc_id)}#page={page}{search}"


def _link_words(text: str, terms: frozenset[str]) -> list[str]:
    """Return up to a few distinct question words as they are written in the answer."""
    found: list[str] = []
    for start, end, _term in find_matches(text, terms):
        word = text[start:end].lower()
        if word not in found:
            found.append(word)
    return found[:LINK_TERMS]


def _document(fields: dict) -> dict:
    """Return the document summary an answer carries."""
    return {"id": fields["doc_id"], "title": fields.get("title", ""), "type": fields.get("doc_type", ""),
            "date": fields.get("date", "")}


def _relevant_passages(hits: list[dict], terms: frozenset[str]) -> list[RelevantPassage]:
    """Return the best few retrieved passages, one per page."""
    passages, seen = [], set()
    for hit in hits:
        key = (hit["doc_id"], hit.get("page", 0))
        if key in seen:
            continue
        seen.add(key)
        passages.append(RelevantPassage(
            document=_document(hit), format=hit.get("format", ""), page=key[1], section=hit.get("section", ""),
            excerpt_html=make_excerpt(hit.get("text", ""), terms),
            url=passage_url(hit["doc_id"], hit.get("format", ""), key[1]),
        ))
        if len(passages) >= SHOWN_PASSAGES:
            break
    return passages
