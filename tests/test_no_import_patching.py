"""Importing kil_search changes nothing in Whoosh or pypdf: our fixes are installed where they are used."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from servers import REPO_ROOT

# What kil_search/index/whoosh_patches.py and kil_search/extract/pdf_content.py replace when installed.
PATCHED = [
    ("whoosh.codec.whoosh3", "W3PerDocReader._cached_reader"),
    ("whoosh.codec.whoosh3", "W3PerDocReader.doc_field_length"),
    ("whoosh.codec.whoosh3", "W3FieldWriter.add_postings"),
    ("whoosh.codec.whoosh3", "W3PostingsWriter.add_posting"),
    ("whoosh.codec.whoosh3", "STORED_COLUMN"),
    ("whoosh.writing", "PostingPool.add"),
    ("whoosh.writing", "PostingPool.iter_postings"),
    ("whoosh.writing", "SegmentWriter.add_document"),
    ("whoosh.index", "clean_files"),
    ("whoosh.reading", "MultiReader.column_reader"),
    ("pypdf.generic", "ContentStream._parse_content_stream"),
]

CHECK = textwrap.dedent("""
    import importlib, json, pkgutil, sys
    patched = json.loads(sys.argv[1])

    def identity(module, dotted):
        value = importlib.import_module(module)
        for name in dotted.split("."):
            value = getattr(value, name)
        return id(value)

    before = [identity(module, name) for module, name in patched]
    import kil_search
    imported = [info.name for info in pkgutil.walk_packages(kil_search.__path__, "kil_search.")]
    for name in imported:
        importlib.import_module(name)
    changed = [name for (module, name), was in zip(patched, before) if identity(module, name) != was]
    print(json.dumps({"imported": len(imported), "changed": changed}))
""")


def run_check() -> dict:
    """Import every module of the package in a fresh interpreter; return what it found changed."""
    finished = subprocess.run([sys.executable, "-c", CHECK, json.dumps(PATCHED)], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_importing_every_module_patches_nothing():
    found = run_check()
    assert found["imported"] > 50  # the whole package, not a part of it
    assert found["changed"] == []


def test_the_fixes_are_installed_where_the_index_is_opened_and_text_extracted(tmp_path):
    script = textwrap.dedent("""
        import sys
        from pathlib import Path
        from whoosh.codec import whoosh3
        from pypdf.generic import ContentStream
        from kil_search.index.store import create_generation
        from kil_search.extract.pdf import extract_pdf
        create_generation(Path(sys.argv[1]))
        extract_pdf(Path(sys.argv[2]))
        print(whoosh3.W3PerDocReader.doc_field_length.__module__, getattr(ContentStream._parse_content_stream, "_kil_fast", False))
    """)
    from builders import make_pdf
    pdf = make_pdf(tmp_path / "one.pdf", ["One page of text."], title="One")
    finished = subprocess.run([sys.executable, "-c", script, str(tmp_path / "index"), str(pdf)], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert finished.stdout.split() == ["kil_search.index.whoosh_patches", "True"]
