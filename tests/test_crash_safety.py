"""SIGKILL the indexer at random moments: the index always opens whole, and the next run finishes the job.

After each kill the index holds exactly what the last finished run left or
exactly what the killed run meant to write (a commit is all or nothing):
every document with all its passages, none twice. Then a normal run must
complete with the right document count.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import robustness
from hostile_pdfs import many_pages
from kil_search.answer import answer_question
from kil_search.errors import IndexMissingError
from kil_search.index.store import GENERATION_PREFIX, current_generation
from kil_search.index.meaning_stage import LOCK_FILE as MEANING_LOCK
from kil_search.search import SearchService

KILLS = robustness.sized(20, 200)
DOCUMENTS = 60
SEED = 20240611
MOMENTS = ("during extraction", "during commit", "at any time")
KILLED_RUN = "killed run's commit"
COMPARE_EVERY = 3  # iterations between comparisons with a fresh build
LAST_FILE_LINE = re.compile(r"^\[(\d+)/\1\] ")


def write_version(corpus: Path, number: int, pages: int) -> None:
    """Write document `number` with `pages` one-line pages, each naming its marker word."""
    many_pages(corpus / f"doc-{number:03d}.pdf", pages, word=f"marker{number}")


def doc_id(number: int) -> str:
    return f"doc-{number:03d}.pdf"


def change_corpus(corpus: Path, state: dict[str, int], rng: random.Random, next_number: int) -> int:
    """Rewrite, delete and add a few documents; update state (doc id -> pages); return the next free number."""
    numbers = sorted(int(name[4:7]) for name in state)
    for number in rng.sample(numbers, 6):
        pages = rng.choice([page for page in (1, 2, 3, 4) if page != state[doc_id(number)]])
        write_version(corpus, number, pages)
        state[doc_id(number)] = pages
    for number in rng.sample(numbers, 2):
        (corpus / doc_id(number)).unlink()
        del state[doc_id(number)]
    for _ in range(2):
        write_version(corpus, next_number, 2)
        state[doc_id(next_number)] = 2
        next_number += 1
    return next_number


def index_contents(index_dir: Path) -> tuple[dict[str, int], SearchService]:
    """Open the index as the web app would; return (doc id -> passage count) after checking nothing is doubled."""
    service = SearchService(index_dir)
    searcher = service.searcher()
    records = list(searcher.reader().all_stored_fields())
    record_ids = Counter(record["record_id"] for record in records)
    assert max(record_ids.values()) == 1, [name for name, count in record_ids.items() if count > 1][:5]
    documents = {record["doc_id"]: record for record in records if record["kind"] == "document"}
    passages = Counter(record["doc_id"] for record in records if record["kind"] == "passage")
    assert set(passages) <= set(documents), "passages without their document record"
    for name, record in documents.items():
        assert record["details"]["status"] == "indexed", (name, record["details"])
        assert record["details"]["passage_count"] == passages[name], name
    return {name: passages[name] for name in documents}, service


def assert_searchable(service: SearchService, state: dict[str, int], rng: random.Random) -> None:
    """Search a few documents' marker words: each finds exactly its own document."""
    for name in rng.sample(sorted(state), 5):
        number = int(name[4:7])
        assert [hit.id for hit in service.search(f"marker{number}").results] == [name]


def what_users_see(service: SearchService, names: list[str]) -> dict:
    """Return what searches and questions about some documents show: results, totals, facets, answers."""
    seen: dict = {}
    for name in names:
        number = int(name[4:7])
        page = service.search(f"marker{number}")
        seen[f"search marker{number}"] = ([hit.id for hit in page.results], page.total)
        answer = answer_question(service, f"What is marker{number}?").to_json()["answer"]
        seen[f"ask marker{number}"] = answer and (answer["text"], answer["document"]["id"], answer["page"])
    page = service.search(" OR ".join(f"marker{int(name[4:7])}" for name in names))
    seen["search any"] = (sorted(hit.id for hit in page.results), page.total, [facet.to_json() for facet in page.facets])
    return seen


def assert_same_as_a_fresh_build(corpus: Path, service: SearchService, fresh: Path, rng: random.Random) -> None:
    """Rebuild the same files into another folder: searches and questions must show the same."""
    built = robustness.run_indexer(corpus, fresh, "--jobs", "1", "--rebuild")
    assert built["code"] == 0, built["output"]
    names = rng.sample(sorted(path.name for path in corpus.glob("*.pdf")), 5)
    fresh_service = SearchService(fresh)
    try:
        seen = what_users_see(service, names)
        assert seen == what_users_see(fresh_service, names)
        assert any(seen[f"ask marker{int(name[4:7])}"] for name in names)  # answers compared, not only "no answer"
    finally:
        fresh_service.close()


def assert_no_debris(index: Path) -> None:
    """After a finished run: the live generation and at most the one before it, no half-written files."""
    live = current_generation(index)
    generations = sorted(index.glob(f"{GENERATION_PREFIX}*"), key=lambda path: int(path.name[len(GENERATION_PREFIX):]))
    assert generations[-1] == live and len(generations) <= 2, [path.name for path in generations]
    locks = {".write.lock", MEANING_LOCK}  # the two lock files stay; nothing else hidden may
    assert sorted(path.name for path in index.iterdir() if path.name.startswith(".") and path.name not in locks) == []


def start_indexer(corpus: Path, index: Path, *options: str) -> subprocess.Popen:
    """Start `python indexer.py` in its own process group, reading its progress lines."""
    return subprocess.Popen(
        [sys.executable, "indexer.py", "--corpus", str(corpus), "--index", str(index), "--jobs", "1", *options],
        cwd=robustness.REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def wait_for_line(process: subprocess.Popen, pattern) -> bool:
    """Read progress lines until one matches; False if the run ended first."""
    for line in process.stderr:
        if pattern(line):
            return True
    return False


def live_group_members(group: int) -> list[int]:
    """Return the processes of a process group that are still running (zombies excluded)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def timed_clean_run(corpus: Path, index: Path) -> dict[str, float]:
    """Run a full rebuild to the end, timing when extraction starts, when the last file is done, and the exit.

    A rebuild, so that there is always something to time: the killed first build may have won the race.
    """
    started = time.monotonic()
    process = start_indexer(corpus, index, "--rebuild")
    marks = {}
    for line in process.stderr:
        if line.rstrip().endswith("files to extract"):
            marks["extraction"] = time.monotonic() - started
        if LAST_FILE_LINE.match(line):
            marks["last file"] = time.monotonic() - started
    assert process.wait() == 0
    process.stderr.close()
    marks["exit"] = time.monotonic() - started
    return marks


def kill_once(corpus: Path, index: Path, moment: str, rebuild: bool, timing: dict, rng: random.Random) -> bool:
    """Start a run and SIGKILL it at the chosen moment; return whether it was still running when killed."""
    process = start_indexer(corpus, index, *(["--rebuild"] if rebuild else []))
    try:
        if moment == "during extraction":
            wait_for_line(process, lambda line: line.rstrip().endswith("files to extract"))
            time.sleep(rng.uniform(0, timing["last file"] - timing["extraction"]))
        elif moment == "during commit":
            wait_for_line(process, LAST_FILE_LINE.match)
            time.sleep(rng.uniform(0, timing["exit"] - timing["last file"]))
        else:
            time.sleep(rng.uniform(0, timing["exit"]))
        alive = process.poll() is None
        process.send_signal(signal.SIGKILL)  # only the indexer: its workers must notice by themselves
        process.wait()
        deadline = time.monotonic() + 20
        while live_group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_group_members(process.pid) == [], "extraction workers outlived their killed indexer"
        return alive
    finally:
        process.stderr.close()
        if live_group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)


def test_sigkill_loses_nothing_and_duplicates_nothing(tmp_path):
    rng = random.Random(SEED)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    state = {}
    for number in range(DOCUMENTS):
        write_version(corpus, number, number % 3 + 1)
        state[doc_id(number)] = number % 3 + 1
    next_number = DOCUMENTS

    # The very first build, killed: no index at all, or (if it won the race) a complete one; the next run builds it.
    kill_once(corpus, index, "during extraction", False, {"extraction": 0, "last file": 0.5, "exit": 1.0}, rng)
    try:
        assert index_contents(index)[0] == state
    except IndexMissingError:
        pass
    timing = timed_clean_run(corpus, index)
    assert index_contents(index)[0] == state

    kills, outcomes, iterations, compared = Counter(), Counter(), 0, 0
    while sum(kills.values()) < KILLS:
        iterations += 1
        assert iterations < KILLS * 3, f"runs kept finishing before the kill: {kills}"
        moment, rebuild = MOMENTS[iterations % 3], iterations % 4 == 0
        before = dict(state)
        next_number = change_corpus(corpus, state, rng, next_number)
        killed = kill_once(corpus, index, moment, rebuild, timing, rng)
        kills[moment] += killed
        contents, service = index_contents(index)
        assert contents in (before, state), "the index holds a mix of two runs"
        if killed:
            outcomes["previous index" if contents == before else KILLED_RUN] += 1
        else:
            outcomes["finished before the kill"] += 1
        assert_searchable(service, contents, rng)
        last_run = index / "last_run.json"
        assert not last_run.exists() or json.loads(last_run.read_text())["documents"] in (len(before), len(state))

        finished = robustness.run_indexer(corpus, index, "--jobs", "1")
        assert finished["code"] == 0, finished["output"]
        assert finished["summary"]["documents"] == len(state) and finished["summary"]["failed"] == []
        contents, service = index_contents(index)
        assert contents == state
        assert_searchable(service, state, rng)
        assert_no_debris(index)
        if iterations % COMPARE_EVERY == 0:  # a fresh build costs a full run: not after every kill
            assert_same_as_a_fresh_build(corpus, service, tmp_path / "fresh", rng)
            compared += 1

    robustness.record("crash safety", f"{sum(kills.values())} SIGKILLs of `python indexer.py` over a {DOCUMENTS}-PDF corpus "
                      f"({', '.join(f'{count} {moment}' for moment, count in kills.items())}; every 4th a --rebuild), "
                      f"{outcomes['previous index']} left the previous index whole, {outcomes[KILLED_RUN]} "
                      f"came after the killed run's commit ({outcomes['finished before the kill']} more runs ended before "
                      f"their kill and were checked the same way); none lost or doubled a document or passage; every next run completed; "
                      f"{compared} times searches and questions then showed what a fresh --rebuild shows")
