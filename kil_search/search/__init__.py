"""The read side of the index: queries, excerpts, results; never touches corpus/."""

from .query import parse_query
from .results import DocumentHit, PassageHit, SearchPage
from .service import SearchService

__all__ = ["DocumentHit", "PassageHit", "SearchPage", "SearchService", "parse_query"]
