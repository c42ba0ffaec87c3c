"""Everything the admin page does, from the command line; the catalogue writer; /status."""

from __future__ import annotations

import json
import tomllib

import pytest
from click.testing import CliRunner

from builders import make_pdf
from kil_search.catalog_write import remove_entry, set_entry, update_catalog
from kil_search.cli import main
from kil_search.errors import CatalogError
from kil_search.library import safe_file_name, sniff_format


def run(settings, *args: str):
    """Invoke kil-search in-process with the test corpus and index."""
    paths = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    result = CliRunner().invoke(main, [*args, *paths])
    return result


def test_add_catalog_set_status_and_remove(settings, built_index, tmp_path):
    source = make_pdf(tmp_path / "Shares paper.pdf", ["Community shares raise money locally."], title="Shares")
    added = run(settings, "add", str(source))
    assert added.exit_code == 0, added.output
    assert "Added uploads/Shares_paper.pdf" in added.output and "indexed 1, unchanged 3" in added.output
    again = run(settings, "add", str(source))
    assert again.exit_code == 1 and "already in the library" in again.output
    changed = run(settings, "catalog", "set", "uploads/Shares_paper.pdf", "--title", "Community shares", "--type", "briefing",
                  "--themes", "finance, community shares")
    assert changed.exit_code == 0 and "indexed 1, unchanged 3" in changed.output
    shown = CliRunner().invoke(main, ["catalog", "show", "uploads/Shares_paper.pdf", "--corpus", str(settings.corpus_dir)])
    assert 'title = "Community shares"' in shown.output and 'themes = ["finance", "community shares"]' in shown.output
    status = CliRunner().invoke(main, ["status", "--json", "--index", str(settings.index_dir)])
    data = json.loads(status.output)
    assert (data["documents"], data["failed_documents"], data["run"]["state"]) == (4, 0, "finished")
    assert data["passages"] >= 4 and data["updated_at"]
    removed = run(settings, "remove", "uploads/Shares_paper.pdf")
    assert removed.exit_code == 0 and "removed 1" in removed.output
    assert "uploads/Shares_paper.pdf" not in tomllib.loads((settings.corpus_dir / "catalog.toml").read_text())
    assert run(settings, "remove", "../catalog.toml").exit_code == 1


def test_add_refuses_files_that_are_not_pdf_or_html(settings, tmp_path):
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"PK\x03\x04 a zip file")
    result = run(settings, "add", str(fake), "--no-reindex")
    assert result.exit_code == 1 and "not a PDF or an HTML page" in result.output


def test_status_lists_failures(settings, tmp_path):
    (settings.corpus_dir / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage")
    from kil_search.indexing import run_index

    run_index(settings)
    result = CliRunner().invoke(main, ["status", "--index", str(settings.index_dir)])
    assert "3 documents" in result.output and "broken.pdf:" in result.output


def test_status_page_and_json(client):
    page = client.get("/status").get_data(as_text=True)
    assert "Index status" in page and "<dt>Documents</dt><dd>3</dd>" in page
    data = client.get("/api/status").get_json()
    assert data["index"] == "ok" and data["documents"] == 3 and data["last_run"]["indexed"]


@pytest.mark.parametrize("head, expected", [
    (b"%PDF-1.7\n...", "pdf"),
    (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
    (b"  \n<html lang=en><head><title>x", "html"),
    (b"<p>just a paragraph</p>", "html"),
    (b"\x89PNG\r\n\x1a\n", None),
    (b"PK\x03\x04", None),
    (b"plain text that mentions <html>", None),
    (b"<html>\x00\x00binary", None),
])
def test_sniff_format(head, expected):
    assert sniff_format(head) == expected


@pytest.mark.parametrize("name, file_format, expected", [
    ("Annual Report 2020.pdf", "pdf", "Annual_Report_2020.pdf"),
    ("../../etc/passwd", "html", "etc_passwd.html"),
    ("report.docx", "pdf", "report.pdf"),
    (".htaccess", "html", "htaccess.html"),
    ("", "pdf", "document.pdf"),
    ("Résumé.pdf", "pdf", "Resume.pdf"),
    ("a" * 300 + ".pdf", "pdf", "a" * 100 + ".pdf"),
])
def test_safe_file_name(name, file_format, expected):
    assert safe_file_name(name, file_format) == expected


CATALOG = '''# corpus/catalog.toml -- notes for staff.

["a.pdf"]
title = "A"   # kept as typed
date = 2020-01-02

# B is a guide
["b.pdf"]
title = "B"
type = "practical guide"
'''


def test_catalogue_edits_keep_other_tables_and_comments(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG)
    set_entry(tmp_path, "b.pdf", title='B "quoted" \\ title', themes=["x", "y"])
    text = path.read_text()
    assert text.startswith("# corpus/catalog.toml -- notes for staff.")
    assert 'title = "A"   # kept as typed' in text and "# B is a guide" in text
    data = tomllib.loads(text)
    assert data["b.pdf"] == {"title": 'B "quoted" \\ title', "type": "practical guide", "themes": ["x", "y"]}
    set_entry(tmp_path, "new/c.html", source_url="https://example.org/c")
    remove_entry(tmp_path, "b.pdf")
    data = tomllib.loads(path.read_text())
    assert list(data) == ["a.pdf", "new/c.html"] and "# B is a guide" not in path.read_text()


def test_bad_catalogue_change_leaves_the_file_alone(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG)
    with pytest.raises(CatalogError, match="type 'novel'"):
        update_catalog(tmp_path, {"a.pdf": {"type": "novel"}, "b.pdf": None})
    assert path.read_text() == CATALOG
    path.write_text('["a.pdf"]\ntitle = unquoted\n')
    with pytest.raises(CatalogError, match="fix it before changing"):
        set_entry(tmp_path, "a.pdf", title="A")
