"""Print the words that phrase a question rather than say what it is about, from SQuAD's fit split.

    python benchmarks/question_phrasing.py [--squad FILE] [--ratio 0.5] [--articles 4]

A word is question phrasing when the fit split's questions use it at least RATIO times as often per
question as the articles' paragraphs use it per paragraph (paragraphs are ten times longer, so it is far
denser in questions), and the questions of at least ARTICLES different articles use it (a topic word is
used by one article's questions only). Words are compared as the answer code stems them. The list in
kil_search/answer/question.py (FRAME_WORDS, PHRASING_WORDS, and "didn't" as a phrase) is read off this
table; the held-out split is never read.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from squad_qa import SQUAD_FILE, load_squad, split_of  # noqa: E402

from kil_search.answer.question import analyse_question  # noqa: E402
from kil_search.answer.words import stems  # noqa: E402

_WORD = re.compile(r"\w+")


def phrasing_table(path: Path, ratio: float, articles: int) -> list[tuple[float, int, int, int, str, str]]:
    """Return (ratio, questions, paragraphs, articles, stem, usual surface word) for each phrasing word, densest first."""
    texts, questions = load_squad(path)
    fit = [question for question in questions if split_of(question.id) == "fit"]
    asked, asked_in, surface = Counter(), defaultdict(set), defaultdict(Counter)
    for question in fit:
        for word in _WORD.findall(question.text.lower()):
            for stem in stems(word):
                surface[stem][word] += 1
        for stem in set(stems(question.text)):
            asked[stem] += 1
            asked_in[stem].add(question.article)
    written, paragraphs = Counter(), 0
    for _title, article in texts:
        for paragraph in article:
            paragraphs += 1
            written.update(set(stems(paragraph)))
    rows = []
    for stem, count in asked.items():
        density = (count / len(fit)) / ((written[stem] + 0.5) / (paragraphs + 1))
        if density >= ratio and len(asked_in[stem]) >= articles:
            rows.append((density, count, written[stem], len(asked_in[stem]), stem, surface[stem].most_common(1)[0][0]))
    return sorted(rows, reverse=True)


def main(argv: list[str] | None = None) -> int:
    """Print the table and whether each word is already left out of a question's terms."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, default=SQUAD_FILE)
    parser.add_argument("--ratio", type=float, default=0.5)
    parser.add_argument("--articles", type=int, default=4)
    args = parser.parse_args(argv)
    print("ratio  questions  paragraphs  articles  word          left out of terms")
    for density, count, held, spread, stem, word in phrasing_table(args.squad, args.ratio, args.articles):
        probe = "Why didn't Rome?" if word in ("didn", "t") else f"Why {word} Rome?"  # "didn't" is split in two
        left_out = analyse_question(probe).terms == ["Rome".lower()]
        print(f"{density:5.2f}  {count:9d}  {held:10d}  {spread:8d}  {word:12}  {'yes' if left_out else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
