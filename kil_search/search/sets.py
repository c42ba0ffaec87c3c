"""Set operations on NumPy arrays of document numbers that NumPy itself does slowly here."""

from __future__ import annotations

import numpy as np


def distinct(values: np.ndarray) -> np.ndarray:
    """Return the sorted distinct values of a 1-D integer array (what np.unique returns).

    NumPy 2's np.unique finds the distinct values of an integer array by hashing and then
    sorts them: 3 ms for 20,000 document numbers, 76 ms for 200,000, where one sort and a
    comparison of neighbours take 0.7 ms and 10 ms. Facet counts and filters of broad queries
    meet arrays that large.
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]
