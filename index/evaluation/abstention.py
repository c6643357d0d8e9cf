"""Honest "not found": questions the index cannot answer must be refused, answerable ones must not.

Unanswerable: TrecQA questions (1990s newswire trivia) asked of the PolNeAR
index (2016 US election news).  Answerable: PolNeAR's strict "who said"
questions of the same split.  The dense baseline refuses below the
foundation's fixed cosine threshold; the keyword baseline refuses only when
no word of the question occurs anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..confidence import confidence
from ..engine import NewsIndex, clean_question
from ..hybrid import fts_query
from ..retrieve import retrieve
from ..search import dense_search
from .metrics import mean

DENSE_MIN_SCORE = 0.35  # the foundation's dense-only threshold
# The calibration grid: coverage weights, and thresholds from 0.30 to 1.20 in steps of 0.01.
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
THRESHOLDS = tuple(round(0.30 + 0.01 * i, 2) for i in range(91))


def evaluate_abstention(index: NewsIndex, unanswerable: Sequence[str], answerable: Sequence[str]) -> dict:
    store, embedder = index.store, index.embedder

    def answers(method: str, question: str) -> bool:
        if method == "newsbot":
            return not index.ask(question, 1).abstained
        if method == "dense":
            top = dense_search(store, embedder.encode_query(question), 1)
            return bool(top) and top[0][1] >= DENSE_MIN_SCORE
        match = fts_query(question)
        return bool(match and store.keyword_search(match, 1))

    return {"questions": len(unanswerable) + len(answerable),
            "methods": {m: {"answered_unanswerable": mean([float(answers(m, q)) for q in unanswerable]),
                            "refused_answerable": mean([float(not answers(m, q)) for q in answerable])}
                        for m in ("newsbot", "dense", "keyword")}}


def calibrate(index: NewsIndex, unanswerable: Sequence[str], answerable: Sequence[str]) -> list[dict]:
    """Both error rates of every (coverage weight, threshold) pair of the grid, fewest errors first (ties
    in grid order): the sweep that chose ``COVERAGE_WEIGHT`` and ``DEFAULT_MIN_SCORE``.  Each question's
    top answer is ranked once, as ``ask`` ranks it; only its confidence is weighed anew."""

    def top_confidence(question: str) -> dict[float, float] | None:
        found = retrieve(index.store, index.embedder, clean_question(question))
        if not found.ranked:
            return None  # nothing to answer with: refused at any threshold
        top = found.ranked[0][0]
        return {w: confidence(index.store, found, [top], w)[top]
                for w in WEIGHTS}

    refused, answered = [top_confidence(q) for q in unanswerable], [top_confidence(q) for q in answerable]
    rows = [{"weight": w, "threshold": t,
             "answered_unanswerable": mean([float(c is not None and c[w] >= t) for c in refused]),
             "refused_answerable": mean([float(c is None or c[w] < t) for c in answered])}
            for w in WEIGHTS for t in THRESHOLDS]
    return sorted(rows, key=lambda r: r["answered_unanswerable"] + r["refused_answerable"])
