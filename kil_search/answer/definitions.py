"""Sentences that say what a thing is: the answer to "What is X?" and "What does X mean?".

The subject X is read from the question; the glossary's other names for it count too ("LM3" is
"Local Multiplier 3"). A sentence defines X when it opens with X and goes on "is", "are", "means",
"refers to", "measures" or "stands for"; when it says "X, which is ..."; or when it opens "They
are" / "It is" right after a sentence that ended by naming X.
"""

from __future__ import annotations

import re

from ..search.glossary import stems as index_stems
from .question import Question

_SUBJECT = re.compile(
    r"^\s*what\s+(?:is|are|was|were)\s+(?:a\s+|an\s+|the\s+)?(?P<is>[^?]+?)\s*\??\s*$"
    r"|^\s*what\s+(?:does|do|did)\s+(?:a\s+|an\s+|the\s+)?(?P<means>[^?]+?)\s+(?:mean|stand\s+for)\s*\??\s*$",
    re.IGNORECASE)
_COPULA = r"(?:is|are|was|were|means?|meant|refers?\s+to|describes?|measures?|stands?\s+for|is\s+defined\s+as)"
_DETERMINER = r"(?:(?:a|an|the|our|this)\s+)?"
_ASIDE = r"(?:\s*\([^)]{1,60}\))?(?:\s+(?:method|approach|model|idea|term|programme|scheme|policy|act))?(?:,[^,.]{1,80},)?"
_POINTS_BACK = re.compile(r"^(?:they|it|these|this|such\s+\w+)\s+(?:is|are|was|were|means?)\s+\S", re.IGNORECASE)
MIN_WORDS_AFTER = 3  # "X is important." says little of what X is
MAX_SUBJECT_WORDS = 6


def subject(question: Question) -> str:
    """Return the X of "What is X?" or "What does X mean?", or "" for any other question."""
    if not question.wants_definition and not re.match(r"^\s*what\s+(?:does|do|did)\b", question.text, re.IGNORECASE):
        return ""
    match = _SUBJECT.match(question.text)
    if not match:
        return ""
    found = (match.group("is") or match.group("means") or "").strip(" .")
    return found if 0 < len(found.split()) <= MAX_SUBJECT_WORDS else ""


def subject_forms(question: Question, glossary=None) -> list[re.Pattern]:
    """Return patterns for the question's subject and its glossary alternatives, as a sentence may write them."""
    asked = subject(question)
    if not asked:
        return []
    names = [asked] + (glossary.alternatives(index_stems(asked)) if glossary is not None else [])
    return [_written(name) for name in dict.fromkeys(names) if name.split()]


def _written(name: str) -> re.Pattern:
    """Return a pattern matching a name with any small word ending (plurals) and any spacing or hyphen between words."""
    words = [re.escape(word) + r"(?:s|es|'s|’s)?" for word in re.findall(r"[\w'’]+", name)]
    return re.compile(r"[\s-]+".join(words), re.IGNORECASE)


def defines(unit, forms: list[re.Pattern]) -> bool:
    """True when a candidate sentence says what one of the subject's forms is."""
    text = " ".join(unit.text.split())
    for form in forms:
        opening = re.match(rf"{_DETERMINER}(?:{form.pattern}){_ASIDE}\s+{_COPULA}\s+(?P<rest>.+)", text, re.IGNORECASE)
        if opening and len(opening.group("rest").split()) >= MIN_WORDS_AFTER:
            return True
        if re.search(rf"\b(?:{form.pattern}){_ASIDE}\s*,?\s+(?:which|that)\s+{_COPULA}\s+\S+(?:\s+\S+){{{MIN_WORDS_AFTER - 1}}}",
                     text, re.IGNORECASE):
            return True
        before = " ".join(unit.before.split()).rstrip(" .!?:;")
        if _POINTS_BACK.match(text) and re.search(rf"\b(?:{form.pattern})$", before, re.IGNORECASE) \
                and len(text.split()) > MIN_WORDS_AFTER + 1:
            return True
    return False
