"""Facet counts over the arrays (all facets counted together, long facets trimmed before naming values)
equal the counts of Whoosh's own query pass, whatever the list limit (issue 14)."""

from __future__ import annotations

import pytest

from finding_corpus import finding_service, finding_settings  # noqa: F401 (fixtures)
from kil_search.search.facet_arrays import count_facets_of
from kil_search.search.facets import count_facets
from kil_search.search.prepare import prepare


def both_counts(service, query: str, filters: dict) -> tuple[list[dict], list[dict]]:
    """Return the facets counted from the arrays and by a Whoosh pass over the query's passages."""
    searcher, table = service.searcher(), service.facet_table()
    prepared = prepare(searcher, query, filters, service.glossary, service.gazetteer)
    _ranking, matched, _complete = service._rank(searcher, table, prepared)
    fast = count_facets_of(table, matched, prepared.filters, service.gazetteer)
    slow = count_facets(table, prepared.text_query, prepared.mask, prepared.filters, service.gazetteer)
    return [facet.to_json() for facet in fast], [facet.to_json() for facet in slow]


@pytest.mark.parametrize("limit", [1, 2, 3, 40])
@pytest.mark.parametrize("query, filters", [
    ("council", {}), ("care", {"place": ["Kent"]}), ("local", {"theme": ["adult social care"], "year": ["2023"]}),
    ("community", {"type": ["case study"], "region": ["North West"]}), ("zebra", {}),
    ("council", {"theme": ["homelessness"]}), ("council", {"region": ["South East"], "theme": ["social value"]}),
])  # the last two choose values fewer documents give than others: listed however short the list
def test_arrays_count_as_whoosh_does_at_every_list_limit(finding_service, monkeypatch, limit, query, filters):
    monkeypatch.setattr("kil_search.search.facets.FACET_VALUE_LIMIT", limit)
    fast, slow = both_counts(finding_service, query, filters)
    assert fast == slow


def test_a_short_list_still_says_how_many_values_it_leaves_out(finding_service, monkeypatch):
    monkeypatch.setattr("kil_search.search.facets.FACET_VALUE_LIMIT", 1)
    fast, _slow = both_counts(finding_service, "council", {})
    trimmed = [facet for facet in fast if facet["name"] not in ("year", "council_type") and facet["more"]]
    assert trimmed, "the finding corpus should give some facet more than one value"
    for facet in trimmed:
        listed_counts = [value["count"] for value in facet["values"]]
        assert listed_counts and min(listed_counts) == max(listed_counts)  # only the top value and its ties
