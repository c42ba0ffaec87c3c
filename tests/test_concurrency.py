"""Searching while the index changes: threads and processes against the real server, through incremental runs.

Documents that never change must be found by every search, whatever the
indexer is doing; documents that change may come and go, but no request may
fail. Runs are incremental (many small Whoosh commits and segment merges
under open readers), with two --rebuilds among them.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import robustness
from conftest import write_small_corpus
from hostile_pdfs import many_pages
from kil_search.config import load_settings
from kil_search.indexing import run_index
from kil_search.search import SearchService
from kil_search.search.service import REFRESH_CHECK_SECONDS
from servers import running_server

STABLE = 30  # documents that never change: always findable
CHURN = 20  # documents rewritten, removed and added between runs
RUNS = robustness.sized(6, 40)
REBUILDS = {2, 4}  # the runs (counted from 0) that are a --rebuild: each swaps the generation under the readers
THREADS, PROCESSES = 3, 2
REQUEST_TIMEOUT = 30


def stable_id(number: int) -> str:
    return f"stable/doc-{number:02d}.pdf"


def write_churn(corpus: Path, number: int, pages: int) -> None:
    many_pages(corpus / "churn" / f"doc-{number:03d}.pdf", pages, word=f"churnword{number}")


def check_once(base: str, titles: list[str], rng: random.Random) -> str | None:
    """Make one request a reader might make; return a description of what went wrong, or None."""
    number = rng.randrange(STABLE)
    kind = rng.choice(["api", "page", "document", "churn", "suggest", "health", "social care"])
    if kind == "api":
        path, expect = f"/api/search?q=stableword{number}", stable_id(number)
    elif kind == "page":
        path, expect = f"/search?q=stableword{number}", f'href="/documents/{stable_id(number)}"'
    elif kind == "document":
        path, expect = f"/documents/{stable_id(number)}", f"<h1>{titles[number]}</h1>"
    elif kind == "churn":
        path, expect = f"/api/search?q=churnword{rng.randrange(CHURN * 3)}", '"results"'
    elif kind == "suggest":
        path, expect = "/api/suggest?q=stab", '"suggestions"'
    elif kind == "health":
        path, expect = "/healthz", '"status": "ok"'
    else:
        path, expect = "/search?q=" + urllib.parse.quote("neighbourhood social care"), "Community care in practice"
    try:
        with urllib.request.urlopen(base + path, timeout=REQUEST_TIMEOUT) as response:
            body = response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return f"{path}: HTTP {error.code}"
    except OSError as error:
        return f"{path}: {type(error).__name__}: {error}"
    if kind in ("api", "churn", "suggest", "health"):
        body = json.dumps(json.loads(body))  # well-formed JSON, in one canonical spelling
        if kind == "api":
            ids = [result["id"] for result in json.loads(body)["results"]]
            return None if ids[:1] == [expect] else f"{path}: got {ids}"
    return None if expect in body else f"{path}: an empty or wrong page"


def read_until(base: str, titles: list[str], stop_file: str, seed: int) -> dict:
    """Search until stop_file exists; return how many requests were made and what failed (runs in threads and processes)."""
    rng = random.Random(seed)
    done, failures = 0, []
    while not Path(stop_file).exists():
        problem = check_once(base, titles, rng)
        done += 1
        if problem:
            failures.append(problem)
    return {"requests": done, "failures": failures}


def change_corpus(corpus: Path, churn: dict[int, int], rng: random.Random, next_number: int) -> int:
    """Rewrite three churn documents, remove two, add two; return the next free number."""
    for number in rng.sample(sorted(churn), 3):
        churn[number] = churn[number] % 3 + 1
        write_churn(corpus, number, churn[number])
    for number in rng.sample(sorted(churn), 2):
        (corpus / "churn" / f"doc-{number:03d}.pdf").unlink()
        del churn[number]
    for _ in range(2):
        churn[next_number] = 1
        write_churn(corpus, next_number, 1)
        next_number += 1
    return next_number


def test_readers_never_fail_while_the_index_changes(tmp_path):
    corpus = write_small_corpus(tmp_path / "corpus")
    (corpus / "stable").mkdir()
    (corpus / "churn").mkdir()
    for number in range(STABLE):
        many_pages(corpus / stable_id(number), 2, word=f"stableword{number}")
    churn = {number: 2 for number in range(CHURN)}
    for number in churn:
        write_churn(corpus, number, 2)
    index = tmp_path / "index"
    run_index(load_settings(corpus_dir=corpus, index_dir=index, jobs=2))
    service = SearchService(index)
    titles = [service.document(stable_id(number))["details"]["title"] for number in range(STABLE)]
    stop_file = tmp_path / "stop"
    rng = random.Random(7)

    with running_server(corpus, index, workers=2) as base:
        with ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("spawn")) as processes:
            in_processes = [processes.submit(read_until, base, titles, str(stop_file), seed) for seed in range(PROCESSES)]
            in_threads, threads = [], []
            for seed in range(PROCESSES, PROCESSES + THREADS):
                thread = threading.Thread(target=lambda seed=seed: in_threads.append(read_until(base, titles, str(stop_file), seed)))
                thread.start()
                threads.append(thread)
            try:
                next_number, runs = CHURN, []
                for run in range(RUNS):
                    next_number = change_corpus(corpus, churn, rng, next_number)
                    finished = robustness.run_indexer(corpus, index, "--jobs", "1", *(["--rebuild"] if run in REBUILDS else []))
                    assert finished["code"] == 0, finished["output"]
                    runs.append(finished)
                time.sleep(1.5)  # past the refresh interval: every worker now serves the last run
            finally:
                stop_file.touch()
                for thread in threads:
                    thread.join()
            outcomes = in_threads + [future.result(timeout=120) for future in in_processes]
        last_added = f"/api/search?q=churnword{next_number - 1}"
        finds_last = [json.loads(urllib.request.urlopen(base + last_added).read())["total"] for _ in range(8)]

    failures = [failure for outcome in outcomes for failure in outcome["failures"]]
    requests = sum(outcome["requests"] for outcome in outcomes)
    assert failures == [], failures[:10]
    assert all(outcome["requests"] >= 20 for outcome in outcomes), [outcome["requests"] for outcome in outcomes]
    assert finds_last == [1] * 8  # both web workers see the last run
    assert runs[-1]["summary"]["documents"] == 3 + STABLE + len(churn)
    seconds = sum(run["seconds"] for run in runs)
    robustness.record("concurrency", f"{requests:,} searches, result pages, document pages and suggestions from {THREADS} threads "
                      f"and {PROCESSES} processes against gunicorn (2 workers) during {RUNS} indexer runs ({RUNS - len(REBUILDS)} incremental, "
                      f"{len(REBUILDS)} --rebuild; {seconds:.0f} s): no error, no empty or wrong answer")


def test_a_searcher_in_use_stays_open_when_the_index_is_swapped(settings, built_index):
    service = SearchService(settings.index_dir)
    held = service.searcher()  # what a request got at its start
    run_index(settings, rebuild=True)
    time.sleep(REFRESH_CHECK_SECONDS + 0.1)
    assert service.searcher() is not held  # later in the same request: the new generation
    assert held.document(record_id="doc:reports/care-report.pdf") is not None  # the request carries on
    assert service.search("neighbourhood social care").total == 1
