"""Find the figures in a text: money, percentages, ratios, multipliers, durations and counts of things.

Each figure keeps the words as written ("£1.5m"), a parsed number (1500000), its unit, its kind and
the sentence it stands in, with the figure's character span inside that sentence so a page can mark it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6, "bn": 1e9, "billion": 1e9}
CURRENCIES = {"£": "GBP", "$": "USD", "€": "EUR"}
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "twenty": 20, "hundred": 100}
APPROXIMATE_WORDS = ("about", "around", "approximately", "approx.", "roughly", "nearly", "almost", "some", "over",
                     "more than", "up to", "c.", "circa", "an estimated", "estimated")
DURATION_UNITS = ("year", "month", "week", "day", "hour")
# Words after a number that are not "things counted": units handled elsewhere, months, page references.
NOT_COUNTED = {"per", "percent", "pages", "page", "p", "pp", "am", "pm", "and", "or", "to", "of", "the", "a", "in",
               "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december", "x", "times", "would", "could", "will", "is", "are", "was", "were", "million", "billion", "thousand", "m", "bn", "k", "mn",
               "for", "too", "with", "by", "from", "at", "on", "is", "are", "was", "were", "as", "it", "that", "this",
               "be", "has", "had", "have", "will", "sets", "shows", "above", "below", "also", "an", "each",
               "who", "which", "whom", "whose", "when", "where", "before", "after", "if", "than"}
# Capitalised words before a count that open a sentence rather than name a table or scheme ("About 40 staff").
OPENING_WORDS = {"about", "around", "over", "nearly", "almost", "some", "only", "all", "the", "these", "those", "its",
                 "their", "our", "of", "in", "for", "with", "by", "just", "roughly", "approximately", "more", "fewer",
                 "less", "at", "and", "but", "so", "when", "since", "while", "after", "before", "another", "than",
                 "a", "an", "to", "from", "between", "across", "among", "under", "up"}
# A plural noun after the first word of a count ("older residents"), and -s words that are no plural nouns.
PLURAL_AFTER = re.compile(r" ([a-z][a-z-]+[^su\W]s)\b")
NOT_PLURAL = {"always", "perhaps", "across", "towards", "afterwards", "besides", "whereas", "nowadays", "sometimes",
              "does", "goes", "makes", "takes", "needs", "helps", "gets", "gives", "comes", "means", "seems", "works",
              "runs", "lives", "says", "shows", "sets", "looks", "keeps", "holds", "pays", "uses", "wants", "starts"}
# Words just before a number that make it a reference (a page, section or table number), not a count.
REFERENCE_WORDS = re.compile(r"\b(?:pages?|p|pp|section|paragraph|para|table|figure|fig|chapter|appendix|annex"
                             r"|footnote|note|part|item|step|phase|tier|level|stage|type|no)\.?\s*$", re.I)

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:\s?(?:bn|mn|m|k)\b|\s(?:billion|million|thousand)\b)?"
_DASH = r"\s?(?:-|–|—|to)\s?"
RANGE = re.compile(r"\d\s?(?:-|–|—|\bto\b)\s?[£$€]?\s?\d", re.I)
_SIGN = r"(?:(?<![\w.])[-−–](?=[£$€\d]))?"  # a minus, not the dash of "2019-20"
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("money", re.compile(rf"{_SIGN}[£$€]\s?(?:{_NUMBER}){_SCALE}(?:{_DASH}[£$€]?\s?(?:{_NUMBER}){_SCALE})?", re.I)),
    ("percentage", re.compile(rf"{_SIGN}(?<![\w.])(?<!\d[-–/])(?:{_NUMBER})(?:{_DASH}(?:{_NUMBER}))?\s?(?:%|per\s?cent\b|percent\b)", re.I)),
    ("ratio", re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|\d+) in (?:two|three|four|five|six|seven"
                         r"|eight|nine|ten|twenty|a hundred|\d+)\b", re.I)),
    ("multiplier", re.compile(rf"(?<![\w.])(?:{_NUMBER})\s?(?:x|times)\b(?! as)", re.I)),
    ("duration", re.compile(rf"(?<![\w.£$€])(?:{_NUMBER})(?:{_DASH}(?:{_NUMBER}))?[\s-](?:{'|'.join(DURATION_UNITS)})s?\b", re.I)),
    ("count", re.compile(rf"(?<![\w.£$€,/-])(?:{_NUMBER})\s(?P<thing>(?-i:[a-z][a-z-]+))", re.I)),
]
LABEL_BEFORE = re.compile(r"(?:\b[A-Z][A-Za-z]*|\b(?:table|figure|section|chapter|page|step|phase|score of))\s$")
MULTIPLIER_NAMES = re.compile(r"\b(?:LM3|SROI|ROI|multiplier|return)\b[^.]{0,30}$", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(£$€\d])|\n{2,}")


@dataclass(frozen=True)
class Statistic:
    """A figure found in a text, with the sentence it stands in."""

    value: str
    number: float
    unit: str
    kind: str
    sentence: str
    start: int  # the value's span inside the sentence
    end: int
    approximate: bool = False

    def to_json(self) -> dict:
        """Return the figure's own fields as JSON (the document's come from the caller)."""
        number = int(self.number) if float(self.number).is_integer() else round(self.number, 4)
        return {"value": self.value, "number": number, "unit": self.unit, "kind": self.kind, "sentence": self.sentence,
                "approximate": self.approximate}


def find_statistics(text: str) -> list[Statistic]:
    """Return the figures of a text in reading order, one per span (money wins over a count of the same digits)."""
    found: list[Statistic] = []
    for sentence in split_sentences(text):
        taken: list[tuple[int, int]] = []
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(sentence):
                start, end = match.span()
                if any(start < other_end and other_start < end for other_start, other_end in taken):
                    continue
                figure = _figure(kind, match, sentence)
                if figure is not None:
                    taken.append((start, end))
                    found.append(figure)
    return _in_order(found)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (a table row or line broken by blank lines counts as one)."""
    flat = re.sub(r"[ \t]+", " ", text)
    return [part.strip().replace("\n", " ") for part in SENTENCE_END.split(flat) if part and part.strip()]


def _in_order(found: list[Statistic]) -> list[Statistic]:
    """Return figures grouped by sentence (kept in reading order) and by position within it."""
    order = {sentence: index for index, sentence in enumerate(dict.fromkeys(figure.sentence for figure in found))}
    return sorted(found, key=lambda figure: (order[figure.sentence], figure.start))


def _figure(kind: str, match: re.Match, sentence: str) -> Statistic | None:
    """Build a Statistic from a match, or None when the match is not a figure worth listing."""
    value = match.group(0).strip()
    start, end = match.start(), match.start() + len(value)
    approximate = _approximate(sentence[:start])
    if kind == "money":
        number = _first_number(value)
        unit = CURRENCIES.get(value.lstrip("-−– ")[0], "")
        if MULTIPLIER_NAMES.search(sentence[:start]) and number < 100:
            kind = "multiplier"
        return Statistic(value, number, unit, kind, sentence, start, end, approximate)
    if kind == "percentage":
        return Statistic(value, _first_number(value), "%", kind, sentence, start, end, approximate)
    if kind == "ratio":
        top, bottom = value.lower().split(" in ")
        share = _word_number(top) / max(1, _word_number(bottom.replace("a hundred", "hundred")))
        return Statistic(value, share, "ratio", kind, sentence, start, end, approximate)
    if kind == "multiplier":
        return Statistic(value, _first_number(value), "times", kind, sentence, start, end, approximate)
    if kind == "duration":
        unit = next(name for name in DURATION_UNITS if name in value.lower()) + "s"
        return Statistic(value, _first_number(value), unit, kind, sentence, start, end, approximate)
    if match.group("thing")[:1].isupper():
        return None  # "28 Endnotes", "11 Next": a number beside a capitalised word is a table cell or contents line
    thing = match.group("thing").lower()
    number = _first_number(value)
    if thing in NOT_COUNTED or (1900 <= number <= 2100 and "," not in value and "." not in value):
        return None  # a year, a date or a unit is not a count of things
    if LABEL_BEFORE.search(sentence[:start]) and not _opening_word(sentence[:start]):
        return None  # "Table 3 shows", "Multiplier 3 method": a number naming something, not counting it
    if not number.is_integer() or REFERENCE_WORDS.search(sentence[:start]):
        return None  # "4.2 sets" or "page 12 shows" numbers a part of the text, it counts nothing
    plural = PLURAL_AFTER.match(sentence, end)
    if plural and not thing.endswith("s") and plural.group(1) not in NOT_PLURAL:
        end = plural.end()  # "1,640 older residents", "46 care workers": the counted noun is the plural after
        value, thing = sentence[start:end], f"{thing} {plural.group(1)}"
    return Statistic(value, number, thing, kind, sentence, start, end, approximate)


def _opening_word(before: str) -> bool:
    """True when the capitalised word before a number opens the sentence's words ("About 1,200 people", "All 11")."""
    words = before.split()
    return bool(words) and words[-1].lower() in OPENING_WORDS


def _first_number(value: str) -> float:
    """Parse the first number of a value, scaled by its suffix and signed when it starts with a minus."""
    match = re.search(rf"({_NUMBER})(?:\s?(bn|mn|m|k)\b|\s(billion|million|thousand)\b)?", value, re.I)
    if match is None:
        return 0.0
    number = float(match.group(1).replace(",", ""))
    scale = (match.group(2) or match.group(3) or "").lower()
    if not scale:  # "£2–3m": the scale written after the range's second number counts for the first too
        tail = re.search(r"\d\s?(bn|mn|m|k|billion|million|thousand)\b\s*$", value, re.I)  # "took" ends in no scale
        scale = tail.group(1).lower() if tail and re.search(RANGE, value) else ""
    number *= SCALES.get(scale, 1.0)
    return -number if value[:1] in "-−–" else number


def _word_number(word: str) -> float:
    """Return the value of a small number written as digits or a word."""
    word = word.strip()
    return float(word) if word.isdigit() else float(WORD_NUMBERS.get(word, 0))


def _approximate(before: str) -> bool:
    """True when the words just before a figure hedge it ("about", "over", "nearly")."""
    tail = before.lower().rstrip()[-16:]
    return any(tail.endswith(word) for word in APPROXIMATE_WORDS)
