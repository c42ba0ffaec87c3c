"""The kind of answer a question asks for (a date, a number, a name, a place) and whether a sentence offers one."""

from __future__ import annotations

import re

from .question import Question
from .words import capitalised, figures, has_date, has_number, stem_of, stems

_WANTS_DATE = re.compile(r"\b(?:year|century|decade|date|month)\b", re.IGNORECASE)
_WANTS_NUMBER = re.compile(r"\b(?:how many|how much|number of|percentage|proportion|amount)\b", re.IGNORECASE)
_INNER_QUESTION_WORD = re.compile(r"\b(who|whom|whose|where|when)\b", re.IGNORECASE)  # "... dealt with by whom?"
_PLACE = re.compile(r"\b(?:in|at|near|from|to|of)\s+(?:the\s+)?([A-Z][\w'’-]+)")


def answer_type_evidence(question: Question, text: str) -> tuple[float, float, float, float]:
    """Return (date, number, name, place) evidence: 1 when text has the kind asked for, -1 when it lacks it, 0 if not asked."""
    kind = asked_kind(question)
    found = {"date": lambda: has_date(text) or (kind == "how_long" and has_number(text)),
             "number": lambda: bool(figures(text) - figures(question.text)),
             "name": lambda: bool(capitalised(text) - set(stems(question.text)) - {stem_of(w.lower()) for w in question.words}),
             "place": lambda: any(stem_of(name.lower()) not in set(question.terms) for name in _PLACE.findall(text))}
    wanted = {"when": "date", "how_long": "date", "how_many": "number", "how_much": "number", "who": "name",
              "which": "name", "where": "place"}.get(kind)
    return tuple((1.0 if found[name]() else -1.0) if name == wanted else 0.0
                 for name in ("date", "number", "name", "place"))


def asked_kind(question: Question) -> str:
    """Return the kind of answer asked for, reading a question word anywhere ("... by whom?", "in what year?")."""
    if question.kind in ("when", "how_long") or _WANTS_DATE.search(question.text):
        return "when" if question.kind != "how_long" else "how_long"
    if question.kind in ("how_many", "how_much") or _WANTS_NUMBER.search(question.text):
        return "how_many"
    if question.kind not in ("what", "other"):
        return "who" if question.kind == "which" and question.wants_names else question.kind
    inner = _INNER_QUESTION_WORD.search(question.text)
    return {"whom": "who", "whose": "who"}.get(inner.group(1).lower(), inner.group(1).lower()) if inner else question.kind
