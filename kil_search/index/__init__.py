"""The passage index: schema, storage and the one writer.

The fixes to Whoosh (whoosh_patches) are installed where an index is opened or written
(store.open_index, store.create_generation, IndexWriter), not when this package is imported.
"""

from .schema import KIND_DOCUMENT, KIND_PASSAGE, SCHEMA_VERSION, build_schema, text_analyzer
from .store import current_generation, open_live_index

__all__ = [
    "KIND_DOCUMENT",
    "KIND_PASSAGE",
    "SCHEMA_VERSION",
    "build_schema",
    "current_generation",
    "open_live_index",
    "text_analyzer",
]
