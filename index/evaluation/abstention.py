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


def top_confidences(index: NewsIndex, questions: Sequence[str]) -> list[dict[float, float] | None]:
    """Each question's top answer, ranked once as ``ask`` ranks it, and its confidence at every weight of the
    grid (None: nothing to answer with, refused at any threshold)."""

    def weighed(question: str) -> dict[float, float] | None:
        found = retrieve(index.store, index.embedder, clean_question(question))
        if not found.ranked:
            return None
        top = found.ranked[0][0]
        return {w: confidence(index.store, found, [top], w)[top] for w in WEIGHTS}

    return [weighed(q) for q in questions]


Confidences = Sequence[dict[float, float] | None]


def calibrate(unanswerable: Confidences, answerable: Confidences, paraphrases: Confidences) -> list[dict]:
    """The error rates of every (coverage weight, threshold) pair of the grid, fewest errors first (ties in
    grid order): the sweep that chose ``COVERAGE_WEIGHT`` and ``DEFAULT_MIN_SCORE``.  Answering what the news
    cannot answer weighs as much as refusing what it can, and a refusal counts the same whether the
    question quotes its answer (who said) or paraphrases it: without paraphrases, the sweep favours a
    threshold that verbatim questions clear easily and paraphrased ones do not."""

    def share(confidences: Confidences, answered: bool, w: float, t: float) -> float:
        return mean([float((c is not None and c[w] >= t) == answered) for c in confidences])

    rows = [{"weight": w, "threshold": t,
             "answered_unanswerable": share(unanswerable, True, w, t),
             "refused_answerable": share(answerable, False, w, t),
             "refused_paraphrases": share(paraphrases, False, w, t)}
            for w in WEIGHTS for t in THRESHOLDS]
    return sorted(rows, key=lambda r: r["answered_unanswerable"]
                  + (r["refused_answerable"] + r["refused_paraphrases"]) / 2)
