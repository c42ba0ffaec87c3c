"""Relevance on other people's questions: Cranfield and SQuAD through /api/search's path, beside bm25s.

Each collection is written as HTML pages (Cranfield: one page per abstract, its title as
<title>; SQuAD: one page per article, one "§" section per paragraph, so a passage's page
number is its paragraph's place), indexed by the real indexer, and every query is run
through SearchService.search with the arguments /api/search passes (pages of 50 documents).
bm25s (k1 1.2, b 0.75, English stop words and Snowball stemmer) ranks the same texts in
the same run.

Each collection's queries are split by a hash of the query id into a dev half and a held-out
half; tune on `--split dev` only. Targets are judged on all queries and on the held-out half.
Our own question sets (benchmarks/*.toml with [[question]] and sources) are searched over the
sample corpus: a hit is a source document on the first page.

    python benchmarks/relevance.py [--split dev|all] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import hashlib
import html
import json
import math
import statistics
import sys
import time
import tomllib
from pathlib import Path

from _common import BENCH_DIR, OUT_DIR, REPO_ROOT, print_table, target, write_json

from kil_search.config import Settings
from kil_search.indexing import run_index
from kil_search.search import meaning_rank
from kil_search.search.service import SearchService

TESTDATA = REPO_ROOT.parent / "shared" / "testdata"
CRANFIELD = TESTDATA / "ir" / "cranfield"
SQUAD = TESTDATA / "qa" / "squad2-dev-8.json"
SAMPLE_CORPUS = REPO_ROOT / "corpus"
PAGE = 50  # /api/search's largest per_page
DEPTH = 100  # Recall@100
# The page shows three passages per document, so its fifth passage may rank below another article's
# best: with this many per document, the passages sorted by score hold the true top five.
FLAT_DEPTH = 5
# What the own question sets found on the first page before issue 14's ranking work (this script with
# the search code of commit 1ddd948), by file name and the names the files had before (issue 15).
OWN_BEFORE = {("answers-dev.toml", "questions.toml"): 29 / 30, ("blind-tuned.toml", "blind.toml"): 22 / 22,
              ("holdout-tuned.toml", "holdout.toml"): 12 / 13, ("untouched.toml",): 28 / 30}
TARGETS = {"cranfield ndcg@10": 0.40, "cranfield recall@100": 0.75, "squad success@1": 0.80}
# Code whose change makes the cached indexes stale (the search side is not among them).
INDEXING_CODE = ("kil_search/index", "kil_search/extract", "kil_search/enrich", "kil_search/indexing.py",
                 "kil_search/preparing.py", "kil_search/corpus.py", "kil_search/models.py", "kil_search/meaning.py")


def held_out(query_id: str) -> bool:
    """True for the queries kept out of tuning: a fixed half, by a hash of the id."""
    return hashlib.sha256(f"issue-14:{query_id}".encode()).digest()[0] % 2 == 1


def code_fingerprint(extra: str) -> str:
    """Return a short hash of the indexing code (and extra), naming a cached index."""
    digest = hashlib.sha256(extra.encode())
    for name in INDEXING_CODE:
        path = REPO_ROOT / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def build_index(name: str, write_corpus, extra: str = "") -> Path:
    """Write a corpus with write_corpus(folder) and index it, once per version of the indexing code."""
    folder = OUT_DIR / "relevance" / f"{name}-{code_fingerprint(extra)}"
    index_dir = folder / "index"
    if (folder / "done").exists():
        return index_dir
    corpus_dir = folder / "corpus"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    write_corpus(corpus_dir)
    started = time.perf_counter()
    summary = run_index(Settings(corpus_dir=corpus_dir, index_dir=index_dir), rebuild=True)
    print(f"indexed {name}: {len(summary.indexed)} files in {time.perf_counter() - started:.1f} s")
    (folder / "done").write_text("ok")
    return index_dir


def page_html(title: str, sections: list[str] | None = None, text: str = "") -> str:
    """Return a plain HTML page: a title and either one paragraph or one "§" section per paragraph."""
    body = (f"<p>{html.escape(text)}</p>" if sections is None
            else "".join(f"<h2>§</h2><p>{html.escape(section)}</p>" for section in sections))
    return f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body><main>{body}</main></body></html>"


# --- Cranfield --------------------------------------------------------------------------------

def load_cranfield():
    """Return (documents, queries, judgements {query: {doc: grade}})."""
    documents = [json.loads(line) for line in (CRANFIELD / "corpus.jsonl").read_text().splitlines() if line.strip()]
    queries = [json.loads(line) for line in (CRANFIELD / "queries.jsonl").read_text().splitlines() if line.strip()]
    judgements: dict[str, dict[str, int]] = {}
    for line in (CRANFIELD / "qrels.tsv").read_text().splitlines()[1:]:
        query_id, doc_id, grade = line.split("\t")
        judgements.setdefault(query_id, {})[doc_id] = int(grade)
    return documents, queries, judgements


def write_cranfield(documents):
    """Return a corpus writer: one page per abstract, named by its id."""
    def write(folder: Path) -> None:
        for document in documents:
            (folder / f"{int(document['id']):04d}.html").write_text(page_html(document["title"], text=document["text"]))
    return write


def gain(grade: int) -> int:
    """Return the nDCG gain of a Cranfield grade (1 best → 4; -1 and 5 → 0)."""
    return 5 - grade if 1 <= grade <= 4 else 0


def ndcg_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    """Return nDCG@10 with a log2 discount and the ideal ranking of every judged gain."""
    dcg = sum(gain(grades.get(doc, 5)) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:10]))
    ideal = sorted((gain(grade) for grade in grades.values()), reverse=True)[:10]
    best = sum(value / math.log2(rank + 2) for rank, value in enumerate(ideal))
    return dcg / best if best else 0.0


def recall_at_100(ranked: list[str], grades: dict[str, int]) -> float:
    """Return the share of grade 1..4 documents among the first 100."""
    relevant = {doc for doc, grade in grades.items() if 1 <= grade <= 4}
    return len(relevant & set(ranked[:DEPTH])) / len(relevant) if relevant else 0.0


def our_documents(service: SearchService, text: str, depth: int) -> list:
    """Return the documents /api/search would list for text, down to depth, page by page."""
    hits = []
    for page in range(1, -(-depth // PAGE) + 1):
        result = service.search(text, page=page, per_page=PAGE)
        hits.extend(result.results)
        if len(result.results) < PAGE:
            break
    return hits[:depth]


def cranfield_runs(service: SearchService, documents, queries) -> dict[str, dict[str, list[str]]]:
    """Return each system's ranked document ids per query."""
    ours = {query["id"]: [str(int(hit.id.removesuffix(".html"))) for hit in our_documents(service, query["text"], DEPTH)]
            for query in queries}
    texts = [f"{document['title']} {document['text']}" for document in documents]
    ranked = bm25s_rank(texts, [query["text"] for query in queries], DEPTH)
    baseline = {query["id"]: [documents[place]["id"] for place in places] for query, places in zip(queries, ranked)}
    return {"kil-search": ours, "bm25s": baseline}


# --- SQuAD ------------------------------------------------------------------------------------

def load_squad():
    """Return (articles [(title, [paragraph])], questions [(id, text, article, paragraph)]) of answerable questions."""
    data = json.loads(SQUAD.read_text())["data"]
    articles, questions = [], []
    for article_number, article in enumerate(data):
        articles.append((article["title"], [paragraph["context"] for paragraph in article["paragraphs"]]))
        for paragraph_number, paragraph in enumerate(article["paragraphs"]):
            for qa in paragraph["qas"]:
                if not qa.get("is_impossible"):
                    questions.append((qa["id"], qa["question"], article_number, paragraph_number))
    return articles, questions


def write_squad(articles):
    """Return a corpus writer: one page per article, one section per paragraph."""
    def write(folder: Path) -> None:
        for number, (title, paragraphs) in enumerate(articles):
            (folder / f"article-{number}.html").write_text(page_html(title, sections=paragraphs))
    return write


def squad_runs(service: SearchService, articles, questions, flat: SearchService | None = None) -> dict[str, dict[str, list[tuple[int, int]]]]:
    """Return each system's ranked (article, paragraph) per question; ours in the order /api/search shows passages,
    and, with flat (a service showing FLAT_DEPTH passages per document), ours as one ranking of passages by score."""
    ours, by_score = {}, {}
    for question_id, text, _article, _paragraph in questions:
        ours[question_id] = [place for place, _score in shown_passages(service, text)]
        if flat is not None:
            passages = sorted(shown_passages(flat, text), key=lambda pair: -pair[1])
            by_score[question_id] = [place for place, _score in passages[:FLAT_DEPTH]]
    places = [(article, paragraph) for article, (_title, paragraphs) in enumerate(articles) for paragraph in range(len(paragraphs))]
    texts = [articles[article][1][paragraph] for article, paragraph in places]
    ranked = bm25s_rank(texts, [text for _id, text, _a, _p in questions], 5)
    baseline = {question[0]: [places[place] for place in row] for question, row in zip(questions, ranked)}
    runs = {"kil-search": ours, "bm25s": baseline}
    if flat is not None:
        runs["kil-search passages by score"] = by_score
    return runs


def shown_passages(service: SearchService, text: str) -> list[tuple[tuple[int, int], float]]:
    """Return ((article, paragraph), score) of the passages the first page shows, in its order."""
    shown: dict[tuple[int, int], float] = {}
    for hit in service.search(text, page=1, per_page=10).results:
        article = int(hit.id.removeprefix("article-").removesuffix(".html"))
        for passage in hit.passages:
            shown.setdefault((article, passage.page - 1), passage.score)
    return list(shown.items())


def check_squad_index(service: SearchService, articles) -> None:
    """Stop if the index's sections do not line up with the paragraphs (page n = paragraph n - 1)."""
    for number, (_title, paragraphs) in enumerate(articles):
        pages = {passage.get("page") for passage in service.passages_of(f"article-{number}.html")}
        if pages != set(range(1, len(paragraphs) + 1)):
            sys.exit(f"article {number}: {len(pages)} sections indexed for {len(paragraphs)} paragraphs")


# --- bm25s ------------------------------------------------------------------------------------

def bm25s_rank(texts: list[str], queries: list[str], depth: int) -> list[list[int]]:
    """Rank texts for each query with bm25s (k1 1.2, b 0.75, English stop words and stemmer)."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    tokens = bm25s.tokenize(queries, stopwords="en", stemmer=stemmer, show_progress=False)
    found, scores = retriever.retrieve(tokens, k=min(depth, len(texts)), show_progress=False)
    # Only documents scoring above zero are found; the rest would be an arbitrary order.
    return [[int(place) for place, score in zip(row, row_scores) if score > 0] for row, row_scores in zip(found, scores)]


# --- our own question sets --------------------------------------------------------------------

def own_question_sets() -> dict[str, list[dict]]:
    """Return the question files beside this script that list expected sources (renamed files tolerated)."""
    sets = {}
    for path in sorted(BENCH_DIR.glob("*.toml")):
        if path.name.startswith("realpdfs-"):
            continue  # questions over ../shared/testdata/realpdfs, not corpus/: answers.py --corpus measures them
        questions = tomllib.loads(path.read_text()).get("question", [])
        questions = [question for question in questions if question.get("sources") and not question.get("none")]
        if questions:
            sets[path.name] = questions
    return sets


def own_hits(service: SearchService, questions: list[dict]) -> tuple[int, int]:
    """Return (first-page hits, top-result hits): a hit is a result from one of a question's source documents."""
    first_page = top = 0
    for question in questions:
        wanted = {source.split("#")[0] for source in question["sources"]}
        shown = [hit.id for hit in service.search(question["q"], page=1, per_page=10).results]
        first_page += bool(wanted & set(shown))
        top += bool(shown) and shown[0] in wanted
    return first_page, top


# --- report -----------------------------------------------------------------------------------

def mean(values: list[float]) -> float:
    """Return the mean, or nan for no values."""
    return statistics.fmean(values) if values else float("nan")


def splits(ids: list[str], wanted: str) -> dict[str, list[str]]:
    """Return the query ids of each reported split."""
    dev = [query_id for query_id in ids if not held_out(query_id)]
    if wanted == "dev":
        return {"dev": dev}
    return {"all": ids, "dev": dev, "held-out": [query_id for query_id in ids if held_out(query_id)]}


def main() -> int:
    # Sentence vectors are kept by text in one cache for every index this benchmark builds (each code
    # version builds new ones): a rerun encodes only sentences it has not met. Results are the same.
    os.environ.setdefault("KIL_SEARCH_VECTOR_CACHE", str(OUT_DIR / "vectors-relevance"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "all"), default="all",
                        help="dev: only the tuning half (use while tuning); all: every split and the targets")
    parser.add_argument("--skip-own", action="store_true", help="leave out our own question sets")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--meaning-weight", type=float, default=None,
                        help="the weight of sentence meaning in the ranking (kil_search/search/meaning_rank.py); 0: words only")
    args = parser.parse_args()
    if args.meaning_weight is not None:
        meaning_rank.WEIGHT = args.meaning_weight
    figures: dict = {}
    results: list[dict] = []

    documents, queries, judgements = load_cranfield()
    service = SearchService(build_index("cranfield", write_cranfield(documents)))
    started = time.perf_counter()
    runs = cranfield_runs(service, documents, queries)
    print(f"cranfield: {len(queries)} queries in {time.perf_counter() - started:.1f} s")
    service.close()
    rows = []
    for split, ids in splits([query["id"] for query in queries], args.split).items():
        for measure, function in (("nDCG@10", ndcg_at_10), ("Recall@100", recall_at_100)):
            values = {system: mean([function(run[query_id], judgements.get(query_id, {})) for query_id in ids])
                      for system, run in runs.items()}
            figures[f"cranfield {split} {measure}"] = values
            rows.append([f"Cranfield {split} ({len(ids)})", measure, f"{values['kil-search']:.4f}", f"{values['bm25s']:.4f}"])

    articles, questions = load_squad()
    squad_index = build_index("squad", write_squad(articles))
    service, flat = SearchService(squad_index), SearchService(squad_index, passages_per_result=FLAT_DEPTH)
    check_squad_index(service, articles)
    started = time.perf_counter()
    runs = squad_runs(service, articles, questions, flat)
    print(f"squad: {len(questions)} questions (twice: as shown, and by passage score) in {time.perf_counter() - started:.1f} s")
    service.close()
    flat.close()
    gold = {question[0]: (question[2], question[3]) for question in questions}
    for split, ids in splits([question[0] for question in questions], args.split).items():
        for depth in (1, 5):
            values = {system: mean([float(gold[question_id] in run[question_id][:depth]) for question_id in ids])
                      for system, run in runs.items()}
            figures[f"squad {split} Success@{depth}"] = values
            rows.append([f"SQuAD-dev-8 {split} ({len(ids)})", f"paragraph Success@{depth}",
                         f"{values['kil-search']:.4f}", f"{values['bm25s']:.4f}"])
        flat_values = figures[f"squad {split} Success@5"].get("kil-search passages by score")
        if flat_values is not None:  # what the page's grouping costs at depth 5
            rows.append([f"SQuAD-dev-8 {split} ({len(ids)})", "Success@5, passages by score",
                         f"{flat_values:.4f}", f"{figures[f'squad {split} Success@5']['bm25s']:.4f}"])
    print_table("Relevance (kil-search through SearchService.search as /api/search; bm25s on the same texts)",
                ["collection (queries)", "measure", "kil-search", "bm25s"], rows)

    own = {}
    if not args.skip_own:
        service = SearchService(_sample_index())
        own_rows = []
        for name, questions_of_set in own_question_sets().items():
            first_page, top = own_hits(service, questions_of_set)
            own[name] = first_page / len(questions_of_set)
            own_rows.append([name, len(questions_of_set), f"{first_page} ({own[name]:.3f})", top])
        service.close()
        print_table("Own question sets over corpus/: a source document among the results",
                    ["set", "questions", "first page", "first result"], own_rows)
        figures["own first page"] = own

    if args.split == "all":
        print()
        for split in ("all", "held-out"):
            ndcg = figures[f"cranfield {split} nDCG@10"]["kil-search"]
            recall = figures[f"cranfield {split} Recall@100"]["kil-search"]
            success = figures[f"squad {split} Success@1"]["kil-search"]
            target(results, f"Cranfield nDCG@10 ({split})", ndcg >= TARGETS["cranfield ndcg@10"],
                   f"{ndcg:.4f} (target >= {TARGETS['cranfield ndcg@10']})")
            target(results, f"Cranfield Recall@100 ({split})", recall >= TARGETS["cranfield recall@100"],
                   f"{recall:.4f} (target >= {TARGETS['cranfield recall@100']})")
            target(results, f"SQuAD-dev-8 paragraph Success@1 ({split})", success >= TARGETS["squad success@1"],
                   f"{success:.4f} (target >= {TARGETS['squad success@1']})")
        for name, rate in own.items():
            before = next((value for names, value in OWN_BEFORE.items() if name in names), None)
            target(results, f"own set {name} first-page hits", before is None or rate >= before - 1e-9,
                   f"{rate:.3f} (before: {before:.3f})" if before is not None else f"{rate:.3f} (no earlier figure)")
    write_json(args.json, {"figures": figures, "targets": results})
    return 0 if all(result["passed"] for result in results) else 1


def _sample_index() -> Path:
    """Index the sample corpus in place of a copy (its catalogue and files as they are)."""
    folder = OUT_DIR / "relevance" / f"sample-{code_fingerprint(_corpus_stamp())}"
    index_dir = folder / "index"
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        run_index(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=index_dir), rebuild=True)
        (folder / "done").write_text("ok")
    return index_dir


def _corpus_stamp() -> str:
    """Return the sample corpus's file names, sizes and modification times, so an edit reindexes it."""
    files = sorted(path for path in SAMPLE_CORPUS.rglob("*") if path.is_file())
    return "".join(f"{path.relative_to(SAMPLE_CORPUS)}:{path.stat().st_size}:{path.stat().st_mtime_ns};" for path in files)


if __name__ == "__main__":
    sys.exit(main())
