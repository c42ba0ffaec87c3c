"""The 96 real public-sector reports of ../shared/testdata/realpdfs as a search-latency corpus.

Indexed through the real indexer (kil-search index), then every passage our index holds is
written to passages.jsonl, from which the FTS5 and tantivy peers are built: all three search
the same passages. Cached under benchmarks/out/ until the files, the schema or the code change.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import OUT_DIR, REPO_ROOT

REAL_PDFS = REPO_ROOT.parent / "shared" / "testdata" / "realpdfs"
REAL_VECTORS = OUT_DIR / "vectors-realpdfs"  # the real reports' sentence vectors, kept across builds and benchmarks


def _stamp(files: list[Path]) -> str:
    """Fingerprint the reports, the schema version and the code that reads them."""
    from kil_search.index import schema

    digest = hashlib.sha256(str(schema.SCHEMA_VERSION).encode())
    for path in files:
        digest.update(f"{path.relative_to(REAL_PDFS)}:{path.stat().st_size}".encode())
    for source in sorted((REPO_ROOT / "kil_search").rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _dump_passages(index_dir: Path, out: Path) -> int:
    """Write every passage record of our index as one JSON line; return how many."""
    from kil_search.index import KIND_PASSAGE, open_live_index

    count = 0
    index = open_live_index(index_dir)
    try:
        with index.reader() as reader, open(out, "w", encoding="utf-8") as lines:
            for _docnum, fields in reader.iter_docs():
                if fields.get("kind") != KIND_PASSAGE:
                    continue
                lines.write(json.dumps({"doc_id": fields["doc_id"], "title": fields.get("title", ""),
                                        "section": fields.get("section", ""), "page": fields.get("page", 0),
                                        "text": fields.get("text", "")}) + "\n")
                count += 1
    finally:
        index.close()
    return count


def build_real(force: bool = False) -> dict:
    """Build (or reuse) our index of the real reports and the peers over its passages; return paths."""
    from peers import build_fts5, build_tantivy

    if not REAL_PDFS.is_dir():
        raise SystemExit(f"needs ../shared: {REAL_PDFS} not found")
    files = sorted(REAL_PDFS.rglob("*.pdf"))
    folder = OUT_DIR / "corpus-realpdfs"
    paths = {"folder": folder, "index": folder / "index", "passages": folder / "passages.jsonl",
             "fts5": folder / "fts5.sqlite", "tantivy": folder / "tantivy"}
    stamp, stamp_file = _stamp(files), folder / "stamp.json"
    if not force and stamp_file.exists() and json.loads(stamp_file.read_text()).get("stamp") == stamp:
        return {**paths, **json.loads(stamp_file.read_text())}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    # The sentence vectors are cached by text outside the folder wiped above, so a rebuild after a
    # code change encodes only sentences it has not seen (the first build encodes them all).
    env = {**os.environ, "KIL_SEARCH_VECTOR_CACHE": os.environ.get("KIL_SEARCH_VECTOR_CACHE") or str(REAL_VECTORS)}
    subprocess.run([sys.executable, "-m", "kil_search.cli", "index", "--corpus", str(REAL_PDFS), "--index",
                    str(paths["index"]), "--jobs", "2"], cwd=REPO_ROOT, check=True, capture_output=True, env=env)
    ours = time.perf_counter() - started
    summary = json.loads((paths["index"] / "last_run.json").read_text())
    count = _dump_passages(paths["index"], paths["passages"])
    build_fts5(paths["passages"], paths["fts5"])
    build_tantivy(paths["passages"], paths["tantivy"])
    info = {"stamp": stamp, "passages_count": count, "documents_count": len(summary["indexed"]),
            "failed": summary["failed"], "build_seconds": {"ours": round(ours, 1)}}
    stamp_file.write_text(json.dumps(info))
    return {**paths, **info}
