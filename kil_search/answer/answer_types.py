"""The kind of answer a question asks for (a date, a number, a name, a place) and whether a sentence offers one."""

from __future__ import annotations

import re
from functools import lru_cache

from .question import Question
from .words import figures, has_date, has_number, names, stem_of, stems

_WANTS_DATE = re.compile(r"\b(?:year|century|decade|date|month)\b", re.IGNORECASE)
_WANTS_NUMBER = re.compile(r"\b(?:how many|how much|number of|percentage|proportion|amount)\b", re.IGNORECASE)
_INNER_QUESTION_WORD = re.compile(r"\b(who|whom|whose|where|when)\b", re.IGNORECASE)  # "... dealt with by whom?"
_WANTED = {"when": "date", "how_long": "date", "how_many": "number", "how_much": "number", "who": "name", "which": "name",
           "where": "place"}
_PLACE = re.compile(r"\b(?:in|at|near|from|to|of)\s+(?:the\s+)?([A-Z][\w'’-]+)")


_TOKEN = re.compile(r"[\w'’-]+")
_ASKS_WHY = re.compile(r"^\s*why\b|\bwhat\s+(?:is|was|are|were)\s+the\s+(?:reason|cause|purpose|aim|goal)s?\b", re.IGNORECASE)
_REASON = re.compile(r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|in\s+order\s+to|so\s+that|so\s+as\s+to|since|thanks\s+to|"
                     r"reasons?|led\s+to|caused|aim(?:ed|s)?\s+to|intended\s+to|sought\s+to|to\s+(?:avoid|prevent|ensure|protect|"
                     r"provide|allow|make|gain|increase|reduce|support))\b", re.IGNORECASE)
_WHAT_IS = re.compile(r"^\s*what\s+(?:is|was|are|were)\s+(?:a\s+|an\s+|the\s+)?(.+?)\??\s*$", re.IGNORECASE)
_OPENS_DEFINING = re.compile(r"^(.{0,80}?)\s+(?:is|was|are|were)\s+(?:a|an|the|one)\b")
NEAR_WORDS = 3  # how far from the question's rarest word the answer asked for may stand


def answer_type_evidence(question: Question, text: str) -> tuple[float, float, float, float]:
    """Return (date, number, name, place) evidence: 1 when text has the kind asked for, -1 when it lacks it, 0 if not asked."""
    kind = asked_kind(question)
    wanted = _WANTED.get(kind)
    if wanted is None:
        return 0.0, 0.0, 0.0, 0.0
    found = _offers(question, kind, wanted, text)
    return tuple((1.0 if found else -1.0) if name == wanted else 0.0 for name in ("date", "number", "name", "place"))


def typed_near(question: Question, weights: dict[str, float], text: str) -> float:
    """Return 1 if the answer kind asked for stands within NEAR_WORDS of text's rarest question word, -1 if not, 0 if none asked."""
    kind = asked_kind(question)
    wanted = _WANTED.get(kind)
    if wanted is None:
        return 0.0
    tokens = list(_TOKEN.finditer(text))
    held = [(weights[stem], place) for place, token in enumerate(tokens)
            if (stem := stem_of(token.group(0).lower())) in weights]
    if not held:
        return -1.0
    rarest = max(weight for weight, _place in held)
    for weight, place in held:
        if weight < rarest:
            continue
        start = tokens[max(0, place - NEAR_WORDS)].start()
        end = tokens[min(len(tokens) - 1, place + NEAR_WORDS)].end()
        if _offers(question, kind, wanted, text[start:end]):
            return 1.0
    return -1.0


def gives_reason(question: Question, text: str) -> float:
    """Return 1 when a why-question meets a sentence giving a reason ("because", "in order to"), -1 when not, 0 for others."""
    if not _ASKS_WHY.search(question.text):
        return 0.0
    return 1.0 if _REASON.search(text) else -1.0


def defines(question: Question, text: str) -> float:
    """Return 1 when a "what is X?" question meets a sentence opening "X is a / the ...", else 0."""
    asked = _WHAT_IS.match(question.text)
    opening = _OPENS_DEFINING.match(text) if asked else None
    if not opening:
        return 0.0
    subject = set(stems(asked.group(1)))
    return 1.0 if subject and subject <= set(stems(opening.group(1))) else 0.0


def _offers(question: Question, kind: str, wanted: str, text: str) -> bool:
    """True when text offers the kind of answer wanted (a date, number, name or place the question does not give)."""
    if wanted == "date":
        found = has_date(text) or (kind == "how_long" and has_number(text))
    elif wanted == "number":
        found = bool(figures(text) - figures(question.text))
    elif wanted == "name":
        found = bool(names(text) - _given(question.text, tuple(question.words)))
    else:
        found = any(stem_of(name.lower()) not in question.terms for name in _PLACE.findall(text))
    return found


@lru_cache(maxsize=256)
def _given(text: str, words: tuple[str, ...]) -> frozenset[str]:
    """Return the stems the question gives itself: a name it writes is no answer to it."""
    return frozenset(stems(text)) | {stem_of(word.lower()) for word in words}


def asked_kind(question: Question) -> str:
    """Return the kind of answer asked for, reading a question word anywhere ("... by whom?", "in what year?")."""
    return _asked_kind(question.text, question.kind, question.wants_names)


@lru_cache(maxsize=256)
def _asked_kind(text: str, kind: str, wants_names: bool) -> str:
    """Return the kind of answer a question of this text, kind and wish for names asks for."""
    if kind in ("when", "how_long") or _WANTS_DATE.search(text):
        return "when" if kind != "how_long" else "how_long"
    if kind in ("how_many", "how_much") or _WANTS_NUMBER.search(text):
        return "how_many"
    if kind not in ("what", "other"):
        return "who" if kind == "which" and wants_names else kind
    inner = _INNER_QUESTION_WORD.search(text)
    return {"whom": "who", "whose": "who"}.get(inner.group(1).lower(), inner.group(1).lower()) if inner else kind
