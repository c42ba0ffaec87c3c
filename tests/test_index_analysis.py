"""The indexer's fast analysis gives Whoosh exactly the postings its own analyzer would, accents folded alike."""

from __future__ import annotations

import pytest
from whoosh.fields import TEXT

from builders import make_pdf
from conftest import write_small_corpus
from kil_search.config import load_settings
from kil_search.extract import extract_file
from kil_search.index.analysis import ACCENTS, FastText, analysed_words, count_words, fold_accents, passage_words
from kil_search.index.schema import text_analyzer
from kil_search.indexing import run_index
from kil_search.search import SearchService

ODD_TEXTS = [
    "",
    "a",
    "The of and",  # stop words only
    "the the Council's plan",  # positions after leading stop words
    "e.g. U.K. co-operative 3.5% £20m don't naïve straße İstanbul ŁÓDŹ",
    "of the council’s 2,000 ** *star* x.y.z 10.5.3",
    "Commissioning commissioners commission COMMISSIONED, commissioning!",
    "line one\nline two\tthree\x0cfour",
    "ﬁnance ﬂow Ⅻ ½ 2² ①",  # ligatures and compatibility characters
    "Beauséjour CAFÉS café naïve Pokémon São Paulo Øresund Đakovo Ħal ŁÓDŹ Ĺ ǅ Ḍḥ ỹ",  # accents folded
    "Thé ón à été",  # folding makes a stop word and a one-letter word, which are left out
    "Beause\u0301jour cafe\u0301 ß æ œ þ \u212bngstrom",  # decomposed accents break a word; letters without a plain one stay
    "a\ud800é words around a lone surrogate",
    "word " * 400,  # long enough not to be remembered
]


def _whoosh_postings(text: str, boost: float) -> list:
    return sorted(TEXT(analyzer=text_analyzer(), field_boost=boost).index(text))


@pytest.mark.parametrize("boost", [1.0, 1.3, 2.0])
@pytest.mark.parametrize("text", ODD_TEXTS)
def test_fast_text_postings_equal_whooshs(text, boost):
    field = FastText(field_boost=boost)
    assert sorted(field.index(text)) == _whoosh_postings(text, boost)
    assert sorted(field.index(text)) == _whoosh_postings(text, boost)  # remembered short values too


def test_fast_text_postings_equal_whooshs_on_real_pages(tmp_path):
    pages = [f"Page {n}: The council's Community Right to Bid lets groups nominate an asset of community value; "
             f"{n * 7} per cent of commissioners (e.g. in Kirklees) said so." for n in range(1, 6)]
    document = extract_file(make_pdf(tmp_path / "paper.pdf", pages, title="A paper"))
    for page in document.pages:
        assert sorted(FastText().index(page.text)) == _whoosh_postings(page.text, 1.0)


def test_folding_accents_keeps_length_case_and_everything_but_accents():
    assert fold_accents("Beauséjour, CAFÉ’s naïve Øresund ŁÓDŹ ß æ ‘x’ 20²") == "Beausejour, CAFE’s naive Oresund LODZ ß æ ‘x’ 20²"
    assert fold_accents("plain ASCII text") == "plain ASCII text"
    assert len(fold_accents("ẞ Ĺ ǅ ḍ ỹ ǻ")) == len("ẞ Ĺ ǅ ḍ ỹ ǻ")
    assert fold_accents("Ĺ ḍ ỹ ǻ") == "L d y a"  # not Whoosh's accent_map, which gives "a" for "Ĺ"


def test_every_accented_letter_is_folded_and_folding_and_lower_casing_commute():
    for code, plain in ACCENTS.items():
        assert fold_accents(f"x’{chr(code)}") == f"x’{plain}"  # no letter slips past the quick check
    everything = " ".join(chr(code) for code in range(0x20, 0x110000) if not 0xD800 <= code < 0xE000)
    assert fold_accents(everything) == everything.translate(ACCENTS)
    assert fold_accents(everything.lower()) == fold_accents(everything).lower()  # so text is folded before its words are split


@pytest.mark.parametrize("text", ODD_TEXTS + ["What are the Councillors' duties? 2,000 commissioners said: co-production"])
def test_analysed_words_are_the_query_analyzers_words(text):
    assert analysed_words(text) == tuple(token.text for token in text_analyzer()(text, mode="query"))


def test_fast_text_and_the_query_analyzer_agree_on_folded_words():
    indexed = {term.decode() for term, *_rest in FastText().index("Beauséjour cafés, São Paulo and the Pokémon")}
    queried = {token.text for token in text_analyzer()("beausejour CAFES sao paulo pokemon", mode="query")}
    assert indexed == queried == {"beausejour", "cafe", "sao", "paulo", "pokemon"}


def test_word_counts_count_passages_not_occurrences():
    counts = count_words(["Allotments and allotments", "More allotments here", "Nothing else"])
    assert counts["allotments"] == 2 and counts["nothing"] == 1
    assert "and" not in counts and "a" not in passage_words("a b c")
    assert passage_words("Beauséjour and BEAUSEJOUR café") == {"beausejour", "cafe"}  # spelling aids fold too


def test_phrases_and_stemming_still_match_after_indexing(tmp_path):
    corpus = write_small_corpus(tmp_path / "corpus")
    make_pdf(corpus / "ledger.pdf", ["The Community Right to Bid was used by the Fairfield tenants in 2019."],
             title="Fairfield ledger")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    run_index(settings)
    service = SearchService(settings.index_dir)
    assert [hit.title for hit in service.search('"community right to bid"').results] == ["Fairfield ledger"]
    assert [hit.title for hit in service.search("tenant fairfields").results] == ["Fairfield ledger"]
    assert service.search('"right community bid"').total == 0


def _pool(tmp_path):
    """A Whoosh posting pool as a segment writer makes one (with our patches applied)."""
    from kil_search.index import whoosh_patches
    from whoosh.filedb.filestore import FileStorage

    whoosh_patches.apply()
    from whoosh.writing import PostingPool

    return PostingPool(FileStorage(str(tmp_path)), segment=None, limitmb=64)


def test_posting_pool_gives_postings_in_sorted_order(tmp_path):
    """Grouped in docnum order, or sorted when a docnum went backwards: always Whoosh's order."""
    in_order = [(field, term, docnum, float(docnum % 3), b"v%d" % docnum)
                for docnum in range(40) for field in ("title", "content")
                for term in (b"council", b"hub", b"local" if docnum % 2 else b"care")]
    pool = _pool(tmp_path)
    for item in in_order:
        pool.add(item)
    assert list(pool.iter_postings()) == sorted(in_order)

    merged = in_order + [("content", b"hub", 3, 9.0, b"late"), ("content", b"aaa", 1, 1.0, b"")]
    pool = _pool(tmp_path)
    for item in merged:
        pool.add(item)
    assert list(pool.iter_postings()) == sorted(merged)


def _segment_files(index_dir):
    """{file extension: bytes} of an index's segment files (their names hold a random segment id)."""
    found = {}
    for path in sorted(index_dir.rglob("*")):
        if path.is_file() and path.suffix in {".trm", ".pst", ".col", ".vps"}:
            found.setdefault(path.suffix, []).append(path.read_bytes())
    return found


def test_our_writer_path_writes_the_same_segment_files_as_whooshs(tmp_path, monkeypatch):
    """Our writer path (bulk add_document, grouped pool, per-term add_postings) against Whoosh's."""
    from whoosh import writing
    from whoosh.codec import whoosh3

    from kil_search.index import whoosh_patches

    corpus = write_small_corpus(tmp_path / "corpus")
    contents = "\n".join(f"{number}. Chapter on community hubs {number} .... {number * 4}" for number in range(1, 8))
    make_pdf(corpus / "with-contents.pdf", [contents, "Community hubs in Leeds and Bradford."])  # a lower boost
    ours = load_settings(corpus_dir=corpus, index_dir=tmp_path / "ours", jobs=1)  # one order of documents
    run_index(ours, rebuild=True)
    monkeypatch.setattr(writing.SegmentWriter, "add_document", whoosh_patches._whoosh_add_document)
    monkeypatch.setattr(writing.PostingPool, "iter_postings", writing.PostingPool.items)  # sorted, one by one
    monkeypatch.setattr(whoosh3.W3FieldWriter, "add_postings", whoosh_patches._whoosh_add_postings)
    theirs = load_settings(corpus_dir=corpus, index_dir=tmp_path / "theirs", jobs=1)
    run_index(theirs, rebuild=True)
    mine, whooshs = _segment_files(tmp_path / "ours"), _segment_files(tmp_path / "theirs")
    assert mine.keys() == whooshs.keys() and ".pst" in mine
    for suffix in mine:
        assert mine[suffix] == whooshs[suffix], suffix


def test_documents_prepared_in_workers_index_as_if_prepared_here(tmp_path, monkeypatch):
    """Fields, finding aids and word counts made in the extraction workers give the same index."""
    import kil_search.indexing as indexing

    corpus = write_small_corpus(tmp_path / "corpus")
    real = indexing.extract_in_workers
    prepared = []

    def watched(paths, **options):
        for result in real(paths, **options):
            prepared.append(result.prepared is not None)
            yield result

    monkeypatch.setattr(indexing, "extract_in_workers", watched)
    run_index(load_settings(corpus_dir=corpus, index_dir=tmp_path / "workers", jobs=1), rebuild=True)
    assert prepared and all(prepared)  # every document really was prepared in a worker

    def without_prepare(paths, **options):
        options.pop("prepare", None)
        return real(paths, **options)

    monkeypatch.setattr(indexing, "extract_in_workers", without_prepare)
    run_index(load_settings(corpus_dir=corpus, index_dir=tmp_path / "here", jobs=1), rebuild=True)
    in_workers, here = _segment_files(tmp_path / "workers"), _segment_files(tmp_path / "here")
    assert ".col" in in_workers and in_workers == here
