"""The library's life, model-based: random corpus changes, each followed by an incremental index run.

A seeded generator picks what staff and machines do to a library: touch every file (a copy or a
restore), edit a page, edit a catalogue entry, add, rename, delete and put back a file, replace a
PDF with another under the same name, upload through the admin page. After each change the real
indexer (`python indexer.py`) updates the live index, and rebuilds the same files from scratch
into another folder (`--rebuild`). Two real servers (gunicorn) serve the two indexes; every
route of the live one must answer 200, and what users see (result ids and totals, facet counts,
the answer to questions with its document and page, suggestions, related documents, the case-study list) must be
what the fresh build shows.

CI runs CI_STEPS steps; `--long` (or KIL_LONG_TESTS=1) runs LONG_STEPS; KIL_CHURN_STEPS and
KIL_CHURN_SEED choose the size and the seed. A failure names the seed, the step and the change.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path

import robustness
from builders import make_html, make_pdf
from servers import running_server

CI_STEPS, LONG_STEPS = 30, 300
STEPS = int(os.environ.get("KIL_CHURN_STEPS") or robustness.sized(CI_STEPS, LONG_STEPS))
SEED = int(os.environ.get("KIL_CHURN_SEED") or 13)
PASSWORD = "churn test staff password"
# A server re-reads the index within a second of a change (search/service.py, REFRESH_CHECK_SECONDS).
REFRESH_WAIT = 1.2
# Scores shown (4 decimals) agree to rounding: the live index adds the same numbers in another order.
SCORE_TOLERANCE = 2e-4

PLACES = ["Bradford", "Leeds", "Bristol", "Hackney", "Calderdale", "Kirklees", "Oldham", "Wigan"]
THEMES = ["adult social care", "procurement", "community assets", "youth services", "local economy"]
TYPES = ["research report", "practical guide", "case study", "briefing"]
SENTENCES = [
    "The council commissioned neighbourhood social care from a community business in {place}.",
    "Procurement rules were rewritten so that small local organisations could bid for contracts.",
    "A library building passed to a community association in {place} on a long lease.",
    "Spending recirculates in the local economy when contracts go to local organisations.",
    "Youth services in {place} were kept open by a partnership of volunteers and the council.",
    "The Harbour Trust was founded in {year} by residents of {place}.",
    "The trust has {count} volunteers who run the boathouse and the community cafe.",
    "Commissioners met community organisations every month to plan services together.",
    "Social value should be weighed in every procurement decision the council makes.",
    "Case study: {organisation}, {place}\nThe cooperative grew from six members to forty in three years.",
]
ORGANISATIONS = ["Bowling Park Care", "Harbour Trust", "Hill Top Homes", "Riverside Kitchen", "Northfield Hub"]
WORD_QUERIES = ["community", "social care", "procurement contracts", "Bradford", "volunteers boathouse",
                "library lease", "comunity busines"]
# Each question with the words of the sentence that answers it.
QUESTIONS = {"When was the Harbour Trust founded?": "The Harbour Trust was founded in",
             "How many volunteers does the trust have?": "volunteers who run the boathouse"}
SUGGEST_PREFIXES = ["comm", "proc", "vol"]


class Library:
    """The corpus folder and what the test knows of it: each file's pages, the catalogue, held files."""

    def __init__(self, root: Path, held: Path, rng: random.Random):
        self.root, self.held, self.rng = root, held, rng
        self.pages: dict[str, list[str]] = {}  # doc_id -> page (PDF) or section (HTML) texts
        self.catalog: dict[str, dict] = {}
        self.away: dict[str, tuple[Path, list[str]]] = {}  # doc_id -> its deleted file, waiting, and pages
        self.names = 0

    def holders(self, text: str) -> int:
        """Return how many files hold a sentence (as written, before any extraction)."""
        return sum(1 for pages in self.pages.values() if any(text.strip() in page for page in pages))

    def files(self) -> list[str]:
        """Return the doc ids of the files now in the corpus."""
        return sorted(self.pages)

    def text(self) -> str:
        """Return a page of random sentences."""
        chosen = self.rng.sample(SENTENCES, self.rng.randint(2, 4))
        return "\n".join(sentence.format(place=self.rng.choice(PLACES), year=self.rng.randint(1950, 2020),
                                         count=self.rng.randint(2, 400), organisation=self.rng.choice(ORGANISATIONS))
                         for sentence in chosen)

    def new_name(self, suffix: str) -> str:
        """Return a doc id no file has had yet."""
        self.names += 1
        folder = self.rng.choice(["reports", "guides", "web" if suffix == ".html" else "reports"])
        return f"{folder}/file-{self.names}{suffix}"

    def write(self, doc_id: str, pages: list[str]) -> None:
        """Write a PDF or web page with these pages (sections) and remember them."""
        path = self.root / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        title = f"Report {doc_id.rsplit('/', 1)[-1].split('.')[0]} {self.rng.choice(THEMES)}"
        if doc_id.endswith(".pdf"):
            make_pdf(path, pages, title=title)
        else:
            body = "".join(f"<h2>Section {number}</h2><p>{text.replace(chr(10), '</p><p>')}</p>"
                           for number, text in enumerate(pages, start=1))
            make_html(path, title=title, body_html=f"<h1>{title}</h1>{body}")
        self.pages[doc_id] = pages

    def write_catalog(self) -> None:
        """Write catalog.toml from the entries of files that exist (as staff keep it)."""
        lines = []
        for doc_id, entry in sorted(self.catalog.items()):
            lines.append(f'["{doc_id}"]')
            lines.extend(f"{key} = {json.dumps(value)}" for key, value in entry.items())
            lines.append("")
        (self.root / "catalog.toml").write_text("\n".join(lines), encoding="utf-8")

    def entry(self) -> dict:
        """Return a random catalogue entry."""
        return {"title": f"{self.rng.choice(ORGANISATIONS)} {self.rng.choice(['review', 'report', 'story'])}",
                "type": self.rng.choice(TYPES), "date": f"{self.rng.randint(2010, 2024)}-0{self.rng.randint(1, 9)}",
                "themes": self.rng.sample(THEMES, 2), "places": [self.rng.choice(PLACES)]}


# The changes. Each returns a short description (for the failure message), or None when it cannot apply.

def touch_every_file(library: Library, servers: dict) -> str:
    later = time.time() + library.rng.randint(1, 10_000)
    for path in library.root.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
    return "touch every file"


def edit_a_page(library: Library, servers: dict) -> str | None:
    if not library.pages:
        return None
    doc_id = library.rng.choice(library.files())
    pages = list(library.pages[doc_id])
    pages[library.rng.randrange(len(pages))] = library.text()
    library.write(doc_id, pages)
    return f"edit a page of {doc_id}"


def edit_a_catalogue_entry(library: Library, servers: dict) -> str | None:
    if not library.pages:
        return None
    doc_id = library.rng.choice(library.files())
    library.catalog[doc_id] = library.entry()
    library.write_catalog()
    return f"edit the catalogue entry of {doc_id}"


def add_a_file(library: Library, servers: dict) -> str:
    doc_id = library.new_name(library.rng.choice([".pdf", ".pdf", ".html"]))
    library.write(doc_id, [library.text() for _ in range(library.rng.randint(1, 4))])
    return f"add {doc_id}"


def rename_a_file(library: Library, servers: dict) -> str | None:
    if not library.pages:
        return None
    old = library.rng.choice(library.files())
    new = library.new_name(Path(old).suffix)
    (library.root / new).parent.mkdir(parents=True, exist_ok=True)
    (library.root / old).rename(library.root / new)
    library.pages[new] = library.pages.pop(old)
    if old in library.catalog:  # staff move its entry with it
        library.catalog[new] = library.catalog.pop(old)
        library.write_catalog()
    return f"rename {old} to {new}"


def delete_a_file(library: Library, servers: dict) -> str | None:
    if len(library.pages) < 2:
        return None
    doc_id = library.rng.choice(library.files())
    kept = library.held / f"{len(library.away)}-{Path(doc_id).name}"
    (library.root / doc_id).rename(kept)  # kept with its time, to be put back as it was
    library.away[doc_id] = (kept, library.pages.pop(doc_id))
    return f"delete {doc_id}"


def put_a_file_back(library: Library, servers: dict) -> str | None:
    waiting = [doc_id for doc_id in library.away if doc_id not in library.pages]
    if not waiting:
        return None
    doc_id = library.rng.choice(sorted(waiting))
    kept, pages = library.away.pop(doc_id)
    kept.rename(library.root / doc_id)
    library.pages[doc_id] = pages
    return f"put back {doc_id}"


def replace_a_pdf(library: Library, servers: dict) -> str | None:
    pdfs = [doc_id for doc_id in library.files() if doc_id.endswith(".pdf")]
    if not pdfs:
        return None
    doc_id = library.rng.choice(pdfs)
    library.write(doc_id, [library.text() for _ in range(library.rng.randint(1, 5))])
    return f"replace {doc_id} by another PDF"


def upload_through_the_admin(library: Library, servers: dict) -> str:
    uploads = [doc_id for doc_id in library.files() if doc_id.startswith("uploads/")]
    replace = bool(uploads) and library.rng.random() < 0.4
    name = Path(library.rng.choice(uploads)).name if replace else f"upload-{library.names + 1}.pdf"
    library.names += 1
    pages = [library.text() for _ in range(library.rng.randint(1, 3))]
    source = library.held / "upload-source.pdf"
    make_pdf(source, pages, title=f"Uploaded {name}")
    servers["staff"].upload(source.read_bytes(), name, replace)
    library.pages[f"uploads/{name}"] = pages
    return f"upload uploads/{name}" + (" replacing it" if replace else "")


CHANGES = [touch_every_file, edit_a_page, edit_a_catalogue_entry, add_a_file, rename_a_file, delete_a_file,
           put_a_file_back, replace_a_pdf, upload_through_the_admin]


class Staff:
    """A browser session of a signed-in member of staff on the live server (cookies and CSRF tokens)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = urllib.parse.urlencode({"password": PASSWORD, "csrf_token": self._token("/admin/login")}).encode()
        with self.opener.open(f"{base}/admin/login", data=form, timeout=30) as response:
            assert response.status == 200 and "/admin/login" not in response.url

    def _token(self, path: str) -> str:
        """Return the CSRF token of a page's form."""
        with self.opener.open(f"{self.base}{path}", timeout=30) as response:
            return re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)

    def upload(self, data: bytes, name: str, replace: bool) -> None:
        """Send a file through the upload form, as the page's form does."""
        boundary = "churn-boundary-7d1f"
        fields = {"csrf_token": self._token("/admin/"), **({"replace": "yes"} if replace else {})}
        body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                        for key, value in fields.items())
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{self.base}/admin/upload", data=body,
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with self.opener.open(request, timeout=60) as response:
            page = response.read().decode()
        said = f"{'Replaced' if replace else 'Added'} uploads/{name}."
        assert response.status == 200 and said in page, page[-2000:]


def fetch(url: str) -> tuple[int, bytes]:
    """Return a URL's status and body (an error status is returned, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get_json(base: str, path: str, **params) -> dict:
    """Return a JSON route's body, requiring 200."""
    status, body = fetch(f"{base}{path}?{urllib.parse.urlencode(params)}")
    assert status == 200, f"{path} {params}: HTTP {status}"
    return json.loads(body)


def ranking(hits: list[dict], total: int | None = None) -> list[list[str]]:
    """Return result ids in rank order, those of equal score together and sorted.

    Whoosh ranks documents of equal score by record number, that is by the order files were
    indexed in, which a rebuild and a run of incremental updates do not share; users see
    equally good results either way. When the page is full and more results follow, the last
    group may be cut by the page's end at a different member, so it is given by its size only.
    """
    groups: list[tuple[float, list[str]]] = []
    for hit in hits:
        if groups and abs(groups[-1][0] - hit["score"]) <= SCORE_TOLERANCE:
            groups[-1][1].append(hit["id"])
        else:
            groups.append((hit["score"], [hit["id"]]))
    shown = [sorted(ids) for _score, ids in groups]
    if total is not None and total > len(hits) and groups:
        shown[-1] = [f"{len(groups[-1][1])} of equal score, cut by the page's end"]
    return shown


def what_users_see(base: str, library: Library) -> dict:
    """Return what the fixed searches, questions, suggestions and case-study list show."""
    seen: dict = {}
    for query in WORD_QUERIES + list(QUESTIONS):
        page = get_json(base, "/api/search", q=query, per_page=50)
        seen[f"search {query}"] = {
            "ranking": ranking(page["results"], page["total"]), "total": page["total"], "any_word": page["matched_any_word"],
            "did_you_mean": page["did_you_mean"],
            "facets": {facet["name"]: ([(value["value"], value["count"]) for value in facet["values"]], facet["more"])
                       for facet in page["facets"]},
        }
    for question, fact in QUESTIONS.items():
        answer = get_json(base, "/api/ask", q=question)["answer"]
        if library.holders(fact) == 1:  # one file says it: the answer, its document and page are known
            seen[f"ask {question}"] = answer and (answer["text"], answer["document"]["id"], answer["page"])
        else:  # several files say it, each equally well: any of them, or none
            seen[f"ask {question}"] = answer is None or library.holders(answer["text"]) > 0
    for prefix in SUGGEST_PREFIXES:
        seen[f"suggest {prefix}"] = [item["text"] for item in get_json(base, "/api/suggest", q=prefix)["suggestions"]]
    for doc_id in library.files()[:3]:
        document = get_json(base, f"/api/documents/{urllib.parse.quote(doc_id)}")
        seen[f"related to {doc_id}"] = [related["id"] for related in document["related"]]
    studies = get_json(base, "/api/case-studies")
    seen["case studies"] = [(entry["title"], entry["document"]["id"], entry["page"]) for entry in studies["case_studies"]]
    return seen


def every_route_answers(base: str, doc_id: str | None) -> int:
    """Ask every page and JSON route once; return how many answered (all must answer 200)."""
    question = urllib.parse.quote_plus(next(iter(QUESTIONS)))
    paths = ["/", "/search?q=community+care", f"/search?q={question}", "/api/search?q=procurement",
             f"/api/ask?q={question}", f"/ask?q={question}", "/case-studies", "/api/suggest?q=comm", "/status"]
    if doc_id is not None:
        paths += [f"/documents/{urllib.parse.quote(doc_id)}", f"/documents/{urllib.parse.quote(doc_id)}/file"]
    for path in paths:
        status, _ = fetch(f"{base}{path}")
        assert status == 200, f"{path}: HTTP {status}"
    return len(paths)


def first_difference(live: dict, fresh: dict) -> str:
    """Describe the first view that differs between the live and the fresh index."""
    for key in fresh:
        if live.get(key) != fresh[key]:
            return f"{key}:\n  live  {live.get(key)}\n  fresh {fresh[key]}"
    return "none"


def start_library(library: Library) -> None:
    """Write the first few files and catalogue entries."""
    for _ in range(5):
        doc_id = library.new_name(".pdf")
        library.write(doc_id, [library.text() for _ in range(library.rng.randint(1, 4))])
    doc_id = library.new_name(".html")
    library.write(doc_id, [library.text(), library.text()])
    for doc_id in library.files()[:3]:
        library.catalog[doc_id] = library.entry()
    library.write_catalog()


def index(corpus: Path, index_dir: Path, *options: str) -> dict:
    """Run the real indexer and require it to finish."""
    run = robustness.run_indexer(corpus, index_dir, "--jobs", "1", *options)
    assert run["code"] == 0, run["output"][-3000:]
    return run


def test_what_users_see_after_every_change_is_what_a_fresh_build_shows(tmp_path):
    rng = random.Random(SEED)
    corpus, held = tmp_path / "corpus", tmp_path / "held"
    held.mkdir()
    library = Library(corpus, held, rng)
    start_library(library)
    live_index, fresh_index = tmp_path / "live-index", tmp_path / "fresh-index"
    index(corpus, live_index)
    index(corpus, fresh_index, "--rebuild")
    started = time.monotonic()
    counts: dict[str, int] = {}
    routes = incremental_seconds = 0.0
    history: list[str] = []
    with running_server(corpus, live_index, workers=1, extra_env={"KIL_ADMIN_PASSWORD": PASSWORD}) as live, \
            running_server(corpus, fresh_index, workers=1) as fresh:
        servers = {"staff": Staff(live)}
        first_round = rng.sample(CHANGES, len(CHANGES))
        for step in range(1, STEPS + 1):
            change = None
            while change is None:  # the first steps make every kind of change once, in a random order
                action = first_round.pop() if first_round else rng.choice(CHANGES)
                change = action(library, servers)
            counts[action.__name__] = counts.get(action.__name__, 0) + 1
            history.append(change)
            where = f"seed {SEED}, step {step} ({change}); changes so far: {history}"
            try:
                incremental_seconds += index(corpus, live_index)["seconds"]
                index(corpus, fresh_index, "--rebuild")
                time.sleep(REFRESH_WAIT)
                routes += every_route_answers(live, rng.choice(library.files()) if library.files() else None)
                live_view, fresh_view = what_users_see(live, library), what_users_see(fresh, library)
            except AssertionError as error:
                raise AssertionError(f"{where}\n{error}") from None
            assert live_view == fresh_view, f"{where}\nfirst difference: {first_difference(live_view, fresh_view)}"
    took = time.monotonic() - started
    robustness.record("corpus churn", (
        f"{STEPS} changes (seed {SEED}) each followed by an incremental run; {int(routes)} route requests "
        f"answered 200 and after every change {len(live_view)} views equal a fresh --rebuild; {took:.0f} s "
        f"(incremental runs {incremental_seconds:.0f} s); changes: "
        + ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in sorted(counts.items()))))
