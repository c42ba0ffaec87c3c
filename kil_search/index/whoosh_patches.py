"""Fixes to whoosh-reloaded 2.7.5, installed by apply() where an index is opened or written (not on import).

1. With plain (non-compound) segment files, Whoosh's per-document reader asks the file
   system whether a field's length column exists on *every* call for a field that has none:
   one os.stat per posting while a commit writes the postings. A segment's files never
   change once written, so the answer (column reader or none) is remembered like a found
   column already was.
2. While a commit writes the postings it looks up the field length of every posting's
   document in the new segment's length column, one file read per posting. The lengths of a
   field are now decoded once into a list and looked up there.
3. The posting pool and the postings writer checked the types of every posting (five
   isinstance calls each) and the pool estimated sizes term by term; our writer gives them
   bytes and numbers only, so the checks are dropped and the same estimate is one sum.
4. A commit deleted the files of segments it merged away at once. A reader opens a
   segment's files lazily (stored fields on the first result it shows), so a search that
   began just before an incremental commit could find its segment's files gone: the long
   concurrency test saw "NoneType is not subscriptable" from stored_fields. Files no longer
   in use are now deleted by a later commit once they are RETAIN_SECONDS old, long after any
   reader (searchers are replaced within seconds of a change) has finished with them.
5. At a commit the posting pool sorted all its postings as (field, term, docnum, weight,
   value) tuples: 0.4 s of C sorting for 420,000 postings. Postings our writer adds come in
   docnum order and a document gives each term once, so grouping them by (field, term) in a
   dict and sorting only the distinct terms yields the same order in half the time. A pool
   that saw a docnum go backwards (a merge adds other segments' postings term by term) or
   spilled to disk still sorts as before.
6. Stored fields are compressed with zlib level 1 instead of 3 (readers do not care which).
7. SegmentWriter.add_document handed the pool one posting at a time (a tuple, a call and a
   size estimate each: 420,000 for the benchmark build); the postings of each field now go to
   the pool in one list. Documents with a separate spelling field or term vectors (our
   schema has neither) still go through Whoosh's own method.
8. At a commit FieldWriter.add_postings compared field and term and looked up the field
   length for every posting; given grouped postings it now does that per term and reads each
   field's lengths as one list.
9. A multi-segment reader's column left out the segments without a file for that column, so
   a record's number in the column was not its number in the index (an incremental run that
   wrote only document records made the page column shorter: questions crashed). Every
   segment now takes part, one without the column giving the default for each of its records,
   as a single segment's reader already does.
"""

from __future__ import annotations

import time

from whoosh import columns
from whoosh import index as whoosh_index
from whoosh import reading, writing
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

# PostingPool's size estimate of one buffered posting, less the lengths of its strings:
# tuple 28 + 4 * 5, str 21, bytes 26, docnum 18, weight 16, value 21.
_POSTING_OVERHEAD = 28 + 4 * 5 + 21 + 26 + 18 + 16 + 21
_AVERAGE_TERM_AND_VALUE = 2 * 8 + 12  # term bytes counted twice as Whoosh does, positions value


def _cached_reader(self, fieldname, column):
    """Return the column reader for fieldname, or None; ask the storage once per segment."""
    try:
        return self._readers[fieldname]
    except KeyError:
        pass
    reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    self._readers[fieldname] = reader
    return reader


def _doc_field_length(self, docnum, fieldname, default=0):
    """Return a document's length in a field (as Whoosh does: None for a length byte of 0)."""
    if docnum > self._doccount:
        raise IndexError("Asked for docnum %r of %d" % (docnum, self._doccount))
    lengths = _field_lengths(self, fieldname)
    if lengths is None:
        return default
    return lengths[docnum]


def _field_lengths(reader, fieldname):
    """Return every document's decoded length in a field (None for a length byte of 0), or None."""
    decoded = reader.__dict__.setdefault("_kil_lengths", {})
    lengths = decoded.get(fieldname, False)
    if lengths is False:
        column = reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        lengths = None if column is None else [byte_to_length(value) if value else None for value in column]
        decoded[fieldname] = lengths
    return lengths


def _note_docnum(pool, docnum) -> None:
    """Remember whether the pool's postings still arrive in docnum order (see 5.)."""
    if docnum < pool._kil_last_docnum:
        pool._kil_unordered = True
    else:
        pool._kil_last_docnum = docnum


def _pool_add(self, item):
    """Buffer one posting (fieldname, term bytes, docnum, weight, value bytes)."""
    _note_docnum(self, item[2])
    self.fieldnames.add(item[0])
    self.currentsize += _POSTING_OVERHEAD + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
    if self.currentsize > self.limit:
        self.save()
    self.current.append(item)


def _pool_add_field(self, fieldname, docnum, postings):
    """Buffer one document's postings in one field: (fieldname, term, docnum, weight, value) tuples."""
    if not postings:
        return
    _note_docnum(self, docnum)
    self.fieldnames.add(fieldname)
    # Only decides when to spill to disk: an average term and value instead of measuring each.
    self.currentsize += len(postings) * (_POSTING_OVERHEAD + len(fieldname) + _AVERAGE_TERM_AND_VALUE)
    self.current.extend(postings)
    if self.currentsize > self.limit:
        self.save()


_whoosh_add_document = writing.SegmentWriter.add_document


def _segment_add_document(self, **fields):
    """Whoosh's SegmentWriter.add_document, giving the pool each field's postings at once."""
    self._check_state()
    schema = self.schema
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    self._check_fields(schema, fieldnames)
    if any(schema[name].separate_spelling() or schema[name].vector for name in fieldnames):
        return _whoosh_add_document(self, **fields)
    perdocwriter = self.perdocwriter
    docnum = self.docnum
    docboost = self._doc_boost(fields)
    perdocwriter.start_doc(docnum)
    try:
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                items = list(field.index(value))
                if field.scorable:
                    length = sum(item[1] for item in items)
                _pool_add_field(self.pool, fieldname, docnum,
                                [(fieldname, term, docnum, weight * boost, value_bytes)
                                 for term, _, weight, value_bytes in items])
            stored_value = fields.get("_stored_%s" % fieldname, value)
            perdocwriter.add_field(fieldname, field, stored_value if field.stored else None, length)
            column = field.column_type
            if column and stored_value is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored_value))
    except Exception:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()
    self._added = True
    self.docnum += 1


def _pool_iter_postings(self):
    """Return the pool's postings in (field, term, docnum, weight, value) order."""
    if self.runs or self._kil_unordered:
        return self.items()
    groups: dict[tuple, list] = {}
    for item in self.current:
        key = item[0], item[1]
        group = groups.get(key)
        if group is None:
            groups[key] = [item]
        else:
            group.append(item)
    return _GroupedPostings((key, groups[key]) for key in sorted(groups))


class _GroupedPostings(list):
    """Postings as ((field, term), [posting, ...]) pairs in order: a list of postings to Whoosh."""

    def __iter__(self):
        for _, postings in list.__iter__(self):
            yield from postings


_whoosh_add_postings = whoosh3.W3FieldWriter.add_postings


def _add_postings(self, schema, lengths, items):
    """FieldWriter.add_postings for grouped postings: per term, not per posting, bookkeeping."""
    if not isinstance(items, _GroupedPostings):
        return _whoosh_add_postings(self, schema, lengths, items)
    field = None
    field_lengths = None
    for (fieldname, term), postings in list.__iter__(items):
        if fieldname != field:
            if field is not None:
                self.finish_field()
            self.start_field(fieldname, schema[fieldname])
            field = fieldname
            field_lengths = _field_lengths(lengths, fieldname) if lengths else None
        self.start_term(term)
        add = self._postwriter.add_posting
        if field_lengths is None:
            for _, _, docnum, weight, value in postings:
                add(docnum, weight, value or b"", 0)
        else:
            for _, _, docnum, weight, value in postings:
                add(docnum, weight, value or b"", field_lengths[docnum])
        self.finish_term()
    if field is not None:
        self.finish_field()


def _add_posting(self, id_, weight, vbytes, length=None):
    """Buffer one posting of the current term (W3PostingsWriter.add_posting less its asserts)."""
    if len(self._ids) >= self._blocklimit:
        self._write_block()
    self._ids.append(id_)
    self._weights.append(weight)
    if weight > self._maxweight:
        self._maxweight = weight
    if vbytes:
        self._values.append(vbytes)
    if length:
        if self._minlength is None or length < self._minlength:
            self._minlength = length
        if length > self._maxlength:
            self._maxlength = length


def _multi_column_reader(self, fieldname, column=None, reverse=False, translate=True):
    """Return one column over every segment's records, in record-number order (see 9.)."""
    if not (column or self.schema[fieldname].column_type):
        return _whoosh_multi_column_reader(self, fieldname, column, reverse, translate)
    readers = [reader.column_reader(fieldname, column=column, reverse=reverse, translate=translate)
               for reader in self.readers]
    return columns.MultiColumnReader(readers, list(self.doc_offsets))


_whoosh_multi_column_reader = reading.MultiReader.column_reader

RETAIN_SECONDS = 600


def _clean_files_later(storage, indexname, gen, segments):
    """Delete index files no TOC of generation `gen` uses, once they are RETAIN_SECONDS old."""
    current = {segment.segment_id() for segment in segments}
    toc_pattern = whoosh_index.TOC._pattern(indexname)
    segment_pattern = whoosh_index.TOC._segment_pattern(indexname)
    cutoff = time.time() - RETAIN_SECONDS
    for filename in list(storage):
        if filename.startswith("."):
            continue
        toc = toc_pattern.match(filename)
        segment = None if toc else segment_pattern.match(filename)
        unused = (toc is not None and int(toc.group(1)) != gen) or (segment is not None and segment.group(1) not in current)
        if not unused:
            continue
        try:
            if storage.file_modified(filename) < cutoff:
                storage.delete_file(filename)
        except OSError:  # already gone, or still held open somewhere that forbids deleting
            pass


_installed = False


def apply() -> None:
    """Install the fixes, once: later calls change nothing (nor undo a test's own replacement)."""
    global _installed
    if _installed:
        return
    _installed = True
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    whoosh3.W3PerDocReader.doc_field_length = _doc_field_length
    writing.PostingPool.add = _pool_add
    writing.PostingPool._kil_last_docnum = -1
    writing.PostingPool._kil_unordered = False
    writing.PostingPool.iter_postings = _pool_iter_postings
    writing.SegmentWriter.add_document = _segment_add_document
    whoosh3.W3FieldWriter.add_postings = _add_postings
    whoosh3.STORED_COLUMN = columns.PickleColumn(columns.CompressedBytesColumn(level=1))
    whoosh3.W3PostingsWriter.add_posting = _add_posting
    whoosh_index.clean_files = _clean_files_later
    reading.MultiReader.column_reader = _multi_column_reader
