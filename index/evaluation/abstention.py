"""Honest "not found": questions the index cannot answer must be refused, answerable ones must not.

Unanswerable: TrecQA questions (1990s newswire trivia) asked of the PolNeAR
index (2016 US election news).  Answerable: PolNeAR's strict "who said"
questions of the same split.  The dense baseline refuses below the
foundation's fixed cosine threshold; the keyword baseline refuses only when
no word of the question occurs anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import NewsIndex
from ..hybrid import fts_query
from ..search import dense_search
from .metrics import mean

DENSE_MIN_SCORE = 0.35  # the foundation's dense-only threshold


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
