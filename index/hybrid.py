"""First stage: dense cosine and FTS5 BM25 over one pool of candidates, fused by a weighted sum.

Both searches bring their own top hits; every pooled text then gets both
scores (its stored vector against the question, its BM25 against the same
MATCH), so a sentence found by one side is not penalised for being absent
from the other's short list.  A weighted sum beat reciprocal-rank fusion on
the TrecQA dev split (MAP 0.84 against 0.79): ranks throw away how far ahead
the best cosine is, which is most of the signal on short candidate lists.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .search import dense_search
from .store import Store

# Weight of BM25, scaled to 0..1 by the best BM25 of the pool, next to the cosine; chosen on TrecQA dev.
KEYWORD_WEIGHT = 0.1
# BM25 scores every text that holds any word searched for, so its cost is the number of those texts
# (about 2 µs each here).  Words are searched rarest first while the texts holding them stay within
# this budget: in a corpus like PolNeAR's that is every word of 90 % of questions; at a million
# sentences the common words, whose BM25 weight is small anyway, are left to the dense side.
KEYWORD_BUDGET = 2000
# FTS5 also pays per word searched (each word's index lookup): a "Who said <60-word quote>?" searched all
# its thirty-odd words in 7 ms at 100k sentences.  Its rarest dozen already single the sentence out, and
# every word still counts for confidence.  On the dev splits only abstention moved (one more answerable
# question refused, 1.4 % -> 1.9 %); the slowest 5 % of questions at 100k went from 28 to 20 ms.
KEYWORD_TERMS = 12

# "Who said X" is looked up word for word too: X's first and last this many words as FTS5 phrases (a quote
# that runs over several sentences has its first words in one and its last in another), when X has at
# least MIN_PHRASE_WORDS.  Chosen on PolNeAR dev: 12 and 16 words gave the same figures, 5 and 8 a question
# fewer; a floor of 2 words lifted broad hit@1 from 0.928 (3 words) to 0.940, and 1 word added nothing.
PHRASE_WORDS = 12
MIN_PHRASE_WORDS = 2

STOPWORDS = frozenset(
    "a an the of to in on at for by with from and or nor but is are was were be been being am what which who whom "
    "whose when where why how did does do doing done that this these those it its as into than then there their "
    "his her he she they them i you we our us your me my not no yes can could would should will shall may might "
    "must has have had having about over after before so if any all some such very just also only own same s t "
    "said say says tell told".split())
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    """One pooled sentence text with both first-stage scores."""

    text_id: int
    dense: float
    keyword: float  # BM25 divided by the best BM25 in the pool: 0..1
    fused: float


def keywords(question: str) -> list[str]:
    """The question's content words, lower-cased, in order, once each."""
    words = [w for w in _TOKEN.findall(question.lower()) if w not in STOPWORDS]
    return list(dict.fromkeys(words))


def search_words(question: str) -> list[str]:
    """The words keyword search looks for: the content words, or every word of a question made only
    of stopwords ("Who is it?")."""
    return keywords(question) or list(dict.fromkeys(_TOKEN.findall(question.lower())))


def fts_query(question: str) -> str | None:
    """An FTS5 MATCH over all the question's words (the keyword-only baseline's search)."""
    return _any_of(search_words(question))


def keyword_match(words: Sequence[str], counts: dict[str, int], budget: int = KEYWORD_BUDGET,
                  terms: int = KEYWORD_TERMS) -> str | None:
    """The bot's FTS5 MATCH: the rarest of a question's ``search_words`` by ``counts`` (texts holding each),
    at most ``terms`` of them, held by at most ``budget`` texts in all; None when no word fits."""
    chosen, spent = set(), 0
    for word in sorted(words, key=lambda w: counts[w]):
        if spent + counts[word] > budget or len(chosen) == terms:
            break
        chosen.add(word)
        spent += counts[word]
    return _any_of([w for w in words if w in chosen])


def phrase_match(quote: str) -> str | None:
    """An FTS5 MATCH for sentences that hold ``quote``'s opening or closing words in order, or None when it
    is too short to single anything out.  Stopwords stay: "It's about me" is nothing but stopwords."""
    words = _TOKEN.findall(quote.lower())
    if len(words) < MIN_PHRASE_WORDS:
        return None
    ends = dict.fromkeys([" ".join(words[:PHRASE_WORDS]), " ".join(words[-PHRASE_WORDS:])])
    return " OR ".join(f'"{phrase}"' for phrase in ends)


def _any_of(words: Sequence[str]) -> str | None:
    """Each word a quoted string, joined by OR: safe whatever the question holds.

    Quoting every word turns FTS5 syntax in the question (``"``, ``*``, ``NEAR(``, ``AND``/``OR``/``NOT``,
    brackets, column filters with ``:``) into plain words; ``\\w+`` leaves no quote inside a word.
    """
    return " OR ".join(f'"{w}"' for w in words) or None


def pool(store: Store, query: np.ndarray, match: str | None, size: int,
         only: Sequence[int] | None = None, extra: Sequence[int] = ()) -> list[Candidate]:
    """The fused candidates, best first: dense top ``size``, keyword top ``size`` and ``extra`` (or exactly
    ``only``).

    The keyword ``match`` (``keyword_match``) stays within ``KEYWORD_BUDGET`` texts, so one FTS5 query
    scores every text it matches: its best ``size`` join the pool, and the rest give the dense hits their BM25.
    """
    bm25 = dict(store.keyword_search(match, KEYWORD_BUDGET)) if match else {}
    if only is not None:
        ids = list(dict.fromkeys(int(i) for i in only))
        dense = {}
    else:
        dense = dict(dense_search(store, query, size))
        ids = list(dict.fromkeys([*dense, *list(bm25)[:size], *extra]))  # keyword_search lists the best first
    if not ids:
        return []
    missing_dense = [i for i in ids if i not in dense]
    if missing_dense:
        dense.update(zip(missing_dense, (store.vectors_of(missing_dense) @ query.astype(np.float32)).tolist()))
    best = max((bm25[i] for i in ids if bm25.get(i, 0) > 0), default=0.0)
    out = []
    for i in ids:
        kw = bm25.get(i, 0.0) / best if best > 0 else 0.0
        out.append(Candidate(i, float(dense[i]), kw, float(dense[i]) + KEYWORD_WEIGHT * kw))
    return sorted(out, key=lambda c: -c.fused)


def coverage(store: Store, question: str, texts: dict[int, str], term_counts: tuple[int, dict[str, int]]
             ) -> dict[int, float]:
    """Share of the question's words, weighted by rarity (BM25's idf), that each text holds: 0..1.

    Unlike BM25 scaled to the pool's best, this is absolute: a question whose rare words occur nowhere
    in the index scores low everywhere, which is what abstention needs.  ``texts`` maps any ids to texts;
    ``term_counts`` is ``Store.term_counts`` of the question's ``search_words``, read once a question.
    """
    words = keywords(question)
    if not words or not texts:
        return {i: 0.0 for i in texts}
    total, counts = term_counts
    idf = {w: math.log(1 + (total - counts[w] + 0.5) / (counts[w] + 0.5)) for w in words}
    weight = sum(idf.values()) or 1.0
    needs = dict(zip(words, store.terms.of_words(words)))
    held = dict(zip(texts, store.terms.of(list(texts.values()))))
    return {i: sum(idf[w] for w in words if needs[w] and needs[w] <= held[i]) / weight for i in texts}
