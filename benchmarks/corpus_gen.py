"""Generate the benchmark corpus: the sample library's text mixed with seeded, Zipf-distributed text.

    python benchmarks/corpus_gen.py                    # build (or reuse) the 5k and 50k indexes
    python benchmarks/corpus_gen.py --passages 5000    # just one size
    python benchmarks/corpus_gen.py --pdfs 1000        # write 1,000 PDFs for the indexing benchmark
    python benchmarks/corpus_gen.py --write-queries    # regenerate benchmarks/queries.txt

Everything is derived from a fixed seed and the text of the sample corpus (corpus/, read
with kil_search.extract), so the same checkout always yields the same passages and queries.
Indexes are written through kil_search's own IndexWriter into a generation folder that
`kil-search serve` opens as it is; the same passages feed the FTS5 and tantivy peers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import time
from itertools import accumulate
from pathlib import Path

from _common import OUT_DIR, QUERIES_FILE, REPO_ROOT, print_table

from kil_search.corpus import DOCUMENT_TYPES, scan_corpus
from kil_search.enrich import enrich_document
from kil_search.extract import extract_file
from kil_search.index import passages as passages_module
from kil_search.index import schema as schema_module
from kil_search.index import writer as writer_module
from kil_search.index.store import create_generation, publish_generation
from kil_search.index.writer import IndexWriter
from kil_search.models import Document, Page
from kil_search.places import load_gazetteer
from whoosh.analysis import STOP_WORDS

SEED = 20240607
GENERATOR_VERSION = 2
SOURCE_CORPUS = REPO_ROOT / "corpus"
PLACES_CSV = REPO_ROOT.parent / "shared" / "data" / "uk-local-authority-names.csv"
ZIPF_EXPONENT = 1.07
SYNTHETIC_WORDS = 25_000
REAL_SENTENCE_SHARE = 0.5
_WORD = re.compile(r"[A-Za-z][a-z]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SYLLABLES = ["ba", "ran", "tor", "mel", "ide", "cas", "ven", "ol", "dra", "fen", "quis", "lo", "mar", "set",
              "ric", "al", "pen", "tha", "gor", "wyn", "el", "ston", "ley", "ham", "ford", "by", "mouth", "er"]


class Source:
    """The sample corpus as material: its sentences, headings, titles and word frequencies."""

    def __init__(self, corpus_dir: Path = SOURCE_CORPUS):
        cache = OUT_DIR / "source.json"
        files = scan_corpus(corpus_dir)
        key = hashlib.sha256(repr([(item.doc_id, item.size, item.mtime_ns) for item in files]).encode()).hexdigest()
        data = json.loads(cache.read_text()) if cache.exists() else {}
        if data.get("key") != key:
            data = {"key": key, "documents": []}
            for item in files:
                document = extract_file(item.path)
                data["documents"].append({"title": document.title,
                                          "pages": [[page.section, page.text] for page in document.pages],
                                          "outline": [entry.title for entry in document.outline]})
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(data))
        self.titles = [doc["title"] for doc in data["documents"]]
        self.headings = sorted({h for doc in data["documents"] for h in doc["outline"] + [s for s, _ in doc["pages"]] if h})
        self.sentences = [s.strip() for doc in data["documents"] for _, text in doc["pages"]
                          for s in _SENTENCE.split(text.replace("\n", " ")) if 30 <= len(s.strip()) <= 400]
        counts: dict[str, int] = {}
        for sentence in self.sentences:
            for word in _WORD.findall(sentence):
                counts[word.lower()] = counts.get(word.lower(), 0) + 1
        self.word_counts = counts


def places() -> list[str]:
    """Return UK local authority names (the shared gazetteer), or a few if it is absent."""
    if not PLACES_CSV.exists():
        return ["Bradford", "Bristol", "Kirklees", "Lewisham", "Calderdale", "Hackney"]
    names = set()
    for line in PLACES_CSV.read_text(encoding="utf-8").splitlines()[1:]:
        name = line.rsplit(",", 1)[0].strip('"')
        if name and "," not in name and len(name) < 30:
            names.add(name)
    return sorted(names)


class TextGenerator:
    """Seeded text: real sentences interleaved with Zipf-sampled words over a realistic vocabulary."""

    def __init__(self, source: Source, seed: int = SEED):
        self.random = random.Random(seed)
        self.source = source
        real = sorted(source.word_counts, key=lambda word: (-source.word_counts[word], word))
        synthetic = self._synthetic_words(SYNTHETIC_WORDS, set(real))
        self.vocabulary = real + synthetic
        self.cumulative = list(accumulate(1.0 / (rank ** ZIPF_EXPONENT) for rank in range(1, len(self.vocabulary) + 1)))
        self.places = places()

    def _synthetic_words(self, count: int, taken: set[str]) -> list[str]:
        """Return pronounceable invented words for the long tail (names, jargon, rare terms)."""
        words: list[str] = []
        seen = set(taken)
        while len(words) < count:
            word = "".join(self.random.choice(_SYLLABLES) for _ in range(self.random.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                words.append(word)
        return words

    def sentence(self) -> str:
        """Return one sentence: a real one from the sample, or a generated one."""
        if self.random.random() < REAL_SENTENCE_SHARE:
            return self.random.choice(self.source.sentences)
        words = self.random.choices(self.vocabulary, cum_weights=self.cumulative, k=self.random.randint(6, 22))
        if self.random.random() < 0.3:
            words.insert(self.random.randrange(len(words)), self.random.choice(self.places))
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def page(self, low: int = 500, high: int = 1400) -> str:
        """Return a page's text of about low..high characters (one passage)."""
        wanted = self.random.randint(low, high)
        lines, length = [], 0
        while length < wanted:
            paragraph = " ".join(self.sentence() for _ in range(self.random.randint(1, 4)))
            paragraph = paragraph[: high - length - 1].rsplit(" ", 1)[0] if length + len(paragraph) >= high else paragraph
            lines.append(paragraph)
            length += len(paragraph) + 1
        return "\n".join(lines)

    def document(self, number: int, page_count: int) -> tuple[str, Document, dict]:
        """Return (doc_id, Document, catalogue fields) for one generated report."""
        place = self.random.choice(self.places)
        topic = " ".join(self.random.choices(self.vocabulary[:3000], cum_weights=self.cumulative[:3000], k=3))
        title = self.random.choice([f"{place}: {topic}", f"{self.random.choice(self.source.titles)} ({place})",
                                    f"Keeping it local in {place}", f"{topic.capitalize()} in {place}"])
        pages, section = [], ""
        for page_number in range(1, page_count + 1):
            if page_number == 1 or self.random.random() < 0.25:
                section = self.random.choice(self.source.headings)
            pages.append(Page(page_number, self.page(), section))
        doc_id = f"reports/generated-{number:05d}.pdf"
        document = Document(path=doc_id, format="pdf", title=title, metadata={"page_count": page_count}, pages=pages)
        fields = {
            "title": title,
            "doc_type": self.random.choice(DOCUMENT_TYPES[:4]),
            "date": f"{self.random.randint(2015, 2024)}-{self.random.randint(1, 12):02d}",
            "themes": self.random.sample(["social value", "procurement", "health", "employment", "assets", "care"], 2),
            "places": [place],
            "source_url": f"https://example.org/{number}",
        }
        return doc_id, document, fields


def generate(passages: int, seed: int = SEED):
    """Yield (doc_id, Document, fields, enriched passages) until about `passages` passages were produced.

    Passages are enriched as `kil-search index` does (places, case studies), so facets have values.
    """
    generator = TextGenerator(Source(), seed)
    gazetteer = load_gazetteer()
    produced, number = 0, 0
    while produced < passages:
        number += 1
        page_count = min(generator.random.randint(4, 40), passages - produced)
        doc_id, document, fields = generator.document(number, page_count)
        enriched = enrich_document(document, fields["title"], fields["doc_type"], fields["places"], gazetteer).passages
        produced += len(enriched)
        yield doc_id, document, fields, enriched


def _code_stamp(passages: int) -> str:
    """Return what a cached index depends on: sizes, seed, generator and the index code."""
    code = "".join(Path(module.__file__).read_text() for module in (schema_module, writer_module, passages_module))
    raw = f"{passages}:{SEED}:{GENERATOR_VERSION}:{schema_module.SCHEMA_VERSION}:{code}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def build(passages: int, force: bool = False) -> dict:
    """Build (or reuse) the index and the peers' passage file for a size; return their paths."""
    from peers import build_fts5, build_tantivy

    folder = OUT_DIR / f"corpus-{passages}"
    stamp_file = folder / "stamp.json"
    stamp = _code_stamp(passages)
    paths = {"folder": folder, "index": folder / "index", "passages": folder / "passages.jsonl",
             "fts5": folder / "fts5.sqlite", "tantivy": folder / "tantivy"}
    if not force and stamp_file.exists() and json.loads(stamp_file.read_text()).get("stamp") == stamp:
        return {**paths, **json.loads(stamp_file.read_text())}
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    paths["index"].mkdir(parents=True)
    started = time.perf_counter()
    generation, target = create_generation(paths["index"])
    documents = 0
    with IndexWriter(target) as writer, open(paths["passages"], "w", encoding="utf-8") as out:
        for doc_id, document, fields, enriched in generate(passages):
            details = {"status": "indexed", "page_count": len(document.pages), "size": 0, "mtime_ns": 0}
            writer.add_document(doc_id, document, fields, details, enriched)
            documents += 1
            for passage in enriched:
                out.write(json.dumps({"doc_id": doc_id, "title": fields["title"], "section": passage.section,
                                      "page": passage.page, "text": passage.text}) + "\n")
    publish_generation(paths["index"], generation)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    build_fts5(paths["passages"], paths["fts5"])
    fts5 = time.perf_counter() - started
    started = time.perf_counter()
    build_tantivy(paths["passages"], paths["tantivy"])
    tantivy = time.perf_counter() - started
    count = sum(1 for _ in open(paths["passages"], encoding="utf-8"))
    info = {"stamp": stamp, "passages_count": count, "documents_count": documents,
            "build_seconds": {"ours": round(ours, 1), "fts5": round(fts5, 1), "tantivy": round(tantivy, 1)}}
    stamp_file.write_text(json.dumps(info))
    return {**paths, **info}


def _latin1(text: str) -> str:
    """Make text printable with the PDF core fonts (Latin-1)."""
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}))
    return text.encode("latin-1", "replace").decode("latin-1")


def write_pdfs(count: int, folder: Path | None = None, seed: int = SEED) -> Path:
    """Write `count` PDFs of 1-3 pages each (cached); return their folder."""
    from fpdf import FPDF

    folder = folder or OUT_DIR / f"pdfs-{count}"
    done = folder / ".complete"
    if done.exists():
        return folder
    (folder / "reports").mkdir(parents=True, exist_ok=True)
    generator = TextGenerator(Source(), seed + count)
    for number in range(1, count + 1):
        _, document, _ = generator.document(number, generator.random.randint(1, 3))
        pdf = FPDF()
        pdf.set_title(_latin1(document.title))
        pdf.set_font("Helvetica", size=10)
        for page in document.pages:
            pdf.add_page()
            pdf.multi_cell(0, 5, _latin1(page.text))
        pdf.output(str(folder / "reports" / f"report-{number:05d}.pdf"))
    done.write_text(str(count))
    return folder


def make_queries(count: int = 240, seed: int = SEED) -> list[str]:
    """Return count queries of 1-4 words drawn from the sample's sentences; about a sixth are phrases."""
    source = Source()
    rng = random.Random(seed)
    content = lambda word: len(word) > 2 and word.lower() not in STOP_WORDS  # noqa: E731
    queries: list[str] = []
    shapes = [1] * 6 + [2] * 8 + [3] * 4 + [4] * 2 + ["phrase"] * 3 + ["phrase+word"]
    while len(queries) < count:
        words = [word.lower() for word in _WORD.findall(rng.choice(source.sentences))]
        shape = rng.choice(shapes)
        if isinstance(shape, int):
            picked = [word for word in words if content(word)]
            if len(picked) < shape:
                continue
            start = rng.randrange(len(picked) - shape + 1)
            query = " ".join(picked[start:start + shape])
        else:
            pairs = [(a, b) for a, b in zip(words, words[1:]) if content(a) and content(b)]
            if not pairs:
                continue
            query = '"%s %s"' % rng.choice(pairs)
            if shape == "phrase+word":
                extra = [word for word in words if content(word) and word not in query]
                if not extra:
                    continue
                query += " " + rng.choice(extra)
        if query not in queries:
            queries.append(query)
    return queries


def main() -> None:
    """Build what the options ask for and print what was built."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="*", default=[5000, 50000])
    parser.add_argument("--pdfs", type=int, help="write this many PDFs instead of building indexes")
    parser.add_argument("--write-queries", action="store_true", help=f"rewrite {QUERIES_FILE.name}")
    parser.add_argument("--force", action="store_true", help="rebuild even if a cached build matches")
    args = parser.parse_args()
    if args.write_queries:
        queries = make_queries()
        header = "# Benchmark queries: generated by `python benchmarks/corpus_gen.py --write-queries` (seeded).\n"
        QUERIES_FILE.write_text(header + "\n".join(queries) + "\n", encoding="utf-8")
        print(f"wrote {len(queries)} queries to {QUERIES_FILE}")
        return
    if args.pdfs:
        started = time.perf_counter()
        folder = write_pdfs(args.pdfs)
        print(f"{args.pdfs} PDFs in {folder} ({time.perf_counter() - started:.1f} s)")
        return
    rows = []
    for size in args.passages:
        info = build(size, force=args.force)
        seconds = info["build_seconds"]
        rows.append([info["passages_count"], info["documents_count"], seconds["ours"], seconds["fts5"], seconds["tantivy"], info["folder"]])
    print_table("Benchmark corpora (build seconds; cached builds show the time of their first build)",
                ["passages", "documents", "ours s", "fts5 s", "tantivy s", "folder"], rows)


if __name__ == "__main__":
    main()
