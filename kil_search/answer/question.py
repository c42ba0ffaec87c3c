"""Read a question: is it one, what kind of answer it wants, and which of its words count."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..index.schema import text_analyzer

_ANALYZER = text_analyzer()
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

QUESTION_WORDS = frozenset("what which who whom whose when where why how".split())
# Words that shape a question but never name what it is about; they never count as matches.
FRAME_WORDS = frozenset(
    """what which who whom whose when where why how many much does do did done doing is are was were
    be been being has have had having can could should would shall will might must may there their
    they them its i me my mine our ours you your he she his her it about any some tell give list name
    explain describe please know say said according kind sort type whether anything something
    mean means meant happen happened happens exactly up out now current currently still ever also just
    actually really during within between among across through throughout towards toward upon via per around
    against without under over since until while whilst before after than then very more most such each every
    other another get gets got become becomes became becoming gave given giving gives take takes took taken taking go goes went come came""".split()
)
# How a question is put, not what it is about: words at least half as common per SQuAD fit-split question as
# per paragraph, used in the questions of four or more of its eight articles (benchmarks/question_phrasing.py
# prints the table: "happen", "kind", "type", "do", "get" are frame words above; "begin" joins them, while
# "die" is left out, as paragraphs write "died", which stems apart), and words pointing at the asker's own
# moment or context ("these councils", "today"), which a page never shares with the question.
PHRASING_WORDS = frozenset("begin begins these those today nowadays".split())
PHRASE_LINKS = frozenset("of to for in on the a an and".split())  # small words that may join a phrase's two words
AUXILIARY_STARTS = frozenset("is are was were does do did can could should would will has have".split())
NUMBER_WORDS = {
    word: value for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split())
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
_LIST_QUESTION = re.compile(
    r"^\s*(?:what|which)\s+(?:are|were)\s+(?:the\s+|its\s+|their\s+)?(?P<count>\d+|" + "|".join(NUMBER_WORDS) + r")?\b",
    re.IGNORECASE,
)
_WHICH_NOUN = re.compile(r"^\s*(?:which|what)\s+((?:[\w'’-]+\s+){0,2}[\w'’-]+)\s+[\w'’-]+")
_SINGULAR_S = ("ss", "us", "is", "'s", "’s")
_IRREGULAR_PLURALS = frozenset("people children staff men women police cattle data media".split())
_DETERMINERS = frozenset("the a an its their our his her this that these those".split())
_DEFINITION_QUESTION = re.compile(r"^\s*what\s+(?:is|was)\s+(?:a\s+|an\s+|the\s+)?\S|^\s*what\s+(?:does|do|did)\s+.+\s+(?:mean|stand\s+for)\b")
ADJUNCT_WEIGHT = 0.5
_ADJUNCT = re.compile(r"\b(?:during|throughout|before|after|since|until)\s+((?:the\s+|a\s+|an\s+|this\s+|that\s+|last\s+)?[\w'’-]+(?:\s+[\w'’-]+)?)",
                      re.IGNORECASE)
_LATEST = re.compile(r"\b(?:now|nowadays|currently|current|latest|today|at\s+present|so\s+far|to\s+date|most\s+recent)\b")
_HOW_MEASURE = re.compile(r"\bhow\s+(?:long|often|far|big|large|old|soon|early|late)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
_TAKE_PART = re.compile(r"\b(?:take|takes|took|taken|taking)\s+part\b", re.IGNORECASE)
# Set phrasings that only frame the question: "take place" (happen), "known as" / "called" (named), "didn't".
_SET_PHRASES = re.compile(r"\b(?:take|takes|took|taken|taking)\s+place\b|\b(?:known|referred\s+to)\s+as\b|\bcalled\s*(?=\?|$)|"
                          r"\b\w+n['’]t\b", re.IGNORECASE)
_QUANTITY = re.compile(
    r"^\s*what\s+(?:is|was|are|were)\s+(?:the\s+|its\s+|their\s+)?(?:[\w'’-]+\s+){0,2}?(?P<noun>population|size|amount|"
    r"cost|costs|budget|value|income|price|rate|percentage|proportion|share|total|score|average|salary|turnover|figure)\b"
)
# "What LM3 score did it achieve", "what weighting did the council give": a figure is asked for.
_MEASURED = re.compile(
    r"^\s*what\s+(?:[\w'’-]+\s+){0,2}?(?P<noun>score|scores|weighting|rate|percentage|proportion|share|amount|total|"
    r"figure|cost|costs|value|price|budget|salary|turnover|income)\s+(?:did|does|do|is|was|were|are|has|have|had|will|would)\b"
)
# A clause before the question proper: "When the election produced a majority, what was it the first of?"
_OPENING_CLAUSE = re.compile(r"^\s*(?:when|while|after|before|if|as|since|once|although|though|during|in|on|by|"
                             r"according\s+to|besides|apart\s+from)\b[^,?]{3,},\s*(?P<clause>)(?=(?:what|which|who|whom|"
                             r"whose|where|why|how|when)\b)")
# Nouns asking for a figure (or, "deadline", a date) even after "what is": "what is Locality's turnover?".
QUANTITY_NOUNS = frozenset("""population size amount cost costs budget value income price rate percentage proportion
    share total score scores average salary salaries turnover figure speed speeds fee fees wage wages deadline""".split())
# Nouns naming the answer itself, not something it stands beside: "what is the name of", "what year", "how many types".
_NAMING_NOUNS = frozenset("""name names term terms word words kind kinds type types sort sorts form forms example examples
    part parts role roles one ones year years date dates month months day days time times century centuries decade decades
    number numbers amount amounts percentage proportion""".split())
# Words picking one of several values rather than naming the thing: "the first administrator", "the final minister".
_PICKING_WORDS = frozenset("first second third last final main original former previous next latest new old".split())
_MONEY_NOUNS = frozenset("cost costs budget value income price salary turnover".split())
# The thing a question asks about, as a noun phrase: "what is Locality's annual turnover", "who is the chief
# executive of X", "what is the deadline for X", "what broadband speeds do X get", "what LM3 score did X achieve".
_POSSESSOR = r"(?:(?:the\s+|a\s+|an\s+|its\s+|their\s+)?[\w’-]+(?:['’]s|s['’])\s+|the\s+|a\s+|an\s+|its\s+|their\s+)"
_FOCUS_PATTERNS = (
    re.compile(r"^\s*(?:what|who)\s+(?:is|was|are|were)\s+" + _POSSESSOR + "?" +
               r"(?P<phrase>(?:[\w'’-]+\s+){0,3}?[\w'’-]+)\s*(?:\b(?:of|for|in|at|on|to|from|with|by|between|that|which|who)\b|\?|$)"),
    re.compile(r"^\s*(?:what|which)\s+(?P<phrase>(?:[\w'’-]+\s+){0,2}?[\w'’-]+)\s+(?:do|does|did|is|was|are|were|has|have|"
               r"had|will|would|can|could|should)\b"),
)
_NAME_NOUNS = re.compile(r"\b(?:councils?|organisations?|organizations?|places?|areas?|authorit(?:y|ies)|towns?|cities|city|"
                         r"charit(?:y|ies)|partners?|people|person|groups?|bodies|body|compan(?:y|ies)|trusts?)\b", re.IGNORECASE)


@dataclass
class Question:
    """What a question asks for and the analysed words that must be found to answer it."""

    text: str
    kind: str  # when | how_many | how_much | who | which | where | why | how | what | other
    terms: list[str] = field(default_factory=list)  # analysed (stemmed) words, question words removed
    words: list[str] = field(default_factory=list)  # the surface words behind terms, for links and highlighting
    wants_list: bool = False
    list_count: int | None = None
    wants_names: bool = False
    wants_definition: bool = False
    names: frozenset[str] = frozenset()  # terms written with a capital inside the question: names of things
    stems: dict[str, str] = field(default_factory=dict)  # each term's analysed form in the index (names are kept as written)
    wants_latest: bool = False  # "now", "currently": the most recent documents know best
    counted: str = ""  # for "how many X", the analysed X: a number right before it answers best
    variants: dict[str, frozenset[str]] = field(default_factory=dict)  # term -> index terms that only end differently
    adjuncts: frozenset[str] = frozenset()  # terms of "during the pandemic"-like qualifiers: they narrow, they seldom identify
    phrase_pairs: tuple[tuple[str, str], ...] = ()  # terms written next to each other ("local economy", "first to join")
    synonyms: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)  # term -> glossary alternatives, analysed
    shared_title_words: frozenset[str] = frozenset()  # words most retrieved documents' titles hold: they name none of them
    focus: tuple[str, ...] = ()  # the lower-case words naming the thing asked about ("annual", "turnover"), its head noun last

    def found(self, words: frozenset[str]) -> frozenset[str]:
        """Return words plus each term one of whose variants is among them ("economic" finds "economy")."""
        extra = {term for term, forms in self.variants.items() if term not in words and forms & words}
        return words | extra if extra else words

    def weight(self, term: str) -> float:
        """Return how much a term matters next to the others (qualifiers of time count half)."""
        return ADJUNCT_WEIGHT if term in self.adjuncts and term not in self.names else 1.0

    @property
    def search_terms(self) -> list[str]:
        """Return the terms as the index analyses them, for searching and highlighting."""
        return list(dict.fromkeys(self.stems.get(term, term) for term in self.terms))

    def is_name(self, term: str) -> bool:
        """True when the question wrote this term as a name (a place, an organisation, a report)."""
        return term in self.names


def looks_like_question(text: str) -> bool:
    """Return True when text reads as a question rather than a keyword search."""
    text = (text or "").strip()
    words = [word.lower() for word in _WORD.findall(text)]
    if not words:
        return False
    if text.endswith("?"):
        return True
    if words[0] in QUESTION_WORDS and len(words) >= 2:
        return True
    return words[0] in AUXILIARY_STARTS and len(words) >= 3


def analyse_question(text: str) -> Question:
    """Return the question's kind, list wishes and content terms."""
    text = (text or "").replace("\x00", " ").strip()[:500]
    lowered = text.lower()
    kind = _kind(lowered)
    list_match = _LIST_QUESTION.match(lowered)
    count = None
    if list_match and list_match.group("count"):
        raw = list_match.group("count")
        count = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw)
    tokens = _content_tokens(text)
    stemmed, words = [token[0] for token in tokens], [token[1] for token in tokens]
    first_word = _WORD.search(text)
    is_name = [word[:1].isupper() and not (first_word and first_word.start() == text.find(word)) for word in words]
    # A name is matched as written: stemming would make "Locality" the common word "local".
    terms = [_POSSESSIVE.sub("", word.lower()) if name else term for term, word, name in zip(stemmed, words, is_name)]
    names = frozenset(term for term, name in zip(terms, is_name) if name)
    stems = dict(zip(terms, stemmed))
    return Question(
        text=text,
        kind=kind,
        terms=terms,
        words=words,
        wants_list=(bool(list_match) and (count is None or count >= 2)) or _asks_for_several(lowered),
        list_count=count if count and count >= 2 else None,
        wants_names=kind in ("who", "where") or (kind == "which" and bool(_NAME_NOUNS.search(lowered))),
        wants_definition=kind == "what" and bool(_DEFINITION_QUESTION.match(lowered)) and len(terms) <= 4,
        names=names,
        stems=stems,
        wants_latest=bool(_LATEST.search(lowered)),
        counted=_counted(text, terms),
        adjuncts=frozenset(term for phrase in _ADJUNCT.findall(text) for term in content_terms(phrase)[0]),
        phrase_pairs=_phrase_pairs(_without_frames(text), terms, tokens),
        focus=_focus(lowered, kind),
    )


def content_terms(text: str) -> tuple[list[str], list[str]]:
    """Return the analysed content terms of text and their surface words, in order, without repeats."""
    tokens = _content_tokens(text)
    return [token[0] for token in tokens], [token[1] for token in tokens]


def _without_frames(text: str) -> str:
    """Return text without the phrases that only say what kind of answer is wanted (same length)."""
    text = _TAKE_PART.sub(lambda match: " " * len(match.group(0)), text)  # "take part in" only means "join in"
    text = _SET_PHRASES.sub(lambda match: " " * len(match.group(0)), text)
    return _HOW_MEASURE.sub(lambda match: " " * len(match.group(0)), text)  # "how long": the kind of answer, not a word


def _content_tokens(text: str) -> list[tuple[str, str, int, int]]:
    """Return (analysed term, surface word, start, end) for each content word of text, in order, without repeats."""
    text = _without_frames(text)
    found: list[tuple[str, str, int, int]] = []
    for token in _ANALYZER(text, chars=True, mode="query"):
        surface = text[token.startchar:token.endchar]
        if surface.lower() in FRAME_WORDS or token.text in FRAME_WORDS or surface.lower() in PHRASING_WORDS or any(token.text == seen[0] for seen in found):
            continue
        found.append((token.text, surface, token.startchar, token.endchar))
    return found


def _phrase_pairs(text: str, terms: list[str], tokens) -> tuple[tuple[str, str], ...]:
    """Return pairs of terms written together: side by side, or with one small word between ("first to join")."""
    pairs = []
    for (a, b), (left, right) in zip(zip(terms, terms[1:]), zip(tokens, tokens[1:])):
        between = text[left[3]:right[2]].split()
        if not between or (len(between) == 1 and between[0].lower() in PHRASE_LINKS):
            pairs.append((a, b))
    return tuple(pairs)


def _asks_for_several(lowered: str) -> bool:
    """True for "which/what" + a plural noun: "which councils took part", "which two early adopters did"."""
    match = _WHICH_NOUN.match(lowered)
    if not match:
        return False
    words = match.group(0).split()[1:]
    for position, word in enumerate(words[:-1]):
        if word in FRAME_WORDS or word in PHRASE_LINKS:
            return False  # "which was...", "what share of...": no noun of its own
        if word.endswith("s") and not word.endswith(_SINGULAR_S):
            return words[position + 1] not in _DETERMINERS  # "which charity runs the hub": a verb, not a plural
    return False


def _counted(text: str, terms: list[str]) -> str:
    """Return the analysed noun a "how many" question counts: "how many community hubs did" gives "hub".

    The noun is the first plural among the few words after "how many" ("care workers", "people"),
    else the last word before a verb the question is framed with ("how many staff does").
    """
    match = re.search(r"\bhow\s+many\s+((?:[\w'’-]+\s*){1,4})", text, re.IGNORECASE)
    if not match:
        return ""
    words = match.group(1).split()
    phrase = []
    for word in words:
        if word.lower() in FRAME_WORDS:
            break
        phrase.append(word)
        if _is_plural(word.lower()):
            break
    counted = [term for term in content_terms(phrase[-1])[0] if term in terms] if phrase else []
    return counted[0] if counted else ""


def _focus(lowered: str, kind: str) -> tuple[str, ...]:
    """Return the words naming what the question asks about, head noun last; none for "which council", "what is X?".

    "Which councils" and "what organisations" name the kind of answer, not an attribute the answer sits beside,
    and a question asking what something is names its subject, which every answer repeats.
    """
    clause = _OPENING_CLAUSE.match(lowered)
    if clause:
        lowered = lowered[clause.end("clause"):]
    counted = re.search(r"\bhow\s+many\s+((?:[\w'’-]+\s*){1,4})", lowered)
    if counted:
        words = []
        for word in counted.group(1).split():
            if word in FRAME_WORDS:
                break
            words.append(word)
            if _is_plural(word):
                break
        else:
            words = words[:1]  # no plural: "how many Frenchman won": the noun counted is the first word
        words = _focus_words(words)
        return words if words and words[-1] not in _NAMING_NOUNS else ()
    for pattern in _FOCUS_PATTERNS:
        match = pattern.match(lowered)
        if match and kind == "who" and not re.match(r"^\s*who\s+\w+\s+" + _POSSESSOR, lowered):
            return ()  # "who was made governor", "who is eligible": no thing named whose holder is asked for
        if match:
            words = _focus_words(match.group("phrase").split())
            ends = not lowered[match.end("phrase"):].strip(" ?")
            if not words or (pattern is _FOCUS_PATTERNS[0] and ends and words[-1] not in QUANTITY_NOUNS):
                return ()  # "what is the Social Value Act?": the subject itself
            if _NAME_NOUNS.fullmatch(words[-1]) or words[-1] in _NAMING_NOUNS:
                return ()
            return words
    return ()


def _focus_words(words: list[str]) -> tuple[str, ...]:
    """Return the words of a focus phrase that name something: no frame words, no number words."""
    return tuple(word.strip("?") for word in words if word.strip("?") and word not in FRAME_WORDS
                 and word not in PHRASING_WORDS and word not in NUMBER_WORDS and word not in PHRASE_LINKS
                 and word not in _PICKING_WORDS)


def _is_plural(word: str) -> bool:
    """True for a word that reads as a plural noun ("hubs", "people")."""
    return word in _IRREGULAR_PLURALS or (word.endswith("s") and not word.endswith(_SINGULAR_S) and len(word) > 3)


def _kind(lowered: str) -> str:
    """Classify the question by its opening words (after an opening clause: "When X happened, which ...")."""
    clause = _OPENING_CLAUSE.match(lowered)
    if clause:
        return _kind(lowered[clause.end("clause"):])
    if re.search(r"\bhow\s+long\b|\bfor\s+how\s+many\s+(?:years|months|weeks|days)\b", lowered):
        return "how_long"
    if re.search(r"\bhow\s+often\b|\bhow\s+frequently\b", lowered):
        return "how_often"
    if re.search(r"\bhow\s+many\b|\bwhat\s+(?:number|proportion|percentage|share)\b|^\s*what\s+(?:is|was)\s+the\s+(?:total\s+)?number\s+of\b", lowered):
        return "how_many"
    measured = _MEASURED.search(lowered)
    if measured:
        return "how_much" if measured.group("noun") in _MONEY_NOUNS else "how_many"
    if _QUANTITY.search(lowered):
        return "how_much" if _QUANTITY.search(lowered).group("noun") in _MONEY_NOUNS else "how_many"
    if re.search(r"\bhow\s+much\b|\bwhat\s+(?:did|does|do|will)\s+(?:\w+\s+){0,4}cost\b|\bwhat\s+(?:is|was)\s+the\s+(?:cost|value|budget|price)\b", lowered):
        return "how_much"
    if re.search(r"^\s*(?:in\s+)?what\s+year\b|^\s*when\b|\bwhat\s+date\b|\bwhen\s+(?:was|were|did|does|will|is)\b", lowered):
        return "when"
    for word, kind in (("who", "who"), ("whom", "who"), ("whose", "who"), ("which", "which"), ("where", "where"),
                       ("why", "why"), ("how", "how"), ("what", "what")):
        if re.match(rf"^\s*{word}\b", lowered):
            return kind
    return "other"
