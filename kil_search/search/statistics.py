"""Figures from the documents that match a query, with their sentence, page and a link to the page."""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from ..enrich.statistics import Statistic, find_statistics
from .results import passage_url

KINDS = ("money", "percentage", "count", "ratio", "multiplier", "duration")
SORTS = ("relevance", "largest", "smallest")
DOCUMENTS_READ = 20


def find_query_statistics(service, text: str, filters: Mapping[str, Iterable[str]] | None = None, kind: str = "",
                          sort: str = "relevance", limit: int = 200) -> dict:
    """Return {"query", "total", "statistics"} for the figures in passages of the documents matching text."""
    results = service.search(text, per_page=DOCUMENTS_READ, filters=filters)
    words = [word for word in re.findall(r"\w+", text.lower()) if len(word) > 2]
    items: list[tuple[int, dict]] = []
    for hit in results.results:
        document = {"id": hit.id, "title": hit.title, "type": hit.type, "date": hit.date}
        for passage in service.passages_of(hit.id):
            on_topic = any(word in passage.get("text", "").lower() for word in words) if words else True
            if not on_topic:
                continue
            for figure in find_statistics(passage.get("text", "")):
                if kind and figure.kind != kind:
                    continue
                mentions = sum(word in figure.sentence.lower() for word in words)
                items.append((mentions, _item(figure, document, hit.format, passage)))
    items = _sorted(items, sort)
    return {"query": text, "total": len(items), "statistics": [item for _mentions, item in items[:limit]]}


def _item(figure: Statistic, document: dict, doc_format: str, passage: dict) -> dict:
    """Return the JSON shape of one figure with its document, page, section and link."""
    page = passage.get("page", 1) or 1
    return {**figure.to_json(), "mark": [figure.start, figure.end], "document": document, "page": page,
            "section": passage.get("section", ""), "url": passage_url(document["id"], doc_format, page)}


def _sorted(items: list[tuple[int, dict]], sort: str) -> list[tuple[int, dict]]:
    """Order figures: sentences naming more query words first, or by size."""
    if sort == "largest":
        return sorted(items, key=lambda pair: -pair[1]["number"])
    if sort == "smallest":
        return sorted(items, key=lambda pair: pair[1]["number"])
    return sorted(items, key=lambda pair: -pair[0])
