"""The passage index: schema, storage and the one writer."""

from . import whoosh_patches

whoosh_patches.apply()

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
