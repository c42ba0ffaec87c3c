"""Staff commands of `kil-search`: crawl, add, remove, catalog, status, hash-password."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import click

from .config import load_settings
from .errors import KilSearchError

corpus_option = click.option("--corpus", type=click.Path(file_okay=False), help="Corpus folder (env KIL_CORPUS_DIR).")
index_option = click.option("--index", type=click.Path(file_okay=False), help="Index folder (env KIL_INDEX_DIR).")
reindex_option = click.option("--reindex/--no-reindex", default=True, show_default=True,
                              help="Update the index afterwards (incremental: only what changed).")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*$", re.IGNORECASE)


def parse_size(value: str) -> int:
    """Turn 500k, 20M, 1G or a plain byte count into bytes."""
    match = _SIZE.match(str(value))
    if not match:
        raise click.BadParameter(f"{value!r} is not a size such as 500k, 20M or 1G")
    return int(float(match.group(1)) * 1024 ** " kmg".index(match.group(2).lower() or " "))


def update_index(settings) -> None:
    """Run the incremental indexer and print its summary."""
    from .cli import format_summary
    from .indexing import run_index
    from .progress import IndexProgress

    with IndexProgress() as progress:
        try:
            summary = run_index(settings, progress=progress)
        except KilSearchError as error:
            raise click.ClickException(f"the index was not updated: {error}") from None
    click.echo(format_summary(summary))


def format_crawl_summary(summary) -> str:
    """Render a crawl summary for people."""
    lines = [
        f"Crawled {summary.start_url} into {summary.folder} in {summary.seconds:.1f} s ({summary.requests} requests): "
        f"fetched {len(summary.fetched)}, unchanged {summary.unchanged + summary.unchanged_content} "
        f"(304: {summary.unchanged}), skipped by robots {len(summary.skipped_by_robots)}, "
        f"skipped {len(summary.skipped)}, failed {len(summary.failed)}, removed {len(summary.removed)}."
    ]
    sections = (("Failed", summary.failed), ("Skipped", summary.skipped),
                ("Skipped by robots.txt", [(url, "") for url in summary.skipped_by_robots]),
                ("Removed (gone from the site)", summary.removed))
    for title, rows in sections:
        if rows:
            lines.append(f"{title}:")
            lines.extend(f"  {url}{': ' + note if note else ''}" for url, note in rows)
    lines.extend(f"Note: {note}" for note in summary.notes)
    if summary.left_unvisited:
        lines.append(f"Stopped at --max-pages: {summary.left_unvisited} more URLs were not visited.")
    return "\n".join(lines)


def register(main: click.Group) -> None:
    """Add the staff commands to the `kil-search` group."""
    for command in (crawl_command, add_command, remove_command, catalog_group, status_command, hash_password_command):
        main.add_command(command)


@click.command("crawl")
@click.argument("url")
@corpus_option
@index_option
@click.option("--max-pages", type=click.IntRange(1, 100_000), help="Stop after this many pages and PDFs (default 500).")
@click.option("--max-depth", type=click.IntRange(0, 50), help="Follow links this many steps from URL (default 5).")
@click.option("--delay", type=click.FloatRange(0, 600), help="Seconds between requests to the site (default 1).")
@click.option("--max-bytes", "max_bytes", help="Largest file fetched, e.g. 20M (default 50M).")
@click.option("--quiet", is_flag=True, help="Print only the summary.")
@reindex_option
def crawl_command(url, corpus, index, max_pages, max_depth, delay, max_bytes, quiet, reindex) -> None:
    """Fetch a site's pages and linked PDFs into corpus/crawled/<host>/, then index what changed."""
    from .crawl import crawl_site

    settings = load_settings(corpus_dir=corpus, index_dir=index)

    def report(outcome: str, address: str, note: str) -> None:
        if not quiet:
            click.echo(f"{outcome:>9}  {address}  {note}", err=True)

    try:
        summary = crawl_site(settings, url, max_pages=max_pages, max_depth=max_depth, delay=delay,
                             max_bytes=parse_size(max_bytes) if max_bytes else None, progress=report)
    except KilSearchError as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_crawl_summary(summary))
    if reindex:
        update_index(settings)


@click.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@corpus_option
@index_option
@click.option("--replace", is_flag=True, help="Overwrite a file of the same name.")
@reindex_option
def add_command(files, corpus, index, replace, reindex) -> None:
    """Copy PDF or HTML files into the corpus upload folder (type checked by content)."""
    from .library import add_file

    settings = load_settings(corpus_dir=corpus, index_dir=index)
    for name in files:
        with open(name, "rb") as handle:
            try:
                added = add_file(settings, handle, Path(name).name, replace=replace)
            except KilSearchError as error:
                raise click.ClickException(f"{name}: {error}") from None
        click.echo(f"{'Replaced' if added.replaced else 'Added'} {added.doc_id}")
    if reindex:
        update_index(settings)


@click.command("remove")
@click.argument("doc_ids", nargs=-1, required=True)
@corpus_option
@index_option
@reindex_option
def remove_command(doc_ids, corpus, index, reindex) -> None:
    """Delete documents (their files and catalogue entries) by id, e.g. uploads/report.pdf."""
    from .library import remove_document

    settings = load_settings(corpus_dir=corpus, index_dir=index)
    for doc_id in doc_ids:
        try:
            remove_document(settings, doc_id)
        except KilSearchError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Removed {doc_id}")
    if reindex:
        update_index(settings)


@click.group("catalog")
def catalog_group() -> None:
    """Show or change a document's catalogue entry (corpus/catalog.toml)."""


@catalog_group.command("show")
@click.argument("doc_id")
@corpus_option
def catalog_show(doc_id, corpus) -> None:
    """Print a document's catalogue entry as TOML."""
    from .catalog_write import render_catalog
    from .corpus import load_catalog

    settings = load_settings(corpus_dir=corpus)
    try:
        entry = load_catalog(Path(settings.corpus_dir)).get(doc_id)
    except KilSearchError as error:
        raise click.ClickException(str(error)) from None
    if entry is None:
        raise click.ClickException(f"{doc_id} has no catalogue entry")
    click.echo(render_catalog({doc_id: {key: value for key, value in asdict(entry).items() if value}}), nl=False)


@catalog_group.command("set")
@click.argument("doc_id")
@corpus_option
@index_option
@click.option("--title")
@click.option("--type", "doc_type", help="research report, practical guide, case study, briefing or web page.")
@click.option("--date", help="YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--themes", help="Comma-separated list (empty to clear).")
@click.option("--places", help="Comma-separated list (empty to clear).")
@click.option("--source-url", help="Where the public original lives.")
@reindex_option
def catalog_set(doc_id, corpus, index, title, doc_type, date, themes, places, source_url, reindex) -> None:
    """Change fields of a document's entry; options not given stay as they are, "" clears one."""
    from .catalog_write import set_entry
    from .library import corpus_path

    settings = load_settings(corpus_dir=corpus, index_dir=index)
    values = {"title": title, "type": doc_type, "date": date, "source_url": source_url,
              "themes": split_list(themes), "places": split_list(places)}
    values = {key: value for key, value in values.items() if value is not None}
    if not values:
        raise click.UsageError("give at least one of --title, --type, --date, --themes, --places, --source-url")
    try:
        corpus_path(settings, doc_id)
        set_entry(Path(settings.corpus_dir), doc_id, **values)
    except KilSearchError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Updated the catalogue entry of {doc_id}")
    if reindex:
        update_index(settings)


def split_list(text: str | None) -> list[str] | None:
    """Split a comma-separated option into a list ("" gives [], None stays None)."""
    if text is None:
        return None
    return [item.strip() for item in text.split(",") if item.strip()]


@click.command("status")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the /api/status JSON.")
def status_command(index, as_json) -> None:
    """Show document and passage counts, when the index changed, and the last run's failures."""
    from .status import index_status

    settings = load_settings(index_dir=index)
    status = index_status(Path(settings.index_dir))
    if as_json:
        click.echo(json.dumps(status, indent=2, ensure_ascii=False))
        return
    click.echo(format_status(status))


def format_status(status: dict) -> str:
    """Render the index status for people."""
    if status["index"] != "ok":
        lines = ["No index yet: run `kil-search index`."]
    else:
        lines = [f"{status['documents']} documents, {status['passages']} passages, "
                 f"{status['failed_documents']} files that could not be read; index last changed {status['updated_at']}.",
                 f"Scanned pages: {status.get('ocr_pages', 0)} read by OCR, {status.get('scanned_pages_unread', 0)} left unread."]
    run = status["run"]
    if run.get("state") == "running":
        total = run.get("total")
        lines.append(f"Indexing now (pid {run.get('pid')}): {run.get('done', 0)}/{total if total is not None else '?'} files.")
    elif run.get("state") in ("failed", "interrupted"):
        lines.append(f"The last run {run['state']}: {run.get('error') or 'the process stopped before finishing'}.")
    last = status.get("last_run")
    if last:
        lines.append(f"Last completed run {last.get('finished_at')}: indexed {len(last.get('indexed', []))}, "
                     f"unchanged {last.get('unchanged', 0)}, removed {len(last.get('removed', []))}, failed {len(last.get('failed', []))}.")
    if status["failures"]:
        lines.append("Files that could not be read:")
        lines.extend(f"  {failure['id']}: {failure['reason']}" for failure in status["failures"])
    return "\n".join(lines)


@click.command("hash-password")
@click.password_option(prompt="Admin password")
def hash_password_command(password) -> None:
    """Print a hash of the admin password for KIL_ADMIN_PASSWORD_HASH."""
    from werkzeug.security import generate_password_hash

    click.echo(generate_password_hash(password))
