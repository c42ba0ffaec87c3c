"""One fix to whoosh-reloaded 2.7.5, applied when the index package is imported.

With plain (non-compound) segment files, Whoosh's per-document reader asks the file
system whether a field's length column exists on *every* call for a field that has none
(such as `spell_text`): one os.stat per posting while a commit writes the postings, about
half of the commit's time. A segment's files never change once written, so the answer
(column reader or none) is remembered like a found column already was.
"""

from __future__ import annotations

from whoosh.codec import whoosh3

_ORIGINAL = whoosh3.W3PerDocReader._cached_reader


def _cached_reader(self, fieldname, column):
    """Return the column reader for fieldname, or None; ask the storage once per segment."""
    try:
        return self._readers[fieldname]
    except KeyError:
        pass
    reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    self._readers[fieldname] = reader
    return reader


def apply() -> None:
    """Install the fix (idempotent)."""
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
