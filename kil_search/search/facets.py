"""Facets: filter passages by document type, theme, place, council type, region, year, case study,
and count how many documents each value would give.

Values within one facet are alternatives (type=briefing&type=research report: either); facets
combine (place=Bradford&council_type=...: both), and all of them apply to the same passage. A
value's count is the number of documents its filter gives with every *other* facet's filters
applied, which is the `total` a search with that one value selected in its facet shows.
Counting runs the query once, unscored, and reads the index's columns (one list per field,
read once per searcher), never the stored fields.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from whoosh import query as wq

from ..index.schema import KIND_PASSAGE
from ..places import COUNCIL_TYPE_ORDER, Gazetteer
from .records import RecordNumbering

Filters = dict[str, tuple[str, ...]]
_YES = {"1", "yes", "true", "on"}


@dataclass(frozen=True)
class Facet:
    """A facet: its URL parameter, the index field (a column) and its heading."""

    name: str
    field: str
    label: str
    multi: bool = True


FACETS = (
    Facet("case_study", "case_study", "Case studies", multi=False),
    Facet("type", "doc_type", "Document type", multi=False),
    Facet("theme", "themes", "Theme"),
    Facet("place", "place_codes", "Place"),
    Facet("council_type", "council_types", "Council type"),
    Facet("region", "regions", "Region"),
    Facet("year", "year", "Year", multi=False),
)
FACET_NAMES = tuple(facet.name for facet in FACETS)
# Values listed per facet (chosen ones always are): a library naming 450 councils would
# otherwise send and draw 450 place checkboxes with every result page.
FACET_VALUE_LIMIT = 40
UNTRIMMED_FACETS = ("year", "council_type")  # few values, all listed, in their own order


@dataclass
class FacetValue:
    """One value of a facet with its document count."""

    value: str
    label: str
    count: int
    selected: bool = False

    def to_json(self) -> dict:
        """Return the value as plain data."""
        return {"value": self.value, "label": self.label, "count": self.count, "selected": self.selected}


@dataclass
class FacetCounts:
    """A facet's values, most frequent first."""

    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)
    more: int = 0  # values with results that are not listed (beyond FACET_VALUE_LIMIT)

    @property
    def selected(self) -> list[FacetValue]:
        """Return the values chosen in the filters."""
        return [value for value in self.values if value.selected]

    def to_json(self) -> dict:
        """Return the facet as plain data."""
        return {"name": self.name, "label": self.label, "values": [value.to_json() for value in self.values],
                "more": self.more}


def clean_filters(raw: Mapping[str, Iterable[str]]) -> Filters:
    """Keep known facets and non-empty values, deduplicated, in a stable order."""
    cleaned = {}
    for name in FACET_NAMES:
        values = [str(value).replace("\x00", "").strip()[:200] for value in raw.get(name, ()) or ()]
        values = list(dict.fromkeys(value for value in values if value))[:20]
        if name == "case_study":
            values = ["yes"] if any(value.lower() in _YES for value in values) else []
        if values:
            cleaned[name] = tuple(values)
    return cleaned


def index_term(facet: Facet, value: str, gazetteer: Gazetteer) -> str | None:
    """Turn a URL value into the term stored in the index (None when it can match nothing)."""
    if facet.name == "place":
        council = gazetteer.resolve(value)
        return council.code if council else None
    if facet.name == "theme":
        return value.lower()
    if facet.name == "council_type":
        return next((kind for kind in COUNCIL_TYPE_ORDER if kind.lower() == value.lower()), None)
    return value


def filter_query(filters: Filters, gazetteer: Gazetteer, skip: str | None = None) -> wq.Query:
    """Return the query that keeps passages passing every facet's filter (but `skip`'s)."""
    parts: list[wq.Query] = [wq.Term("kind", KIND_PASSAGE)]
    for facet in FACETS:
        if facet.name == skip or facet.name not in filters:
            continue
        terms = [index_term(facet, value, gazetteer) for value in filters[facet.name]]
        alternatives = [wq.Term(facet.field, term) for term in terms if term]
        parts.append(wq.Or(alternatives) if alternatives else wq.NullQuery)
    return wq.And(parts)


class FacetTable:
    """Every passage's facet values and document id, read from the columns of one searcher."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.doc_ids = _column(searcher, "doc_id", "")
        self.kinds = _column(searcher, "kind", "")
        self.dates = _column(searcher, "date", "")
        self.values = {facet.field: [_split(facet, value) for value in _column(searcher, facet.field, "")] for facet in FACETS}
        self.theme_labels = _labels(self.values["themes"])
        self.labels: dict[tuple[str, str], tuple[str, str]] = {}  # (facet, term) -> (value, label)
        self.values["themes"] = [tuple(theme.lower() for theme in themes) for themes in self.values["themes"]]


def _split(facet: Facet, value: str) -> tuple[str, ...]:
    """Return the values one column entry holds."""
    if facet.multi:
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return (value,) if value else ()


def _labels(spellings_by_passage: list[tuple[str, ...]]) -> dict[str, str]:
    """Return each value's most common spelling, by its lower-cased form."""
    labels: dict[str, str] = {}
    for spelling, _count in Counter(value for values in spellings_by_passage for value in values).most_common():
        labels.setdefault(spelling.lower(), spelling)
    return labels


def count_facets(table: FacetTable, text_query: wq.Query, mask: wq.Query | None, filters: Filters,
                 gazetteer: Gazetteer) -> list[FacetCounts]:
    """Count, for every facet value, the documents matching the query and the other facets' filters.

    One unscored pass over the query's passages: a passage passing every filter counts in every
    facet; one failing a single facet's filter counts only in that facet (whose own filter is
    left out of its counts); one failing two or more counts nowhere.
    """
    selected = {facet.field: {index_term(facet, value, gazetteer) for value in filters[facet.name]}
                for facet in FACETS if facet.name in filters}
    documents: dict[str, dict[str, set[str]]] = {facet.field: defaultdict(set) for facet in FACETS}
    query = text_query if mask is None else wq.AndNot(text_query, mask)
    for docnum in table.searcher.docs_for_query(query):
        if table.kinds[docnum] != KIND_PASSAGE:
            continue
        failed = [field for field, terms in selected.items() if not terms.intersection(table.values[field][docnum])]
        if len(failed) > 1:
            continue
        doc_id = table.doc_ids[docnum]
        for field in failed or documents:
            for value in table.values[field][docnum]:
                documents[field][value].add(doc_id)
    return [_facet_counts(facet, {value: len(ids) for value, ids in documents[facet.field].items()}, filters, table, gazetteer)
            for facet in FACETS]


def matching_passages(searcher, text_query: wq.Query, filters: wq.Query, mask: wq.Query | None) -> list[int]:
    """Return the numbers of the passages matching a query within filters (unscored)."""
    combined: wq.Query = wq.And([text_query, filters])
    if mask is not None:
        combined = wq.AndNot(combined, mask)
    return list(searcher.docs_for_query(combined))


def _facet_counts(facet: Facet, counts: dict[str, int], filters: Filters, table: FacetTable,
                  gazetteer: Gazetteer, hidden: int = 0) -> FacetCounts:
    """Label, order and mark the values of one facet (hidden: values with results already left out of counts)."""
    selected_terms = {index_term(facet, value, gazetteer): value for value in filters.get(facet.name, ())}
    more = hidden
    if facet.name not in UNTRIMMED_FACETS and len(counts) > FACET_VALUE_LIMIT:
        # Most frequent first: only values that can make the list get labels (ties at the edge kept).
        edge = sorted(counts.values(), reverse=True)[FACET_VALUE_LIMIT - 1]
        kept = {term: count for term, count in counts.items() if count >= edge or term in selected_terms}
        more, counts = more + len(counts) - len(kept), kept
    values = []
    labels, name = table.labels, facet.name
    for term, count in counts.items():
        found = labels.get((name, term))  # _value_and_label's own cache, looked up without the call
        value, label = found if found is not None else _value_and_label(facet, term, table, gazetteer)
        values.append(FacetValue(selected_terms.get(term, value), label, count, term in selected_terms))
    for term, value in selected_terms.items():
        if term not in counts:
            label = _value_and_label(facet, term, table, gazetteer)[1] if term else value
            values.append(FacetValue(value, label, 0, True))
    if facet.name == "year":
        values.sort(key=lambda item: item.value, reverse=True)
    elif facet.name == "council_type":
        values.sort(key=lambda item: COUNCIL_TYPE_ORDER.index(item.value) if item.value in COUNCIL_TYPE_ORDER else 99)
    else:
        values.sort(key=lambda item: (-item.count, item.label.lower()))
    if facet.name == "case_study":
        values = [value for value in values if value.value == "yes"]
    listed = [value for value in values if value.selected] + [value for value in values if not value.selected]
    if more or len(listed) > FACET_VALUE_LIMIT:
        shown = {id(value) for value in listed[:max(FACET_VALUE_LIMIT, len(selected_terms))]}
        more += sum(1 for value in values if id(value) not in shown)
        values = [value for value in values if id(value) in shown]
    return FacetCounts(facet.name, facet.label, values, more)


def _value_and_label(facet: Facet, term: str, table: FacetTable, gazetteer: Gazetteer) -> tuple[str, str]:
    """Return the URL value and the label shown for an index term (worked out once per table)."""
    key = (facet.name, term)
    if key not in table.labels:
        table.labels[key] = _find_value_and_label(facet, term, table, gazetteer)
    return table.labels[key]


def _find_value_and_label(facet: Facet, term: str, table: FacetTable, gazetteer: Gazetteer) -> tuple[str, str]:
    """Return the URL value and the label shown for an index term."""
    if facet.name == "place":
        council = gazetteer.council(term)
        return (council.name, council.name) if council else (term, term)
    if facet.name == "theme":
        label = table.theme_labels.get(term, term)
        return label, label
    if facet.name == "case_study":
        return term, "Case studies only"
    return term, term[:1].upper() + term[1:]


def _column(searcher, field_name: str, default) -> list:
    """Return a column's values for every record number (the one numbering: search/records.py)."""
    return RecordNumbering(searcher.reader()).column(field_name, default)
