"""SQuAD-format questions over the real indexer: the corpus, the split, the judge and the 30-line baseline.

Shared by benchmarks/answers.py (which measures) and benchmarks/fit_answers.py (which fits the
answer model on the fit split only). The held-out split is a fixed half of the questions, chosen
by a hash of the question id; nothing is ever fitted or looked at on it while designing.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import string
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kil_search.config import load_settings  # noqa: E402
from kil_search.indexing import run_index  # noqa: E402
from kil_search.search import SearchService  # noqa: E402

SQUAD_FILE = REPO.parent / "shared" / "testdata" / "qa" / "squad2-dev-8.json"
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation + "‘’“”–—")
_BASELINE_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class SquadQuestion:
    """One question with where it was written from and its gold answers (none when unanswerable)."""

    id: str
    text: str
    article: int
    paragraph: int
    answers: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        """True when the paragraph it was written from holds an answer."""
        return bool(self.answers)


def load_squad(path: Path = SQUAD_FILE) -> tuple[list[tuple[str, list[str]]], list[SquadQuestion]]:
    """Return the articles [(title, paragraphs)] and every question, answerable or not."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    articles, questions = [], []
    for article_number, article in enumerate(data):
        articles.append((article["title"].replace("_", " "), [paragraph["context"] for paragraph in article["paragraphs"]]))
        for paragraph_number, paragraph in enumerate(article["paragraphs"]):
            for qa in paragraph["qas"]:
                answers = () if qa.get("is_impossible") else tuple(answer["text"] for answer in qa["answers"])
                questions.append(SquadQuestion(qa["id"], qa["question"], article_number, paragraph_number, answers))
    return articles, questions


def split_of(question_id: str) -> str:
    """Return "fit" or "held-out" for a question: a fixed half by a hash of its id."""
    return "held-out" if hashlib.sha256(f"issue-15:{question_id}".encode()).digest()[0] % 2 else "fit"


def write_corpus(folder: Path, articles: list[tuple[str, list[str]]]) -> None:
    """Write one HTML page per article, one section per paragraph (section n is paragraph n - 1)."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, (title, paragraphs) in enumerate(articles):
        body = "".join(f"<h2>§</h2><p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
        page = f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body><main>{body}</main></body></html>"
        (folder / f"article-{number}.html").write_text(page, encoding="utf-8")


def index_articles(scratch: Path, articles: list[tuple[str, list[str]]]) -> SearchService:
    """Index the articles through the real indexer in scratch and return a service over them."""
    write_corpus(scratch / "corpus", articles)
    settings = load_settings(corpus_dir=scratch / "corpus", index_dir=scratch / "index")
    summary = run_index(settings, rebuild=True)
    if summary.failed:
        sys.exit(f"indexing the SQuAD articles failed for {len(summary.failed)} files")
    service = SearchService(settings.index_dir)
    for number, (_title, paragraphs) in enumerate(articles):
        pages = {passage.get("page") for passage in service.passages_of(f"article-{number}.html")}
        if pages != set(range(1, len(paragraphs) + 1)):
            sys.exit(f"article {number}: {len(pages)} sections indexed for {len(paragraphs)} paragraphs")
    return service


def normalise_answer(text: str) -> str:
    """Fold an answer as SQuAD's judge does: lower case, no punctuation, no articles, single spaces."""
    text = text.lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def holds_gold(text: str, answers: tuple[str, ...]) -> bool:
    """True when text holds one of the gold answers as whole words, after normalising both."""
    padded = f" {normalise_answer(text)} "
    return any(f" {normalise_answer(answer)} " in padded for answer in answers if normalise_answer(answer))


def baseline_sentences(articles: list[tuple[str, list[str]]], questions: list[SquadQuestion]) -> list[str]:
    """Return the 30-line baseline's answer per question: bm25s's top paragraph, its sentence sharing most stemmed words."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    paragraphs = [paragraph for _title, texts in articles for paragraph in texts]
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(bm25s.tokenize(paragraphs, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    query_tokens = bm25s.tokenize([question.text for question in questions], stopwords="en", stemmer=stemmer,
                                  show_progress=False)
    top, _scores = retriever.retrieve(query_tokens, k=1, show_progress=False)
    chosen = []
    for question, row in zip(questions, top):
        sentences = _BASELINE_SENTENCE.split(paragraphs[int(row[0])])
        wanted = _stems(question.text, stemmer)
        chosen.append(max(sentences, key=lambda sentence: len(wanted & _stems(sentence, stemmer))))
    return chosen


def _stems(text: str, stemmer) -> set[str]:
    """Return the stemmed non-stop words of text, as bm25s tokenises them."""
    import bm25s

    tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
    return set(tokens[0]) if tokens else set()
