"""Links from a results page that keep its query, filters and sort: pages, facets, suggestions."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for


class SearchLinks:
    """Build /search URLs from the current search, changing one thing at a time."""

    def __init__(self, q: str, filters: dict[str, list[str]], sort: str = "relevance", exact: bool = False,
                 endpoint: str = "pages.search"):
        self.q = q
        self.filters = {name: list(values) for name, values in filters.items() if values}
        self.sort = sort
        self.exact = exact
        self.endpoint = endpoint

    def url(self, q: str | None = None, filters: dict[str, list[str]] | None = None, sort: str | None = None,
            exact: bool | None = None, page: int = 1) -> str:
        """Return the URL of this search with the given changes."""
        pairs: list[tuple[str, str]] = [("q", self.q if q is None else q)]
        for name, values in (self.filters if filters is None else filters).items():
            pairs.extend((name, value) for value in values)
        chosen_sort = self.sort if sort is None else sort
        if chosen_sort != "relevance":
            pairs.append(("sort", chosen_sort))
        if self.exact if exact is None else exact:
            pairs.append(("exact", "1"))
        if page > 1:
            pairs.append(("page", str(page)))
        return f"{url_for(self.endpoint)}?{urlencode(pairs)}"

    def page(self, number: int) -> str:
        """Return the URL of another page of results."""
        return self.url(page=number)

    def sorted_by(self, sort: str) -> str:
        """Return the URL of the same results in another order."""
        return self.url(sort=sort)

    def without(self, name: str, value: str) -> str:
        """Return the URL with one filter value removed."""
        filters = {key: [item for item in values if not (key == name and item == value)] for key, values in self.filters.items()}
        return self.url(filters={key: values for key, values in filters.items() if values})

    def cleared(self) -> str:
        """Return the URL with no filters."""
        return self.url(filters={})

    def query(self, text: str) -> str:
        """Return the URL searching other words with the same filters."""
        return self.url(q=text)

    def exact_words(self, exact: bool = True) -> str:
        """Return the URL searching exactly the typed words (or, with exact=False, also similar terms)."""
        return self.url(exact=exact)

    @property
    def has_filters(self) -> bool:
        """True when any filter was chosen."""
        return bool(self.filters)
