"""Excerpts: the best window of a passage, HTML-escaped first, then matched words marked."""

from __future__ import annotations

from markupsafe import Markup, escape

from ..index.schema import text_analyzer

EXCERPT_CHARS = 280
_ANALYZER = text_analyzer()


def find_matches(text: str, terms: frozenset[str], phrases: frozenset[tuple[str, ...]] = frozenset()) -> list[tuple[int, int, str]]:
    """Return (start, end, term) for every word of text whose analysed form is in terms,
    and for every word of a run of words that spells one of the phrases."""
    if not terms and not phrases:
        return []
    tokens = [(token.startchar, token.endchar, token.text) for token in _ANALYZER(text, chars=True, mode="query")]
    found = {(start, end, word) for start, end, word in tokens if word in terms}
    words = [word for _start, _end, word in tokens]
    for phrase in phrases:
        size = len(phrase)
        for index in range(len(tokens) - size + 1):
            if tuple(words[index:index + size]) == phrase:
                found.update((start, end, " ".join(phrase)) for start, end, _word in tokens[index:index + size])
    unique: dict[tuple[int, int], tuple[int, int, str]] = {}
    for match in sorted(found):
        unique.setdefault(match[:2], match)
    return list(unique.values())


def make_excerpt(text: str, terms: frozenset[str], width: int = EXCERPT_CHARS,
                 phrases: frozenset[tuple[str, ...]] = frozenset()) -> Markup:
    """Return the window of text with the most distinct matched terms, marked up safely."""
    matches = find_matches(text, terms, phrases)
    start, end = _best_window(text, matches, width)
    shown = [match for match in matches if match[0] >= start and match[1] <= end]
    pieces = ["… " if start > 0 else ""]
    cursor = start
    for match_start, match_end, _term in shown:
        pieces.append(escape(text[cursor:match_start]))
        pieces.append(Markup("<mark>%s</mark>") % text[match_start:match_end])
        cursor = match_end
    pieces.append(escape(text[cursor:end]))
    pieces.append(" …" if end < len(text) else "")
    return Markup("").join(Markup(piece) if isinstance(piece, Markup) else escape(piece) for piece in pieces)


def _best_window(text: str, matches: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """Pick [start, end) of about width chars covering the most distinct terms, on word edges."""
    if len(text) <= width:
        return 0, len(text)
    best_start, best_score = 0, (-1, 0)
    for index, (first_start, _end, _term) in enumerate(matches):
        inside = [m for m in matches[index:] if m[1] <= first_start + width]
        score = (len({m[2] for m in inside}), len(inside))
        if score > best_score:
            best_start, best_score = first_start, score
    start = max(0, best_start - width // 4) if matches else 0
    start = _word_edge_back(text, start)
    end = min(len(text), start + width)
    end = _word_edge_forward(text, end)
    return start, end


def _word_edge_back(text: str, position: int) -> int:
    """Move position back to the start of a word (or a line)."""
    if position <= 0:
        return 0
    space = max(text.rfind(" ", 0, position), text.rfind("\n", 0, position))
    return space + 1 if space >= 0 and position - space < 30 else position


def _word_edge_forward(text: str, position: int) -> int:
    """Move position forward to the end of a word."""
    if position >= len(text):
        return len(text)
    space = text.find(" ", position)
    return space if 0 <= space - position < 30 else position
