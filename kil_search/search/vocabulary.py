"""The words an index generation holds: each scored field's term list with its passage counts, read in one pass.

A query seen for the first time asks Whoosh about each of its words in every field and segment:
whether the word is there at all (a missing word still costs a look-up per segment, 40 µs for the
title field) and, for ranking feedback, how many passages hold each word of the best passages (about
130 look-ups a long query). Reading the term lists once per generation (0.1 s for 15,000 words) answers
both from memory. The counts are Whoosh's own (deleted records included), so answers are unchanged.
"""

from __future__ import annotations

import numpy as np

from .postings import SCORED_FIELDS, GenerationArrays, TermPostings


class Vocabulary:
    """Each scored field's words with the number of records (deleted ones too) holding each, over all segments."""

    def __init__(self, reader, fields: tuple[str, ...] = SCORED_FIELDS):
        self._counts: dict[str, dict[str, int]] = {}
        self._held_in: dict[str, dict[str, int]] = {}  # field: word: bit mask of the segments holding it
        schema = reader.schema
        leaves = [leaf for leaf, _offset in reader.leaf_readers()]
        self.segments = [segment_id(leaf) for leaf in leaves]  # a segment's bit is its place here
        for field in fields:
            counts: dict[str, int] = {}
            held_in: dict[str, int] = {}
            if field in schema:
                for place, leaf in enumerate(leaves):
                    bit = 1 << place
                    for word, info in leaf.iter_field(field):
                        word = word.decode("utf-8") if isinstance(word, bytes) else word
                        counts[word] = counts.get(word, 0) + info.doc_frequency()
                        held_in[word] = held_in.get(word, 0) | bit
            self._counts[field] = counts
            self._held_in[field] = held_in

    def segments_holding(self, field: str, word: str) -> int:
        """Return the bit mask of the segments (by place in self.segments) whose term index has word in field."""
        return self._held_in[field].get(word, 0)

    def covers(self, field: str) -> bool:
        """True when the field's words were read."""
        return field in self._counts

    def holds(self, field: str, word: str) -> bool:
        """True when some record (live or deleted) of the generation has word in field."""
        return word in self._counts[field]

    def doc_frequency(self, field: str, word) -> int:
        """Return how many records hold word in field, as Whoosh's reader.doc_frequency counts them."""
        word = word.decode("utf-8") if isinstance(word, bytes) else word
        return self._counts[field].get(word, 0)


class VocabularyArrays(GenerationArrays):
    """A generation's postings arrays that answer a word the index does not hold without asking Whoosh."""

    def __init__(self, index, vocabulary: Vocabulary):
        super().__init__(index)
        self.vocabulary = vocabulary
        # Each of these arrays' segments' bit in the vocabulary's masks; None (no skipping) unless all are known.
        bits = {segment: 1 << place for place, segment in enumerate(vocabulary.segments) if segment is not None}
        found = [bits.get(segment_id(leaf)) for leaf, _offset in self.leaves]
        self._segment_bits = found if None not in found else None

    def _segments_to_read(self, field: str, text: str) -> list[bool] | None:
        """Return, per segment, whether its term index has text in field (None: read them all).

        A segment without the word costs a term look-up that fails, and a raised TermNotFound, for nothing.
        """
        if self._segment_bits is None or not self.vocabulary.covers(field):
            return None
        held = self.vocabulary.segments_holding(field, text)
        return [bool(held & bit) for bit in self._segment_bits]

    def term(self, field: str, text: str, positions: bool = False) -> TermPostings:
        """Return GenerationArrays.term(field, text, positions); empty postings at once for a word no record holds."""
        if self.vocabulary.covers(field) and not self.vocabulary.holds(field, text):
            return TermPostings(_NO_IDS, _NO_WEIGHTS, _NO_KEYS if positions else None)
        return super().term(field, text, positions)


def segment_id(leaf) -> str | None:
    """Return the id of a leaf reader's segment, or None when the reader does not say."""
    try:
        return leaf.segment().segment_id()
    except AttributeError:
        return None


# Read-only empty arrays of the dtypes GenerationArrays gives (shared by every missing word).
_NO_IDS = np.empty(0, np.int32)
_NO_WEIGHTS = np.empty(0, np.float32)
_NO_KEYS = np.empty(0, np.int64)
for _array in (_NO_IDS, _NO_WEIGHTS, _NO_KEYS):
    _array.flags.writeable = False
