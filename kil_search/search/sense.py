"""Whether a sentence goes the way the question does: a way of doing what a "how" question asks, not its reverse.

"How can a council keep money in the local economy?" is answered by "Councils can increase local
money by understanding their spending", a way of doing it by the one asking; "large contracts take
money out of local economies" shares its words but says the opposite.
"""

from __future__ import annotations

import re

from ..index.schema import text_analyzer
from .question import Question

REVERSED = 0.85  # the share kept by a sentence saying the opposite of what the question asks about
# Verbs of direction and the words saying the reverse (a pair of words means one phrase: "take ... out").
_OPPOSITE_WORDS = {
    "keep": ["lose", "leak", "drain", "take out", "flow out", "squeeze out"],
    "increase": ["reduce", "decrease", "cut", "fall", "shrink"],
    "raise": ["reduce", "decrease", "cut", "lower"],
    "grow": ["shrink", "decline", "fall"],
    "reduce": ["increase", "raise", "rise", "grow"],
    "improve": ["worsen", "harm", "damage", "undermine"],
    "strengthen": ["weaken", "undermine"],
    "support": ["undermine", "exclude", "shut out"],
    "include": ["exclude", "shut out"],
    "win": ["lose"],
    "save": ["waste", "lose"],
}
PHRASE_GAP = 4  # how far apart the words of a reversing phrase may stand ("take money out")
_HOW_AGENT = re.compile(r"^\s*how\s+(?:can|could|should|do|does|might|would|will|must)\s+(?:a|an|the|our|my|your|their|its)?\s*([\w'’-]+)",
                        re.IGNORECASE)
_MODAL = re.compile(r"\b(?:can|should|could|must|need\s+to|needs\s+to|may|might|will)\b", re.IGNORECASE)
AGENT_REACH = 3  # words between the one asking and the modal in "councils in two-tier areas can ..."
_ANALYZER = text_analyzer()


def _stems(text: str) -> tuple[str, ...]:
    """Return the analysed words of text."""
    return tuple(token.text for token in _ANALYZER(text))


_OPPOSITES = {_stems(verb)[0]: [_stems(phrase) for phrase in phrases] for verb, phrases in _OPPOSITE_WORDS.items()}


def agent(question: Question) -> str | None:
    """Return the analysed word for who a "how can/should X ..." question asks about ("council"), if any."""
    match = _HOW_AGENT.match(question.text)
    stems = _stems(match.group(1)) if match else ()
    return stems[0] if stems else None


def by_the_agent(question: Question, text: str) -> bool:
    """True when the one the question asks about is the subject of a modal: "Councils can ...", "the council should ..."."""
    asked = agent(question)
    if not asked:
        return False
    for modal in _MODAL.finditer(text):
        before = _stems(text[:modal.start()])[-AGENT_REACH:]
        if asked in before:
            return True
    return False


def reverses(question: Question, tokens) -> bool:
    """True when the text says the opposite of a question verb ("take money out" for "keep money in") and not the verb."""
    asked = [term for term in question.terms if term in _OPPOSITES]
    if not asked:
        return False
    positions: dict[str, list[int]] = {}
    for word, position, _ in tokens:
        positions.setdefault(word, []).append(position)
    for term in asked:
        if term in positions:
            continue
        if any(_has_phrase(positions, phrase) for phrase in _OPPOSITES[term]):
            return True
    return False


def _has_phrase(positions: dict[str, list[int]], phrase: tuple[str, ...]) -> bool:
    """True when the phrase's words all occur, each within PHRASE_GAP words after the one before."""
    if not phrase or phrase[0] not in positions:
        return False
    starts = positions[phrase[0]]
    for word in phrase[1:]:
        following = [q for q in positions.get(word, ()) if any(0 < q - p <= PHRASE_GAP for p in starts)]
        if not following:
            return False
        starts = following
    return True
