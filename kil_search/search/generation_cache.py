"""Values worked out over one generation of the index, shared by threads and never seen by another generation."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")
GENERATIONS_KEPT = 2  # threads may hold the previous generation's searcher for a moment after a commit


class GenerationCache:
    """A bounded least-recently-used map per index generation (an open index and its commit number).

    A value is only ever returned for the generation it was worked out on: a commit or a swapped-in
    rebuild gives a new key and so an empty map. The maps of the two most recently used generations
    are kept, so threads refreshing their searchers at different moments do not empty each other's.
    """

    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError(f"a cache needs room for at least one value, not {limit}")
        self.limit = limit
        self._lock = threading.Lock()
        self._generations: list[tuple[weakref.ref, int, OrderedDict]] = []  # most recently used last

    def get(self, index, generation: int, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the value for key over this index generation, computing (and keeping) it on a miss."""
        with self._lock:
            values = self._values(index, generation)
            if key in values:
                values.move_to_end(key)
                return values[key]
        value = compute()  # outside the lock: other threads' look-ups go on meanwhile
        with self._lock:
            values = self._values(index, generation)
            values[key] = value
            if len(values) > self.limit:
                values.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._generations = []

    def _values(self, index, generation: int) -> OrderedDict:
        """Return the map of this generation (made if new, marked most recently used); hold the lock."""
        for place, (owner, number, values) in enumerate(self._generations):
            if number == generation and owner() is index:
                self._generations.append(self._generations.pop(place))
                return values
        values = OrderedDict()
        self._generations = [entry for entry in self._generations if entry[0]() is not None][-(GENERATIONS_KEPT - 1):]
        self._generations.append((weakref.ref(index), generation, values))
        return values
