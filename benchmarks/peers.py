"""The engines we compare with, over the same passages: SQLite FTS5 and tantivy.

Both answer like ours: all words must match (OR when nothing has them all), quoted
phrases stay phrases, the ten best passages come back with a highlighted snippet.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import threading
from pathlib import Path

_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\w+)', re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
TOP = 10


def query_parts(text: str) -> list[list[str]]:
    """Split typed text into parts: a phrase is a list of its words, a word a list of one."""
    parts = []
    for phrase, word in _PHRASE_OR_WORD.findall(text):
        words = _WORD.findall(phrase) if phrase else [word]
        if words and not (len(words) == 1 and words[0].upper() in ("AND", "OR", "NOT")):
            parts.append(words)
    return parts


def _read_passages(path: Path):
    """Yield the passage dicts of a passages.jsonl file."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def build_fts5(passages: Path, database: Path) -> None:
    """Write an FTS5 table (porter tokenizer) of the passages."""
    database.unlink(missing_ok=True)
    connection = sqlite3.connect(database)
    connection.execute("CREATE VIRTUAL TABLE passages USING fts5("
                       "doc_id UNINDEXED, title, section, text, page UNINDEXED, tokenize='porter unicode61')")
    rows = ((p["doc_id"], p["title"], p["section"], p["text"], p["page"]) for p in _read_passages(passages))
    connection.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?)", rows)
    connection.execute("INSERT INTO passages(passages) VALUES ('optimize')")
    connection.commit()
    connection.close()


class Fts5Search:
    """Top passages by bm25 with snippet(); one connection per thread."""

    SQL = ("SELECT doc_id, title, page, snippet(passages, 3, '<mark>', '</mark>', '…', 40) "
           "FROM passages WHERE passages MATCH ? ORDER BY rank LIMIT ?")

    def __init__(self, database: Path):
        self.database = str(database)
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = sqlite3.connect(self.database, check_same_thread=False)
        return connection

    def search(self, text: str) -> list[dict]:
        """Return the top passages for text (all words, else any word)."""
        parts = query_parts(text)
        if not parts:
            return []
        quoted = ['"%s"' % " ".join(words) for words in parts]
        rows = self._connection().execute(self.SQL, (" ".join(quoted), TOP)).fetchall()
        if not rows and len(quoted) > 1:
            rows = self._connection().execute(self.SQL, (" OR ".join(quoted), TOP)).fetchall()
        return [{"id": doc_id, "title": title, "page": page, "excerpt_html": snippet} for doc_id, title, page, snippet in rows]


def build_tantivy(passages: Path, folder: Path) -> None:
    """Write a tantivy index (English stemming) of the passages."""
    import tantivy

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    index = tantivy.Index(_tantivy_schema(), path=str(folder))
    writer = index.writer(heap_size=200_000_000, num_threads=2)
    for p in _read_passages(passages):
        writer.add_document(tantivy.Document(doc_id=p["doc_id"], title=p["title"], section=p["section"],
                                             text=p["text"], page=p["page"]))
    writer.commit()
    writer.wait_merging_threads()


def _tantivy_schema():
    """Return the tantivy schema mirroring ours: stemmed title, section and text."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw")
    for name in ("title", "section", "text"):
        builder.add_text_field(name, stored=True, tokenizer_name="en_stem")
    builder.add_integer_field("page", stored=True)
    return builder.build()


class TantivySearch:
    """Top passages by BM25 with a highlighted snippet of the text field."""

    def __init__(self, folder: Path):
        import tantivy

        self.schema = _tantivy_schema()
        self.index = tantivy.Index(self.schema, path=str(folder))
        self.index.reload()
        self.tantivy = tantivy

    def search(self, text: str) -> list[dict]:
        """Return the top passages for text (all words, else any word)."""
        parts = query_parts(text)
        if not parts:
            return []
        quoted = ['"%s"' % " ".join(words) for words in parts]
        searcher = self.index.searcher()
        query = self.index.parse_query(" ".join("+" + part for part in quoted), ["title", "section", "text"],
                                       field_boosts={"title": 3.0, "section": 1.5, "text": 1.0})
        hits = searcher.search(query, TOP).hits
        if not hits and len(quoted) > 1:
            query = self.index.parse_query(" ".join(quoted), ["title", "section", "text"],
                                           field_boosts={"title": 3.0, "section": 1.5, "text": 1.0})
            hits = searcher.search(query, TOP).hits
        snippets = self.tantivy.SnippetGenerator.create(searcher, query, self.schema, "text")
        results = []
        for _score, address in hits:
            doc = searcher.doc(address)
            results.append({"id": doc["doc_id"][0], "title": doc["title"][0], "page": doc["page"][0],
                            "excerpt_html": snippets.snippet_from_doc(doc).to_html()})
        return results
