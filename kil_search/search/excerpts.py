"""Excerpts: the best window of a passage, HTML-escaped first, then matched words marked."""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from ..index.analysis import fold_accents
from ..index.schema import text_analyzer

EXCERPT_CHARS = 280
MAX_CACHED_EXCERPTS = 10_000  # result excerpts remembered (with their passage texts: about 20 MB at most)
_TOKENIZER, _LOWERCASE, _FOLD, _STOPS, _STEMMER = text_analyzer().items  # the index's own analysis steps
_STOP_WORDS, _MIN_WORD = _STOPS.stops, _STOPS.min
_stem = lru_cache(maxsize=100_000)(_STEMMER.stemfn)


def find_matches(text: str, terms: frozenset[str], phrases: frozenset[tuple[str, ...]] = frozenset()) -> list[tuple[int, int, str]]:
    """Return (start, end, term) for every word of text whose analysed form is in terms,
    and for every word of a run of words that spells one of the phrases."""
    if phrases:
        return _matches_with_phrases(text, terms, phrases)
    return _term_matches(text, terms)


def _term_matches(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Return the words of text whose analysed form is in terms.

    Equivalent to running the index analyser over text, but only words that could
    stem to a term are looked at: a Porter stem minus its last letter always starts
    the lower-cased word, so a regular expression of those prefixes finds them.
    """
    if not terms:
        return []
    found = []
    for start, end, word in _candidate_words(text, terms):
        if word in _STOP_WORDS or len(word) < _MIN_WORD:
            continue
        stemmed = _stem(word)
        if stemmed in terms:
            found.append((start, end, stemmed))
    return found


def _candidate_words(text: str, terms: frozenset[str]):
    """Yield (start, end, word lower-cased and folded) for what _candidates(terms).finditer(text) finds,
    trying the pattern only where a prefix occurs.

    The regular expression alone walks every character (a third of a search's time); str.find over
    the lower-cased text jumps between the few places a prefix occurs, where the same pattern then
    decides. Text whose lower-casing would move characters, or that holds one of the letters
    re.IGNORECASE pairs with an ASCII letter other than by lower() (ı, ſ), takes the plain walk.
    Both look at the text with its accents folded, which keeps its length: the matches' offsets are text's.
    """
    prefixes = _prefixes(terms)
    lowered = fold_accents(text.lower())
    if prefixes is None or len(lowered) != len(text) or "ı" in lowered or "ſ" in lowered:
        for match in _candidates(terms).finditer(fold_accents(text)):
            start, end = match.span()
            yield start, end, fold_accents(text[start:end].lower())  # as the index analyses the word shown
        return
    starts = set()
    for prefix in prefixes:
        position = lowered.find(prefix)
        while position >= 0:
            starts.add(position)
            position = lowered.find(prefix, position + 1)
    pattern = _pattern_at_prefixes(terms)
    end = 0
    for start in sorted(starts):
        if start < end:
            continue  # inside the word matched before, as finditer would skip it
        match = pattern.match(lowered, start)
        if match is not None:
            end = match.end()
            yield start, end, match.group()


# _candidates' pattern without its prefixes: a token starting here (see _pattern_at_prefixes).
_TOKEN_START = re.compile(r"(?<![\w*])(?<![\w*]\.)[\w*]+(?:\.?[\w*]+)*", re.IGNORECASE)
_WORD_CHARACTERS = re.compile(r"\w+")


@lru_cache(maxsize=64)
def _pattern_at_prefixes(terms: frozenset[str]) -> re.Pattern:
    """Return a pattern that, at a place where one of _prefixes(terms) starts, matches as _candidates(terms) does.

    After a prefix of letters, digits and underscores, _candidates' pattern is a token's tail, so there it
    matches exactly what _TOKEN_START matches: one pattern compiled once serves every such query (compiling
    a query's own took about 0.1 ms, a third of the excerpts of its first page).
    """
    if all(_WORD_CHARACTERS.fullmatch(prefix) for prefix in _prefixes(terms) or ()):
        return _TOKEN_START
    return _candidates(terms)


@lru_cache(maxsize=64)
def _prefixes(terms: frozenset[str]) -> tuple[str, ...] | None:
    """Return the distinct stem-minus-one-letter prefixes of _candidates, or None unless all are lower-case ASCII."""
    prefixes = tuple({term[:-1] or term for term in terms})
    return prefixes if all(prefix.isascii() and prefix == prefix.lower() for prefix in prefixes) else None


@lru_cache(maxsize=64)
def _candidates(terms: frozenset[str]) -> re.Pattern:
    """Return a pattern for the tokens that begin with a term's stem-minus-one-letter prefix."""
    prefixes = sorted({re.escape(term[:-1] or term) for term in terms}, key=len, reverse=True)
    # A word that starts a token (not inside "e.g"-style dotted runs) and begins with a prefix.
    return re.compile(rf"(?<![\w*])(?<![\w*]\.)(?:{'|'.join(prefixes)})[\w*]*(?:\.?[\w*]+)*", re.IGNORECASE)


def _matches_with_phrases(text: str, terms: frozenset[str], phrases: frozenset[tuple[str, ...]]) -> list[tuple[int, int, str]]:
    """Return term matches plus every word of a run of words spelling a phrase.

    The analyser's steps done by hand (tokenise, lower-case, drop stop words), stemming
    only the words that could stem to a wanted word (see _term_matches).
    """
    wanted = set(terms).union(*phrases)
    prefixes = tuple(word[:-1] or word for word in wanted)
    tokens = []
    for match in _TOKENIZER.expression.finditer(text):
        word = fold_accents(match.group().lower())
        if word in _STOP_WORDS or len(word) < _MIN_WORD:
            continue
        tokens.append((match.start(), match.end(), _stem(word) if word.startswith(prefixes) else None))
    found = {(start, end, word) for start, end, word in tokens if word in terms}
    words = [word for _start, _end, word in tokens]
    for phrase in phrases:
        size = len(phrase)
        for index in range(len(tokens) - size + 1):
            if words[index] == phrase[0] and tuple(words[index:index + size]) == phrase:
                found.update((start, end, " ".join(phrase)) for start, end, _word in tokens[index:index + size])
    unique: dict[tuple[int, int], tuple[int, int, str]] = {}
    for match in sorted(found):
        unique.setdefault(match[:2], match)
    return list(unique.values())


@lru_cache(maxsize=MAX_CACHED_EXCERPTS)
def shown_excerpt(text: str, terms: frozenset[str], phrases: frozenset[tuple[str, ...]] = frozenset()) -> Markup:
    """Return make_excerpt(text, terms, phrases=phrases), remembered: a result page shows the same passages again
    (the next page, a facet chosen, the HTML and the JSON view), and it depends on nothing else."""
    return make_excerpt(text, terms, phrases=phrases)


def make_excerpt(text: str, terms: frozenset[str], width: int = EXCERPT_CHARS,
                 phrases: frozenset[tuple[str, ...]] = frozenset()) -> Markup:
    """Return the window of text with the most distinct matched terms, marked up safely."""
    matches = find_matches(text, terms, phrases)
    start, end = _best_window(text, matches, width)
    pieces = ["… " if start > 0 else ""]
    cursor = start
    for match_start, match_end, _term in matches:
        if match_start < start or match_end > end:
            continue
        pieces.append(escaped(text[cursor:match_start]))
        pieces.append("<mark>")
        pieces.append(escaped(text[match_start:match_end]))
        pieces.append("</mark>")
        cursor = match_end
    pieces.append(escaped(text[cursor:end]))
    pieces.append(" …" if end < len(text) else "")
    return Markup("".join(pieces))  # every piece of document text above went through escaped()


def escaped(text: str) -> str:
    """Return text HTML-escaped exactly as markupsafe.escape does, as a plain string (a Markup per piece cost more)."""
    if type(text) is not str:  # Markup is already safe; anything else is converted as escape() does
        return str(escape(text))
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")


def _best_window(text: str, matches: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """Pick [start, end) of about width chars covering the most distinct terms, on word edges."""
    if len(text) <= width:
        return 0, len(text)
    best_start, best_score = 0, (-1, 0)
    counts: dict[str, int] = {}
    last = 0  # matches[index:last] are those ending within width of matches[index]'s start
    for index, (first_start, _end, _term) in enumerate(matches):
        if last < index:  # a single word longer than the window
            last = index
        while last < len(matches) and matches[last][1] <= first_start + width:
            counts[matches[last][2]] = counts.get(matches[last][2], 0) + 1
            last += 1
        score = (len(counts), last - index)
        if score > best_score:
            best_start, best_score = first_start, score
        term = matches[index][2]
        if index < last:
            counts[term] -= 1
            if not counts[term]:
                del counts[term]
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
