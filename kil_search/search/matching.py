"""Evaluate a parsed Whoosh query over postings arrays, scoring exactly as Whoosh's BM25F does.

Covers what parse_query produces: terms, phrases, AND, OR (with the any-word
coordination bonus), NOT and +/- words. Anything else raises Unsupported and the
caller lets Whoosh run the query itself, so results never depend on this shortcut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from .postings import POSITION_BITS, SCORED_FIELDS, GenerationArrays
from .sets import distinct
from .word_forms import other_forms


# Ranking's field weights (BM25F), over the stored weights (which hold the schema's field boosts).
# Over the query's field boosts (title 3, section 1.5) and the index's (2, 1.3): title counts 3 times
# a word of text, a heading about once (Cranfield's dev half: title 0.5 of 0 / 0.5 / 1 / 2 was best).
FIELD_WEIGHTS = {"title": 0.5, "section": 0.5, "text": 1.0}
# A query of this many clauses (words, phrases, alternatives) or more needs only most of them.
# Issue 14 round 5, dev halves: from 3 clauses instead of 4, Cranfield nDCG@10 0.4258 -> 0.4303,
# Recall@100 0.8059 -> 0.8107, SQuAD Success@1 0.7923 -> 0.7938 (with COVERAGE 0.75 below: 0.4271,
# 0.8133, 0.7982); "in what country is Normandy located" had needed a passage saying all three words.
# Reverted: every held-out figure fell with it (0.4061 -> 0.4049, 0.7724 -> 0.7663, 0.7968 -> 0.7935) and
# it broke the documented rule that a query of up to three words must hold them all.
LONG_QUERY = 4
# The share of a long query's clauses a passage must hold, and how much holding more of them counts
# (score × (held / clauses) ** COORDINATION). On both dev halves any share above 0 lost recall
# (a quarter: Cranfield Recall@100 0.750 → 0.706) and a coordination factor lost nDCG and Success@1
# (BM25's sum already favours passages with more of the words): both are 0, so a long query ranks
# passages with any of its words, and the page says so when none has them all.
MOST_WORDS = 0.0
COORDINATION = 0.0
# What did count: the share of the query's rarity (idf) a passage holds, score × share ** COVERAGE
# (dev halves, 0.5 of 0.25 / 0.5 / 1 / 2: Cranfield Recall@100 +0.007, SQuAD Success@1 +0.009, nDCG level).
# Round 5, with 3-word queries soft too (dev nDCG@10 / Recall@100 / Success@1): 0.35 0.4319 / 0.8127 /
# 0.7879; 0.5 0.4303 / 0.8107 / 0.7938; 0.6 0.4289 / 0.8141 / 0.7953; 0.75 0.4271 / 0.8133 / 0.7982;
# 1.0 0.4268 / 0.8056 / 0.7982. An exponent growing as queries get shorter (1.0 to 0.5 from 4 to 10
# clauses) was no better than 0.75 throughout.
COVERAGE = 0.5
# A long query's passages must also hold this share of its words' idf: a passage with only its
# commonest word ("people") is left out. At 50,000 passages such passages made the result sets of
# 4-word queries, and their facet counts, costly (in-process p90 19.4 -> 15.2 ms at 0.1). On the dev
# halves 0.05 changed nothing, 0.1 cost Recall@100 0.010 (0.15: 0.015, 0.2: 0.06); nDCG and Success@1 level.
MOST_RARITY = 0.05
# A long query's word missing from a passage counts at VARIANT_WEIGHT through the best of its variants:
# index words sharing its first VARIANT_PREFIX letters (Porter leaves "originated" as "originat", not
# "origin"; "imperialistic" is not "imperialism"). Issue 14 dev halves, against none (Cranfield nDCG@10
# 0.4105, SQuAD Success@1 0.7747): prefix 4 / 5 / 6 / 7 letters 0.4194 / 0.4154 / 0.4150 / 0.4122 and
# 0.7806 / 0.7820 / 0.7820 / 0.7776; weight 0.3 / 0.5 / 0.7: 0.4135 / 0.4154 / 0.4135 and 0.7791 /
# 0.7820 / 0.7850; 5 / 20 / 50 variants level. Held-out halves: 0.3956 -> 0.3984, 0.7806 -> 0.7871.
# Round 5: a word's irregular forms (word_forms.py: "began", "fought", "men") are variants too; dev halves
# nDCG@10 0.4271 -> 0.4294, Recall@100 0.8133 -> 0.8114, Success@1 0.7982 level (without the ambiguous
# forms such as "found", "left", "saw": nDCG 0.4276, so all are kept).
VARIANT_PREFIX = 5
VARIANT_WEIGHT = 0.5
MAX_VARIANTS = 20


class Unsupported(Exception):
    """The query has a node this evaluator does not model."""


@dataclass
class Matches:
    """Matching docnums (sorted, unique), their scores and how many query terms each matched."""

    ids: np.ndarray
    scores: np.ndarray
    terms: np.ndarray

    @classmethod
    def empty(cls) -> "Matches":
        return cls(np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.int64))


class Evaluator:
    """Score queries for one searcher with BM25F(B, K1) over a generation's arrays."""

    def __init__(self, searcher, arrays: GenerationArrays, B: float, K1: float,  # noqa: N803 (BM25's names)
                 combine_fields: bool = False):
        """combine_fields: score a word over title, heading and text as one BM25F term (ranking), not
        as Whoosh does (one BM25 score per field, added up: what the answer's retrieval was tuned on)."""
        self.searcher, self.arrays, self.B, self.K1 = searcher, arrays, B, K1
        self.combine_fields = combine_fields
        self._passages = None

    def evaluate(self, node: wq.Query) -> Matches:
        """Return every passage the query matches with its score."""
        if self.combine_fields and _field_group(node) is not None:
            return self._combined(node)
        if self.combine_fields and word_parts(node) is not None:  # "three-dimensional": each word a BM25F word
            return self._and(word_parts(node))
        if isinstance(node, wq.Term):
            return self._boosted(self._term(node.fieldname, node.text), node.boost)
        if isinstance(node, wq.Phrase):
            return self._boosted(self._phrase(node), node.boost)
        if isinstance(node, wq.AndNot):
            return _without(self.evaluate(node.a), self.evaluate(node.b).ids)
        if isinstance(node, wq.AndMaybe):
            return _maybe(self.evaluate(node.a), self.evaluate(node.b))
        if isinstance(node, wq.And):
            return self._boosted(self._and(node.subqueries), node.boost)
        if isinstance(node, wq.Or) and not node.minmatch:
            return self._or(node)
        if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
            return Matches.empty()
        if isinstance(node, wq.Every) and node.fieldname in (None, "", "*"):
            ids = np.flatnonzero(self.arrays.live)  # every document, each scoring its boost (Whoosh's ListMatcher)
            return Matches(ids, np.full(len(ids), float(node.boost)), np.ones(len(ids), np.int64))
        raise Unsupported(type(node).__name__)

    def docs(self, node: wq.Query) -> np.ndarray:
        """Return the sorted docnums an unscored query (a filter or mask) matches, over any field."""
        if isinstance(node, wq.Term):
            return self.arrays.term(node.fieldname, _text(node.text)).ids.astype(np.int64)
        if isinstance(node, wq.Or) and not node.minmatch:
            parts = [self.docs(child) for child in node.subqueries]
            return distinct(np.concatenate(parts)) if parts else np.empty(0, np.int64)
        if isinstance(node, wq.And) and not any(isinstance(child, wq.Not) for child in node.subqueries):
            result = None
            for child in node.subqueries:
                ids = self.docs(child)
                result = ids if result is None else _common_sorted(result, ids)
            return result if result is not None else np.empty(0, np.int64)
        if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
            return np.empty(0, np.int64)
        return np.array(sorted(node.docs(self.searcher)), dtype=np.int64)

    def _term(self, field: str, text) -> Matches:
        """Score one term's postings with Whoosh's bm25()."""
        if field not in SCORED_FIELDS:
            raise Unsupported(field)
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        postings = self.arrays.term(field, text)
        if not len(postings.ids):
            return Matches.empty()
        idf = self.arrays.idf(field, text)
        average = self.arrays.average_length(field) or 1
        tf, length = postings.weights.astype(np.float64), self.arrays.lengths[field][postings.ids]
        scores = idf * ((tf * (self.K1 + 1)) / (tf + self.K1 * ((1 - self.B) + self.B * length / average)))
        return Matches(postings.ids.astype(np.int64), scores, np.ones(len(postings.ids), np.int64))

    def _combined(self, node: wq.Or) -> Matches:
        """Score one word over several fields with BM25F: length-normalised weights added, then saturated once."""
        text = _field_group(node)
        weights = np.zeros(self.arrays.size)
        found = []
        for child in node.subqueries:
            postings = self.arrays.term(child.fieldname, text)
            if not len(postings.ids):
                continue
            average = self.arrays.average_length(child.fieldname) or 1
            length = self.arrays.lengths[child.fieldname][postings.ids]
            weight = FIELD_WEIGHTS[child.fieldname] * child.boost * postings.weights.astype(np.float64)
            weights[postings.ids] += weight / ((1 - self.B) + self.B * length / average)
            found.append(postings.ids)
        if not found:
            return Matches.empty()
        ids = np.flatnonzero(weights) if len(found) > 1 else found[0].astype(np.int64)  # no sort of the union
        tf = weights[ids]
        scores = self._idf(len(ids)) * tf * (self.K1 + 1) / (tf + self.K1) * node.boost
        return Matches(ids, scores, np.ones(len(ids), np.int64))

    def _idf(self, frequency: int) -> float:
        """Return BM25's inverse document frequency over passages (never below zero)."""
        if self._passages is None:
            self._passages = max(1, int((self.arrays.doc_of >= 0).sum()))
        return math.log(1 + (self._passages - frequency + 0.5) / (frequency + 0.5))

    def word_idf(self, field: str, text: str) -> float:
        """Return BM25's idf of one word in one field."""
        return self._idf(len(self.arrays.term(field, text).ids))

    def most_of(self, node: wq.Query) -> tuple[Matches, int] | None:
        """Match a long all-words query softly: passages holding most of its clauses, more of them ranking higher.

        Returns the matches (their `terms`: clauses held) and the number of clauses; None when the
        query is not a plain list of clauses of at least LONG_QUERY (the caller then evaluates it as typed).
        """
        excluded = None
        if isinstance(node, wq.AndNot):
            node, excluded = node.a, node.b
        if not isinstance(node, wq.And) or len(node.subqueries) < LONG_QUERY or node.boost != 1.0:
            return None
        if any(isinstance(child, wq.Not) for child in node.subqueries):
            return None
        clauses = split_words(node.subqueries)
        least = max(1, math.ceil(MOST_WORDS * len(clauses)))
        matches, _complete = self.coordinated(clauses, least, MOST_RARITY)
        for clause in node.subqueries:  # a quoted phrase stays a must
            if _is_quoted(clause) and len(matches.ids):
                keep = _common_mask(matches.ids, self.evaluate(clause).ids)
                matches = Matches(matches.ids[keep], matches.scores[keep], matches.terms[keep])
        if excluded is not None:
            matches = _without(matches, self.evaluate(excluded).ids)
        return matches, len(clauses)

    def coordinated(self, clauses, least: int, rarity_share: float = 0.0) -> tuple[Matches, bool]:
        """Unite the clauses' matches, keep passages holding at least `least` of them and at least
        rarity_share of their idf, and scale scores by the shares held."""
        parts = []
        rarity = np.zeros(self.arrays.size)
        total_rarity = known_rarity = 0.0
        for clause in clauses:
            found = self.evaluate(clause)
            weight = self._idf(len(found.ids)) if len(found.ids) else self._idf(0)
            total_rarity += weight
            variants = self.variants(clause, found.ids)
            if len(found.ids) or len(variants.ids):
                known_rarity += weight
            if len(found.ids):
                parts.append(Matches(found.ids, found.scores, np.ones(len(found.ids), np.int64)))
                rarity[found.ids] += weight
            if len(variants.ids):
                parts.append(variants)
                rarity[variants.ids] += weight  # dev: half the idf for a variant, Success@1 0.7776 against 0.7820
        if not parts:
            return Matches.empty(), False
        united = _unite(parts, self.arrays.size)
        complete = bool(united.terms.max() == len(clauses))
        keep = united.terms >= least  # a passage holding only variants is left out (dev: keeping it changed nothing)
        if rarity_share:  # words the index does not hold do not count against a passage
            keep &= rarity[united.ids] >= rarity_share * known_rarity
        held = united.terms[keep]
        scores = united.scores[keep] * (held / len(clauses)) ** COORDINATION
        if COVERAGE:
            scores = scores * (rarity[united.ids[keep]] / total_rarity) ** COVERAGE
        return Matches(united.ids[keep], scores, held), complete

    def variants(self, clause: wq.Query, holding: np.ndarray) -> Matches:
        """Score a word's variants (index words sharing its first VARIANT_PREFIX letters: "imperialist" for
        "imperi", "originat" for "origin"; and its irregular forms, word_forms.py) in the passages without
        the word itself, at VARIANT_WEIGHT of their best variant's score. The matches hold no clause
        (terms 0): a variant is not the word."""
        word = _field_group(clause)
        if not VARIANT_PREFIX or word is None:
            return Matches.empty()
        forms = list(other_forms(word))  # "began" for "begin", "fought" for "fight", "men" for "man"
        if len(word) >= VARIANT_PREFIX:
            forms = self._variant_words(word) + [form for form in forms if not form.startswith(word[:VARIANT_PREFIX])]
        if not forms:
            return Matches.empty()
        best = np.zeros(self.arrays.size)
        for variant in forms:
            found = self._combined(wq.Or([wq.Term(child.fieldname, variant, boost=child.boost) for child in clause.subqueries],
                                         boost=clause.boost))
            np.maximum.at(best, found.ids, found.scores)
        best[holding] = 0.0
        ids = np.flatnonzero(best)
        return Matches(ids, VARIANT_WEIGHT * best[ids], np.zeros(len(ids), np.int64))

    def _variant_words(self, word: str) -> list[str]:
        """Return up to MAX_VARIANTS other words of the live passages' text that start as word does.

        Whoosh's term list keeps the words of deleted records until a merge drops them: after an
        incremental run they would take places a fresh build gives to live words.
        """
        reader = self.searcher.reader()
        deletions = reader.has_deletions()
        variants = []
        for term in reader.expand_prefix("text", word[:VARIANT_PREFIX]):
            term = _text(term)
            if term != word and not (deletions and not len(self.arrays.term("text", term).ids)):
                variants.append(term)
                if len(variants) >= MAX_VARIANTS:
                    break
        return variants

    def _phrase(self, node: wq.Phrase) -> Matches:
        """Match words at consecutive positions; score as the sum of the words' scores."""
        if node.slop != 1 or node.fieldname not in SCORED_FIELDS or not node.words:
            raise Unsupported("phrase")
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in node.words]
        keys = None
        for offset, word in enumerate(words):
            postings = self.arrays.term(node.fieldname, word, positions=True)
            if not len(postings.ids):
                return Matches.empty()
            shifted = postings.keys - offset
            keys = shifted if keys is None else _common_sorted(keys, shifted)
            if not len(keys):
                return Matches.empty()
        ids = distinct(keys >> POSITION_BITS)
        found = self._and([wq.Term(node.fieldname, word) for word in words])
        keep = _common_mask(found.ids, ids)
        return Matches(found.ids[keep], found.scores[keep], np.ones(int(keep.sum()), np.int64))

    def _and(self, children) -> Matches:
        """Intersect the children (NOT children subtract); scores add up."""
        positive = [child for child in children if not isinstance(child, wq.Not)]
        negative = [child.query for child in children if isinstance(child, wq.Not)]
        if not positive:
            raise Unsupported("only NOT")
        result = None
        for child in positive:
            matches = self.evaluate(child)
            if result is None:
                result = matches
            else:
                result = _intersect(result, matches, self.arrays.size)
            if not len(result.ids):
                return result
        for child in negative:  # Whoosh's InverseMatcher adds a constant 1.0 per NOT to the score
            result = _without(result, self.evaluate(child).ids)
            result = Matches(result.ids, result.scores + 1.0, result.terms)
        return result

    def _or(self, node: wq.Or) -> Matches:
        """Unite the children, adding scores; apply the coordination bonus when the Or has a scale."""
        # Any word (the parser's flat Or of field terms): one BM25F score per word, as long queries are.
        # Dev halves: SQuAD Success@1 0.7820 -> 0.7850, Success@5 0.8999 -> 0.9043 over fields summed per term.
        if self.combine_fields and (node.scale or any_word_terms(node)):
            return self._boosted(self.coordinated(split_words(_word_clauses(node.subqueries)), 1)[0], node.boost)
        parts = [self.evaluate(child) for child in node.subqueries]
        parts = [part for part in parts if len(part.ids)]
        if not parts:
            return Matches.empty()
        result = self._boosted(_unite(parts, self.arrays.size), node.boost)
        if node.scale:
            result = self._coordinate(node, result)
        return result

    def _coordinate(self, node: wq.Or, result: Matches) -> Matches:
        """Apply Whoosh's CoordMatcher (the "SQR" bonus for matching more of the terms)."""
        leaves = list(_leaf_terms(node))
        count = sum(1 for leaf in leaves if len(self.arrays.term(leaf.fieldname, _text(leaf.text)).ids))
        if count == 0:
            return result
        if count == node.scale:
            return Matches(result.ids, np.zeros(len(result.ids)), result.terms)
        scores = (result.scores + ((result.terms - 1) / (count - node.scale) ** 2)) * ((count - 1) / count)
        return Matches(result.ids, scores, result.terms)

    @staticmethod
    def _boosted(matches: Matches, boost: float) -> Matches:
        """Multiply scores by a query boost, as Whoosh's WrappingMatcher does."""
        if boost == 1.0:
            return matches
        return Matches(matches.ids, matches.scores * boost, matches.terms)


def _text(text) -> str:
    """Return a term's text as str."""
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _field_group(node: wq.Query) -> str | None:
    """Return the word of an Or of one word over scored fields (what the parser makes of a word), else None."""
    if not isinstance(node, wq.Or) or node.minmatch or len(node.subqueries) < 2:
        return None
    words = set()
    for child in node.subqueries:
        if not isinstance(child, wq.Term) or child.fieldname not in FIELD_WEIGHTS:
            return None
        words.add(_text(child.text))
    return words.pop() if len(words) == 1 else None


def word_parts(node: wq.Query) -> list[wq.Query] | None:
    """Return one clause per word of a word the analyser split ("three-dimensional" parses to an Or of
    one And per field), each word over the fields as _field_group reads it; None for anything else."""
    if not isinstance(node, wq.Or) or node.minmatch or not node.subqueries:
        return None
    words, terms = None, {}
    for child in node.subqueries:
        if not isinstance(child, wq.And) or len(child.subqueries) < 2:
            return None
        if not all(isinstance(term, wq.Term) and term.fieldname in FIELD_WEIGHTS for term in child.subqueries):
            return None
        sequence = tuple(_text(term.text) for term in child.subqueries)
        if words not in (None, sequence):
            return None
        words = sequence
        for term in child.subqueries:
            terms.setdefault(term.fieldname + ":" + _text(term.text), wq.Term(term.fieldname, term.text, boost=term.boost * child.boost))
    return [wq.Or([term for key, term in terms.items() if key.split(":", 1)[1] == word], boost=node.boost)
            for word in dict.fromkeys(words)]


def any_word_terms(node: wq.Query) -> bool:
    """True for what the any-word parser makes of plain words: one flat Or of (field, word) terms over several words."""
    if not isinstance(node, wq.Or) or node.minmatch:
        return False
    if not all(isinstance(child, wq.Term) and child.fieldname in FIELD_WEIGHTS for child in node.subqueries):
        return False
    return len({_text(child.text) for child in node.subqueries}) > 1


def split_words(clauses) -> list[wq.Query]:
    """Return the clauses with each split word ("three-dimensional") as one clause per word, each word
    once (as the parser keeps a repeated word once)."""
    result: list[wq.Query] = []
    for part in (part for clause in clauses for part in (word_parts(clause) or [clause])):
        if part not in result:
            result.append(part)
    return result


def _is_quoted(node: wq.Query) -> bool:
    """True for what a quoted phrase parses to: a phrase, or one phrase over several fields."""
    if isinstance(node, wq.Phrase):
        return True
    return isinstance(node, wq.Or) and all(isinstance(child, wq.Phrase) for child in node.subqueries)


def _word_clauses(children) -> list[wq.Query]:
    """Regroup the any-word parser's flat list of (field, word) terms into one clause per word."""
    clauses: list[wq.Query] = []
    by_word: dict[str, list[wq.Term]] = {}
    for child in children:
        if isinstance(child, wq.Term) and child.fieldname in FIELD_WEIGHTS:
            word = _text(child.text)
            if word not in by_word:
                by_word[word] = []
                clauses.append(word)
            by_word[word].append(child)
        else:
            clauses.append(child)
    return [(wq.Or(by_word[clause]) if len(by_word[clause]) > 1 else by_word[clause][0]) if isinstance(clause, str) else clause
            for clause in clauses]


def _leaf_terms(node: wq.Query):
    """Yield the Term leaves under node; a phrase or other leaf is not modelled under a coordination bonus."""
    if isinstance(node, wq.Term):
        yield node
    elif isinstance(node, (wq.And, wq.Or)):
        for child in node.subqueries:
            yield from _leaf_terms(child)
    else:
        raise Unsupported("coordination over " + type(node).__name__)


def _unite(parts: list[Matches], size: int) -> Matches:
    """Return the union of matches over docnums 0..size-1, adding scores and term counts."""
    if len(parts) == 1:
        return parts[0]
    scores, terms, present = np.zeros(size), np.zeros(size, np.int64), np.zeros(size, bool)
    for part in parts:  # ids are unique within a part, so fancy-index addition is exact
        scores[part.ids] += part.scores
        terms[part.ids] += part.terms
        present[part.ids] = True
    ids = np.flatnonzero(present)
    return Matches(ids, scores[ids], terms[ids])


def _intersect(left: Matches, right: Matches, size: int) -> Matches:
    """Return the docnums both match, adding scores and term counts."""
    if len(left.ids) > len(right.ids):
        left, right = right, left
    scores, terms = np.zeros(size), np.zeros(size, np.int64)
    scores[right.ids] = right.scores
    terms[right.ids] = right.terms
    keep = terms[left.ids] > 0
    ids = left.ids[keep]
    return Matches(ids, left.scores[keep] + scores[ids], left.terms[keep] + terms[ids])


def _common_mask(values: np.ndarray, sorted_other: np.ndarray) -> np.ndarray:
    """Return a mask of the values that also occur in sorted_other."""
    if not len(sorted_other):
        return np.zeros(len(values), bool)
    places = np.minimum(np.searchsorted(sorted_other, values), len(sorted_other) - 1)
    return sorted_other[places] == values


def _common_sorted(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Return the values of sorted first that also occur in sorted second."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    return small[_common_mask(small, large)]


def _without(matches: Matches, excluded: np.ndarray) -> Matches:
    """Drop the excluded docnums."""
    if not len(excluded) or not len(matches.ids):
        return matches
    keep = ~_common_mask(matches.ids, excluded)
    return Matches(matches.ids[keep], matches.scores[keep], matches.terms[keep])


def _maybe(required: Matches, optional: Matches) -> Matches:
    """Keep the required matches; add the optional part's score where it also matches."""
    left = _common_mask(required.ids, optional.ids)
    right = np.searchsorted(optional.ids, required.ids[left])
    scores = required.scores.copy()
    scores[left] += optional.scores[right]
    terms = required.terms.copy()
    terms[left] += optional.terms[right]
    return Matches(required.ids, scores, terms)
