"""Turn what a person typed into a safe Whoosh query over the fields we allow."""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import qparser, query as wq
from whoosh.qparser import syntax

from ..index.schema import build_schema

SEARCH_FIELDS = ("title", "section", "text")
FIELD_BOOSTS = {"title": 3.0, "section": 1.5, "text": 1.0}
MAX_QUERY_CHARS = 500
MAX_TERMS = 32
_WORD = re.compile(r"\w+(?:['’.-]\w+)*", re.UNICODE)
# Text the parser would only split into words: letters, digits and underscores between single spaces.
_PLAIN_WORDS = re.compile(r"\w+(?: \w+)*")
_PLAIN_WORD = re.compile(r"\w+")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})


@dataclass
class ParsedQuery:
    """A parsed query, the words to highlight and whether it fell back to plain words."""

    text: str
    query: wq.Query
    highlight_terms: frozenset[str]
    degraded: bool = False

    @property
    def excluded(self) -> wq.Query | None:
        """Return what the query rules out (NOT / -word parts), applied per document."""
        parts = []

        def walk(node):
            if isinstance(node, wq.AndNot):
                parts.append(node.b)
                walk(node.a)
            elif isinstance(node, wq.Not):
                parts.append(node.query)
            else:
                for child in node.children():
                    walk(child)

        walk(self.query)
        return wq.Or(parts) if parts else None

    @property
    def is_empty(self) -> bool:
        """True when nothing searchable was typed."""
        return self.query is wq.NullQuery


def _make_parser(group) -> qparser.QueryParser:
    """Build a parser with only words, phrases, groups, AND/OR/NOT and +/- enabled."""
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), build_schema(), fieldboosts=FIELD_BOOSTS, group=group)
    for plugin_class in (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin,
                         qparser.BoostPlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin):
        parser.remove_plugin_class(plugin_class)
    # +/- only at the start of a word: "co-production" and "place-based" are words, not exclusions.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


_AND_PARSER = _make_parser(qparser.AndGroup)
_OR_PARSER = _make_parser(qparser.OrGroup.factory(0.9))


def parse_query(text: str, any_word: bool = False) -> ParsedQuery:
    """Parse user text; malformed input degrades to its plain words and never raises."""
    text = (text or "").replace("\x00", " ").strip()[:MAX_QUERY_CHARS]
    parser = _OR_PARSER if any_word else _AND_PARSER
    degraded = False
    try:
        parsed = _parse_plain_words(parser, text) or parser.parse(text)
        parsed = _limit_terms(parsed)
    except Exception:  # the parser is third-party code fed hostile text: any failure degrades
        parsed = None
    if parsed is None or _has_no_positive_terms(parsed):
        words = _WORD.findall(text)[:MAX_TERMS]
        degraded = bool(text) and parsed is None
        try:
            # Lower-cased so stray AND/OR/NOT become ordinary (stop) words.
            parsed = parser.parse(" ".join(word.lower() for word in words)) if words else wq.NullQuery
        except Exception:
            parsed = wq.NullQuery
    return ParsedQuery(text, parsed, frozenset(positive_terms(parsed)), degraded)


def _parse_plain_words(parser: qparser.QueryParser, text: str) -> wq.Query | None:
    """Return parser.parse(text) for text of plain words only, built without the parser's tagging passes; None otherwise.

    The parser spends most of a first-seen query's preparation running every plugin's tagger and
    filter over the text. Plain words need none of them: the syntax tree is one group (the parser's)
    of one field group per word, as MultifieldPlugin makes it, turned into a query by Whoosh itself.
    """
    if not _PLAIN_WORDS.fullmatch(text):
        return None
    words = [(match.group(), match.start(), match.end()) for match in _PLAIN_WORD.finditer(text)]
    if any(word in _OPERATOR_WORDS for word, _start, _end in words):
        return None
    multifield = next(plugin for plugin in parser.plugins if isinstance(plugin, qparser.MultifieldPlugin))
    groups = []
    for word, start, end in words:
        nodes = []
        for fieldname in multifield.fieldnames:
            node = syntax.WordNode(word)
            node.set_range(start, end)
            node.set_fieldname(fieldname)
            node.set_boost(multifield.boosts.get(fieldname, 1.0))
            nodes.append(node)
        groups.append(multifield.group(nodes))
    parsed = parser.group(groups).query(parser)
    return (parsed or wq.NullQuery).normalize()


def passage_query(terms: list[str], fields: dict[str, float] | None = None) -> ParsedQuery:
    """Build an any-word query for analysed terms over the given fields (default: passage text and headings)."""
    fields = fields or {"text": 1.0, "section": 0.5}
    terms = list(dict.fromkeys(terms))[:MAX_TERMS]
    if not terms:
        return ParsedQuery(" ".join(terms), wq.NullQuery, frozenset())
    clauses = [wq.Term(name, term, boost=boost) for name, boost in fields.items() for term in terms]
    return ParsedQuery(" ".join(terms), wq.Or(clauses), frozenset(terms))


def positive_terms(parsed: wq.Query) -> set[str]:
    """Return the analysed words a result should show highlighted (never NOT terms)."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, (wq.Not, wq.AndNot)):
            if isinstance(node, wq.AndNot):
                walk(node.a)
            return
        if isinstance(node, wq.Term) and node.fieldname in SEARCH_FIELDS:
            found.add(node.text if isinstance(node.text, str) else node.text.decode("utf-8", "replace"))
        elif isinstance(node, wq.Phrase):
            found.update(node.words)
        for child in node.children():
            walk(child)

    walk(parsed)
    return found


def _has_no_positive_terms(parsed: wq.Query) -> bool:
    """True when a query cannot match anything a person would want (empty, or only NOTs)."""
    return parsed is wq.NullQuery or not positive_terms(parsed)


def _limit_terms(parsed: wq.Query) -> wq.Query:
    """Refuse absurdly long queries by keeping the parse only when it is small."""
    if len(list(parsed.all_terms())) > MAX_TERMS * len(SEARCH_FIELDS):
        raise ValueError("too many terms")
    return parsed
