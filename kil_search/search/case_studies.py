"""The case studies of the library: one entry per case study, filters, and "councils like mine"."""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq

from ..index.schema import KIND_PASSAGE
from ..places import Council, Gazetteer
from .glossary import stems
from .results import passage_url

LIKE_MINE_LABELS = ("Your council", "Same type of council, same region", "Same type of council",
                    "Similar deprivation and settlement", "")
SUMMARY_CHARS = 240


@dataclass
class CaseStudyEntry:
    """A case study: where it is, whom it is about, what it is about."""

    title: str
    doc_id: str
    document_title: str
    doc_type: str
    date: str
    format: str
    page: int
    url: str
    place: Council | None
    themes: list[str] = field(default_factory=list)
    summary: str = ""
    like_mine: str = ""
    _rank: tuple = ()

    def to_json(self) -> dict:
        """Return the entry as plain data."""
        place = self.place
        return {
            "title": self.title, "document": {"id": self.doc_id, "title": self.document_title, "type": self.doc_type, "date": self.date},
            "page": self.page, "url": self.url,
            "place": place.name if place else "", "place_code": place.code if place else "",
            "council_type": place.council_type if place else "", "region": place.region if place else "",
            "themes": self.themes, "summary": self.summary, "like_mine": self.like_mine,
        }


def all_case_studies(searcher, gazetteer: Gazetteer) -> list[CaseStudyEntry]:
    """Return every case study in the index, newest document first, then in page order."""
    passages: dict[tuple[str, str], list[dict]] = {}
    query = wq.And([wq.Term("kind", KIND_PASSAGE), wq.Term("case_study", "yes")])
    for docnum in searcher.docs_for_query(query):
        fields = searcher.stored_fields(docnum)
        passages.setdefault((fields["doc_id"], fields.get("case_title", "")), []).append(fields)
    entries = [_entry(sorted(group, key=lambda fields: (fields.get("page", 0), fields.get("record_id", ""))), gazetteer)
               for group in passages.values()]
    # Ties go by document and title, not by record number: that is the order files were indexed in,
    # which a rebuild and incremental runs do not share.
    entries.sort(key=lambda entry: (entry.page, entry.doc_id, entry.title))
    entries.sort(key=lambda entry: entry.date, reverse=True)
    return entries


def filter_case_studies(entries: list[CaseStudyEntry], place: str = "", council_type: str = "", region: str = "",
                        theme: str = "") -> list[CaseStudyEntry]:
    """Keep the case studies matching every given filter (empty filters keep all)."""
    def keep(entry: CaseStudyEntry) -> bool:
        council = entry.place
        if (place or council_type or region) and council is None:
            return False
        return ((not place or place.lower() in (council.name.lower(), council.code.lower()))
                and (not council_type or council.council_type.lower() == council_type.lower())
                and (not region or council.region.lower() == region.lower())
                and (not theme or theme.lower() in (item.lower() for item in entry.themes)))
    return [entry for entry in entries if keep(entry)]


def rank_like_mine(entries: list[CaseStudyEntry], mine: Council) -> list[CaseStudyEntry]:
    """Order case studies from councils most like mine first, each labelled with why."""
    for entry in entries:
        tier, distance = _likeness(mine, entry.place)
        entry.like_mine = LIKE_MINE_LABELS[tier]
        entry._rank = (tier, distance)
    return sorted(entries, key=lambda entry: entry._rank)


def _likeness(mine: Council, other: Council | None) -> tuple[int, int]:
    """Return (tier, distance): 0 mine, 1 same type and region, 2 same type, 3 similar profile, 4 other."""
    if other is None:
        return 4, 99
    distance = _profile_distance(mine, other)
    if other.code == mine.code:
        return 0, 0
    if other.council_type == mine.council_type:
        return (1 if other.region == mine.region else 2), distance
    return (3 if distance <= 1 else 4), distance


def _profile_distance(mine: Council, other: Council) -> int:
    """Return how far apart two councils' deprivation quintiles and settlement types are."""
    if mine.deprivation_quintile is None or other.deprivation_quintile is None:
        quintiles = 2
    else:
        quintiles = abs(mine.deprivation_quintile - other.deprivation_quintile)
    settlement = 0 if mine.settlement_type and mine.settlement_type == other.settlement_type else 1
    return quintiles + settlement


def _entry(group: list[dict], gazetteer: Gazetteer) -> CaseStudyEntry:
    """Build one case study from its passages."""
    first = group[0]
    text = "\n".join(fields.get("text", "") for fields in group)
    words = stems(text)
    themes = [theme for theme in (first.get("themes") or "").split(",") if theme and _mentions(words, theme)]
    doc_id, page = first["doc_id"], first.get("page", 0)
    return CaseStudyEntry(
        title=first.get("case_title", ""), doc_id=doc_id, document_title=first.get("title", ""),
        doc_type=first.get("doc_type", ""), date=first.get("date", ""), format=first.get("format", ""), page=page,
        url=passage_url(doc_id, first.get("format", ""), page),
        place=gazetteer.council(first.get("case_place", "")), themes=themes, summary=_summary(text, first.get("case_title", "")),
    )


def _mentions(words: tuple[str, ...], phrase: str) -> bool:
    """True when analysed text contains the phrase's analysed words in a row ("adult social care")."""
    wanted = stems(phrase)
    if not wanted:
        return False
    return any(words[index:index + len(wanted)] == wanted for index in range(len(words) - len(wanted) + 1))


def _summary(text: str, title: str) -> str:
    """Return the opening of a case study's text, after its heading line."""
    lines = [line for line in text.splitlines()
             if line.strip() and line.strip() not in title and title not in line and not line.lower().startswith("case study")]
    summary = " ".join(" ".join(lines).split())
    return summary if len(summary) <= SUMMARY_CHARS else summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
