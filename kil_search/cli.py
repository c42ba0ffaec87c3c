"""The `kil-search` command: each subcommand parses, calls one library function, prints."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from .config import load_settings
from .errors import KilSearchError

log = logging.getLogger(__name__)


def _settings(corpus: str | None = None, index: str | None = None, **extra):
    """Load settings with the command-line overrides applied."""
    return load_settings(corpus_dir=corpus, index_dir=index, **extra)


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

corpus_option = click.option("--corpus", type=click.Path(file_okay=False), help="Corpus folder (env KIL_CORPUS_DIR; default corpus/).")
index_option = click.option("--index", type=click.Path(file_okay=False), help="Index folder (env KIL_INDEX_DIR; default var/index/).")


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more detail.")
@click.version_option(package_name="kil-search")
def main(verbose: bool) -> None:
    """Search and question answering for the Keep it Local knowledge base."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command("index")
@corpus_option
@index_option
@click.option("--rebuild", is_flag=True, help="Build a fresh index beside the live one and swap it in.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Parallel extraction workers (default: number of CPUs).")
@click.option("--timeout", type=click.FloatRange(1, 3600), help="Seconds before one file's extraction is abandoned (default 60).")
@click.option("--no-meaning", is_flag=True,
              help="Stop once the words are searchable: leave encoding sentences for ranking by meaning to the next run.")
@click.option("--meaning-only", is_flag=True,
              help="Only encode the sentences not yet encoded (what `serve` runs beside a server); index nothing.")
def index_command(corpus, index, rebuild, jobs, timeout, no_meaning=False, meaning_only=False) -> None:
    """Index new and changed files of the corpus; remove deleted ones; then encode new sentences' meaning."""
    from .indexing import run_index
    from .progress import IndexProgress

    settings = _settings(corpus, index, extract_timeout=timeout)
    if meaning_only:
        from .index.meaning_stage import encode_index

        with IndexProgress() as progress:
            record = encode_index(settings.index_dir, progress)
        click.echo(f"Meaning: {record.get('state')}; {record.get('encoded', 0)} sentences encoded.")
        return
    click.echo(f"Indexing {settings.corpus_dir} into {settings.index_dir}", err=True)
    with IndexProgress() as progress:
        try:
            summary = run_index(settings, rebuild=rebuild, jobs=jobs, progress=progress, meaning=not no_meaning)
        except KilSearchError as error:
            raise click.ClickException(str(error)) from None
    click.echo(format_summary(summary))


def format_summary(summary) -> str:
    """Render an index summary for people."""
    lines = [
        f"{'Rebuilt' if summary.rebuilt else 'Updated'} index in {summary.seconds:.1f} s: "
        f"indexed {len(summary.indexed)}, unchanged {summary.unchanged}, removed {len(summary.removed)}, "
        f"failed {len(summary.failed)}. Index holds {summary.documents} documents, {summary.passages} passages."
    ]
    for title, rows in (("Failed", summary.failed), ("Still failing (file unchanged)", summary.still_failing), ("Warnings", summary.warnings)):
        if rows:
            lines.append(f"{title}:")
            lines.extend(f"  {doc_id}: {reason}" for doc_id, reason in rows)
    if summary.removed:
        lines.append("Removed:")
        lines.extend(f"  {doc_id}" for doc_id in summary.removed)
    stage = summary.meaning or {}
    if stage.get("state") == "finished":
        lines.append(f"Meaning: {stage.get('encoded', 0)} new sentences encoded in {stage.get('seconds', 0):.1f} s "
                     f"({stage.get('sentences', 0)} in the index).")
    elif stage.get("state") == "off":
        lines.append("Meaning: off (the sentence model is not installed, or KIL_SEARCH_NO_MEANING is set): words alone rank.")
    return "\n".join(lines)


@main.command("search")
@index_option
@click.argument("query")
@click.option("--page", type=click.IntRange(1, 1000), default=1)
@click.option("--per-page", type=click.IntRange(1, 50), default=10)
@click.option("--json", "as_json", is_flag=True, help="Print the /api/search JSON.")
@click.option("--filter", "filters", multiple=True, metavar="NAME=VALUE",
              help="Keep results with this facet value, e.g. council_type='metropolitan district' (repeatable).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--exact", is_flag=True, help="Search only the words typed: no glossary terms, no 'case studies' filter.")
def search_command(index, query, page, per_page, as_json, filters, sort, exact) -> None:
    """Search the index and print ranked documents with their best passages."""
    from .search import SearchService

    settings = _settings(None, index)
    chosen: dict[str, list[str]] = {}
    for item in filters:
        name, equals, value = item.partition("=")
        if not equals:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--filter")
        chosen.setdefault(name.strip(), []).append(value.strip())
    try:
        results = SearchService(settings.index_dir, settings.passages_per_result).search(
            query, page=page, per_page=per_page, filters=chosen, sort=sort, exact=exact)
    except KilSearchError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(results.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{results.total} documents ({results.took_ms} ms)")
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion.query} ({results.suggestion.total} documents)")
    for expansion in results.expansions:
        click.echo(f"Also searched: {'; '.join(expansion.alternatives)} (for {expansion.typed!r})")
    for rank, doc in enumerate(results.results, start=(page - 1) * per_page + 1):
        click.echo(f"\n{rank}. {doc.title}  [{doc.type}{', ' + doc.date if doc.date else ''}]  {doc.id}")
        for passage in doc.passages:
            excerpt = str(passage.excerpt_html).replace("<mark>", "[").replace("</mark>", "]")
            label = f"[case study: {passage.case_study}] " if passage.case_study else ""
            label += "[text recognised from a scan] " if passage.ocr else ""
            click.echo(f"   {'p.' if doc.format == 'pdf' else '§'}{passage.page} {passage.section}: {label}{_unescape(excerpt)}")


@main.command("ask")
@index_option
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the /api/ask JSON.")
def ask_command(index, question, as_json) -> None:
    """Answer QUESTION with the sentences that say it, their document and page (or say none does)."""
    from .search import SearchService
    from .answer import answer_question

    settings = _settings(None, index)
    try:
        result = answer_question(SearchService(settings.index_dir, settings.passages_per_result), question)
    except KilSearchError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(format_answer(result))


def format_answer(result) -> str:
    """Render an answer result for people: the answer with its source, or the closest passages."""
    if result.answer is None:
        lines = ["No confident answer."]
        if result.passages:
            lines.append("Closest passages:")
        for passage in result.passages:
            excerpt = _unescape(str(passage.excerpt_html).replace("<mark>", "[").replace("</mark>", "]"))
            lines.append(f"  {passage.document['title']}, {_place(passage.format, passage.page)}: {excerpt}")
        return "\n".join(lines)
    lines = [result.answer.text, "", _source(result.answer)]
    if result.alternatives:
        lines.append("\nAlso:")
        for other in result.alternatives:
            text = "\n  ".join(other.text.splitlines())
            lines.append(f"  {text}\n    {_source(other)}")
    return "\n".join(lines)


def _source(answer) -> str:
    """Return where an answer comes from, in one line."""
    parts = [answer.document["title"], _place(answer.format, answer.page)]
    parts += [part for part in (answer.section, answer.document["type"], answer.document["date"]) if part]
    return f"— {' · '.join(parts)}  {answer.url}"


def _place(doc_format: str, page: int) -> str:
    """Return "page N" for a PDF and "section N" for a web page."""
    return f"page {page}" if doc_format == "pdf" else f"section {page}"


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the extraction as JSON.")
def extract_command(file, as_json) -> None:
    """Print what would be indexed from FILE (a PDF or HTML page)."""
    from .extract import extract_file

    try:
        document = extract_file(Path(file))
    except KilSearchError as error:
        raise click.ClickException(f"{file}: {error}") from None
    if as_json:
        click.echo(json.dumps(document.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{document.title}  ({document.format}, {len(document.pages)} {'pages' if document.format == 'pdf' else 'sections'})")
    for key, value in document.metadata.items():
        click.echo(f"  {key}: {value}")
    for warning in document.warnings:
        click.echo(f"  warning: {warning}")
    for page in document.pages:
        click.echo(f"\n--- {'page' if document.format == 'pdf' else 'section'} {page.number}{' · ' + page.section if page.section else ''}")
        click.echo(page.text)


@main.command("serve")
@corpus_option
@index_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True, help="Worker processes (one per core).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="Threads per worker.")
def serve_command(corpus, index, host, port, workers, threads) -> None:
    """Serve the web app under gunicorn, building the index first if there is none."""
    # One BLAS thread per worker thread: a question's encoding is a few small products, and gunicorn already runs
    # a thread per request on every core; with OpenBLAS's own threads on top, a busy 2-core machine took a
    # question 25 ms at the median but 137 ms at p90, against 34 ms single-threaded (set before numpy loads).
    chosen_blas = {name: os.environ.get(name) for name in BLAS_THREADS}
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")
    from .index.store import current_generation
    from .serve import serve

    settings = _settings(corpus, index)
    built = current_generation(settings.index_dir) is None
    if built:
        click.echo("No index yet: building it first.", err=True)
        ctx = click.get_current_context()
        # Words first, so the service is up in seconds; the sentences' meaning is encoded by a background run.
        ctx.invoke(index_command, corpus=str(settings.corpus_dir), index=str(settings.index_dir), rebuild=False, jobs=None,
                   timeout=None, no_meaning=True)
    _encode_meaning_beside(settings, built, chosen_blas)
    click.echo(f"Serving {settings.corpus_dir} on http://{host}:{port} ({workers} workers × {threads} threads)", err=True)
    serve(settings, host=host, port=port, workers=workers, threads=threads)


def _encode_meaning_beside(settings, built: bool, chosen_blas: dict) -> None:
    """Run the indexer's meaning stage in a child process while the server starts (index/meaning_stage.py):
    after building the words of a new library (built), or when an earlier stage stopped half-way.

    A child of this process, in its process group: stopping the server (Ctrl-C, or a signal to the group)
    stops it too, keeping what it encoded. Its output goes to reindex.log in the index folder.
    """
    import subprocess
    import threading

    from . import meaning
    from .background import LOG_FILE
    from .index.meaning_stage import read_meaning_status

    stage = read_meaning_status(settings.index_dir).get("state")
    if meaning.fingerprint() is None or not (built or stage in ("interrupted", "failed")):
        return  # an index built with --no-meaning (or by other means) waits for the next `kil-search index`
    command = [sys.executable, "-m", "kil_search.cli", "index", "--index", str(settings.index_dir), "--meaning-only"]
    with open(Path(settings.index_dir) / LOG_FILE, "wb") as log:
        # the encoder's batches gain from BLAS threads: the child gets the BLAS settings the server was started with
        env = {key: value for key, value in os.environ.items() if key not in BLAS_THREADS}
        env.update({name: value for name, value in chosen_blas.items() if value is not None})
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
    threading.Thread(target=child.wait, name="meaning-reaper", daemon=True).start()
    click.echo("Encoding the sentences for ranking by meaning in the background (progress on /status).", err=True)


def _unescape(text: str) -> str:
    """Undo HTML escaping for terminal output."""
    import html

    return html.unescape(text)


from .staff_cli import register  # noqa: E402 (the staff commands need `main` to exist)

register(main)

if __name__ == "__main__":
    main()
