"""Sentences that say what a thing is or does: the answer to "What is X?", "What does X mean?", "What does X measure?".

The subject X is read from the question; the glossary's other names for it count too ("LM3" is
"Local Multiplier 3"). A sentence defines X when it opens with X and goes on "is", "are", "means",
"refers to", "measures" or "stands for"; when it says "X, which is ..."; or when it opens "They
are" / "It is" right after a sentence that ended by naming X. "What does X measure?" is answered
the same way by a sentence in which X measures something.
"""

from __future__ import annotations

import re

from ..search.glossary import stems as index_stems
from .question import Question

_SUBJECT = re.compile(
    r"^\s*what\s+(?:is|are|was|were)\s+(?:a\s+|an\s+|the\s+)?(?P<is>[^?]+?)\s*\??\s*$"
    r"|^\s*what\s+(?:does|do|did)\s+(?:a\s+|an\s+|the\s+)?(?P<means>[^?]+?)\s+(?:mean|stand\s+for)\s*\??\s*$"
    r"|^\s*what\s+(?:does|do)\s+(?:a\s+|an\s+|the\s+)?(?P<does>[^?]+?)\s+(?P<verb>[a-z]{3,})\s*\??\s*$",
    re.IGNORECASE)
_COPULA = r"(?:is|are|was|were|means?|meant|refers?\s+to|describes?|measures?|stands?\s+for|is\s+defined\s+as)"
_DETERMINER = r"(?:(?:a|an|the|our|this)\s+)?"
_ASIDE = r"(?:\s+\d{4})?(?:\s*\([^)]{1,60}\))?(?:\s+(?:method|approach|model|idea|term|programme|scheme|policy|act))?(?:,[^,.]{1,80},)?"
_POINTS_BACK = re.compile(r"^(?:they|it|these|this|such\s+\w+)\s+(?:is|are|was|were|means?)\s+\S", re.IGNORECASE)
MIN_WORDS_AFTER = 3  # "X is important." says little of what X is
MAX_SUBJECT_WORDS = 6


def subject(question: Question) -> tuple[str, str]:
    """Return the X of "What is X?", "What does X mean?" or "What does X measure?" and the verb a defining
    sentence uses after it (a pattern); ("", "") for any other question."""
    match = _SUBJECT.match(question.text)
    if not match or not (question.wants_definition or re.match(r"^\s*what\s+(?:does|do|did)\b", question.text, re.I)):
        return "", ""
    if match.group("does"):
        found, verb = match.group("does"), _inflected(match.group("verb").lower())
    else:
        found, verb = match.group("is") or match.group("means") or "", _COPULA
    found = found.strip(" .")
    return (found, verb) if 0 < len(found.split()) <= MAX_SUBJECT_WORDS else ("", "")


def _inflected(verb: str) -> str:
    """Return a pattern for a verb as a sentence may write it after its subject ("measure": measures, measured)."""
    base = re.escape(verb[:-1] if verb.endswith("e") else verb)
    return rf"(?:{base}(?:e|es|s|ed|d)?)"


def subject_forms(question: Question, glossary=None) -> list[tuple[re.Pattern, str]]:
    """Return (pattern, verb pattern) for the question's subject and each of its glossary names."""
    asked, verb = subject(question)
    if not asked:
        return []
    names = [asked] + (glossary.alternatives(index_stems(asked)) if glossary is not None else [])
    return [(_written(name), verb) for name in dict.fromkeys(names) if name.split()]


def _written(name: str) -> re.Pattern:
    """Return a pattern matching a name with any small word ending (plurals) and spaces, hyphens or brackets between words."""
    words = [re.escape(word) + r"(?:s|es|'s|’s)?" for word in re.findall(r"[\w'’]+", name)]
    return re.compile(r"[\s()–-]+".join(words), re.IGNORECASE)


def defines(unit, forms: list[tuple[re.Pattern, str]]) -> bool:
    """True when a candidate sentence says what one of the subject's forms is (or does, for "what does X do")."""
    text = " ".join(unit.text.split())
    for form, verb in forms:
        opening = re.match(rf"{_DETERMINER}(?:{form.pattern}){_ASIDE}\s+{verb}\s+(?P<rest>.+)", text, re.IGNORECASE)
        if opening and len(opening.group("rest").split()) >= MIN_WORDS_AFTER:
            return True
        if re.search(rf"\b(?:{form.pattern}){_ASIDE}\s*,?\s+(?:which|that)\s+{verb}\s+\S+(?:\s+\S+){{{MIN_WORDS_AFTER - 1}}}",
                     text, re.IGNORECASE):
            return True
        before = " ".join(unit.before.split()).rstrip(" .!?:;")
        if verb == _COPULA and _POINTS_BACK.match(text) and re.search(rf"\b(?:{form.pattern})$", before, re.IGNORECASE) \
                and len(text.split()) > MIN_WORDS_AFTER + 1:
            return True
    return False
