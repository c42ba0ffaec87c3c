"""Finding aids: the case studies view ("from councils like mine") and autocomplete, as pages and JSON."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, render_template, request

from ..errors import IndexMissingError
from ..places import COUNCIL_TYPE_ORDER
from ..search.case_studies import filter_case_studies, rank_like_mine
from .common import query_arg, search_service

blueprint = Blueprint("finding", __name__)
CASE_STUDY_FILTERS = ("place", "council_type", "region", "theme")
MAX_ARG_CHARS = 200


@blueprint.get("/case-studies")
def case_studies():
    """List the library's case studies with filters and "from councils like mine"."""
    try:
        view = case_study_view()
    except IndexMissingError:
        return render_template("error.html", code=503, message="The search index has not been built yet."), 503
    councils = search_service().gazetteer.councils()
    by_region: dict[str, list] = {}
    for council in councils:
        if council.council_type != "combined authority":
            by_region.setdefault(council.region or council.nation, []).append(council)
    return render_template("case_studies.html", view=view, councils_by_region=sorted(by_region.items()))


@blueprint.get("/api/case-studies")
def case_studies_json():
    """Return the case studies, filtered and ranked as the page shows them."""
    try:
        view = case_study_view()
    except IndexMissingError as error:
        return {"error": {"status": 503, "message": str(error)}}, 503
    return {
        "total": len(view["entries"]),
        "filters": view["filters"],
        "like": view["mine"].to_json() if view["mine"] else None,
        "options": view["options"],
        "case_studies": [entry.to_json() for entry in view["entries"]],
    }


@blueprint.get("/api/suggest")
def suggest():
    """Return autocomplete suggestions for ?q= (titles, themes, frequent words)."""
    text = query_arg()
    try:
        suggestions = search_service().suggest(text) if text else []
    except IndexMissingError:
        suggestions = []
    return {"query": text, "suggestions": [suggestion.to_json() for suggestion in suggestions]}


def case_study_view() -> dict:
    """Read the filters, then filter, rank and count the case studies."""
    service = search_service()
    filters = {name: request.args.get(name, "").replace("\x00", "").strip()[:MAX_ARG_CHARS] for name in CASE_STUDY_FILTERS}
    like = request.args.get("like", "").replace("\x00", "").strip()[:MAX_ARG_CHARS]
    mine = service.gazetteer.resolve(like) if like else None
    everything = service.case_studies()
    entries = filter_case_studies(everything, **filters)
    if mine is not None:
        entries = rank_like_mine(entries, mine)
    return {"entries": entries, "filters": {**filters, "like": mine.code if mine else ""}, "mine": mine,
            "unknown_council": bool(like) and mine is None, "total_in_library": len(everything),
            "options": _options(everything, filters)}


def _options(entries, filters: dict[str, str]) -> dict[str, list[dict]]:
    """Count each filter's values among the case studies passing the other filters."""
    options = {}
    for name in CASE_STUDY_FILTERS:
        others = {key: value for key, value in filters.items() if key != name}
        counts: Counter = Counter()
        for entry in filter_case_studies(entries, **others):
            for value in _values(entry, name):
                counts[value] += 1
        order = (lambda item: COUNCIL_TYPE_ORDER.index(item[0])) if name == "council_type" else (lambda item: item[0].lower())
        options[name] = [{"value": value, "count": count, "selected": value.lower() == filters[name].lower()}
                         for value, count in sorted(counts.items(), key=order)]
    return options


def _values(entry, name: str) -> list[str]:
    """Return an entry's values for one filter."""
    if name == "theme":
        return entry.themes
    if entry.place is None:
        return []
    return [{"place": entry.place.name, "council_type": entry.place.council_type, "region": entry.place.region}[name]]
