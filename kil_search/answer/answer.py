"""Answer a question with the sentence that says it, from which report, date and page; or say none does."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Mapping
from urllib.parse import quote

import numpy as np

from ..search.excerpts import find_matches, make_excerpt
from ..search.meaning_rank import vector_of as meaning_vector
from ..search.results import file_url, passage_url
from .candidates import Page, Unit, retrieve, units_of
from .card import Answer, AnswerResult, RelevantPassage
from .facts import fact_answer
from .features import features, matrix, question_weights, retrieval_figures
from .model import load_model
from .question import Question, analyse_question
from .shapes import keep_shaped
from .words import stems

MAX_ALTERNATIVES = 3
SHOWN_PASSAGES = 3
LINK_TERMS = 3


@dataclass
class Scored:
    """What the model made of a question: the question, the passages found, every candidate and its probability."""

    question: Question
    hits: list[dict]
    units: list[Unit]
    rows: np.ndarray
    scores: np.ndarray  # the model's score of each candidate
    confidence: float  # the probability that the best-scored candidate is right; 0 when the library seems not to cover the question


def answer_question(service, question: str, threshold: float | None = None,
                    filters: Mapping[str, Iterable[str]] | None = None) -> AnswerResult:
    """Answer question from the passages the search finds within filters; no answer when nothing is convincing.

    threshold overrides the fitted confidence below which no answer is given (0 always answers).
    """
    started = time.perf_counter()
    threshold = load_model().threshold if threshold is None else threshold
    scored = keep_shaped(score_candidates(service, question, filters), load_model(), getattr(service, "glossary", None))
    terms = frozenset(scored.question.search_terms)
    answer = fact_answer(service, scored.question, filters)
    alternatives: list[Answer] = []
    seen = {answer.document["id"]} if answer else set()
    if scored.confidence >= threshold:
        model = load_model()
        for place in np.argsort(-scored.scores, kind="stable"):
            unit = scored.units[place]
            doc_id = unit.page.fields["doc_id"]
            if doc_id in seen:
                continue
            if answer is None:
                answer = _answer(service, unit, scored.confidence, terms)
            else:
                # How sure the model would be of this one with the better one beside it.
                sureness = model.sureness(scored.rows, scored.scores, int(place))
                if sureness < threshold or len(alternatives) >= MAX_ALTERNATIVES:
                    break
                alternatives.append(_answer(service, unit, sureness, terms))
            seen.add(doc_id)
    passages = _relevant_passages(scored.hits, terms)
    took = round((time.perf_counter() - started) * 1000, 2)
    return AnswerResult(scored.question.text, answer, alternatives, passages, took)


def score_candidates(service, text: str, filters: Mapping[str, Iterable[str]] | None = None) -> Scored:
    """Read the question, find its pages, and score every sentence on them with the fitted model."""
    question, hits, units, array = candidate_rows(service, text, filters)
    model = load_model()
    scores = model.scores(array)
    covered = model.covered(array) >= model.coverage_threshold
    return Scored(question, hits, units, array, scores, model.sureness(array, scores) if covered else 0.0)


def candidate_rows(service, text: str, filters: Mapping[str, Iterable[str]] | None = None
                   ) -> tuple[Question, list[dict], list[Unit], np.ndarray]:
    """Read the question, find its pages, and return every sentence on them with its feature row (no model needed)."""
    question = analyse_question(text)
    pages, hits = retrieve(service, question, filters)
    rarity = service.term_rarity(question.search_terms) if pages else {}
    weights = question_weights(question, rarity)
    unknown = _unknown_share(service, weights) if pages else 0.0
    units, rows = [], []
    page_stems = [frozenset(stems(page.text)) for page in pages]
    found = retrieval_figures(weights, set().union(*page_stems), hits[0]["score"] if hits else 0.0)
    sense = meaning_vector(text) if any(page.meanings for page in pages) else None  # no vectors: no encoding
    for page, on_page in zip(pages, page_stems):
        title = page.fields.get("title", "")
        for unit in units_of(page):
            units.append(unit)
            rows.append(features(question, weights, unknown, unit, on_page, title, found, sense))
    return question, hits, units, matrix(rows, units, weights)


def _unknown_share(service, weights: dict[str, float]) -> float:
    """Return the share of the question's weight in words no passage of the library holds."""
    unknown = service.unknown_terms(list(weights))
    return sum(weights[term] for term in unknown) / (sum(weights.values()) or 1.0)


def _answer(service, unit: Unit, probability: float, terms: frozenset[str]) -> Answer:
    """Turn a chosen candidate into an answer with its document, section and link."""
    fields = unit.page.fields
    doc_id, doc_format, page = fields["doc_id"], fields.get("format", ""), int(fields.get("page", 0))
    section = next((heading for heading in unit.headings if heading != "§"), "") or _section_in_effect(service, unit.page)
    return Answer(text=unit.text, before=unit.before, after=unit.after, document=document_summary(fields),
                  format=doc_format, page=page, section=section,
                  url=answer_url(doc_id, doc_format, page, _link_words(unit.text, terms)), score=probability, terms=terms,
                  ocr=bool(fields.get("ocr")))


def _section_in_effect(service, page: Page) -> str:
    """Return the section a page starts in: the previous page's last section for a PDF."""
    fields = page.fields
    number = int(fields.get("page", 0))
    if fields.get("format") == "pdf" and number > 1:
        previous = service.page_passages(fields["doc_id"], number - 1)
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


def document_summary(fields: dict) -> dict:
    """Return the document summary an answer carries."""
    return {"id": fields["doc_id"], "title": fields.get("title", ""), "type": fields.get("doc_type", ""),
            "date": fields.get("date", "")}


def _relevant_passages(hits: list[dict], terms: frozenset[str]) -> list[RelevantPassage]:
    """Return the best few retrieved passages, one per page."""
    passages, seen = [], set()
    for hit in hits:
        key = (hit["doc_id"], int(hit.get("page", 0)))
        if key in seen:
            continue
        seen.add(key)
        passages.append(RelevantPassage(
            document=document_summary(hit), format=hit.get("format", ""), page=key[1], section=hit.get("section", ""),
            excerpt_html=make_excerpt(hit.get("text", ""), terms),
            url=passage_url(hit["doc_id"], hit.get("format", ""), key[1]), ocr=bool(hit.get("ocr")),
        ))
        if len(passages) >= SHOWN_PASSAGES:
            break
    return passages
